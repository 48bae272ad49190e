"""What a report is about: its study area and species profile, resolved from the data.

A report (:func:`habitat.batch.run_report`, ``habitat report``) analyses
relocations against a :class:`~habitat.io.study_area.StudyArea` (layers by
role, land cover) and judges them with a
:class:`~habitat.io.species.SpeciesProfile` (range sizes by sex, a speed
limit, UD cells). Neither is assumed: both follow from the data unless given.

* the study area: the one given (a StudyArea, a TOML file, ``"none"``); a
  legacy mapping of layer names (bundled names keep their bundled roles); else
  the bundled Primorsky set **only where the data overlap it**, with one log
  line otherwise (:func:`habitat.datasets.study_area_for`). Layers far from the
  data are dropped (:meth:`~habitat.io.study_area.StudyArea.near`);
* the species: the one given (a bundled name, a TOML file, a mapping, a
  profile, or ``"none"``); else the study area's default (the bundled set:
  ``amur_leopard``); else none: no range-size check, no speed flag;
* the title, the UD cell size and the speed limit of a report follow from
  those (:func:`report_title`, :func:`speed_limit`, :func:`resolved_options`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from habitat import datasets
from habitat.batch.config import SPEED_FROM_SPECIES, ReportOptions
from habitat.batch.fingerprint import table_sha256, value_sha256
from habitat.core.errors import ConfigError, DataFileError, HabitatError
from habitat.core.fs import gdal_read_path
from habitat.io.raster import Raster, read_geotiff
from habitat.io.species import SpeciesProfile
from habitat.io.study_area import (
    StudyArea,
    StudyLayer,
    parse_layer_option,
    read_study_area,
    study_area_from_mapping,
    study_layer,
)

__all__ = [
    "NO_PROFILE_NOTE",
    "config_study_area",
    "describe_species",
    "extent_basis",
    "land_cover_option",
    "layers_from_options",
    "legacy_study_area",
    "load_layers",
    "read_land_cover_classes",
    "report_title",
    "resolve_species",
    "resolve_study_area",
    "resolved_options",
    "speed_limit",
    "study_area_fingerprint",
    "user_study_area",
]

log = logging.getLogger(__name__)

#: what a report says (index page and log) when it has no species profile
NO_PROFILE_NOTE = "no species profile: no range-size check, no speed flag"
#: study-area names that say nothing about the place (not used for titles)
_GENERIC_NAMES = ("study area", "no study-area layers")


def _is(value: Any, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == word


# ------------------------------------------------------------------------ study area


def legacy_study_area(
    layers: Mapping[str, gpd.GeoDataFrame], *, land_cover: Raster | str | None = "bundled"
) -> StudyArea:
    """A study area from a mapping of layer names to GeoDataFrames (the API before roles).

    :func:`habitat.datasets.study_area_from_layers` with the report's land
    cover: bundled layer names keep their bundled role and columns (e.g.
    ``park_zones`` by ``zone``), so a replaced bundled layer is measured as
    the bundled one was; other names get the role they spell (``"parks"``,
    ``"roads"``, ``"countries"``...), else ``"context"`` (drawn, not
    measured). Only the bundled layers themselves (same geometries) make the
    bundled study area (name, ``amur_leopard`` profile); any other mapping,
    the empty one included, is a generic one without a species profile.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
    land_cover : Raster, "bundled" or None
        ``"bundled"``: :func:`habitat.datasets.land_cover`.

    Examples
    --------
    >>> from habitat import datasets
    >>> bundled = datasets.layers()
    >>> area = legacy_study_area({"park_zones": bundled["park_zones"]}, land_cover=None)
    >>> area.layers[0].role, area.species, area.name
    ('protected_areas', 'amur_leopard', 'SW Primorsky Krai (schematic)')
    >>> sorted(set(area.features("protected_areas")["zone"]))[:2]
    ['border_security', 'core']
    >>> legacy_study_area({"my_roads": bundled["roads"]}, land_cover=None).layers[0].role
    'context'
    >>> legacy_study_area({}, land_cover=None).species is None
    True
    """
    cover = datasets.land_cover() if _is(land_cover, "bundled") else land_cover
    if cover is not None and not isinstance(cover, Raster):
        raise ConfigError(
            f"land_cover must be a Raster (habitat.read_geotiff), 'bundled' or None, not {cover!r}."
        )
    return datasets.study_area_from_layers(layers, land_cover=cover)


def load_layers(
    overrides: Mapping[str, Path | None] | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame], Any]:
    """The bundled layers and land cover, with a config's legacy ``[layers]`` applied.

    Parameters
    ----------
    overrides : mapping of str to Path or None, optional
        Layer name -> vector file (GeoPackage, GeoJSON...) replacing or adding a
        layer; ``land_cover`` -> GeoTIFF; ``None`` removes the layer.

    Returns
    -------
    (dict, Raster or None)
        Layers by name, and the land cover (see :func:`legacy_study_area` for
        the study area they make).
    """
    layers = datasets.layers()
    land_cover: Any = datasets.land_cover()
    for name, p in (overrides or {}).items():
        if name == "land_cover":
            land_cover = None if p is None else read_geotiff(p)
        elif p is None:
            layers.pop(name, None)
        else:
            try:
                with gdal_read_path(Path(p)) as readable:
                    layers[name] = gpd.read_file(readable)
            except Exception as exc:  # pyogrio raises its own types
                raise DataFileError(f"cannot read layer {name!r} from '{p}': {exc}") from exc
    return layers, land_cover


def config_study_area(inputs: Mapping[str, Any]) -> StudyArea | None:
    """The study area a report config names (second value of :func:`habitat.batch.load_config`).

    ``[study_area]`` (a file or inline) wins; else the legacy ``[layers]``
    table (bundled layers with the named ones replaced, added or, with
    ``"none"``, removed); else None (the default from the data).
    """
    entry = inputs.get("study_area")
    if entry is not None:
        if entry.get("path") is not None:
            return read_study_area(entry["path"])
        return study_area_from_mapping(
            entry["table"], base=entry["base"], where=entry.get("where", "[study_area]")
        )
    if inputs.get("layers"):
        layers, cover = load_layers(inputs["layers"])
        return legacy_study_area(layers, land_cover=cover)
    return None


def extent_basis(data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows whose extent places the data: fixes not flagged, with a position.

    A GPS spike or a fix at (0, 0) must not pull a far study area in (or
    widen the margin of :meth:`~habitat.io.study_area.StudyArea.near`).
    Given ranges (polygons) are used whole.
    """
    if not len(data):
        return data
    geoms = data.geometry
    keep = ~(geoms.isna() | geoms.is_empty).to_numpy(dtype=bool)
    if "flag_any" in data.columns and (geoms.geom_type == "Point").any():
        from habitat.homerange.fixes import usable_fixes

        keep &= np.asarray(usable_fixes(data), dtype=bool)
    return data[keep] if keep.any() else data


