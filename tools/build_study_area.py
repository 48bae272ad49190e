"""Draw the bundled SCHEMATIC study-area layers and land-cover raster of habitat.

Run from the repository root::

    .venv/bin/python tools/build_study_area.py

It rewrites ``data/layers/*.geojson``, ``data/land_cover.tif`` and
``data/README.md``. The output is deterministic: running it again gives
byte-identical files.

Everything here is a hand-drawn schematic guided by ``shared/facts.md`` (park
areas, zones, border crossing points, coast positions, roads, railway and
settlements). The vertex lists below are our own simplified drawing, typed with
about 0.01° (≈1 km) precision; no real boundary file is copied. The exception
is the Russia–China and Russia–North Korea border (``RU_CN``, ``RU_KP``),
redrawn after the OpenStreetMap outline of Primorsky Krai (simplified and
rounded, within 0.6 km of it; ODbL, © OpenStreetMap contributors). Polygon areas
are then *fitted* to the published figures by moving one free edge (a buffer
distance, a radius or a shift) until the equal-area measurement of
:func:`habitat.core.crs.area_m2` matches the target.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
import shapely.errors
import shapely.ops
from pyproj import Transformer
from scipy import ndimage
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.ops import substring

from habitat.core.crs import UTM_52N, WGS84, area_m2
from habitat.core.units import convert_area
from habitat.datasets import LAND_COVER_CLASSES
from habitat.io.raster import Raster, write_geotiff

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
LAYERS = DATA / "layers"
GRID = 1e-5  # coordinate precision of the GeoJSON files, degrees (≈1 m)
SEED = 20120405  # the park's creation date

TO_M = Transformer.from_crs(WGS84, UTM_52N, always_xy=True)
TO_DEG = Transformer.from_crs(UTM_52N, WGS84, always_xy=True)

# ----------------------------------------------------------------------------
# Hand-drawn lines (lon, lat), all our own simplified drawing
# ----------------------------------------------------------------------------
#: Russia–China–North Korea tripoint, where the OpenStreetMap outline of the krai
#: leaves the Tumen (facts.md gives about 42.53 N, 130.53 E, as Natural Earth draws it)
TRIPOINT = (130.553, 42.518)

#: Russia–China border, south (tripoint) to north, to the Khabarovsk Krai line
#: on the Ussuri. Redrawn after the OpenStreetMap outline of Primorsky Krai
#: (GIS-Lab extract, c. 2013; ODbL 1.0, © OpenStreetMap contributors): its
#: border section simplified (Douglas–Peucker, 600 m in UTM 52N) and rounded to
#: 0.001°, so it stays within 0.6 km of that outline (the earlier hand drawing
#: strayed up to 4 km and put 9 % of the park on the Chinese side).
RU_CN = [
    TRIPOINT,
    (130.567, 42.538),
    (130.563, 42.555),
    (130.603, 42.555),
    (130.616, 42.571),
    (130.627, 42.598),
    (130.616, 42.629),
    (130.562, 42.686),
    (130.521, 42.701),
    (130.488, 42.689),
    (130.457, 42.688),
    (130.452, 42.698),
    (130.424, 42.703),
    (130.400, 42.723),
    (130.436, 42.752),
    (130.532, 42.792),
    (130.542, 42.805),
    (130.671, 42.850),
    (130.695, 42.847),
    (130.712, 42.831),
    (130.749, 42.835),
    (130.771, 42.846),
    (130.793, 42.879),
    (130.829, 42.883),
    (130.878, 42.856),
    (130.924, 42.874),
    (130.970, 42.860),
    (131.026, 42.861),
    (131.035, 42.868),
    (131.016, 42.916),
    (131.028, 42.922),
    (131.109, 42.913),
    (131.144, 42.964),
    (131.112, 42.974),
    (131.104, 43.028),
    (131.116, 43.060),
    (131.133, 43.072),
    (131.158, 43.073),
    (131.156, 43.102),
    (131.205, 43.134),
    (131.211, 43.170),
    (131.196, 43.202),
    (131.204, 43.238),
    (131.240, 43.252),
    (131.269, 43.333),
    (131.262, 43.345),
    (131.274, 43.370),
    (131.308, 43.399),
    (131.296, 43.469),
    (131.259, 43.499),
    (131.204, 43.519),
    (131.194, 43.559),
    (131.203, 43.586),
    (131.216, 43.593),
    (131.230, 43.589),
    (131.230, 43.609),
    (131.211, 43.614),
    (131.229, 43.666),
    (131.212, 43.686),
    (131.213, 43.735),
    (131.225, 43.757),
    (131.205, 43.781),
    (131.216, 43.807),
    (131.210, 43.823),
    (131.260, 43.933),
    (131.238, 43.970),
    (131.257, 44.008),
    (131.253, 44.029),
    (131.294, 44.037),
    (131.303, 44.059),
    (131.104, 44.706),
    (131.088, 44.706),
    (131.087, 44.738),
    (131.061, 44.762),
    (131.056, 44.785),
    (131.042, 44.778),
    (131.014, 44.782),
    (131.012, 44.809),
    (130.996, 44.819),
    (130.970, 44.817),
    (130.963, 44.856),
    (131.017, 44.874),
    (131.051, 44.872),
    (131.087, 44.889),
    (131.093, 44.902),
    (131.082, 44.922),
    (131.150, 44.946),
    (131.218, 44.915),
    (131.281, 44.928),
    (131.308, 44.960),
    (131.349, 44.987),
    (131.368, 44.979),
    (131.406, 44.984),
    (131.429, 44.968),
    (131.475, 44.964),
    (131.474, 44.996),
    (131.535, 45.017),
    (131.680, 45.113),
    (131.683, 45.148),
    (131.658, 45.160),
    (131.655, 45.174),
    (131.681, 45.220),
    (131.719, 45.227),
    (131.785, 45.207),
    (131.778, 45.237),
    (131.820, 45.297),
    (131.878, 45.340),
    (131.913, 45.336),
    (131.929, 45.280),
    (131.982, 45.270),
    (131.986, 45.256),
    (132.657, 45.117),
    (132.798, 45.083),
    (132.888, 45.040),
    (132.936, 45.027),
    (132.938, 45.019),
    (132.954, 45.026),
    (132.970, 45.022),
    (132.974, 45.036),
    (133.032, 45.058),
    (133.067, 45.097),
    (133.116, 45.126),
    (133.127, 45.149),
    (133.122, 45.202),
    (133.088, 45.241),
    (133.098, 45.267),
    (133.092, 45.287),
    (133.138, 45.387),
    (133.134, 45.426),
    (133.146, 45.428),
    (133.188, 45.501),
    (133.300, 45.544),
    (133.322, 45.562),
    (133.333, 45.556),
    (133.381, 45.581),
    (133.412, 45.572),
    (133.405, 45.617),
    (133.421, 45.610),
    (133.424, 45.626),
    (133.466, 45.616),
    (133.466, 45.627),
    (133.440, 45.641),
    (133.446, 45.654),
    (133.483, 45.661),
    (133.473, 45.692),
    (133.458, 45.690),
    (133.446, 45.702),
    (133.421, 45.696),
    (133.444, 45.728),
    (133.478, 45.736),
    (133.475, 45.748),
    (133.459, 45.753),
    (133.462, 45.777),
    (133.487, 45.773),
    (133.498, 45.783),
    (133.462, 45.796),
    (133.456, 45.828),
    (133.485, 45.838),
    (133.481, 45.864),
    (133.501, 45.864),
    (133.504, 45.887),
    (133.520, 45.896),
    (133.544, 45.896),
    (133.573, 45.871),
    (133.590, 45.873),
    (133.588, 45.887),
    (133.607, 45.902),
    (133.598, 45.933),
    (133.624, 45.948),
    (133.666, 45.940),
    (133.672, 45.983),
    (133.735, 46.054),
    (133.734, 46.077),
    (133.704, 46.100),
    (133.681, 46.138),
    (133.687, 46.156),
    (133.742, 46.166),
    (133.786, 46.191),
    (133.806, 46.229),
    (133.822, 46.224),
    (133.826, 46.204),
    (133.837, 46.200),
    (133.871, 46.231),
    (133.856, 46.251),
    (133.910, 46.264),
    (133.899, 46.301),
    (133.916, 46.331),
    (133.893, 46.324),
    (133.862, 46.337),
    (133.870, 46.362),
    (133.936, 46.380),
    (133.939, 46.400),
    (133.891, 46.447),
    (133.846, 46.445),
    (133.845, 46.481),
    (133.882, 46.521),
    (133.912, 46.596),
    (134.005, 46.655),
    (134.021, 46.635),
]

#: Russia–North Korea border along the lower Tumen, tripoint to the river mouth,
#: after the same OpenStreetMap outline (simplified 300 m, rounded to 0.001°)
RU_KP = [
    TRIPOINT,
    (130.558, 42.505),
    (130.592, 42.485),
    (130.593, 42.446),
    (130.626, 42.433),
    (130.667, 42.381),
    (130.671, 42.368),
    (130.646, 42.347),
    (130.651, 42.329),
    (130.7, 42.295),
]

#: China–North Korea border (Tumen), tripoint upstream to 129 E
CN_KP = [
    TRIPOINT,
    (130.5, 42.61),
    (130.45, 42.56),
    (130.38, 42.63),
    (130.26, 42.71),
    (130.24, 42.9),
    (130.11, 42.93),
    (130.12, 42.98),
    (130.0, 42.96),
    (129.91, 43.01),
    (129.76, 42.75),
    (129.78, 42.67),
    (129.7, 42.44),
    (129.56, 42.4),
    (129.43, 42.44),
    (129.34, 42.44),
    (129.2, 42.3),
    (129.2, 42.23),
    (129.0, 42.09),
]

#: Russian coast from the Tumen mouth north-east to the Khabarovsk Krai line.
#: West shore of Amur Bay near 131.5 E at 43.0 N, 131.64 E at 43.1 N and
#: 131.69 E at 43.2 N (facts.md).
RU_COAST = [
    (130.7, 42.295),
    (130.76, 42.39),
    (130.79, 42.46),
    (130.85, 42.49),
    (130.87, 42.54),
    (130.78, 42.6),
    (130.73, 42.59),
    (130.72, 42.63),
    (130.66, 42.65),
    (130.7, 42.69),
    (130.75, 42.68),
    (130.84, 42.692),
    (130.8, 42.663),
    (130.79, 42.65),
    (130.86, 42.645),
    (130.95, 42.645),
    (131.0, 42.632),
    (131.09, 42.636),
    (131.12, 42.665),
    (131.14, 42.62),
    (131.18, 42.6),
    (131.22, 42.56),
    (131.23, 42.6),
    (131.21, 42.63),
    (131.26, 42.68),
    (131.25, 42.72),
    (131.28, 42.78),
    (131.35, 42.77),
    (131.39, 42.83),
    (131.46, 42.87),
    (131.405, 42.88),
    (131.395, 42.94),
    (131.5, 42.94),
    (131.5, 42.99),
    (131.56, 43.01),
    (131.58, 43.06),
    (131.64, 43.11),
    (131.69, 43.17),
    (131.73, 43.17),
    (131.72, 43.21),
    (131.77, 43.27),
    (131.82, 43.335),
    (131.86, 43.31),
    (131.97, 43.31),
    (132.0, 43.24),
    (131.92, 43.2),
    (131.86, 43.13),
    (131.85, 43.09),
    (131.89, 43.075),
    (131.94, 43.07),
    (132.03, 43.12),
    (132.1, 43.18),
    (132.23, 43.23),
    (132.29, 43.31),
    (132.35, 43.29),
    (132.32, 43.24),
    (132.37, 43.19),
    (132.33, 43.15),
    (132.29, 43.09),
    (132.29, 42.88),
    (132.36, 42.87),
    (132.4, 42.94),
    (132.5, 42.92),
    (132.57, 42.84),
    (132.77, 42.91),
    (132.81, 42.76),
    (132.99, 42.83),
    (133.04, 42.67),
    (133.4, 42.75),
    (133.92, 42.87),
    (134.3, 43.05),
    (134.7, 43.25),
    (135.14, 43.5),
    (135.5, 43.95),
    (135.88, 44.41),
    (136.15, 44.5),
    (136.5, 44.85),
    (136.8, 45.2),
    (137.2, 45.45),
    (137.69, 45.81),
    (138.05, 46.15),
    (138.34, 46.54),
    (138.56, 47.03),
    (139.03, 47.4),
]

#: Russky Island, off Vladivostok
RUSSKY = [(131.77, 43.0), (131.87, 42.96), (131.92, 43.02), (131.85, 43.06), (131.79, 43.04)]

#: Primorsky Krai – Khabarovsk Krai line, coast (east) to the Ussuri (west).
#: Its interior vertices are shifted north/south to fit the krai's area.
KRAI_NORTH = [
    (139.03, 47.4),
    (138.55, 47.5),
    (138.75, 47.85),
    (138.6, 48.1),
    (138.45, 48.4),
    (138.3, 48.45),
    (137.85, 48.2),
    (137.35, 48.1),
    (137.55, 47.9),
    (137.45, 47.8),
    (138.0, 47.65),
    (137.95, 47.55),
    (137.45, 47.22),
    (137.05, 47.25),
    (136.95, 47.0),
    (136.6, 46.8),
    (135.95, 46.8),
    (135.75, 46.95),
    (135.4, 46.95),
    (135.1, 47.2),
    (134.45, 46.95),
    (134.4, 46.7),
    (134.021, 46.635),
]

#: North Korean coast from the box edge (41.5 N) north-east to the Tumen mouth
KP_COAST = [
    (129.64, 41.5),
    (129.66, 41.56),
    (129.77, 41.76),
    (129.86, 41.77),
    (129.9, 41.89),
    (129.96, 41.91),
    (130.07, 42.07),
    (130.16, 42.08),
    (130.2, 42.16),
    (130.36, 42.24),
    (130.41, 42.3),
    (130.51, 42.33),
    (130.59, 42.29),
    (130.61, 42.26),
    (130.7, 42.295),
]

#: Study box of the `countries` layer (west, south, east, north), degrees
STUDY_BOX = (129.0, 41.5, 135.0, 46.0)

#: Razdolnaya (Suifen) in Russia: from the Chinese border east past Ussuriysk,
#: then south past Razdolnoye to the head of Amur Bay.
RAZDOLNAYA = [
    (131.215, 43.94),
    (131.35, 43.93),
    (131.5, 43.9),
    (131.65, 43.86),
    (131.8, 43.83),
    (131.9, 43.77),
    (131.92, 43.68),
    (131.9, 43.6),
    (131.92, 43.54),
    (131.87, 43.45),
    (131.83, 43.38),
    (131.82, 43.335),
]

#: Razdolnoye–Khasan motorway (A189), Razdolnoye (NE) to Khasan (SW)
A189 = [
    (131.915, 43.548),
    (131.86, 43.49),
    (131.8, 43.43),
    (131.75, 43.37),
    (131.7, 43.31),
    (131.63, 43.25),
    (131.56, 43.215),
    (131.49, 43.19),
    (131.45, 43.155),
    (131.41, 43.12),
    (131.37, 43.07),
    (131.335, 43.025),
    (131.3, 42.96),
    (131.25, 42.9),
    (131.17, 42.84),
    (131.05, 42.78),
    (130.95, 42.75),
    (130.85, 42.73),
    (130.79, 42.718),
    (130.72, 42.71),
    (130.645, 42.67),
    (130.64, 42.6),
    (130.64, 42.52),
    (130.648, 42.44),
]
TUNNEL_KM = 76.0  # chainage of the Narvinsky tunnel from Razdolnoye (facts.md)
TUNNEL_M = 575.0

OTHER_ROADS = [
    (
        "Vladivostok–Ussuriysk (A370 Ussuri)",
        "federal",
        [
            (131.9, 43.125),
            (131.96, 43.19),
            (132.04, 43.26),
            (132.03, 43.34),
            (131.97, 43.44),
            (131.93, 43.54),
            (131.94, 43.66),
            (131.955, 43.79),
        ],
    ),
    (
        "Kraskino–Hunchun (Kraskino crossing)",
        "regional",
        [(130.79, 42.718), (130.7, 42.77), (130.63, 42.835), (130.5, 42.86), (130.365, 42.87)],
    ),
    (
        "Posyet spur",
        "local",
        [(130.79, 42.718), (130.855, 42.705), (130.835, 42.675), (130.82, 42.668)],
    ),
    ("Zarubino spur", "local", [(130.95, 42.75), (131.02, 42.69), (131.075, 42.652)]),
    ("Slavyanka spur", "local", [(131.25, 42.9), (131.33, 42.88), (131.375, 42.862)]),
]

#: Baranovsky–Khasan line: Baranovsky, down the Razdolnaya, along the west shore
#: of Amur Bay (SE edge of Kedrovaya Pad), Slavyanka, Kraskino, Khasan.
RAILWAY = [
    (131.955, 43.7),
    (131.9, 43.62),
    (131.885, 43.55),
    (131.85, 43.46),
    (131.79, 43.38),
    (131.745, 43.31),
    (131.7, 43.245),
    (131.655, 43.175),
    (131.615, 43.128),
    (131.565, 43.075),
    (131.535, 43.025),
    (131.47, 42.98),
    (131.365, 42.935),
    (131.33, 42.885),
    (131.2, 42.81),
    (131.0, 42.75),
    (130.86, 42.722),
    (130.78, 42.716),
    (130.69, 42.705),
    (130.65, 42.66),
    (130.64, 42.58),
    (130.63, 42.5),
    (130.646, 42.434),
]
#: Friendship Bridge: Khasan station over the Tumen to Tumangang (DPRK)
FRIENDSHIP_BRIDGE = [(130.646, 42.434), (130.62, 42.417), (130.6, 42.405)]
TRANS_SIB = [
    (131.885, 43.12),
    (131.95, 43.185),
    (132.03, 43.235),
    (132.04, 43.28),
    (131.98, 43.36),
    (131.92, 43.5),
    (131.95, 43.7),
    (131.965, 43.8),
]

#: settlements: name, lon, lat, approximate population, country
SETTLEMENTS = [
    ("Vladivostok", 131.885, 43.118, 603_500, "Russia"),
    ("Ussuriysk", 131.955, 43.8, 172_000, "Russia"),
    ("Razdolnoye", 131.915, 43.548, 9_500, "Russia"),
    ("Barabash", 131.483, 43.183, 2_800, "Russia"),
    ("Bezverkhovo", 131.625, 43.125, 1_900, "Russia"),
    ("Slavyanka", 131.375, 42.862, 12_600, "Russia"),
    ("Zarubino", 131.075, 42.652, 2_800, "Russia"),
    ("Kraskino", 130.79, 42.713, 3_000, "Russia"),
    ("Posyet", 130.82, 42.668, 1_500, "Russia"),
    ("Khasan", 130.648, 42.437, 650, "Russia"),
    ("Hunchun", 130.365, 42.87, 230_000, "China"),
]

#: The park's hand-drawn outline. The west side overshoots into China and is
#: clipped by the border (1 km inside it); the east side is our drawing of the
#: limit towards the lowlands, the coast and Kedrovaya Pad.
PARK_OUTLINE = [
    (130.3, 42.45),
    (130.6, 42.455),
    (130.625, 42.53),
    (130.63, 42.62),
    (130.66, 42.7),
    (130.75, 42.76),
    (130.9, 42.775),
    (131.05, 42.8),
    (131.16, 42.865),
    (131.24, 42.93),
    (131.33, 42.98),
    (131.38, 43.04),
    (131.44, 43.1),
    (131.5, 43.17),
    (131.56, 43.23),
    (131.59, 43.3),
    (131.62, 43.37),
    (131.65, 43.45),
    (131.6, 43.53),
    (131.52, 43.62),
    (131.48, 43.74),
    (131.42, 43.86),
    (131.36, 43.98),
    (131.32, 44.08),
    (131.1, 44.1),
    (130.9, 43.5),
    (130.3, 42.9),
]

#: Farmland lowlands of the park's economic-use zone: a line through the
#: Razdolnaya side of the Borisovskoye Plateau and the Kraskino lowland.
ECONOMIC_AXIS = [(131.36, 43.97), (131.47, 43.8), (131.58, 43.6), (131.63, 43.45)]
ECONOMIC_AXIS_SOUTH = [(130.66, 42.7), (130.8, 42.765), (130.98, 42.785)]
#: centre of the core (strictly protected) zone, on the upper Barabashevka
CORE_CENTRE = (131.36, 43.27)

#: Northeast China Tiger and Leopard NP, hand-drawn; the east side overshoots
#: into Russia and is clipped 2 km inside the Chinese side of the border.
CN_NP_OUTLINE = [
    (130.45, 42.64),
    (130.62, 42.6),
    (130.8, 42.85),
    (131.15, 42.95),
    (131.35, 43.3),
    (131.35, 43.7),
    (131.3, 44.35),
    (130.95, 44.38),
    (130.6, 44.05),
    (130.2, 43.95),
    (129.95, 43.78),
    (129.72, 43.6),
    (129.62, 43.4),
    (129.8, 43.2),
    (130.05, 43.1),
    (130.3, 43.0),
    (130.44, 42.93),
    (130.45, 42.8),
    (130.41, 42.7),
]

#: Lowlands used to place farmland in the land-cover raster (not a layer)
LOWLANDS = [
    [(131.62, 43.6), (131.8, 43.45), (132.0, 43.45), (132.0, 44.2), (131.5, 44.2), (131.45, 44.0)],
    [(130.66, 42.68), (130.8, 42.77), (130.98, 42.77), (131.12, 42.72), (131.1, 42.63)],
    [(131.22, 42.82), (131.3, 42.93), (131.4, 42.93), (131.38, 42.82)],
    [(130.15, 42.8), (130.28, 42.97), (130.5, 42.95), (130.55, 42.85), (130.42, 42.74)],
    [(130.25, 42.45), (130.45, 42.55), (130.58, 42.45), (130.5, 42.33), (130.3, 42.35)],
    [(130.95, 43.95), (131.2, 44.2), (130.85, 44.2)],
    [(130.0, 43.05), (130.3, 43.05), (130.25, 43.35), (130.0, 43.3)],
]

LAND_COVER_LONLAT = (130.2, 42.3, 132.0, 44.2)
CELL_M = 200.0


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def to_m(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a lon/lat geometry to UTM 52N metres (edges densified to ~1 km first)."""
    dense = shapely.segmentize(geom, 0.01)
    return shapely.transform(dense, lambda xy: np.column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))


