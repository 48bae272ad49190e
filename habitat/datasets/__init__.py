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
import logging
import os
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from habitat.core import crs as hcrs
from habitat.core.errors import (
    ConfigError,
    DataFileError,
    DataQualityWarning,
    DatasetNotFoundError,
    GeometryTypeError,
)
from habitat.core.validation import (
    require_finite_coordinates,
    require_geodataframe,
    require_layer_mapping,
)
from habitat.io.cleaning import register_species_resolver
from habitat.io.raster import Raster, read_geotiff
from habitat.io.species import SpeciesProfile, read_species_profile
from habitat.io.study_area import (
    ROLE_ALIASES,
    StudyArea,
    StudyLayer,
    read_study_area,
    resolve_role,
    study_layer,
)

__all__ = [
    "BUNDLED_NAME",
    "BUNDLED_SPECIES",
    "CROSSINGS_LABEL",
    "LAND_COVER_CLASSES",
    "PRIMORSKY_ROLES",
    "available",
    "available_species",
    "data_path",
    "get_path",
    "land_cover",
    "layer",
    "layers",
    "primorsky",
    "species_for",
    "species_profile",
    "study_area_for",
    "study_area_from_layers",
]

log = logging.getLogger(__name__)

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


# ------------------------------------------------------------------ study areas and species

#: the bundled layers as a study area: name -> (role, label, study_layer options)
PRIMORSKY_ROLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "primorsky_krai": ("admin_units", "Primorsky Krai", {}),
    "countries": ("admin_units", "Countries", {}),
    "ne_china_tiger_leopard_np": ("protected_areas", "NE China Tiger & Leopard NP", {}),
    "land_of_the_leopard": (
        "protected_areas",
        "Land of the Leopard NP",
        {"category_column": "iucn_category"},
    ),
    "park_zones": (
        "protected_areas",
        "Park zones",
        {"name": "Land of the Leopard National Park", "zone_column": "zone"},
    ),
    "kedrovaya_pad": ("protected_areas", "Kedrovaya Pad reserve", {}),
    "borders": ("context", "State borders", {}),
    "roads": ("barriers", "Roads", {"kind_column": "kind"}),
    "railways": ("barriers", "Railways", {"kind_column": "kind"}),
    "settlements": ("settlements", "Settlements", {}),
    "rivers": ("barriers", "Rivers", {"kind": "river"}),
}


#: name of the bundled study area (:func:`primorsky`)
BUNDLED_NAME = "SW Primorsky Krai (schematic)"
#: species profile that goes with the bundled study area
BUNDLED_SPECIES = "amur_leopard"
#: label of a crossings layer (the bundled tunnel; rows of a layer with a ``crossing`` value)
CROSSINGS_LABEL = "Wildlife crossings"


@functools.lru_cache(maxsize=1)
def _primorsky() -> StudyArea:
    found = set(available())
    layers = []
    for key, (role, label, options) in PRIMORSKY_ROLES.items():
        if key in found:
            layers.append(study_layer(layer(key), role, key=key, label=label, **options))
    roads = layer("roads")
    if "crossing" in roads.columns:
        crossings = roads[roads["crossing"].notna()]
        if len(crossings):
            layers.append(
                study_layer(
                    crossings,
                    "crossings",
                    key="crossings",
                    label=CROSSINGS_LABEL,
                    name_column="crossing",
                    kind_column="kind",
                )
            )
    return StudyArea(
        layers,
        land_cover=land_cover(),
        name=BUNDLED_NAME,
        species=BUNDLED_SPECIES,
        schematic=True,
    )


def primorsky() -> StudyArea:
    """The bundled schematic study area of the Amur leopard range, with its roles.

    Protected areas (Land of the Leopard NP with its zones, Kedrovaya Pad, the
    NE China Tiger and Leopard NP), admin units (Primorsky Krai, countries),
    barriers (roads, railways, rivers), settlements, crossings (the Narvinsky
    tunnel) and the 200 m land cover; the default species profile is
    ``amur_leopard``.

    Examples
    --------
    >>> area = primorsky()
    >>> area.name, area.species, area.schematic
    ('SW Primorsky Krai (schematic)', 'amur_leopard', True)
    >>> sorted(set(area.features("protected_areas")["name"]))
    ['Kedrovaya Pad Nature Reserve', 'Land of the Leopard National Park', \
'Northeast China Tiger and Leopard National Park']
    >>> area.features("crossings")["name"].tolist()
    ['Narvinsky tunnel']
    """
    return _primorsky()


# ------------------------------------------------------------------ legacy layer mappings