def _with_land_cover(area: StudyArea, land_cover: Any) -> StudyArea:
    if _is(land_cover, "auto"):
        return area
    if land_cover is None or _is(land_cover, "none"):
        cover = None
    elif _is(land_cover, "bundled"):
        cover = datasets.land_cover()
    elif isinstance(land_cover, Raster):
        cover = land_cover
    elif isinstance(land_cover, str | os.PathLike):
        cover = read_geotiff(land_cover)
    else:
        raise ConfigError(
            "land_cover must be a Raster (habitat.read_geotiff), a GeoTIFF path, 'auto' (the "
            f"study area's), 'bundled' or None, not {land_cover!r}."
        )
    return StudyArea(
        area.layers,
        land_cover=cover,
        name=area.name,
        species=area.species,
        schematic=area.schematic,
    )


def resolve_study_area(
    data: gpd.GeoDataFrame,
    study_area: Any = None,
    *,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    land_cover: Any = "auto",
) -> StudyArea:
    """The study area of a report on ``data``, without layers far from the data.

    Parameters
    ----------
    data : GeoDataFrame
        Relocations or ranges; their unflagged extent (:func:`extent_basis`)
        decides the default and which layers are near.
    study_area : StudyArea, path, "bundled", "none" or None
        See :func:`habitat.datasets.study_area_for` (None: the bundled set
        where the data overlap it, else no layers, said in one log line).
    layers : mapping, optional
        Legacy layers by name (:func:`legacy_study_area`); not with ``study_area``.
    land_cover : "auto", Raster, path, "bundled" or None
        ``"auto"``: the study area's own (the bundled one for the bundled set
        and a legacy mapping); otherwise replaces it (None: no land cover).

    Raises
    ------
    ConfigError
        For both ``study_area`` and ``layers``, or values of the wrong kind.
    """
    basis = extent_basis(data)
    if layers is not None:
        if study_area is not None:
            raise ConfigError(
                "give the study area either as study_area= (a StudyArea, a TOML file, 'none') "
                "or as the legacy layers= mapping, not both."
            )
        if not isinstance(layers, Mapping):
            raise ConfigError(f"layers must be a mapping of name -> GeoDataFrame, not {layers!r}.")
        # the legacy default was the bundled land cover (an empty mapping: no layers at all)
        cover = ("bundled" if layers else None) if _is(land_cover, "auto") else land_cover
        study_area = _with_land_cover(legacy_study_area(layers, land_cover=None), cover)
        return datasets.study_area_for(basis, study_area)
    area = datasets.study_area_for(basis, study_area)
    if not _is(land_cover, "auto"):
        area = _with_land_cover(area, land_cover)
        area = area.near(basis) if len(basis) else area
    return area


