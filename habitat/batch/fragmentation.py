"""Fragmentation of a report: landscape metrics per range and per protected area / zone.

A report whose study area has a land-cover raster measures, by default, the
FRAGSTATS landscape metrics (:func:`habitat.landscape.landscape_metrics`, at
the landscape and class levels) inside

* each animal's reported range (``zone_kind`` ``"range"``, ``zone_id`` the
  individual), and
* each protected area (``"protected_area"``, ``zone_id`` its name) and park
  zone (``"zone"``, ``zone_id`` ``"<park name>: <zone>"``) of the study area
  (features of one name, or one name and zone, are measured as one zone).

Each zone's rows are cached in the report folder
(``.work/.fragmentation/<sha256>.parquet``) under the fingerprint of what
they depend on: the zone's geometry and CRS, its id and kind, the land cover
(cells, georeferencing, nodata, class names), the metric parameters
(:data:`FRAGMENTATION_PARAMETERS`) and the habitat version. A re-run measures
only the zones whose fingerprint is new; caches no zone of the run uses are
deleted. The rows of the last :data:`MEMORY_ZONES` zones measured are also
kept in memory under the same fingerprints, so reports of one session (a
notebook, a test run) on the same study area measure its parks once.

A zone that cannot be measured (an error of the metrics) does not stop the
report: it gets one landscape row whose ``note`` says why, a log warning and a
:class:`~habitat.core.errors.DataQualityWarning`.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import logging
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat.batch.fingerprint import table_sha256, value_sha256
from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.fs import atomic_path
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.core.version import __version__
from habitat.io.raster import Raster
from habitat.io.study_area import StudyArea

__all__ = [
    "FRAGMENTATION_CACHE",
    "FRAGMENTATION_PARAMETERS",
    "MEMORY_ZONES",
    "ZONE_KIND",
    "FragmentationResult",
    "area_zones",
    "land_cover_sha256",
    "report_fragmentation",
]

log = logging.getLogger(__name__)

#: column of a report's fragmentation table: what each zone is
ZONE_KIND = "zone_kind"
#: the zone kinds, in table order
ZONE_KINDS = ("range", "protected_area", "zone")
#: folder (under the report's ``.work``) of the per-zone caches; a dot name no slug can take
FRAGMENTATION_CACHE = ".fragmentation"
#: keywords of :func:`habitat.landscape.landscape_metrics` a report uses (fingerprinted)
FRAGMENTATION_PARAMETERS: dict[str, Any] = {
    "level": ("landscape", "class"),
    "neighbours": 8,
    "edge_depth_m": None,  # one cell
    "count_boundary": False,
    "enn": True,
    # a land cover in degrees is warped to a local equal-area grid (every row's note
    # says so and how the cell size was chosen), not refused: the report goes on
    "reproject": True,
}


@dataclasses.dataclass
class FragmentationResult:
    """What :func:`report_fragmentation` measured.

    Attributes
    ----------
    table : pandas.DataFrame
        A :data:`habitat.core.tables.LANDSCAPE_METRICS` table with
        :data:`ZONE_KIND` first: the ranges' rows, then the protected areas'
        and zones'.
    fingerprints : dict of str to str
        ``"<kind>:<zone id>"`` -> the fingerprint its rows are cached under.
    reused, computed : int
        Zones whose rows came from the cache, and zones measured now.
    failed : list of str
        Zones that could not be measured (their note says why).
    seconds : float
        Wall time.
    """

    table: pd.DataFrame
    fingerprints: dict[str, str]
    reused: int
    computed: int
    failed: list[str]
    seconds: float

    def summary(self) -> str:
        """One progress line: ``"fragmentation: 12 ranges, 6 protected areas/zones (...)"``."""
        kinds = self.table.drop_duplicates(["zone_id", ZONE_KIND])[ZONE_KIND].value_counts()
        n_ranges = int(kinds.get("range", 0))
        n_areas = int(kinds.get("protected_area", 0) + kinds.get("zone", 0))
        failed = f", {len(self.failed)} could not be measured" if self.failed else ""
        return (
            f"fragmentation: {n_ranges} ranges, {n_areas} protected areas/zones "
            f"({self.reused} reused, {self.computed} measured{failed}; {self.seconds:.1f} s)"
        )


def land_cover_sha256(cover: Raster) -> str:
    """SHA-256 of a land cover's cells, georeferencing, nodata and class names.

    Examples
    --------
    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> a = Raster(np.array([[1, 2]], "uint8"), (200.0, 0, 0, 0, -200.0, 0), "EPSG:32652")
    >>> b = Raster(np.array([[1, 3]], "uint8"), (200.0, 0, 0, 0, -200.0, 0), "EPSG:32652")
    >>> land_cover_sha256(a) == land_cover_sha256(b)
    False
    """
    digest = hashlib.sha256(np.ascontiguousarray(cover.array).tobytes()).hexdigest()
    return value_sha256(
        {
            "array": digest,
            "dtype": str(cover.array.dtype),
            "shape": list(cover.array.shape),
            "transform": [float(v) for v in cover.transform],
            "crs": cover.crs.to_wkt(),
            "nodata": None if cover.nodata is None else float(cover.nodata),
            "classes": {str(k): str(v) for k, v in (cover.classes or {}).items()},
        }
    )


def area_zones(area: StudyArea) -> gpd.GeoDataFrame:
    """The protected areas and park zones of a study area as zones to measure.

    Parameters
    ----------
    area : StudyArea
        Its ``protected_areas`` features (their standard ``name`` and ``zone``).

    Returns
    -------
    GeoDataFrame
        ``zone_id`` (the name; ``"<name>: <zone>"`` for a zone, as the pages
        label them), :data:`ZONE_KIND` (``"protected_area"`` or ``"zone"``)
        and the geometry (EPSG:4326), one row per id: features of one id are
        united. Protected areas first, then zones, each in the layers' order.

    Examples
    --------
    >>> from habitat import datasets
    >>> zones = area_zones(datasets.primorsky())
    >>> zones[["zone_id", "zone_kind"]].head(3).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['Northeast China Tiger and Leopard National Park', 'protected_area'],
     ['Land of the Leopard National Park', 'protected_area'],
     ['Kedrovaya Pad Nature Reserve', 'protected_area']]
    >>> zones["zone_id"].iloc[3]
    'Land of the Leopard National Park: border_security'
    """
    features = area.features("protected_areas")
    empty = gpd.GeoDataFrame(
        {"zone_id": pd.Series(dtype=object), ZONE_KIND: pd.Series(dtype=object)},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )
    if not len(features):
        return empty
    name = features["name"].astype(object)
    zone = features["zone"].astype(object)
    has_zone = zone.notna() & (zone.astype(str).str.strip() != "")
    ids = np.where(has_zone, name.astype(str) + ": " + zone.astype(str), name.astype(str))
    table = gpd.GeoDataFrame(
        {
            "zone_id": ids,
            ZONE_KIND: np.where(has_zone, "zone", "protected_area"),
            "_order": np.where(has_zone, 1, 0),
        },
        geometry=features.geometry.to_numpy(),
        crs=features.crs,
    )
    table = table[~table.geometry.is_empty & table.geometry.notna()]
    if not len(table):
        return empty
    first = table.reset_index(drop=True).reset_index().groupby("zone_id", sort=False)["index"].min()
    united = table.dissolve(by="zone_id", sort=False, as_index=False, aggfunc="first")
    united["_first"] = united["zone_id"].map(first)
    united = united.sort_values(["_order", "_first"], kind="stable")
    return gpd.GeoDataFrame(
        united[["zone_id", ZONE_KIND, "geometry"]].reset_index(drop=True),
        geometry="geometry",
        crs=features.crs,
    )


def _zone_fingerprints(
    zones: gpd.GeoDataFrame, cover_sha256: str, parameters: Mapping[str, Any]
) -> list[str]:
    """One fingerprint per zone: its geometry, CRS, id and kind, the land cover, parameters."""
    common = {"habitat": __version__, "land_cover": cover_sha256, "parameters": dict(parameters)}
    return [
        value_sha256({**common, "zone": table_sha256(zones.iloc[[k]])}) for k in range(len(zones))
    ]


def _failed_rows(zone_id: str, key: str, exc: BaseException) -> pd.DataFrame:
    """The one row of a zone that could not be measured: its note says why."""
    kind = key.partition(":")[0]
    message = str(exc).strip() or repr(exc)
    note = f"fragmentation could not be measured: {type(exc).__name__}: {message}"
    return pd.DataFrame({ZONE_KIND: [kind], "zone_id": [zone_id], "level": ["landscape"]}).assign(
        note=note
    )


def _measure(
    cover: Raster,
    zones: gpd.GeoDataFrame,
    parameters: Mapping[str, Any],
    metrics_fn: Callable[..., pd.DataFrame],
) -> dict[str, pd.DataFrame]:
    """Rows of each zone (``"<kind>:<id>"``), measured in one call.

    When the call fails, the zones are measured one at a time, so only the
    zones that fail get a note instead of metrics.
    """
    keys = [f"{k}:{z}" for k, z in zip(zones[ZONE_KIND], zones["zone_id"], strict=True)]
    try:
        table = _call(metrics_fn, cover, zones, parameters)
        by_id = {str(k): g for k, g in table.groupby(table["zone_id"].astype(str), sort=False)}
        out = {}
        for key, kind, zid in zip(keys, zones[ZONE_KIND], zones["zone_id"], strict=True):
            rows = by_id.get(str(zid))
            if rows is None:  # the metrics returned nothing for it: say so
                raise InputError(f"the metrics returned no rows for zone {zid!r}")
            out[key] = rows.assign(**{ZONE_KIND: kind})
        return out
    except Exception as exc:
        if len(zones) == 1:
            return {keys[0]: _failed_rows(str(zones["zone_id"].iloc[0]), keys[0], exc)}
    out = {}
    for k in range(len(zones)):
        out.update(_measure(cover, zones.iloc[[k]], parameters, metrics_fn))
    return out


def _call(
    metrics_fn: Callable[..., pd.DataFrame],
    cover: Raster,
    zones: gpd.GeoDataFrame,
    parameters: Mapping[str, Any],
) -> pd.DataFrame:
    with warnings.catch_warnings():
        # what cannot be trusted is in the rows' notes (shown on the pages)
        warnings.simplefilter("ignore")
        table = metrics_fn(
            cover,
            zones=zones[["zone_id", "geometry"]],
            zone_id="zone_id",
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in parameters.items()},
        )
    table = LANDSCAPE_METRICS.validate(table, name="landscape_metrics")
    return table.assign(zone_id=table["zone_id"].astype(str))


def _default_metrics() -> Callable[..., pd.DataFrame]:
    from habitat.landscape.metrics import landscape_metrics

    return landscape_metrics


#: rows of the zones measured in this process by the real metrics, by fingerprint (the
#: same study area's parks in every report of a session are measured once)
_MEMORY: collections.OrderedDict[str, pd.DataFrame] = collections.OrderedDict()
#: zones kept in :data:`_MEMORY` (the oldest are dropped)
MEMORY_ZONES = 256


def _remember(fingerprint: str, table: pd.DataFrame) -> None:
    _MEMORY[fingerprint] = table.copy()
    _MEMORY.move_to_end(fingerprint)
    while len(_MEMORY) > MEMORY_ZONES:
        _MEMORY.popitem(last=False)


def report_fragmentation(
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    *,
    cache_dir: Path | None = None,
    overwrite: bool = False,
    parameters: Mapping[str, Any] | None = None,
    metrics_fn: Callable[..., pd.DataFrame] | None = None,
) -> FragmentationResult:
    """Landscape metrics inside each range and each protected area / zone of a study area.

    Parameters
    ----------
    ranges : GeoDataFrame
        The reported ranges, one per animal (``individual``), in any CRS.
    area : StudyArea
        With a land cover (``area.land_cover``); its ``protected_areas``
        features are measured too (:func:`area_zones`).
    cache_dir : path, optional
        Folder of per-zone caches (see the module docstring); None: no cache.
    overwrite : bool
        Measure every zone again (the caches are rewritten).
    parameters : mapping, optional
        Keywords of :func:`habitat.landscape.landscape_metrics`; default
        :data:`FRAGMENTATION_PARAMETERS`. They are part of each zone's fingerprint.
    metrics_fn : callable, optional
        The metrics function (default :func:`habitat.landscape.landscape_metrics`).

    Returns
    -------
    FragmentationResult

    Raises
    ------
    InputError
        When ``area`` has no land cover.
    """
    t0 = time.perf_counter()
    cover = area.land_cover
    if cover is None:
        raise InputError(
            "fragmentation metrics need a land cover; the study area has none. Give "
            "land_cover=... (or --land-cover), or turn them off (fragmentation=False)."
        )
    params = dict(FRAGMENTATION_PARAMETERS if parameters is None else parameters)
    fn = metrics_fn if metrics_fn is not None else _default_metrics()
    # only the library's own metrics are remembered across reports (a stand-in never)
    from habitat.landscape.metrics import landscape_metrics

    memory = fn is landscape_metrics and not overwrite
    own = gpd.GeoDataFrame(
        {"zone_id": ranges["individual"].astype(str).to_numpy(), ZONE_KIND: "range"},
        geometry=ranges.geometry.to_numpy(),
        crs=ranges.crs,
    )
    parks = area_zones(area)
    zones = [z.reset_index(drop=True) for z in (own, parks) if len(z)]
    cover_fp = land_cover_sha256(cover)
    fingerprints: dict[str, str] = {}
    rows: dict[str, pd.DataFrame] = {}
    todo: list[gpd.GeoDataFrame] = []
    for part in zones:
        keys = [f"{k}:{z}" for k, z in zip(part[ZONE_KIND], part["zone_id"], strict=True)]
        fps = _zone_fingerprints(part, cover_fp, params)
        fingerprints.update(zip(keys, fps, strict=True))
        missing = []
        for k, (key, fp) in enumerate(zip(keys, fps, strict=True)):
            cached = None if cache_dir is None else cache_dir / f"{fp}.parquet"
            if cached is not None and cached.exists() and not overwrite:
                try:
                    rows[key] = pd.read_parquet(cached)
                    continue
                except Exception:  # a damaged cache: measure again
                    cached.unlink(missing_ok=True)
            if memory and fp in _MEMORY:  # measured by an earlier report of this process
                rows[key] = _MEMORY[fp].copy()
                if cached is not None:
                    with atomic_path(cached) as tmp:
                        rows[key].to_parquet(tmp)
                continue
            missing.append(k)
        if missing:
            todo.append(part.iloc[missing])
    reused = len(rows)
    measured: dict[str, pd.DataFrame] = {}
    for part in todo:  # one call for the ranges, one for the protected areas and zones
        measured.update(_measure(cover, part, params, fn))
    failed = []
    for key, table in measured.items():
        rows[key] = table
        note = table["note"].iloc[0] if "note" in table.columns and len(table) == 1 else ""
        if isinstance(note, str) and note.startswith("fragmentation could not be measured"):
            failed.append(key.partition(":")[2])
            log.warning("%s: %s", key.partition(":")[2], note)
            continue  # not cached: tried again next run
        if fn is landscape_metrics:
            _remember(fingerprints[key], table)
        if cache_dir is not None:
            with atomic_path(cache_dir / f"{fingerprints[key]}.parquet") as tmp:
                table.to_parquet(tmp)
    if failed:
        warnings.warn(
            f"fragmentation could not be measured for {len(failed)} zone(s) "
            f"({', '.join(failed[:5])}{' ...' if len(failed) > 5 else ''}); their rows say why "
            "(note column of fragmentation.csv).",
            DataQualityWarning,
            stacklevel=3,
        )
    if cache_dir is not None and cache_dir.is_dir():
        keep = {f"{fp}.parquet" for fp in fingerprints.values()}
        for old in cache_dir.glob("*.parquet"):
            if old.name not in keep:
                old.unlink(missing_ok=True)
    order = [
        f"{k}:{z}" for part in zones for k, z in zip(part[ZONE_KIND], part["zone_id"], strict=True)
    ]
    parts = [rows[k] for k in order if k in rows]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(table):  # the kind, then the contract's columns in its order, then any others
        contract = LANDSCAPE_METRICS.present(table)
        table = table[
            [ZONE_KIND, *contract, *(c for c in table.columns if c not in {ZONE_KIND, *contract})]
        ]
    return FragmentationResult(
        table=table,
        fingerprints=fingerprints,
        reused=reused,
        computed=len(measured),
        failed=failed,
        seconds=time.perf_counter() - t0,
    )