def to_deg(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a UTM 52N geometry back to lon/lat (edges densified to 1 km first).

    Densifying keeps a long straight metric edge from becoming a straight
    lon/lat edge that, projected again, passes a metre or two to the other
    side of a nearby vertex (an invalid polygon in UTM once it was valid in
    lon/lat).
    """
    dense = shapely.segmentize(geom, 1_000.0)
    return shapely.transform(
        dense, lambda xy: np.column_stack(TO_DEG.transform(xy[:, 0], xy[:, 1]))
    )


def snap(geom: shapely.Geometry) -> shapely.Geometry:
    """Round a lon/lat geometry to the 1e-5° grid (keeps it valid)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    try:
        return shapely.set_precision(geom, GRID)
    except shapely.errors.GEOSException:
        return shapely.set_precision(geom.buffer(0), GRID)


def km2(geom: shapely.Geometry) -> float:
    """Area of a lon/lat geometry in km², measured like the library does."""
    return float(convert_area(area_m2(gpd.GeoSeries([geom], crs=WGS84)).iloc[0], "m2", "km2"))


def bisect(f: Callable[[float], float], target: float, lo: float, hi: float, n: int = 40) -> float:
    """Solve ``f(x) = target`` for increasing ``f`` by bisection."""
    for _ in range(n):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def largest_parts(geom: shapely.Geometry, min_km2_m2: float = 2e6) -> shapely.Geometry:
    """Drop polygon parts smaller than ``min_km2_m2`` (m², metric geometries only)."""
    parts = [p for p in getattr(geom, "geoms", [geom]) if p.area >= min_km2_m2]
    return shapely.union_all(parts) if parts else geom


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal part of an overlay result."""
    parts = [
        p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon") and p.area
    ]
    return shapely.union_all(parts)


def fmt(x: float) -> float:
    """A coordinate rounded for output."""
    return round(float(x), 5) + 0.0


def geojson_coords(geom: shapely.Geometry) -> object:
    """Rounded coordinate arrays of a geometry for GeoJSON (RFC 7946 ring order)."""
    if geom.geom_type == "Point":
        return [fmt(geom.x), fmt(geom.y)]
    if geom.geom_type == "LineString":
        return [[fmt(x), fmt(y)] for x, y in geom.coords]
    if geom.geom_type == "MultiLineString":
        return [geojson_coords(g) for g in geom.geoms]
    if geom.geom_type == "Polygon":
        geom = shapely.geometry.polygon.orient(geom, 1.0)
        return [[[fmt(x), fmt(y)] for x, y in r.coords] for r in [geom.exterior, *geom.interiors]]
    if geom.geom_type == "MultiPolygon":
        return [geojson_coords(g) for g in geom.geoms]
    raise TypeError(geom.geom_type)


#: CRSs a bundled polygon must stay valid in: lon/lat, UTM 52N and an equal-area
#: projection centred on the park (what users and habitat project them to)
CHECK_CRS = (WGS84, UTM_52N, "+proj=laea +lat_0=43.2 +lon_0=131.2 +datum=WGS84 +units=m")


def check_valid_everywhere(name: str, geom: shapely.Geometry) -> None:
    """Stop the build when a polygon is invalid in any of :data:`CHECK_CRS`."""
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return
    projected = gpd.GeoSeries([geom], crs=WGS84)
    for crs in CHECK_CRS:
        g = projected.to_crs(crs).iloc[0]
        if not g.is_valid:
            raise SystemExit(f"{name}: invalid in {crs}: {shapely.is_valid_reason(g)}")


def write_layer(name: str, rows: Sequence[dict]) -> None:
    """Write one layer as a deterministic GeoJSON FeatureCollection."""
    features = []
    for row in rows:
        props = {k: v for k, v in row.items() if k != "geometry"}
        geom = row["geometry"]
        check_valid_everywhere(name, geom)
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": geom.geom_type, "coordinates": geojson_coords(geom)},
            }
        )
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    LAYERS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    (LAYERS / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------
# construction
# ----------------------------------------------------------------------------
def build_countries() -> dict[str, shapely.Geometry]:
    """Krai outline (fitted), sea, and Russia / China / North Korea in the study box."""
    w, s, e, n = STUDY_BOX
    study = box(w, s, e, n)

    def krai_for(shift: float) -> shapely.Geometry:
        north = [KRAI_NORTH[0]] + [(x, y + shift) for x, y in KRAI_NORTH[1:-1]] + [KRAI_NORTH[-1]]
        border_north_to_south = list(reversed(RU_CN))
        ring = RU_COAST + north[1:] + border_north_to_south[1:] + RU_KP[1:]
        main = Polygon(ring)
        return MultiPolygon([main, Polygon(RUSSKY)])

    shift = bisect(lambda t: km2(krai_for(t)), 164_673.0, -0.3, 0.3)
    krai = snap(krai_for(round(shift, 4)))
    # sea inside the study box: the two coasts, the box's east and south edges
    y_east = np.interp(e, [134.7, 135.14], [43.25, 43.5])
    coast_in_box = [p for p in RU_COAST if p[0] < e]
    sea = Polygon([*KP_COAST, *coast_in_box[1:], (e, float(y_east)), (e, s)])
    sea = snap(sea.difference(Polygon(RUSSKY)))
    nk = Polygon([*RU_KP, *reversed(KP_COAST), (w, s), *reversed(CN_KP)])
    nk = snap(nk.intersection(study))
    russia = shapely.intersection(krai, study, grid_size=GRID)
    china = shapely.difference(study, shapely.union_all([sea, russia, nk]), grid_size=GRID)
    china = polygonal(china)
    return {"krai": krai, "sea": sea, "russia": russia, "china": china, "north_korea": nk}


def build_lines() -> dict[str, LineString]:
    """Border, road and railway lines in lon/lat."""
    return {
        "ru_cn": LineString(RU_CN),
        "ru_kp": LineString(RU_KP),
        "cn_kp": LineString(CN_KP),
        "a189": LineString(A189),
        "railway": LineString(RAILWAY),
        "bridge": LineString(FRIENDSHIP_BRIDGE),
        "trans_sib": LineString(TRANS_SIB),
        "razdolnaya": LineString(RAZDOLNAYA),
    }


def tunnel_segment(a189_m: LineString) -> LineString:
    """The 575 m tunnel section of the A189 centred at km 76 (metric)."""
    at = TUNNEL_KM * 1000.0
    return substring(a189_m, at - TUNNEL_M / 2, at + TUNNEL_M / 2)


def road_side(road_m: LineString, west: bool) -> shapely.Geometry:
    """The part of a large metric box on the NW (``west``) or SE side of the A189."""
    start, end = Point(road_m.coords[0]), Point(road_m.coords[-1])
    ext = LineString(
        [(start.x + 100_000, start.y + 500_000), *road_m.coords, (end.x, end.y - 500_000)]
    )
    frame = to_m(box(129.5, 41.0, 133.0, 46.0))
    pieces = shapely.get_parts(shapely.ops.split(frame, ext))
    probe = Point(TO_M.transform(131.0, 43.2))  # on the Chinese-border side
    return next(p for p in pieces if p.contains(probe) == west)


def build_reserve(lines_m: dict[str, LineString], land_m: shapely.Geometry) -> shapely.Geometry:
    """Kedrovaya Pad: between the A189 (NW) and the railway (SE), fitted to 178.97 km².

    The SW edge (the Narva) runs from the Narvinsky pass to the railway; the NE
    edge (the Barabashevka) is moved along the road until the area fits.
    """
    road = lines_m["a189"]
    rail = lines_m["railway"]
    pass_at = TUNNEL_KM * 1000.0 + TUNNEL_M / 2
    narva_rail = 86_000.0
    keep_out = shapely.union_all([road.buffer(150, quad_segs=2), rail.buffer(150, quad_segs=2)])
    se_of_road = road_side(road, west=False)

    def make(length: float) -> shapely.Geometry:
        road_part = substring(road, pass_at - length, pass_at)
        rail_part = substring(rail, narva_rail - 0.9 * length, narva_rail)
        quad = Polygon([*road_part.coords, *reversed(rail_part.coords)]).buffer(0)
        quad = quad.intersection(se_of_road).intersection(land_m).difference(keep_out)
        return largest_parts(quad.simplify(50))

    length = bisect(lambda n: km2(snap(to_deg(make(n)))), 178.97, 5_000, 30_000)
    return snap(to_deg(make(length)))


def build_park(
    countries: dict[str, shapely.Geometry],
    lines_m: dict[str, LineString],
    reserve: shapely.Geometry,
) -> tuple[shapely.Geometry, list[tuple[str, str, shapely.Geometry]]]:
    """The park strip (fitted to 2,620 km²) and its four zones (tiling it)."""
    russia_m = to_m(countries["russia"])
    borders_m = shapely.union_all([lines_m["ru_cn"], lines_m["ru_kp"]])
    inset = russia_m.difference(borders_m.buffer(1_000))
    exclude = shapely.union_all(
        [
            to_m(countries["sea"]).buffer(1_500),
            lines_m["a189"].buffer(150, quad_segs=2),
            lines_m["railway"].buffer(1_000, quad_segs=2),
            to_m(reserve).buffer(50, quad_segs=2),
            *[
                Point(TO_M.transform(x, y)).buffer(3_000, quad_segs=3)
                for _, x, y, _, _ in SETTLEMENTS
            ],
        ]
    )
    outline = to_m(Polygon(PARK_OUTLINE))
    # the park lies on the NW (Chinese-border) side of the A189
    base = inset.intersection(road_side(lines_m["a189"], west=True)).difference(exclude)

    # the park reaches the road at the Narvinsky pass, opposite Kedrovaya Pad
    pass_strip = substring(lines_m["a189"], 50_000, 82_000).buffer(4_000, quad_segs=2)

    base = base.intersection(outline)

    def make(w: float) -> shapely.Geometry:
        reach = borders_m.buffer(w, quad_segs=4).union(pass_strip)
        return largest_parts(base.intersection(reach).simplify(120), 20e6)

    w_park = bisect(lambda w: km2(snap(to_deg(make(w)))), 2_620.0, 5_000, 60_000)
    print(f"park: up to {w_park / 1000:.1f} km from the border")
    park_m = make(w_park)
    # zones; targets scaled so that they sum to the park's area
    scale = 2_620.0 / (300 + 1_200 + 720 + 380)

    def belt(w: float) -> shapely.Geometry:
        return park_m.intersection(borders_m.buffer(w))

    w = bisect(lambda w: km2(snap(to_deg(belt(w)))), 1_200 * scale, 1_000, 20_000)
    belt_m = belt(w)
    rest = park_m.difference(belt_m)
    centre = Point(TO_M.transform(*CORE_CENTRE))

    def core(r: float) -> shapely.Geometry:
        disk = shapely.affinity.scale(centre.buffer(r, quad_segs=16), 0.8, 1.25)
        return largest_parts(rest.intersection(disk), 1e6)

    r = bisect(lambda r: km2(snap(to_deg(core(r)))), 300 * scale, 1_000, 25_000)
    core_m = core(r)
    rest = rest.difference(core_m)
    axis = shapely.union_all(
        [to_m(LineString(ECONOMIC_AXIS)), to_m(LineString(ECONOMIC_AXIS_SOUTH))]
    )

    def econ(e: float) -> shapely.Geometry:
        return rest.intersection(axis.buffer(e))

    e_ = bisect(lambda e: km2(snap(to_deg(econ(e)))), 380 * scale, 500, 30_000)
    econ_m = econ(e_)
    recreation_m = rest.difference(econ_m)
    belt_m, core_m, recreation_m, econ_m = shapely.coverage_simplify(
        [polygonal(g) for g in (belt_m, core_m, recreation_m, econ_m)], 120
    )
    raw = [
        ("border_security", "Border-security belt", belt_m),
        ("core", "Core (strictly protected) zone", core_m),
        ("recreation", "Recreation / eco-tourism zone", recreation_m),
        ("economic", "Economic-use zone", econ_m),
    ]
    # snap to the output grid and make the tiling exact on that grid
    zones: list[tuple[str, str, shapely.Geometry]] = []
    done = shapely.Polygon()
    for code, label, g in raw:
        z = polygonal(shapely.difference(snap(to_deg(g)), done, grid_size=GRID))
        zones.append((code, label, z))
        done = shapely.union_all([done, z], grid_size=GRID)
    park = polygonal(shapely.union_all([z for _, _, z in zones], grid_size=GRID))
    return park, zones


def build_cn_np(countries: dict[str, shapely.Geometry], lines_m: dict[str, LineString]):
    """Northeast China Tiger and Leopard NP, clipped 2 km inside China, fitted to 14,600 km²."""
    china_m = to_m(countries["china"])
    borders_m = shapely.union_all([lines_m["ru_cn"], lines_m["cn_kp"]])
    base = china_m.difference(borders_m.buffer(2_000))
    hunchun = Point(TO_M.transform(130.365, 42.87)).buffer(8_000)
    base = base.difference(hunchun)
    outline = to_m(Polygon(CN_NP_OUTLINE))

    def make(d: float) -> shapely.Geometry:
        grown = outline.buffer(d, join_style="mitre", mitre_limit=3.0)
        return largest_parts(base.intersection(grown).simplify(300), 50e6)

    d = bisect(lambda d: km2(snap(to_deg(make(d)))), 14_600.0, -15_000, 15_000)
    return snap(to_deg(make(d)))


# ----------------------------------------------------------------------------
# land cover
# ----------------------------------------------------------------------------
def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Gaussian-smoothed white noise rescaled to uniform ranks in [0, 1)."""
    field = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="reflect")
    ranks = np.argsort(np.argsort(field, axis=None), axis=None).reshape(shape)
    return ranks / ranks.size