#: a layer's own columns that fill the standard column of that name (study_layer option)
_OWN_COLUMNS = {
    "zone": "zone_column",
    "category": "category_column",
    "kind": "kind_column",
    "width_m": "width_column",
}
#: how far (degrees, ~1 cm) a vertex may be from the bundled one in a layer that IS bundled
#: (a round trip through another CRS moves vertices by ~1e-9 degrees)
_SAME_AS_BUNDLED_DEG = 1e-7


def _is_bundled_data(key: str, gdf: gpd.GeoDataFrame) -> bool:
    """Whether ``gdf`` IS the bundled layer ``key``: same rows, same geometries (EPSG:4326).

    A bundled name alone says nothing: a park in New York passed as
    ``"land_of_the_leopard"`` is not the bundled park.
    """
    if key not in PRIMORSKY_ROLES:
        return False
    try:
        ref = _read_layer(key)
    except DatasetNotFoundError:
        return False
    if len(gdf) != len(ref):
        return False
    geoms = gdf.geometry
    if not hcrs.as_crs(gdf.crs).equals("EPSG:4326"):
        geoms = geoms.to_crs(4326)
    same = shapely.equals_exact(
        geoms.to_numpy(), ref.geometry.to_numpy(), tolerance=_SAME_AS_BUNDLED_DEG
    )
    return bool(np.all(same))


def _legacy_options(key: str, gdf: gpd.GeoDataFrame, bundled: bool) -> tuple[str, str, dict]:
    """(role, label, study_layer options) of one layer of a mapping, by its key and columns."""
    options: dict[str, Any] = {
        opt: col for col, opt in _OWN_COLUMNS.items() if col in gdf.columns
    }  # the layer's own columns, unless a bundled option applies
    if key in PRIMORSKY_ROLES:
        role, label, bundled_options = PRIMORSKY_ROLES[key]
        if bundled:  # the bundled layer itself: exactly as primorsky() makes it
            return role, label, dict(bundled_options)
        for opt, value in bundled_options.items():
            if opt.endswith("_column"):
                if value in gdf.columns:  # a bundled column the layer has
                    options[opt] = value
            elif opt != "name":  # a bundled feature name only names the bundled features
                options[opt] = value
        return role, key, options
    word = key.strip().lower().replace("-", "_").replace(" ", "_")
    return (word if word in ROLE_ALIASES else "context"), key, options


def _crossings_layer(key: str, gdf: gpd.GeoDataFrame, taken: set[str]) -> StudyLayer | None:
    """The rows of ``gdf`` with a ``crossing`` value as a crossings layer (None if none fit)."""
    values = gdf["crossing"]
    has = values.notna() & values.astype(str).str.strip().ne("")
    rows = gdf[has.to_numpy()]
    if not len(rows):
        return None
    try:
        return study_layer(
            rows,
            "crossings",
            key="crossings" if "crossings" not in taken else f"{key}_crossings",
            label=CROSSINGS_LABEL,
            name_column="crossing",
            kind_column="kind" if "kind" in rows.columns else None,
        )
    except GeometryTypeError:  # polygons: drawn with their own layer only
        return None