def study_area_fingerprint(area: StudyArea) -> str:
    """SHA-256 of everything of a study area a report shows: layers, roles, labels, land cover."""
    cover = area.land_cover
    cover_fp = None
    if cover is not None:
        digest = hashlib.sha256(np.ascontiguousarray(cover.array).tobytes())
        cover_fp = {
            "array": digest.hexdigest(),
            "shape": list(cover.array.shape),
            "transform": [float(v) for v in cover.transform],
            "crs": cover.crs.to_wkt(),
            "nodata": None if cover.nodata is None else float(cover.nodata),
            "classes": {str(k): v for k, v in (cover.classes or {}).items()},
        }
    return value_sha256(
        {
            "name": area.name,
            "schematic": area.schematic,
            "layers": [
                [lyr.key, lyr.label, lyr.role, table_sha256(lyr.data)] for lyr in area.layers
            ],
            "land_cover": cover_fp,
        }
    )


# ------------------------------------------------------------------------ species


def resolve_species(area: StudyArea | None, species: Any = "auto") -> SpeciesProfile | None:
    """The species profile of a report (no log line: the report says it once).

    ``"auto"``: the study area's default profile (the bundled set:
    ``amur_leopard``), else none; anything else goes to
    :func:`habitat.datasets.species_profile` (a name, a TOML file, a mapping, a
    profile, or None / ``"none"`` for no profile).

    Examples
    --------
    >>> resolve_species(datasets.primorsky()).name
    'amur_leopard'
    >>> resolve_species(StudyArea(name="New York")) is None
    True
    >>> resolve_species(datasets.primorsky(), "none") is None
    True
    """
    if _is(species, "auto") and not (area is not None and area.species):
        return None  # datasets.species_for would log it; the report says it instead
    return datasets.species_for(area, species)


def describe_species(profile: SpeciesProfile | None) -> str:
    """One line for the report and its log: the profile used, or :data:`NO_PROFILE_NOTE`.

    Examples
    --------
    >>> describe_species(None)
    'no species profile: no range-size check, no speed flag'
    >>> describe_species(datasets.species_profile("amur_leopard"))
    'species profile amur_leopard: Amur leopard: outer ranges F 15–38 sq mi (38.8–98.4 km²), \
M –155 sq mi (–401 km²); fixes faster than 20 km/h flagged'
    """
    if profile is None:
        return NO_PROFILE_NOTE
    return f"species profile {profile.name}: {profile.describe()}"


def speed_limit(max_speed_kmh: Any, profile: SpeciesProfile | None) -> float | None:
    """The speed limit (km/h) for flagging fixes: a number given wins, else the profile's.

    Examples
    --------
    >>> leopard = datasets.species_profile("amur_leopard")
    >>> speed_limit("species", leopard), speed_limit("species", None), speed_limit(90, leopard)
    (20.0, None, 90)
    >>> speed_limit(None, leopard) is None
    True
    """
    if _is(max_speed_kmh, SPEED_FROM_SPECIES):
        return None if profile is None else profile.max_speed_kmh
    return max_speed_kmh


def report_title(title: str | None, area: StudyArea | None, profile: SpeciesProfile | None) -> str:
    """The report title: the one given, else from the study area, else from the species.

    Examples
    --------
    >>> report_title(None, datasets.primorsky(), None)
    'Territory report: SW Primorsky Krai (schematic)'
    >>> report_title(None, StudyArea(), datasets.species_profile("amur_leopard"))
    'Territory report: Amur leopard'
    >>> report_title(None, None, None), report_title("Season 2025", None, None)
    ('Territory report', 'Season 2025')
    """
    if title:
        return title
    if area is not None and not area.is_empty and area.name.lower() not in _GENERIC_NAMES:
        return f"Territory report: {area.name}"
    if profile is not None:
        return f"Territory report: {profile.common_name}"
    return "Territory report"


