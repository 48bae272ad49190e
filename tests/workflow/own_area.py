"""A small study area of an analyst's own, written as the files they would have.

Everything here is **synthetic**: a made-up corner of the Adirondacks in New
York (around 44.0 N, 74.5 W; about 30 km x 24 km) drawn with straight edges in
WGS 84 / UTM zone 18N (EPSG:32618), with fictional park, county, road and
place names. The files imitate what an analyst brings, with the column names
of their own agency, deliberately *not* habitat's (``name``, ``zone``):

========================  ===========================================================
file                      content
========================  ===========================================================
parks.gpkg                3 protected areas: ``PARK_NAME``, ``ZONE_TYPE``, ``IUCN_CAT``
                          (Hemlock Ridge State Forest in two zones, Cold Brook
                          Preserve, Otter Lake Wildlife Management Area)
counties.gpkg             2 counties: ``COUNTY``, ``FIPS``
roads.shp                 3 roads: ``RD_NAME``, ``RD_CLASS``, ``WIDTH_M``
towns.geojson             3 settlements (points): ``PLACE``, ``POP``
crossings.geojson         1 wildlife crossing (a culvert under NY 30): ``STRUCTURE``
cover.tif                 50 m land cover with NLCD codes 11, 41, 42, 81 (0 nodata), no names
cover_classes.csv         the class table: ``value``, ``name``
fishers.csv               Movebank-style export of 3 GPS-collared fishers, 90 days,
                          fixes every 7 h (F01 and F02 female, M01 male)
fishers_reference.csv     Movebank reference table (``animal-sex``)
fisher.toml               a fisher species profile (sources in its ``source`` key)
study_area.toml           the study area tying the layers together (read_study_area)
albatrosses.csv           Movebank-style export of 2 far-ranging seabirds off Ecuador
                          (lon -92..-80, lat -6..2; 30-70 km/h between hourly fixes)
waved_albatross.toml      an illustrative profile for them
========================  ===========================================================

The fishers move as exact Ornstein-Uhlenbeck processes
(:func:`habitat.datasets.simulate.ou_deviations`) around centres placed by
hand, in UTM 18N metres; the true 95 % range areas are :data:`FISHER_AREA_KM2`.
:data:`GEOMETRY` holds every shape in local kilometres so tests can construct
exact answers (shares of a range inside a zone, road lengths, land-cover shares).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from habitat.datasets.simulate import ou_deviations, sigma_for_area_m
from habitat.io.raster import Raster, write_geotiff

__all__ = [
    "ALBATROSS_BOX",
    "CLASSES",
    "CRS_UTM",
    "FISHER_AREA_KM2",
    "FISHER_SEX",
    "GEOMETRY",
    "ORIGIN",
    "albatross_fixes",
    "fisher_fixes",
    "land_cover",
    "local_box",
    "to_lonlat",
    "to_utm",
    "write_own_study_area",
]

#: the files' projected CRS: WGS 84 / UTM zone 18N
CRS_UTM = "EPSG:32618"
#: local (0, 0) in UTM 18N metres (about 74.49 W, 43.98 N)
ORIGIN = (540_000.0, 4_870_000.0)
#: NLCD class codes used in cover.tif
CLASSES = {11: "Open water", 41: "Deciduous forest", 42: "Evergreen forest", 81: "Pasture/hay"}
#: cell size of cover.tif, metres
CELL_M = 50.0

#: every shape, in local kilometres (x east, y north from ORIGIN)
GEOMETRY: dict[str, dict[str, tuple[float, ...]]] = {
    "counties": {
        "Tamarack County": (0, 0, 15, 24),
        "Black River County": (15, 0, 30, 24),
    },
    "parks": {  # (PARK_NAME, ZONE_TYPE) -> box
        "Hemlock Ridge State Forest|Wilderness": (2, 6, 8, 14),
        "Hemlock Ridge State Forest|Intensive Use": (8, 6, 12, 14),
        "Cold Brook Preserve|": (17, 12, 25, 20),
        "Otter Lake Wildlife Management Area|": (20, 2, 26, 7),
    },
    "roads": {  # name -> (x0, y0, x1, y1)
        "NY 30": (0, 16, 30, 16),
        "County Road 8": (14, 0, 14, 24),
        "Beaver Brook Road": (4, 2, 10, 5),
    },
    "towns": {"Hemlock Falls": (13, 16.5), "Cold Spring": (27, 15), "Tamarack": (3, 19)},
    "crossings": {"NY 30 culvert underpass": (21, 16)},
    "cover": {  # class -> boxes painted in this order over deciduous forest (41)
        "42": (0, 18, 30, 24),
        "81": (0, 0, 30, 3),
        "11": (9, 18, 12, 21),
    },
}
_PARK_INFO = {  # PARK_NAME -> (IUCN_CAT by zone)
    "Hemlock Ridge State Forest|Wilderness": "Ib",
    "Hemlock Ridge State Forest|Intensive Use": "V",
    "Cold Brook Preserve|": "IV",
    "Otter Lake Wildlife Management Area|": "VI",
}
_ROADS = {"NY 30": ("State Route", 12.0), "County Road 8": ("County Road", 8.0),
          "Beaver Brook Road": ("Forest Road", 5.0)}  # fmt: skip
_EXTENT_KM = (0.0, 0.0, 30.0, 24.0)

#: the fishers: sex, range centre (local km), true 95 % range area (km²)
FISHER_SEX = {"F01": "F", "F02": "F", "M01": "M"}
_FISHER_CENTRE_KM = {"F01": (8.0, 10.0), "F02": (20.5, 14.5), "M01": (14.5, 9.0)}
#: true 95 % areas of the fishers' stationary distributions, km² (F01: 2.0 sq mi)
FISHER_AREA_KM2 = {"F01": 5.18, "F02": 3.5, "M01": 6.0}
#: where the seabirds fly: (west, south, east, north) in degrees
ALBATROSS_BOX = (-92.0, -6.0, -80.0, 2.0)

FISHER_TOML = """\
# Fisher (Pekania pennanti): outer (95 %) home-range sizes by sex.
name = "fisher"
common_name = "Fisher"
scientific_name = "Pekania pennanti"
max_speed_kmh = 10      # illustrative: no published maximum; fishers travel at a few km/h
source = \"\"\"Upper bounds from the largest 95 % fixed-kernel ranges in Weir, Harestad & \
Corbould 2009 (Can. Field-Nat. 123:126-132; females 10.5-81.2 km2, males 46.0-225.2 km2) and \
Weir et al. 2013 (Northwest Sci. 87:114-125; means F 30.6, M 210.3 km2). Lower bound of females \
from suburban fishers near Albany, NY, living in about 1 km2 of forest (LaPoint & Kays, New York \
State Museum, 2011). max_speed_kmh is illustrative.\"\"\"

