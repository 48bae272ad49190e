"""MCP with adehabitatHR semantics, and the home_range entry point."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import ConvexHull

from habitat import crs as hcrs
from habitat.core.errors import InputError, InsufficientDataError, ProjectedCRSRequiredError
from habitat.homerange import home_range
from habitat.homerange.mcp import estimate_many


def fixes(xy, individual="A", sex="F", crs=32652):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        {"individual": [individual] * len(xy), "sex": [sex] * len(xy)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def adehabitat_mcp_area(xy, p):
    """An independent, literal transcription of adehabitatHR::mcp (R type-7 quantile)."""
    c = xy.mean(axis=0)
    r = np.sqrt(((xy - c) ** 2).sum(axis=1))
    keep = xy[r <= np.quantile(r, p, method="linear")]
    return ConvexHull(keep).volume  # in 2-D, 'volume' is the area


def test_square_corners_give_the_square():
    # the four corners of a 10 km square plus its centre: the 100 % MCP is 100 km2
    xy = [(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000), (5_000, 5_000)]
    out = home_range(fixes(np.array(xy) + 500_000), levels=[1.0])
    assert out["area_km2"].iloc[0] == pytest.approx(100.0, rel=1e-12)
    assert out["area_sq_mi"].iloc[0] == pytest.approx(100.0 / 2.589988110336, rel=1e-12)
    assert out["n_fixes"].iloc[0] == 5


def test_quantile_is_r_type_7():
    # distances to the mean 0..9 (collinear-ish points around a centre): with n = 5
    # at p = 0.5 type 7 keeps distances <= the median; with p = 0.9 interpolation
    rng = np.random.default_rng(3)
    xy = rng.normal(0, 1000, (11, 2)) + 600_000
    for p in (0.5, 0.8, 0.95):
        g, a, kept = estimate_many(xy, np.zeros(11, dtype=np.int64), levels=[p])
        c = xy.mean(axis=0)
        r = np.hypot(*(xy - c).T)
        assert kept[0, 0] == (r <= np.quantile(r, p, method="linear")).sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_a_literal_adehabitat_transcription(seed):
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(4):
        xy = rng.normal(0, 2000 + 500 * k, (300, 2)) + [500_000 + 20_000 * k, 4_800_000]
        frames.append(fixes(xy, individual=f"L{k}"))
    data = pd.concat(frames, ignore_index=True)
    levels = [0.2, 0.5, 0.75, 0.95, 1.0]
    out = home_range(data, levels=levels).set_index(["individual", "level"])
    for k, f in enumerate(frames):
        xy = shapely.get_coordinates(f.geometry.to_numpy())
        for p in levels:
            expected = adehabitat_mcp_area(xy, p) / 1e6
            assert out.loc[(f"L{k}", p), "area_km2"] == pytest.approx(expected, rel=1e-12)


def test_degrees_are_estimated_in_the_local_equal_area_crs():
    rng = np.random.default_rng(5)
    xy = rng.normal(0, 3000, (500, 2)) + [500_000, 4_800_000]
    utm = fixes(xy)
    ll = utm.to_crs(4326)
    out = home_range(ll, levels=[0.95])
    assert "laea" in out["crs_used"].iloc[0]
    assert out.crs == ll.crs  # geometry comes back in the relocations' CRS
    # the area is the true (geodesic) area of the returned polygon
    geodesic = hcrs.geodesic_area_m2(out).iloc[0] / 1e6
    assert out["area_km2"].iloc[0] == pytest.approx(geodesic, rel=1e-3)
    # a projected metric CRS is used as is (adehabitatHR/amt semantics)
    out_utm = home_range(utm, levels=[0.95])
    assert out_utm["crs_used"].iloc[0].startswith("EPSG:32652")
    assert out_utm["area_km2"].iloc[0] == pytest.approx(geodesic, rel=2e-3)


def test_flagged_and_missing_fixes_are_left_out():
    xy = np.array([(0, 0), (1000, 0), (1000, 1000), (0, 1000), (500, 500), (90_000, 0)])
    f = fixes(xy + 500_000)
    f["flag_any"] = [False] * 5 + [True]
    f.loc[len(f)] = {"individual": "A", "sex": "F", "flag_any": False, "geometry": None}
    out = home_range(f, levels=[1.0])
    assert out["area_km2"].iloc[0] == pytest.approx(1.0)
    assert out["n_fixes"].iloc[0] == 5
    out_all = home_range(f, levels=[1.0], exclude_flagged=False)
    assert out_all["n_fixes"].iloc[0] == 6 and out_all["area_km2"].iloc[0] > 40


def test_plausibility_flags_by_sex_and_few_fixes():
    rng = np.random.default_rng(7)
    big = rng.normal(0, 12_000, (400, 2)) + [500_000, 4_800_000]  # ~2,000 km2 at 95 %
    small = rng.normal(0, 2_500, (20, 2)) + [560_000, 4_800_000]  # 20 fixes
    data = pd.concat([fixes(big, "Big", "F"), fixes(small, "Small", "M")], ignore_index=True)
    out = home_range(data, levels=[0.5, 0.95]).set_index(["individual", "level"])
    assert not out.loc[("Big", 0.95), "plausible"]
    assert (
        "outside the expected 15–38 sq mi for Amur leopard females"
        in out.loc[("Big", 0.95), "plausibility"]
    )
    assert out.loc[("Big", 0.5), "plausible"]  # core areas are not size-checked
    assert "few fixes (20 < 30)" in out.loc[("Small", 0.95), "plausibility"]
    custom = home_range(data, levels=[0.95], expected_area_sq_mi={"F": (1, 5000)})
    assert custom.set_index("individual").loc["Big", "plausible"]


def test_result_table_shape_is_the_same_for_every_row():
    rng = np.random.default_rng(8)
    data = pd.concat(
        [fixes(rng.normal(0, 3000, (50, 2)) + [500_000, 4_800_000], f"L{i}") for i in range(3)],
        ignore_index=True,
    )
    out = home_range(data, levels=(0.5, 0.95))
    assert list(out.columns[:8]) == [
        "individual",
        "sex",
        "method",
        "level",
        "n_fixes",
        "area_km2",
        "area_sq_mi",
        "n_fixes_kept",
    ]
    assert len(out) == 6 and (out["method"] == "mcp").all()
    assert out.geom_type.isin(["Polygon"]).all()
    # nested: the 50 % range lies inside the 95 % range
    wide = out.pivot(index="individual", columns="level", values="geometry")
    assert all(shapely.covers(wide[0.95].to_numpy(), wide[0.5].to_numpy()))


def test_bad_input():
    ok = fixes(np.random.default_rng(1).normal(0, 100, (10, 2)) + 500_000)
    with pytest.raises(InsufficientDataError, match=r"at least 5 usable fixes.*'A' \(4\)"):
        home_range(ok.iloc[:4])
    with pytest.raises(InsufficientDataError, match="at one place"):
        home_range(fixes(np.full((10, 2), 500_000.0)))
    with pytest.raises(InputError, match=r"fractions in \(0, 1\] \(0.95, not 95\)"):
        home_range(ok, levels=[95])
    with pytest.raises(InputError, match="unknown method 'kernel'"):
        home_range(ok, method="kernel")
    with pytest.raises(ProjectedCRSRequiredError, match="Web Mercator"):
        home_range(ok.to_crs(3857))
    with pytest.raises(InputError, match="GeoDataFrame"):
        home_range(pd.DataFrame(ok))


@pytest.mark.slow
def test_a_million_fixes_for_one_animal_in_seconds():
    import time

    xy = np.random.default_rng(0).normal(0, 3000, (1_000_000, 2)) + [500_000, 4_800_000]
    f = fixes(xy)
    t0 = time.perf_counter()
    out = home_range(f, levels=[0.5, 0.95])
    elapsed = time.perf_counter() - t0
    # 95 % of a bivariate normal keeps the disc of radius sigma*sqrt(-2 ln 0.05)
    assert out["area_km2"].iloc[1] == pytest.approx(np.pi * 9 * -2 * np.log(0.05), rel=0.01)
    assert elapsed < 20