def resolved_options(
    options: ReportOptions, area: StudyArea | None, profile: SpeciesProfile | None
) -> ReportOptions:
    """``options`` with what follows from the study area and species filled in.

    The title (:func:`report_title`), the UD cell size (the profile's
    ``ud_cell_size_m`` when the options leave it to the bandwidth) and the
    speed limit (:func:`speed_limit`; what the fixes were flagged with).
    Values given in the options always win.
    """
    changes: dict[str, Any] = {
        "title": report_title(options.title, area, profile),
        "max_speed_kmh": speed_limit(options.max_speed_kmh, profile),
    }
    if options.ud_cell_size_m is None and profile is not None and profile.ud_cell_size_m:
        changes["ud_cell_size_m"] = profile.ud_cell_size_m
    return dataclasses.replace(options, **changes)


# ------------------------------------------------------------------------ command line


def layers_from_options(texts: Sequence[str]) -> list[StudyLayer]:
    """Study layers from ``--layer ROLE=PATH[:NAME_COLUMN]`` values, each file read and checked.

    Keys are the files' stems, made unique (``parks``, ``parks_2``) when two
    files share a stem.

    Raises
    ------
    ConfigError, DataFileError, ColumnError, GeometryTypeError
        Naming the ``--layer`` value: a malformed value or unknown role, a
        missing or unreadable file, a name column that does not exist (with
        the columns there are), geometries the role cannot take.
    """
    out: list[StudyLayer] = []
    used: set[str] = set()
    for text in texts:
        role, path, column = parse_layer_option(text)
        key = _unique_key(path.stem, used)
        try:
            lyr = study_layer(path, role, key=key, label=path.stem, name_column=column)
        except HabitatError as exc:
            raise type(exc)(f"--layer {text!r}: {exc}") from None
        used.add(lyr.key)
        out.append(lyr)
    return out


def _unique_key(stem: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "layer"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}_{n}"
    return key


def read_land_cover_classes(path: str | os.PathLike[str]) -> dict[int, str]:
    """A land-cover class table: a CSV of ``value`` and ``name`` (or ``label``, ``class``).

    Without those headers, the first two columns are taken as value and name.

    Raises
    ------
    DataFileError
        For a missing or unreadable file, or values that are not whole numbers.
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise DataFileError(f"land-cover class table '{p}' does not exist.")
    try:
        table = pd.read_csv(p)
    except Exception as exc:
        raise DataFileError(f"cannot read land-cover class table '{p}': {exc}") from None
    cols = {str(c).strip().lower(): c for c in table.columns}
    value = cols.get("value", table.columns[0] if len(table.columns) else None)
    name = next((cols[k] for k in ("name", "label", "class") if k in cols), None)
    if name is None and len(table.columns) > 1:
        name = table.columns[1]
    if value is None or name is None or value == name:
        raise DataFileError(
            f"land-cover class table '{p}': expected two columns, value and name "
            f"(e.g. 41,Deciduous forest); got {list(table.columns)}."
        )
    codes = pd.to_numeric(table[value], errors="coerce")
    bad = codes.isna() | (codes != codes.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(
            f"land-cover class table '{p}', row {row + 2}: value {table[value].iloc[row]!r} is "
            "not a whole number (the raster's class code)."
        )
    return {int(c): str(n) for c, n in zip(codes, table[name], strict=True)}


def land_cover_option(
    path: str | os.PathLike[str] | None, classes: str | os.PathLike[str] | None = None
) -> Raster | str:
    """``--land-cover PATH`` (GeoTIFF) with ``--land-cover-classes FILE.csv``; "auto" without."""
    if path is None:
        if classes is not None:
            raise ConfigError("--land-cover-classes needs --land-cover PATH (the GeoTIFF).")
        return "auto"
    cover = read_geotiff(path)
    if classes is not None:
        cover = Raster(
            cover.array,
            cover.transform,
            cover.crs,
            nodata=cover.nodata,
            classes=read_land_cover_classes(classes),
        )
    return cover


def user_study_area(
    layers: Sequence[StudyLayer] = (), *, study_area: StudyArea | None = None
) -> StudyArea | None:
    """A study area of the user's own layers (and file), or None when they gave none.

    The ``--layer`` layers are added to the ``--study-area`` file's; together
    they replace the bundled set.
    """
    if study_area is None and not layers:
        return None
    if study_area is None:
        return StudyArea(layers, name="Study area")
    used = {lyr.key for lyr in study_area.layers}
    extra = []
    for lyr in layers:
        key = _unique_key(lyr.key, used)
        used.add(key)
        extra.append(dataclasses.replace(lyr, key=key))
    return StudyArea(
        [*study_area.layers, *extra],
        land_cover=study_area.land_cover,
        name=study_area.name,
        species=study_area.species,
        schematic=study_area.schematic,
    )