[area_km2]
F = [1, 85]
M = ["none", 230]
"""

ALBATROSS_TOML = """\
# Illustrative only: a far-ranging seabird, for the size and speed checks.
name = "waved_albatross"
common_name = "Waved albatross"
scientific_name = "Phoebastria irrorata"
max_speed_kmh = 90
ud_cell_size_m = 5000
source = "illustrative bounds for a seabird foraging over the eastern tropical Pacific"

[area_km2]
any = [1000, 2000000]
"""

STUDY_AREA_TOML = """\
name = "Hemlock Ridge fishers"
species = "fisher.toml"

[[layers]]
role = "protected_areas"
path = "parks.gpkg"
label = "State lands"
name_column = "PARK_NAME"
zone_column = "ZONE_TYPE"
category_column = "IUCN_CAT"

[[layers]]
role = "admin_units"
path = "counties.gpkg"
label = "Counties"
name_column = "COUNTY"

[[layers]]
role = "roads"
path = "roads.shp"
label = "Roads"
name_column = "RD_NAME"
kind_column = "RD_CLASS"
width_column = "WIDTH_M"

[[layers]]
role = "settlements"
path = "towns.geojson"
label = "Towns"
name_column = "PLACE"

[[layers]]
role = "crossings"
path = "crossings.geojson"
label = "Wildlife crossings"
name_column = "STRUCTURE"
kind = "culvert"

