"""Atomic file output and output-folder policy (core; used by io and presentation).

Every file habitat writes goes through :func:`atomic_write`: the content is
written to a temporary file in the destination folder and moved into place
with :func:`os.replace`, so a reader (or a batch killed midway) never sees a
partial file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from habitat.core.errors import DataFileError, InputError, OutputExistsError

__all__ = [
    "read_toml",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "gdal_read_path",
    "TEMP_PREFIX",
    "prepare_output_dir",
    "remove_stale_temporaries",
    "require_file_target",
    "safe_filename",
]


#: prefix of the temporary folders :func:`atomic_path` creates (ASCII, hidden)
TEMP_PREFIX = ".habitat-tmp-"


def _gdal_safe(path: str) -> bool:
    r"""Whether GDAL/OGR would open ``path`` as it is spelt.

    OGR drops control characters (newline, tab, carriage return) from file
    names, so a folder called ``"out\nx"`` would be written as ``"outx"``; a
    path starting with ``/vsi`` is a GDAL virtual file system, not a file.
    """
    if path.startswith("/vsi"):
        return False
    return not any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in path)


def require_file_target(path: str | os.PathLike[str], *, what: str = "output file") -> Path:
    """Check that ``path`` can be written as a file; create its missing parent folders.

    Raises
    ------
    InputError
        If ``path`` is an existing folder (a folder where a file is expected), or
        one of its parents is an existing file (a file where a folder is
        expected), or its folder cannot be created.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> require_file_target(folder / "maps" / "leopards.html").parent.is_dir()
    True
    >>> require_file_target(folder / "maps", what="map file")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: map file '.../maps' is an existing folder, not a file; ...
    >>> _ = (folder / "notes.txt").write_text("a file")
    >>> require_file_target(folder / "notes.txt" / "map.html")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: output file '.../notes.txt/map.html' cannot be written: ...
    """
    path = Path(path)
    if str(path) in ("", "."):
        raise InputError(f"{what} path is empty; give a file name such as 'ranges.gpkg'.")
    if path.is_dir():
        raise InputError(
            f"{what} '{path}' is an existing folder, not a file; give a file name inside it "
            f"(e.g. '{path / ('output' + (path.suffix or ''))}') or remove the folder."
        )
    blocker = _file_ancestor(path.parent)
    if blocker is not None:
        raise InputError(
            f"{what} '{path}' cannot be written: '{blocker}' is a file where a folder is "
            "expected; choose another output location or move that file."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{what} '{path}': its folder '{path.parent}' cannot be created "
            f"({exc.strerror or exc}); choose a writable location."
        ) from exc
    return path


def _file_ancestor(folder: Path) -> Path | None:
    """The first existing non-folder on the way from the root to ``folder``, if any."""
    for candidate in (*reversed(folder.parents), folder):
        if candidate.exists() and not candidate.is_dir():
            return candidate
        if not candidate.exists():
            return None
    return None


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    r"""Yield a temporary path for ``path``; on success move it onto ``path``.

    Use for writers that want a file name (``GeoDataFrame.to_file``,
    ``to_parquet``, ``rasterio.open(..., "w")``, ``folium.Map.save``). The
    temporary file lives in a fresh hidden folder with an ASCII name
    (:data:`TEMP_PREFIX`) inside the destination folder, so side files a driver
    writes (journals, ``.aux.xml``) stay there and go with it, and nothing is
    written outside the destination folder. When the destination's path holds
    characters GDAL would alter (newline, tab and other control characters), the
    yielded path reaches that same folder through ``/proc/self/fd`` (Linux), so
    GDAL never sees them. On error the temporary folder is removed and ``path``
    is left untouched.

    Raises
    ------
    InputError
        If ``path`` is an existing folder, or a parent of it is a file
        (:func:`require_file_target`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "ranges.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("individual,area_km2 F1,100.0")
    ...     target.exists()  # nothing at the destination until the block succeeds
    False
    >>> target.read_text().split()
    ['individual,area_km2', 'F1,100.0']

    A failing writer leaves the existing file untouched and no temporary file behind:

    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("half a fi")
    ...     raise RuntimeError("writer crashed")
    Traceback (most recent call last):
    ...
    RuntimeError: writer crashed
    >>> target.read_text().split()
    ['individual,area_km2', 'F1,100.0']
    >>> sorted(p.name for p in target.parent.iterdir())
    ['ranges.csv']

    A folder name GDAL would mangle (a newline) never reaches the writer:

    >>> odd = Path(tempfile.mkdtemp()) / "out\nx"
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> with atomic_path(odd / "ranges.gpkg") as tmp:
    ...     print("\n" in str(tmp), tmp.suffix)
    ...     gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=3857).to_file(tmp, layer="r")
    False .gpkg
    >>> [p.name for p in odd.parent.iterdir()], [p.name for p in odd.iterdir()]
    (['out\nx'], ['ranges.gpkg'])
    """
    path = require_file_target(path)
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=path.parent))
    suffix = "".join(s for s in path.suffixes[-2:] if _SAFE_SUFFIX.fullmatch(s))
    real_tmp = folder / ("output" + suffix)
    dir_fd: int | None = None
    shown = real_tmp
    try:
        if not _gdal_safe(os.path.abspath(folder)):
            shown, dir_fd = _fd_path(folder, real_tmp.name)
        yield shown
        if not real_tmp.exists():
            raise FileNotFoundError(f"the writer created no file for '{path}'")
        # mkstemp-style private permissions would leak into outputs: use the umask
        os.chmod(real_tmp, 0o666 & ~_UMASK)
        os.replace(real_tmp, path)
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
        shutil.rmtree(folder, ignore_errors=True)


_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,12}")


def _fd_path(folder: Path, name: str) -> tuple[Path, int | None]:
    """A GDAL-safe spelling of ``folder / name`` through an open folder descriptor."""
    proc = Path("/proc/self/fd")
    if proc.is_dir():
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        via = proc / str(fd) / name
        if via.parent.is_dir() and os.path.samefile(via.parent, folder):
            return via, fd
        os.close(fd)
    raise InputError(
        f"folder '{folder}' has characters GDAL cannot keep in a path "
        "(newline, tab or other control characters) and this system has no /proc to avoid "
        "them; choose a folder name without them."
    )


@contextmanager
def gdal_read_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    r"""Yield a spelling of an existing file's path that GDAL reads as the same file.

    GDAL/OGR drop control characters from paths, so ``"out\nx/ranges.gpkg"``
    would be read from ``"outx/ranges.gpkg"`` (another file, or none). When
    the path holds such characters the file is reached through an open
    descriptor of its folder (``/proc/self/fd``, Linux); otherwise the path is
    yielded as it is.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> odd = Path(tempfile.mkdtemp()) / "out\nx" / "r.gpkg"
    >>> with atomic_path(odd) as tmp:
    ...     gpd.GeoDataFrame({"id": ["F1"]}, geometry=[Point(0, 0)], crs=3857).to_file(tmp)
    >>> with gdal_read_path(odd) as readable:
    ...     gpd.read_file(readable)["id"].tolist()
    ['F1']
    """
    path = Path(path)
    if _gdal_safe(os.path.abspath(path)):
        yield path
        return
    via, fd = _fd_path(path.parent, path.name)
    try:
        yield via
    finally:
        if fd is not None:
            os.close(fd)


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> int:
    """Remove what killed writers left in ``folder`` (recursively); return how many.

    Removes the folders :func:`atomic_path` creates (:data:`TEMP_PREFIX`) and the
    hidden ``.*.tmp*`` files of earlier habitat versions.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / (TEMP_PREFIX + "x1")).mkdir()
    >>> _ = (out / ".page.html.abc.tmp.html").write_text("partial")
    >>> _ = (out / "index.html").write_text("kept")
    >>> remove_stale_temporaries(out), [p.name for p in out.iterdir()]
    (2, ['index.html'])
    """
    folder = Path(folder)
    n = 0
    for stale in sorted(folder.rglob(TEMP_PREFIX + "*"), reverse=True):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
            n += 1
    for stale in folder.rglob(".*.tmp*"):
        if stale.is_file():
            stale.unlink()
            n += 1
    return n


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once at import: os.umask is process-wide and not safe to toggle from threads
_UMASK = _read_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path.

    Missing parent folders are created.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = atomic_write_bytes(Path(tempfile.mkdtemp()) / "maps" / "tile.bin", b"II*")
    >>> out.parent.name, out.name, out.read_bytes()
    ('maps', 'tile.bin', b'II*')
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = atomic_write_text(Path(tempfile.mkdtemp()) / "note.txt", "Леопард, 100 km²")
    >>> out.read_text(encoding="utf-8")
    'Леопард, 100 km²'
    >>> len(out.read_bytes())  # UTF-8: Cyrillic letters and ² take two bytes each
    24
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def prepare_output_dir(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Create an output folder, refusing a non-empty one unless ``overwrite``.

    With ``overwrite=True`` existing files are replaced one by one as new ones are
    written; nothing else in the folder is deleted.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and is not empty and ``overwrite`` is false.
    InputError
        If ``path`` exists and is a file, a parent of it is a file, or it cannot be
        created.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = prepare_output_dir(Path(tempfile.mkdtemp()) / "report")
    >>> out.is_dir()
    True
    >>> _ = (out / "index.html").write_text("<html></html>")
    >>> prepare_output_dir(out)
    Traceback (most recent call last):
    ...
    habitat.core.errors.OutputExistsError: output folder '...' already exists and is not empty; ...
    >>> prepare_output_dir(out, overwrite=True) == out
    True
    >>> [p.name for p in out.iterdir()]  # overwrite deletes nothing by itself
    ['index.html']
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"output path '{path}' is a file, not a folder; choose a folder name.")
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise OutputExistsError(
            f"output folder '{path}' already exists and is not empty; pass --overwrite "
            "(overwrite=True) to replace habitat's files in it, or choose another folder."
        )
    blocker = _file_ancestor(path.parent)
    if blocker is not None:
        raise InputError(
            f"output folder '{path}' cannot be created: '{blocker}' is a file where a folder "
            "is expected; choose another output folder."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"output folder '{path}' cannot be created ({exc.strerror or exc}); "
            "choose a writable location."
        ) from exc
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: object, *, max_length: int = 80) -> str:
    """A file-name-safe version of a name taken from data.

    Path separators, ``..``, control and other unsafe characters are replaced, so
    the result always stays inside the folder it is joined to. Uniqueness between
    different names that map to the same result is the caller's business.

    Examples
    --------
    >>> safe_filename("Leo 17 / Kedrovaya Pad")
    'Leo_17_Kedrovaya_Pad'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd'
    >>> safe_filename("Барс")  # nothing ASCII is left
    'unnamed'
    >>> safe_filename("Léopard")  # accents are dropped, letters kept
    'Leopard'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = _UNSAFE.sub("_", text).strip("._-")
    return (text[:max_length] or "unnamed").strip("._-") or "unnamed"


def read_toml(path: str | os.PathLike[str], *, what: str = "TOML file") -> dict[str, Any]:
    """The tables of a TOML file; every way of failing is a DataFileError naming the file.

    The one reader of habitat's TOML files (report configs, study areas,
    species profiles): ``what`` says which it is in the message.

    Examples
    --------
    >>> read_toml("no/such/area.toml", what="study-area file")
    Traceback (most recent call last):
    ...
    habitat.core.errors.DataFileError: study-area file 'no/such/area.toml' does not exist.
    """
    p = Path(path)
    source = f"{what} '{p}'"
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(f"{source} does not exist.") from exc
    except IsADirectoryError as exc:
        raise DataFileError(f"{source} is a folder; give the path of a TOML file.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read {source}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{source} is not valid TOML: {exc}.") from exc
