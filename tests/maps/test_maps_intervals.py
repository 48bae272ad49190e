"""habitat.maps: AKDE ranges' intervals as bands around their isopleths, with escaped tooltips."""

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from habitat.core.errors import InputError
from habitat.maps import add_home_ranges, study_area_map
from habitat.maps.style import duration_text, interval_text

CENTRE = Point(500_000, 4_800_000)
EVIL = "<script>x</script>"


def _akde_ranges():
    """Two AKDE isopleths of an animal named like a script, and an MCP range, in UTM 52N."""
    ranges = gpd.GeoDataFrame(
        {
            "individual": [EVIL, EVIL, "Leo 2M"],
            "method": ["akde", "akde", "mcp"],
            "level": [0.5, 0.95, 0.95],
            "area_km2": [20.0, 100.0, 80.0],
            "area_sq_mi": [7.72, 38.61, 30.89],
            "area_low_km2": [15.0, 80.0, np.nan],
            "area_high_km2": [26.0, 125.0, np.nan],
            "dof_area": [30.0, 30.0, np.nan],
            "model": ["OUF <b>anisotropic</b>", "OUF <b>anisotropic</b>", None],
            "tau_position_s": [2.5 * 86400, 2.5 * 86400, np.nan],
            "tau_velocity_s": [1500.0, 1500.0, np.nan],
        },
        geometry=[
            CENTRE.buffer(2500),
            CENTRE.buffer(5600),
            box(515_000, 4_795_000, 525_000, 4_805_000),
        ],
        crs=32652,
    )
    ranges["geometry_low"] = gpd.GeoSeries(
        [CENTRE.buffer(2200), CENTRE.buffer(5000), None], crs=32652
    )
    ranges["geometry_high"] = gpd.GeoSeries(
        [CENTRE.buffer(2900), CENTRE.buffer(6300), None], crs=32652
    )
    return ranges