[land_cover]
path = "cover.tif"
classes = {11 = "Open water", 41 = "Deciduous forest", 42 = "Evergreen forest", \
81 = "Pasture/hay"}
"""


def to_utm(x_km: object, y_km: object) -> tuple[np.ndarray, np.ndarray]:
    """Local kilometres -> UTM 18N metres."""
    return (
        ORIGIN[0] + 1000.0 * np.asarray(x_km, dtype=float),
        ORIGIN[1] + 1000.0 * np.asarray(y_km, dtype=float),
    )


def to_lonlat(x_km: object, y_km: object) -> tuple[np.ndarray, np.ndarray]:
    """Local kilometres -> longitude, latitude (degrees)."""
    x, y = to_utm(x_km, y_km)
    lon, lat = Transformer.from_crs(CRS_UTM, 4326, always_xy=True).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def local_box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box given in local kilometres, as a UTM 18N polygon (metres)."""
    (a, c), (b, d) = to_utm([x0, x1], [y0, y1])
    return shapely.box(a, b, c, d)


def _parks() -> gpd.GeoDataFrame:
    keys = list(GEOMETRY["parks"])
    return gpd.GeoDataFrame(
        {
            "PARK_NAME": [k.split("|")[0] for k in keys],
            "ZONE_TYPE": [k.split("|")[1] or None for k in keys],
            "IUCN_CAT": [_PARK_INFO[k] for k in keys],
            "ACRES": [
                round(shapely.area(local_box(*GEOMETRY["parks"][k])) / 4046.8564224) for k in keys
            ],
        },
        geometry=[local_box(*GEOMETRY["parks"][k]) for k in keys],
        crs=CRS_UTM,
    )


def _counties() -> gpd.GeoDataFrame:
    names = list(GEOMETRY["counties"])
    return gpd.GeoDataFrame(
        {"COUNTY": names, "FIPS": ["36997", "36998"]},
        geometry=[local_box(*GEOMETRY["counties"][n]) for n in names],
        crs=CRS_UTM,
    )


def _roads() -> gpd.GeoDataFrame:
    names = list(GEOMETRY["roads"])
    lines = []
    for n in names:
        x0, y0, x1, y1 = GEOMETRY["roads"][n]
        xs, ys = to_utm([x0, x1], [y0, y1])
        lines.append(shapely.LineString(np.column_stack([xs, ys])))
    return gpd.GeoDataFrame(
        {
            "RD_NAME": names,
            "RD_CLASS": [_ROADS[n][0] for n in names],
            "WIDTH_M": [_ROADS[n][1] for n in names],
        },
        geometry=lines,
        crs=CRS_UTM,
    )


def _points(table: dict[str, tuple[float, ...]], column: str, **extra: list) -> gpd.GeoDataFrame:
    names = list(table)
    lon, lat = to_lonlat([table[n][0] for n in names], [table[n][1] for n in names])
    return gpd.GeoDataFrame(
        {column: names, **extra}, geometry=shapely.points(lon, lat), crs="EPSG:4326"
    )


def land_cover() -> Raster:
    """The 50 m land cover (NLCD codes, nodata 0) as a Raster in UTM 18N."""
    x0, y0, x1, y1 = _EXTENT_KM
    ncol = round((x1 - x0) * 1000 / CELL_M)
    nrow = round((y1 - y0) * 1000 / CELL_M)
    # cell centres in local km (row 0 is the north edge)
    cx = (np.arange(ncol) + 0.5) * CELL_M / 1000 + x0
    cy = y1 - (np.arange(nrow) + 0.5) * CELL_M / 1000
    xx, yy = np.meshgrid(cx, cy)
    array = np.full((nrow, ncol), 41, dtype="uint8")
    for code, (bx0, by0, bx1, by1) in GEOMETRY["cover"].items():
        array[(xx > bx0) & (xx < bx1) & (yy > by0) & (yy < by1)] = int(code)
    left, top = to_utm(x0, y1)
    return Raster(
        array,
        (CELL_M, 0.0, float(left), 0.0, -CELL_M, float(top)),
        CRS_UTM,
        nodata=0,
        classes=dict(CLASSES),
    )