def study_area_from_layers(
    layers: Mapping[str, gpd.GeoDataFrame | gpd.GeoSeries],
    *,
    land_cover: Raster | None = None,
    name: str | None = None,
) -> StudyArea:
    """A study area from a mapping of layer names to GeoDataFrames (the 0.1 API).

    The one conversion of a legacy ``{name: GeoDataFrame}`` mapping (as
    :func:`layers` returns), used by the territory table, the maps and the
    reports:

    * a bundled name (:data:`PRIMORSKY_ROLES`) gets its bundled role and
      column options (a column option only where the layer has that column);
      a name that spells a role or alias (``"parks"``, ``"roads"``,
      ``"countries"``..., see :data:`~habitat.io.study_area.ROLE_ALIASES`)
      gets that role; any other name is ``"context"`` (drawn, not measured);
    * a layer whose geometries its role cannot take (points under
      ``"fences"``) is ``"context"``, with a
      :class:`~habitat.core.errors.DataQualityWarning` naming it;
    * the layer's own ``zone``, ``category``, ``kind`` and ``width_m``
      columns fill the standard columns where no bundled option applies;
      features are named from the layer's ``name`` column, else by its key;
    * rows with a ``crossing`` value also form a ``crossings`` layer;
    * the bundled label ("Land of the Leopard NP"), feature names and the
      bundled study-area identity (name :data:`BUNDLED_NAME`, species
      :data:`BUNDLED_SPECIES`, schematic) apply only to the bundled data
      themselves (same rows, same geometries as :func:`layer`), never to
      other data under a bundled name. The study area is the bundled one
      only when every layer is; an empty mapping is an empty study area
      with no species.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, any declared CRS.
    land_cover : Raster, optional
        Land cover of the study area (none by default, even for the bundled layers).
    name : str, optional
        Name of the study area; default :data:`BUNDLED_NAME` for the bundled
        layers, else ``"Study area"``.

    Raises
    ------
    InputError
        For a non-mapping, a key that is not text, or a value that is not a
        GeoDataFrame (naming the layer).
    MissingCRSError, CoordinateError, ColumnError
        From :func:`~habitat.io.study_area.study_layer`, naming the layer.

    Examples
    --------
    The bundled layers are the bundled study area:

    >>> area = study_area_from_layers(layers())
    >>> area.name, area.species, area.schematic
    ('SW Primorsky Krai (schematic)', 'amur_leopard', True)

    A park elsewhere under a bundled name keeps the role, not the identity:

    >>> import geopandas as gpd
    >>> import shapely
    >>> park = gpd.GeoDataFrame({"name": ["Catskill Park"]},
    ...                         geometry=[shapely.box(-74.6, 41.9, -74.0, 42.3)], crs=4326)
    >>> mine = study_area_from_layers({"land_of_the_leopard": park})
    >>> mine.layers[0].role, mine.layers[0].label, mine.species
    ('protected_areas', 'land_of_the_leopard', None)
    >>> mine.features("protected_areas")["name"].tolist()
    ['Catskill Park']
    >>> study_area_from_layers({}).is_empty, study_area_from_layers({}).species
    (True, None)
    """
    checked = require_layer_mapping(layers, name="layers")
    out: list[StudyLayer] = []
    crossings: list[StudyLayer] = []
    taken = set(checked)
    misfits: list[str] = []
    all_bundled = bool(checked)
    for key, value in checked.items():
        if isinstance(value, gpd.GeoSeries):
            value = gpd.GeoDataFrame(geometry=value)
        # named by its key, as the caller knows it
        require_geodataframe(
            value, name=key, hint=f"pass {{}} for no layers, or leave {key!r} out."
        )
        hcrs.require_crs(value, name=f"layer {key!r}")
        require_finite_coordinates(value, name=key)
        bundled = _is_bundled_data(key, value)
        all_bundled = all_bundled and bundled
        role, label, options = _legacy_options(key, value, bundled)
        try:
            lyr = study_layer(value, role, key=key, label=label, **options)
        except GeometryTypeError:
            types = "/".join(sorted(set(value.geom_type.dropna())))
            role_name = resolve_role(role)[0]
            misfits.append(f"{key!r} holds {types} geometries, which role {role_name} cannot take")
            options.pop("kind", None)
            lyr = study_layer(value, "context", key=key, label=label, **options)
        out.append(lyr)
        if "crossing" in value.columns:
            found = _crossings_layer(key, value, taken)
            if found is not None:
                taken.add(found.key)
                crossings.append(found)
    if misfits:
        warnings.warn(
            f"layer {'; layer '.join(misfits)}: kept as context (drawn, not measured); give "
            "each layer the role its geometries fit (habitat.study_layer(gdf, ROLE)).",
            DataQualityWarning,
            stacklevel=2,
        )
    if all_bundled:
        return StudyArea(
            [*out, *crossings],
            land_cover=land_cover,
            name=name or BUNDLED_NAME,
            species=BUNDLED_SPECIES,
            schematic=True,
        )
    return StudyArea([*out, *crossings], land_cover=land_cover, name=name or "Study area")


def available_species() -> list[str]:
    """Names of the bundled species profiles (:func:`species_profile`).

    Examples
    --------
    >>> available_species()
    ['amur_leopard']
    """
    return sorted(p.stem for p in (_data_dir() / "species").glob("*.toml"))


def species_profile(
    profile: str | os.PathLike[str] | Mapping[str, Any] | SpeciesProfile | None,
) -> SpeciesProfile | None:
    """A species profile from a bundled name, a TOML file, a mapping or a profile.

    ``None`` and ``"none"`` mean no profile (no size check, no speed flag).

    Raises
    ------
    DatasetNotFoundError
        For a name that is neither bundled nor a file (with the bundled names).

    Examples
    --------
    >>> leopard = species_profile("amur_leopard")
    >>> leopard.max_speed_kmh, leopard.expected_area_sq_mi["F"]
    (20.0, (15.0, 38.0))
    >>> species_profile("none") is None
    True
    >>> species_profile("amur_leoprad")
    Traceback (most recent call last):
    ...
    habitat.core.errors.DatasetNotFoundError: no species profile 'amur_leoprad': not a bundled \
name (did you mean 'amur_leopard'?) nor a file. Bundled: amur_leopard; or give a TOML file \
(see habitat.io.species).
    """
    if profile is None or isinstance(profile, SpeciesProfile):
        return profile
    if isinstance(profile, Mapping):
        return SpeciesProfile.from_mapping(profile)
    if not isinstance(profile, str | os.PathLike):
        raise ConfigError(
            f"species must be a profile name, a TOML file, a mapping or None, not {profile!r}."
        )
    text = str(profile).strip()
    if text.lower() == "none":
        return None
    names = available_species()
    if text in names:
        return _bundled_species(text)
    if Path(text).is_file():
        return read_species_profile(text)
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise DatasetNotFoundError(
        f"no species profile {text!r}: not a bundled name{hint} nor a file. Bundled: "
        f"{', '.join(names)}; or give a TOML file (see habitat.io.species)."
    )