def burn_lines(geoms: Sequence[shapely.Geometry], raster: Raster) -> np.ndarray:
    """Boolean mask of the cells that metric lines pass through."""
    mask = np.zeros(raster.shape, dtype=bool)
    for g in geoms:
        pts = shapely.get_coordinates(shapely.segmentize(g, CELL_M / 4))
        rows, cols = raster.index(pts[:, 0], pts[:, 1])
        ok = raster.contains_index(rows, cols)
        mask[rows[ok], cols[ok]] = True
    return mask


def distance_km(mask: np.ndarray) -> np.ndarray:
    """Distance (km) of every cell to the nearest True cell."""
    if not mask.any():
        return np.full(mask.shape, np.inf)
    return ndimage.distance_transform_edt(~mask) * CELL_M / 1000.0


def build_land_cover(
    countries: dict[str, shapely.Geometry],
    lines: dict[str, LineString],
    park_zones: list[tuple[str, str, shapely.Geometry]],
    reserve: shapely.Geometry,
) -> Raster:
    """Deterministic land cover: seeded smooth noise plus rules, 200 m, EPSG:32652."""
    left, bottom, right, top = TO_M.transform_bounds(*LAND_COVER_LONLAT, densify_pts=21)
    left = np.floor(left / CELL_M) * CELL_M
    bottom = np.floor(bottom / CELL_M) * CELL_M
    right = np.ceil(right / CELL_M) * CELL_M
    top = np.ceil(top / CELL_M) * CELL_M
    ncols = int(round((right - left) / CELL_M))
    nrows = int(round((top - bottom) / CELL_M))
    template = Raster(
        np.zeros((nrows, ncols), np.uint8), (CELL_M, 0.0, left, 0.0, -CELL_M, top), UTM_52N, 0
    )
    rows, cols = np.indices(template.shape)
    x, y = template.xy(rows, cols)
    rng = np.random.default_rng(SEED)

    def inside(geom_deg: shapely.Geometry) -> np.ndarray:
        g = to_m(geom_deg)
        shapely.prepare(g)
        return shapely.contains_xy(g, x, y)

    sea = inside(countries["sea"])
    land = ~sea
    russia = inside(countries["russia"])
    park = inside(shapely.union_all([z for _, _, z in park_zones]))
    econ = inside([z for c, _, z in park_zones if c == "economic"][0])
    protected = (park & ~econ) | inside(reserve)
    lowland = inside(shapely.union_all([Polygon(p) for p in LOWLANDS]))
    lines_m = {k: to_m(v) for k, v in lines.items()}
    coast_d = distance_km(sea)
    road_d = distance_km(burn_lines([lines_m["a189"]], template))
    rivers = burn_lines([lines_m["razdolnaya"], lines_m["ru_kp"], lines_m["cn_kp"]], template)
    river_d = distance_km(rivers)

    n_farm = smooth_noise(rng, template.shape, 6)
    n_grass = smooth_noise(rng, template.shape, 4)
    n_wet = smooth_noise(rng, template.shape, 3)
    n_town = smooth_noise(rng, template.shape, 2)

    lc = np.ones(template.shape, np.uint8)  # forest everywhere to start with
    # grassland / burnt: bare hills along the coast and the main road, more
    # fire in the south (about 20 % of SW Primorye burns each year)
    south = 1.0 / (1.0 + np.exp((y - TO_M.transform(131.3, 43.2)[1]) / 20_000.0))
    p_grass = 0.07 + 0.45 * np.exp(-coast_d / 6.0) + 0.3 * np.exp(-road_d / 2.5) + 0.12 * south
    p_grass = np.where(protected, 0.7 * p_grass, p_grass)
    lc[n_grass < p_grass] = 2
    # farmland in the lowlands (Razdolnaya, Ussuriysk, Kraskino, Hunchun, Tumen),
    # with soft edges, and a little along the roads
    lowland_p = ndimage.gaussian_filter(lowland.astype(float), 12.0)
    p_farm = 0.85 * lowland_p + 0.04 * np.exp(-road_d / 3.0)
    p_farm = np.where(econ, np.maximum(p_farm, 0.45), np.where(protected, 0.1 * p_farm, p_farm))
    lc[n_farm < p_farm] = 3
    # wetland by the lower Tumen and the Razdolnaya mouth
    p_wet = 0.7 * np.exp(-river_d / 1.5) * (lowland | (coast_d < 4)) * (~protected)
    lc[n_wet < p_wet] = 6
    # settlements: irregular disks, radius growing with population
    for _, lon, lat, pop, _ in SETTLEMENTS:
        sx, sy = TO_M.transform(lon, lat)
        r_km = min(5.0, 0.45 + 0.0055 * np.sqrt(pop))
        d = np.hypot(x - sx, y - sy) / 1000.0
        lc[(d < r_km * (0.75 + 0.5 * n_town)) | (d < 0.3)] = 4
    # water: sea and Amur Bay, Razdolnaya and Tumen
    lc[sea] = 5
    lc[ndimage.binary_dilation(rivers, iterations=1) & land] = 5
    return Raster(lc, template.transform, UTM_52N, nodata=0, classes=LAND_COVER_CLASSES), {
        "russia_land": russia & land,
    }


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------
def main() -> None:
    """Build and write every layer, the raster and data/README.md."""
    countries = build_countries()
    lines = build_lines()
    lines_m = {k: to_m(v) for k, v in lines.items()}
    land_m = to_m(shapely.union_all([countries["russia"], countries["china"]]))
    reserve = build_reserve(lines_m, land_m)
    park, zones = build_park(countries, lines_m, reserve)
    reserve = polygonal(shapely.difference(reserve, park, grid_size=GRID))
    cn_np = build_cn_np(countries, lines_m)

    tunnel_m = tunnel_segment(lines_m["a189"])
    tunnel = snap(to_deg(tunnel_m))

    write_layer(
        "land_of_the_leopard",
        [
            {
                "name": "Land of the Leopard National Park",
                "name_ru": "Национальный парк «Земля леопарда»",
                "established": "2012-04-05",
                "iucn_category": "II",
                "target_area_km2": 2620.0,
                "geometry": park,
            }
        ],
    )
    write_layer(
        "park_zones",
        [
            {"zone": code, "name": label, "target_area_km2": t, "geometry": g}
            for (code, label, g), t in zip(zones, [1200.0, 300.0, 720.0, 380.0], strict=True)
        ],
    )
    write_layer(
        "kedrovaya_pad",
        [
            {
                "name": "Kedrovaya Pad Nature Reserve",
                "name_ru": "Кедровая Падь",
                "established": "1916",
                "target_area_km2": 178.97,
                "geometry": reserve,
            }
        ],
    )
    write_layer(
        "ne_china_tiger_leopard_np",
        [
            {
                "name": "Northeast China Tiger and Leopard National Park",
                "name_zh": "东北虎豹国家公园",
                "established": "2021-10",
                "target_area_km2": 14600.0,
                "geometry": cn_np,
            }
        ],
    )
    write_layer(
        "primorsky_krai",
        [
            {
                "name": "Primorsky Krai",
                "name_ru": "Приморский край",
                "iso_3166_2": "RU-PRI",
                "target_area_km2": 164673.0,
                "geometry": countries["krai"],
            }
        ],
    )
    write_layer(
        "countries",
        [
            {"name": "Russia", "iso_a3": "RUS", "geometry": countries["russia"]},
            {"name": "China", "iso_a3": "CHN", "geometry": countries["china"]},
            {"name": "North Korea", "iso_a3": "PRK", "geometry": countries["north_korea"]},
        ],
    )
    write_layer(
        "borders",
        [
            {
                "name": "Russia–China border",
                "countries": "Russia–China",
                "geometry": snap(lines["ru_cn"]),
            },
            {
                "name": "Russia–North Korea border (Tumen)",
                "countries": "Russia–North Korea",
                "geometry": snap(lines["ru_kp"]),
            },
            {
                "name": "China–North Korea border (Tumen)",
                "countries": "China–North Korea",
                "geometry": snap(lines["cn_kp"]),
            },
        ],
    )
    road_rows = [
        {
            "name": "Razdolnoye–Khasan motorway (A189)",
            "ref": "A189",
            "kind": "regional",
            "wildlife_crossing": False,
            "crossing": None,
            "length_m": None,
            "opened": None,
            "km": None,
            "geometry": snap(lines["a189"]),
        },
        {
            "name": "Narvinsky tunnel (A189)",
            "ref": "A189",
            "kind": "tunnel",
            "wildlife_crossing": True,
            "crossing": "Narvinsky tunnel",
            "length_m": TUNNEL_M,
            "opened": "2016-03-26",
            "km": TUNNEL_KM,
            "geometry": tunnel,
        },
    ]
    for name, kind, coords in OTHER_ROADS:
        road_rows.append(
            {
                "name": name,
                "ref": None,
                "kind": kind,
                "wildlife_crossing": False,
                "crossing": None,
                "length_m": None,
                "opened": None,
                "km": None,
                "geometry": snap(LineString(coords)),
            }
        )
    write_layer("roads", road_rows)
    write_layer(
        "railways",
        [
            {
                "name": "Baranovsky–Khasan line",
                "kind": "railway",
                "operator": "Far Eastern Railway",
                "geometry": snap(lines["railway"]),
            },
            {
                "name": "Friendship Bridge (Khasan–Tumangang)",
                "kind": "bridge",
                "operator": "Far Eastern Railway",
                "geometry": snap(lines["bridge"]),
            },
            {
                "name": "Trans-Siberian Railway (Vladivostok–Ussuriysk)",
                "kind": "railway",
                "operator": "Far Eastern Railway",
                "geometry": snap(lines["trans_sib"]),
            },
        ],
    )
    write_layer(
        "settlements",
        [
            {"name": n, "population": int(p), "country": c, "geometry": snap(Point(x, y))}
            for n, x, y, p, c in SETTLEMENTS
        ],
    )
    write_layer(
        "rivers",
        [
            {"name": "Razdolnaya (Suifen)", "geometry": snap(lines["razdolnaya"])},
        ],
    )
    lc, masks = build_land_cover(countries, lines, zones, reserve)
    write_geotiff(lc, DATA / "land_cover.tif")
    report(countries, park, zones, reserve, cn_np, tunnel_m, lines_m, lc, masks)