def fisher_fixes(
    *, seed: int = 11, days: float = 90.0, fix_interval_h: float = 7.0
) -> pd.DataFrame:
    """The fishers' fixes as a Movebank-style table (longitude/latitude, UTC timestamps)."""
    rng = np.random.default_rng(seed)
    ids = list(FISHER_SEX)
    n = math.floor(days * 24 / fix_interval_h)
    sigma = np.asarray(sigma_for_area_m([FISHER_AREA_KM2[i] for i in ids]), dtype=float)
    dev = ou_deviations(n, sigma_m=sigma, tau_days=1.0, step_days=fix_interval_h / 24, rng=rng)
    cx, cy = to_utm(*np.array([_FISHER_CENTRE_KM[i] for i in ids]).T)
    x = cx[:, None] + dev[..., 0]
    y = cy[:, None] + dev[..., 1]
    lon, lat = Transformer.from_crs(CRS_UTM, 4326, always_xy=True).transform(x, y)
    start = pd.Timestamp("2025-01-06T02:00Z")
    times = start + pd.to_timedelta(np.arange(n) * fix_interval_h, unit="h")
    keep = rng.random((len(ids), n)) < 0.97  # a few failed fixes, as from a real collar
    individual = np.repeat(ids, n).reshape(len(ids), n)
    table = pd.DataFrame(
        {
            "event-id": np.arange(1, keep.sum() + 1) + 7_000_000,
            "visible": "true",
            "timestamp": np.tile(times.strftime("%Y-%m-%d %H:%M:%S.000"), len(ids)).reshape(
                len(ids), n
            )[keep],
            "location-long": np.round(np.asarray(lon)[keep], 7),
            "location-lat": np.round(np.asarray(lat)[keep], 7),
            "gps:satellite-count": rng.integers(4, 12, size=int(keep.sum())),
            "sensor-type": "gps",
            "individual-taxon-canonical-name": "Pekania pennanti",
            "tag-local-identifier": [f"T{i[1:]}" for i in individual[keep]],
            "individual-local-identifier": individual[keep],
            "study-name": "Hemlock Ridge fishers (synthetic)",
        }
    )
    return table


def albatross_fixes(*, n_birds: int = 2, days: float = 10.0, seed: int = 5) -> pd.DataFrame:
    """Far-ranging seabirds off Ecuador: hourly fixes, 30-70 km/h, inside :data:`ALBATROSS_BOX`.

    Each bird flies a correlated random walk (speed uniform in 30-70 km/h,
    turns of about 17 degrees per hour) in a Lambert azimuthal equal-area
    projection centred on the box; at the box's edge it turns back (the
    heading is reflected), so every step keeps its speed.
    """
    rng = np.random.default_rng(seed)
    w, s, e, n = ALBATROSS_BOX
    laea = "+proj=laea +lon_0=-86 +lat_0=-2 +datum=WGS84 +units=m"
    to_m = Transformer.from_crs(4326, laea, always_xy=True)
    to_deg = Transformer.from_crs(laea, 4326, always_xy=True)
    # the box inside which the walk stays, in metres (a little inside the degree box)
    bx = np.array(to_m.transform([w + 0.3, e - 0.3], [-2.0, -2.0])[0])
    by = np.array(to_m.transform([-86.0, -86.0], [s + 0.3, n - 0.3])[1])
    steps = round(days * 24)
    rows = []
    start = pd.Timestamp("2025-06-01T00:00Z")
    for b in range(n_birds):
        lon0, lat0 = -89.6 + 0.2 * b, -1.4  # Española, the species' breeding island
        x, y = (float(v) for v in to_m.transform(lon0, lat0))
        heading = rng.uniform(0, 2 * np.pi)
        xs, ys = [x], [y]
        speeds = rng.uniform(30.0, 70.0, size=steps)
        turns = rng.normal(0.0, 0.3, size=steps)
        for k in range(steps):
            heading += turns[k]
            d = speeds[k] * 1000.0
            nx, ny = x + d * np.cos(heading), y + d * np.sin(heading)
            if not bx[0] <= nx <= bx[1]:
                heading = np.pi - heading
            if not by[0] <= ny <= by[1]:
                heading = -heading
            x, y = x + d * np.cos(heading), y + d * np.sin(heading)
            xs.append(x)
            ys.append(y)
        lon, lat = to_deg.transform(np.array(xs), np.array(ys))
        times = start + pd.to_timedelta(np.arange(steps + 1), unit="h")
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": times.strftime("%Y-%m-%d %H:%M:%S.000"),
                    "location-long": np.round(lon, 6),
                    "location-lat": np.round(lat, 6),
                    "individual-local-identifier": f"Albatross {b + 1}",
                    "individual-taxon-canonical-name": "Phoebastria irrorata",
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "event-id", np.arange(1, len(out) + 1) + 9_000_000)
    out.insert(1, "visible", "true")
    return out


