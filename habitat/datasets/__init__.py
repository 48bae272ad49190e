"""The bundled study-area data: schematic layers, land cover and demo relocations.

The files live in the top-level ``data/`` folder of the repository and are
installed inside the package as ``habitat/_data`` (see ``pyproject.toml``), so
these functions work from an installed wheel as well as from a checkout.

All vector layers are hand-drawn **schematic** approximations in EPSG:4326,
not official boundaries; ``data/README.md`` says what each one approximates and
how accurate it is.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

import geopandas as gpd

from habitat.core.errors import DataFileError, DatasetNotFoundError
from habitat.io.raster import Raster, read_geotiff

__all__ = [
    "LAND_COVER_CLASSES",
    "available",
    "data_path",
    "get_path",
    "land_cover",
    "layer",
    "layers",
]

#: class codes of :func:`land_cover` (0 is nodata)
LAND_COVER_CLASSES: dict[int, str] = {
    1: "forest",
    2: "grassland/burnt",
    3: "agriculture",
    4: "settlement",
    5: "water",
    6: "wetland",
}

_LAYER_DIR = "layers"
_LAND_COVER = "land_cover.tif"


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path:
    """The data folder: installed ``habitat/_data``, else the checkout's ``data/``."""
    installed = resources.files("habitat") / "_data"
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parents[2] / "data"
    if checkout.is_dir():
        return checkout
    raise DataFileError(
        "habitat's bundled data folder was not found (looked for "
        f"'{installed}' and '{checkout}'); reinstall habitat from a wheel or a full checkout."
    )


def data_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``data_path("relocations", "demo_leopards.csv")``.

    Raises
    ------
    DatasetNotFoundError
        If no such file is bundled, listing what is.

    Examples
    --------
    >>> path = data_path("relocations", "demo_leopards.csv")
    >>> path.name, path.is_file()
    ('demo_leopards.csv', True)
    >>> data_path("relocations", "missing.csv")
    Traceback (most recent call last):
    ...
    habitat.core.errors.DatasetNotFoundError: no bundled file 'relocations/missing.csv'; \
bundled files are: README.md, land_cover.tif, layers/borders.geojson, ...
    """
    root = _data_dir()
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()) or not path.exists():
        present = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        raise DatasetNotFoundError(
            f"no bundled file '{'/'.join(parts)}'; bundled files are: {', '.join(present)}."
        )
    return path


def available() -> list[str]:
    """Names of the bundled vector layers, for :func:`layers` and :func:`layer`.

    Examples
    --------
    >>> available()
    ['borders', 'countries', 'kedrovaya_pad', 'land_of_the_leopard',
     'ne_china_tiger_leopard_np', 'park_zones', 'primorsky_krai', 'railways', 'rivers',
     'roads', 'settlements']
    """
    return sorted(p.stem for p in (_data_dir() / _LAYER_DIR).glob("*.geojson"))


def get_path(name: str) -> Path:
    """Path of a bundled layer (GeoJSON) or of ``"land_cover"`` (GeoTIFF).

    Raises
    ------
    DatasetNotFoundError
        For an unknown name, with the valid names and the closest match.

    Examples
    --------
    >>> get_path("roads").name, get_path("land_cover").name
    ('roads.geojson', 'land_cover.tif')
    >>> get_path("road")
    Traceback (most recent call last):
    ...
    habitat.core.errors.DatasetNotFoundError: unknown dataset 'road'. Did you mean 'roads'? ...
    """
    if name == "land_cover":
        return data_path(_LAND_COVER)
    names = available()
    if name not in names:
        close = difflib.get_close_matches(str(name), [*names, "land_cover"], n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise DatasetNotFoundError(
            f"unknown dataset {name!r}.{hint} Bundled layers: {', '.join(names)}; "
            "and 'land_cover' (habitat.datasets.land_cover())."
        )
    return _data_dir() / _LAYER_DIR / f"{name}.geojson"


@functools.cache
def _read_layer(name: str) -> gpd.GeoDataFrame:
    path = get_path(name)
    gdf = gpd.read_file(path)
    if gdf.crs is None:  # GeoJSON is EPSG:4326 by definition (RFC 7946)
        gdf = gdf.set_crs(4326)
    return gdf


def layer(name: str) -> gpd.GeoDataFrame:
    """One bundled layer as a GeoDataFrame in EPSG:4326 (a fresh copy).

    Parameters
    ----------
    name : str
        One of :func:`available`, e.g. ``"land_of_the_leopard"``.

    Examples
    --------
    The national park is one polygon; its area, computed in UTM 52N, matches
    the 2,620 km² target the schematic outline was drawn to:

    >>> park = layer("land_of_the_leopard")
    >>> park.crs.to_epsg(), len(park), park.loc[0, "iucn_category"]
    (4326, 1, 'II')
    >>> round(float(park.to_crs(32652).area.iloc[0]) / 1e6)
    2620
    >>> float(park.loc[0, "target_area_km2"])
    2620.0
    """
    return _read_layer(name).copy()


def layers(names: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The bundled layers by name (fresh copies), all in EPSG:4326.

    Parameters
    ----------
    names : list of str, optional
        Subset to load; all of :func:`available` by default.

    Returns
    -------
    dict of str to GeoDataFrame
        Includes ``land_of_the_leopard``, ``park_zones``, ``kedrovaya_pad``,
        ``ne_china_tiger_leopard_np``, ``primorsky_krai``, ``countries``,
        ``borders``, ``roads``, ``railways``, ``settlements`` and ``rivers``.

    Examples
    --------
    >>> lines_and_points = layers(["roads", "settlements"])
    >>> {name: (len(gdf), gdf.geom_type.iloc[0]) for name, gdf in lines_and_points.items()}
    {'roads': (7, 'LineString'), 'settlements': (11, 'Point')}
    >>> len(layers()) == len(available())
    True
    """
    return {n: layer(n) for n in (available() if names is None else names)}


@functools.lru_cache(maxsize=1)
def _read_land_cover() -> Raster:
    return read_geotiff(get_path("land_cover"))


def land_cover() -> Raster:
    """The schematic 200 m land-cover raster of the leopard range (EPSG:32652).

    Classes are :data:`LAND_COVER_CLASSES`; 0 is nodata. Returns a fresh copy.

    Examples
    --------
    >>> cover = land_cover()
    >>> cover.shape, cover.cell_size_m, cover.crs.to_epsg(), cover.nodata
    ((1075, 758), 200.0, 32652, 0)
    >>> cover.classes == LAND_COVER_CLASSES
    True
    >>> cover.class_areas()[["name", "cell_count", "area_km2", "share"]].round(2)
                      name  cell_count  area_km2  share
    class
    1               forest      442247  17689.88   0.54
    2      grassland/burnt       80145   3205.80   0.10
    3          agriculture      107077   4283.08   0.13
    4           settlement        2994    119.76   0.00
    5                water      178182   7127.28   0.22
    6              wetland        4205    168.20   0.01
    """
    return _read_land_cover().copy()
