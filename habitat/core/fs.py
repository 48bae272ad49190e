"""Atomic file output and output-folder policy (core; used by io and presentation).

Every file habitat writes goes through :func:`atomic_write`: the content is
written to a temporary file in the destination folder and moved into place
with :func:`os.replace`, so a reader (or a batch killed midway) never sees a
partial file.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from habitat.core.errors import InputError, OutputExistsError

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "prepare_output_dir",
    "safe_filename",
]


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it onto ``path``.

    Use for writers that want a file name (``GeoDataFrame.to_file``,
    ``folium.Map.save``). On error the temporary file is removed and ``path`` is
    left untouched.

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
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        tmp_path.unlink()  # let the writer create it (some drivers refuse existing files)
        yield tmp_path
        # mkstemp-style private permissions would leak into outputs: use the umask
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


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
        If ``path`` exists and is a file.

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
    path.mkdir(parents=True, exist_ok=True)
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