# species= of habitat.io (flag_relocations, read_relocations) takes names and files too
register_species_resolver(species_profile)


@functools.cache
def _bundled_species(name: str) -> SpeciesProfile:
    return read_species_profile(_data_dir() / "species" / f"{name}.toml")


def _describe_extent(data: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    from habitat.core.crs import lonlat_bounds

    w, s, e, n = lonlat_bounds(data)
    return f"lon {w:.2f}..{e:.2f}, lat {s:.2f}..{n:.2f}"


def study_area_for(
    data: gpd.GeoDataFrame | gpd.GeoSeries,
    study_area: StudyArea | str | os.PathLike[str] | Mapping[str, gpd.GeoDataFrame] | None = None,
) -> StudyArea:
    """The study area to analyse ``data`` against, without the layers far from them.

    ``study_area`` may be a :class:`~habitat.io.study_area.StudyArea`, a TOML
    file (:func:`~habitat.io.study_area.read_study_area`), a mapping of layer
    names to GeoDataFrames, ``"bundled"`` (:func:`primorsky`), ``"none"`` (no
    layers), or ``None``: the bundled Primorsky set when the data overlap it,
    else no layers, with one log line saying so.

    Examples
    --------
    Fixes in New York get no bundled layers; fixes in Primorsky get them:

    >>> import geopandas as gpd
    >>> import shapely
    >>> new_york = gpd.GeoSeries(shapely.points([(-74.0, 42.5), (-73.9, 42.6)]), crs=4326)
    >>> study_area_for(new_york).is_empty
    True
    >>> primorye = gpd.GeoSeries(shapely.points([(131.2, 43.1), (131.3, 43.2)]), crs=4326)
    >>> study_area_for(primorye).name
    'SW Primorsky Krai (schematic)'
    """
    if isinstance(study_area, StudyArea):
        area = study_area
    elif isinstance(study_area, Mapping):
        area = study_area_from_layers(study_area)
    elif isinstance(study_area, str) and study_area.strip().lower() in ("bundled", "primorsky"):
        area = primorsky()
    elif isinstance(study_area, str) and study_area.strip().lower() == "none":
        area = StudyArea(name="No study-area layers")
    elif isinstance(study_area, str | os.PathLike):
        area = read_study_area(study_area)
    elif study_area is None:
        bundled = primorsky()
        if bundled.overlaps(data):
            area = bundled
        else:
            log.info(
                "no bundled layers: the data (%s) lie outside the bundled Primorsky study "
                "area; give your own layers (--layer ROLE=PATH, --study-area FILE.toml, "
                "or a StudyArea)",
                _describe_extent(data),
            )
            return StudyArea(name="No study-area layers")
    else:
        raise ConfigError(
            "study_area must be a StudyArea, a TOML file, a mapping of layers, 'bundled', "
            f"'none' or None, not {study_area!r}."
        )
    return area.near(data) if len(data) else area


def species_for(
    study_area: StudyArea | None,
    species: str | os.PathLike[str] | Mapping[str, Any] | SpeciesProfile | None = "auto",
) -> SpeciesProfile | None:
    """The species profile of an analysis: the one given, else the study area's.

    ``"auto"`` (the default) takes the study area's default profile (the
    bundled Primorsky set: ``amur_leopard``); a study area without one gives
    no profile, with one log line saying that ranges get no size check and
    fixes no speed flag. Anything else goes to :func:`species_profile`.

    Examples
    --------
    >>> species_for(primorsky()).name
    'amur_leopard'
    >>> species_for(StudyArea(name="New York")) is None
    True
    >>> species_for(primorsky(), "none") is None
    True
    """
    if not (isinstance(species, str) and species == "auto"):
        return species_profile(species)
    if study_area is not None and study_area.species:
        return species_profile(study_area.species)
    log.info(
        "no species profile: home ranges get no size check and fixes no speed flag "
        "(give one with --species NAME|FILE or species=...)"
    )
    return None