def report(countries, park, zones, reserve, cn_np, tunnel_m, lines_m, lc, masks) -> None:
    """Print checks and write data/README.md with the measured areas."""
    rows = [
        ("land_of_the_leopard", "Land of the Leopard NP", park, 2620.0),
        *[
            (f"park_zones: {c}", lbl, g, t)
            for (c, lbl, g), t in zip(zones, [1200.0, 300.0, 720.0, 380.0], strict=True)
        ],
        ("kedrovaya_pad", "Kedrovaya Pad", reserve, 178.97),
        ("ne_china_tiger_leopard_np", "NE China Tiger and Leopard NP", cn_np, 14600.0),
        ("primorsky_krai", "Primorsky Krai", countries["krai"], 164673.0),
    ]
    table = [
        "| layer | feature | target km² | measured km² | measured sq mi | difference |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for layer, label, g, t in rows:
        a = km2(g)
        table.append(
            f"| `{layer}` | {label} | {t:,.2f} | {a:,.2f} | {convert_area(a, 'km2', 'sq_mi'):,.2f} "
            f"| {100 * (a / t - 1):+.2f} % |"
        )
        print(f"{layer:40s} {a:12.2f} km2 target {t:10.2f} ({100 * (a / t - 1):+.2f} %)")
    areas = lc.class_areas()
    forest_ru = float((lc.array[masks["russia_land"]] == 1).mean())
    lc_table = ["| code | class | cells | km² | sq mi | share |", "|---:|---|---:|---:|---:|---:|"]
    for code, r in areas.iterrows():
        lc_table.append(
            f"| {code} | {r['name']} | {r['cell_count']:,} | {r['area_km2']:,.0f} | "
            f"{r['area_sq_mi']:,.0f} | {100 * r['share']:.1f} % |"
        )
    print(areas)
    print(f"forest share of Russian land in the raster: {forest_ru:.3f}")
    print("tunnel centre", to_deg(tunnel_m.interpolate(0.5, normalized=True)))
    text = README_TEMPLATE.format(
        area_table="\n".join(table),
        lc_table="\n".join(lc_table),
        forest_ru=100 * forest_ru,
        shape=f"{lc.shape[0]} rows × {lc.shape[1]} columns",
        bounds=", ".join(f"{v:,.0f}" for v in lc.bounds),
    )
    (DATA / "README.md").write_text(text, encoding="utf-8")


#: the text of data/README.md, with the measured tables filled in by report()
README_TEMPLATE = (Path(__file__).with_name("data_README.template.md")).read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