def write_own_study_area(folder: str | Path) -> dict[str, Path]:
    """Write the analyst's files into ``folder`` (created if needed); returns paths by name.

    Keys: ``parks``, ``counties``, ``roads``, ``towns``, ``crossings``,
    ``cover``, ``cover_classes``, ``fishers``, ``fishers_reference``,
    ``fisher_profile``, ``study_area``, ``albatrosses``, ``albatross_profile``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "parks": out / "parks.gpkg",
        "counties": out / "counties.gpkg",
        "roads": out / "roads.shp",
        "towns": out / "towns.geojson",
        "crossings": out / "crossings.geojson",
        "cover": out / "cover.tif",
        "cover_classes": out / "cover_classes.csv",
        "fishers": out / "fishers.csv",
        "fishers_reference": out / "fishers_reference.csv",
        "fisher_profile": out / "fisher.toml",
        "study_area": out / "study_area.toml",
        "albatrosses": out / "albatrosses.csv",
        "albatross_profile": out / "waved_albatross.toml",
    }
    _parks().to_file(paths["parks"], layer="parks", driver="GPKG")
    _counties().to_file(paths["counties"], layer="counties", driver="GPKG")
    _roads().to_file(paths["roads"], driver="ESRI Shapefile")
    towns = GEOMETRY["towns"]
    _points(towns, "PLACE", POP=[1840, 620, 310]).to_file(paths["towns"], driver="GeoJSON")
    _points(GEOMETRY["crossings"], "STRUCTURE").to_file(paths["crossings"], driver="GeoJSON")
    # like most classified rasters, the file holds codes only: names are in the class table
    write_geotiff(dataclasses.replace(land_cover(), classes=None), paths["cover"])
    pd.DataFrame({"value": list(CLASSES), "name": list(CLASSES.values())}).to_csv(
        paths["cover_classes"], index=False
    )
    fisher_fixes().to_csv(paths["fishers"], index=False)
    pd.DataFrame(
        {
            "tag-id": [f"T{i[1:]}" for i in FISHER_SEX],
            "animal-id": list(FISHER_SEX),
            "animal-sex": [s.lower() for s in FISHER_SEX.values()],
            "animal-taxon": "Pekania pennanti",
            "deploy-on-date": "2025-01-05 00:00:00.000",
        }
    ).to_csv(paths["fishers_reference"], index=False)
    paths["fisher_profile"].write_text(FISHER_TOML, encoding="utf-8")
    paths["study_area"].write_text(STUDY_AREA_TOML, encoding="utf-8")
    albatross_fixes().to_csv(paths["albatrosses"], index=False)
    paths["albatross_profile"].write_text(ALBATROSS_TOML, encoding="utf-8")
    return paths