def _groups(m):
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _features(group):
    (geo,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    return geo.data["features"]


def test_interval_and_duration_text():
    # 1 sq mi = 2.589988110336 km² exactly
    assert interval_text(np.array([2.589988110336 * 10]), np.array([2.589988110336 * 20])) == [
        "25.9–51.8 km² (10–20 sq mi)"
    ]
    assert duration_text(np.array([0.0, 1500.0, 36 * 3600.0])) == ["0 s", "25 min", "36 h"]


def test_akde_ranges_get_a_band_between_the_bounds_isopleths():
    m = folium.Map(tiles=None)
    ranges = _akde_ranges()
    add_home_ranges(m, ranges, simplify_m=None, coordinate_decimals=None)
    groups = _groups(m)
    assert list(groups) == [
        "Home-range intervals (akde)",
        "Home ranges (akde)",
        "Home ranges (mcp)",
    ]
    bands = _features(groups["Home-range intervals (akde)"])
    assert [f["properties"]["level"] for f in bands] == ["95 %", "50 %"]
    # the band is the ring high − low: its area (back in UTM) is π (6300² − 5000²) m²
    band = gpd.GeoDataFrame(
        geometry=[shapely.geometry.shape(bands[0]["geometry"])], crs=4326
    ).to_crs(32652)
    ring = CENTRE.buffer(6300).difference(CENTRE.buffer(5000))
    assert band.area.iloc[0] == pytest.approx(ring.area, rel=1e-6)
    assert band.geometry.iloc[0].contains(Point(500_000 + 5_650, 4_800_000))
    assert not band.geometry.iloc[0].contains(CENTRE)
    props = bands[0]["properties"]
    assert props["area"] == "100 km² (38.61 sq mi)"
    assert props["interval"] == "80–125 km² (30.89–48.26 sq mi)"
    assert props["_colour"] == _features(groups["Home ranges (akde)"])[0]["properties"]["_colour"]
    assert 0 < props["_fill"] < 1  # semi-transparent
    # the isopleths' tooltips carry the interval and the model; MCP's do not
    page = m.get_root().render()
    fields = [json.loads(f) for f in re.findall(r"let fields = (\[.*?\]);", page)]
    assert ["individual", "method", "level", "area", "interval", "model"] in fields
    assert ["individual", "method", "level", "area"] in fields
    # popups show the timescales as durations
    akde = _features(groups["Home ranges (akde)"])[0]["properties"]
    assert akde["tau_position_s"] == "2.5 days" and akde["tau_velocity_s"] == "25 min"


def test_band_tooltips_escape_data_strings():
    m = folium.Map(tiles=None)
    add_home_ranges(m, _akde_ranges())
    page = m.get_root().render()
    assert EVIL not in page
    assert "<b>anisotropic</b>" not in page
    bands = _features(_groups(m)["Home-range intervals (akde)"])
    assert {f["properties"]["individual"] for f in bands} == {"&lt;script&gt;x&lt;/script&gt;"}
    assert {f["properties"]["model"] for f in bands} == {"OUF &lt;b&gt;anisotropic&lt;/b&gt;"}


def test_bounds_in_another_crs_are_reprojected_and_a_missing_lower_bound_fills_the_band():
    ranges = _akde_ranges().iloc[1:2].copy()
    ranges["geometry_high"] = ranges["geometry_high"].to_crs(4326)
    ranges["geometry_low"] = gpd.GeoSeries([None], index=ranges.index, crs=32652)
    m = folium.Map(tiles=None)
    add_home_ranges(m, ranges, simplify_m=None, coordinate_decimals=None)
    (band,) = _features(_groups(m)["Home-range intervals (akde)"])
    shape = gpd.GeoSeries([shapely.geometry.shape(band["geometry"])], crs=4326).to_crs(32652)
    assert shape.area.iloc[0] == pytest.approx(CENTRE.buffer(6300).area, rel=1e-6)


def test_bounds_that_are_not_geometries_are_refused():
    ranges = _akde_ranges()
    ranges["geometry_low"] = ["a", "b", None]
    with pytest.raises(InputError, match="geometry_low"):
        add_home_ranges(folium.Map(tiles=None), ranges)


def test_ranges_without_intervals_are_drawn_as_before():
    ranges = (
        _akde_ranges()
        .iloc[2:]
        .drop(
            columns=[
                "geometry_low",
                "geometry_high",
                "area_low_km2",
                "area_high_km2",
                "model",
                "dof_area",
                "tau_position_s",
                "tau_velocity_s",
            ]
        )
    )
    m = folium.Map(tiles=None)
    add_home_ranges(m, ranges)
    assert list(_groups(m)) == ["Home ranges (mcp)"]
    (feature,) = _features(_groups(m)["Home ranges (mcp)"])
    assert set(feature["properties"]) == {
        "individual",
        "method",
        "level",
        "area",
        "_colour",
        "_fill",
        "_opacity",
        "_weight",
    }


def test_study_area_map_names_the_band_in_its_legend():
    page = study_area_map(None, ranges=_akde_ranges()).get_root().render()
    assert "dashed band: the area&#x27;s interval (lower to upper isopleth)" in page
    assert EVIL not in page
    plain = study_area_map(None, ranges=_akde_ranges().iloc[2:]).get_root().render()
    assert "dashed band" not in plain


def test_band_of_a_home_range_result_spans_its_area_interval():
    """On home_range(method="akde"): the band's area is area_high_km2 − area_low_km2."""
    import warnings

    import pandas as pd

    from habitat.core import crs as hcrs
    from habitat.homerange import home_range

    rng = np.random.default_rng(5)
    day = 86400.0
    t = np.arange(0, 60 * day, 4 * 3600.0)
    rho = np.exp(-4 * 3600.0 / (1.5 * day))
    xy = np.zeros((t.size, 2))
    for i in range(1, t.size):
        xy[i] = rho * xy[i - 1] + np.sqrt(1 - rho**2) * 2000.0 * rng.normal(size=2)
    fixes = gpd.GeoDataFrame(
        {
            "individual": EVIL,
            "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(t, unit="s"),
        },
        geometry=gpd.points_from_xy(xy[:, 0] + 500_000, xy[:, 1] + 4_800_000),
        crs=32652,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranges = home_range(fixes, method="akde", levels=(0.95,))
    m = folium.Map(tiles=None)
    add_home_ranges(m, ranges, simplify_m=None, coordinate_decimals=None)
    (band,) = _features(_groups(m)["Home-range intervals (akde)"])
    shape = gpd.GeoDataFrame(geometry=[shapely.geometry.shape(band["geometry"])], crs=4326)
    width = float(ranges["area_high_km2"].iloc[0] - ranges["area_low_km2"].iloc[0])
    assert hcrs.area_m2(shape).iloc[0] / 1e6 == pytest.approx(width, rel=0.01)
    assert EVIL not in m.get_root().render()
