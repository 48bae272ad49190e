"""Tests of habitat.homerange.locoh (Getz et al. 2007 LoCoH)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely

from habitat.core.errors import DataQualityWarning, InputError, InsufficientDataError
from habitat.homerange import locoh
from habitat.homerange.base import Estimate


def grid5(spacing: float = 100.0) -> np.ndarray:
    g = np.stack(np.meshgrid(np.arange(5.0), np.arange(5.0)), axis=-1).reshape(-1, 2)
    return g * spacing


def test_returns_one_estimate_per_level_in_order() -> None:
    res = locoh.estimate(grid5(), levels=[0.9, 0.5, 1.0], k=4)
    assert [e.level for e in res] == [0.9, 0.5, 1.0]
    assert all(isinstance(e, Estimate) for e in res)
    for e in res:
        assert e.area_m2 == pytest.approx(e.geometry.area)
        assert e.params["k"] == 4
        assert 1 <= e.params["n_hulls"] <= e.params["n_hulls_total"]
        assert e.params["fraction_fixes_covered"] >= e.level


def test_grid_smallest_hull_known_area() -> None:
    # On a square grid of spacing s, every non-degenerate k=3 hull is a right
    # triangle s²/2 (the fix and two neighbours at distance s), and every k=4
    # hull has area s² (corner: unit square; edge/interior: T-shaped triangle of
    # base 2s and height s), whichever way distance ties are broken. The
    # isopleth covering k of the 25 fixes is the single smallest hull.
    s = 100.0
    (e3,) = locoh.estimate(grid5(s), levels=[3 / 25], k=3)
    assert e3.area_m2 == pytest.approx(s * s / 2)
    assert e3.params["n_hulls"] == 1
    (e4,) = locoh.estimate(grid5(s), levels=[4 / 25], k=4)
    assert e4.area_m2 == pytest.approx(s * s)
    assert e4.params["n_hulls"] == 1


def test_k_equal_n_gives_the_mcp() -> None:
    res = locoh.estimate(grid5(100.0), levels=[0.2, 0.95, 1.0], k=25)
    for e in res:
        assert e.area_m2 == pytest.approx(400.0 * 400.0)


def test_full_isopleth_covers_all_fixes() -> None:
    rng = np.random.default_rng(1)
    xy = rng.normal(scale=1000.0, size=(300, 2))
    (e,) = locoh.estimate(xy, levels=[1.0], k=10)
    assert shapely.covers(e.geometry, shapely.points(xy)).all()
    assert e.params["fraction_fixes_covered"] == 1.0


@pytest.mark.parametrize("kind", ["k", "a"])
def test_area_monotone_in_level(kind: str) -> None:
    rng = np.random.default_rng(2)
    xy = rng.normal(scale=1000.0, size=(400, 2))
    levels = [0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0]
    res = locoh.estimate(xy, levels=levels, kind=kind)
    areas = [e.area_m2 for e in res]
    assert np.all(np.diff(areas) >= 0)
    for small, big in zip(res[:-1], res[1:], strict=True):
        assert shapely.covers(big.geometry.buffer(1e-6), small.geometry)


def test_isopleth_excludes_far_outlier() -> None:
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal(scale=500.0, size=(99, 2)), [[50_000.0, 50_000.0]]])
    e95, e100 = locoh.estimate(xy, levels=[0.95, 1.0], k=10)
    outlier = shapely.Point(50_000.0, 50_000.0)
    assert not e95.geometry.intersects(outlier.buffer(1000.0))
    assert e100.geometry.covers(outlier)


def test_default_k_is_round_sqrt_n() -> None:
    rng = np.random.default_rng(4)
    xy = rng.normal(scale=1000.0, size=(150, 2))
    (e,) = locoh.estimate(xy, levels=[0.95])
    assert e.params["k"] == 12


def test_a_locoh_default_is_max_distance_and_sorts_by_count() -> None:
    xy = grid5(100.0)
    (e,) = locoh.estimate(xy, levels=[1.0], kind="a")
    assert e.params["a_m"] == pytest.approx(400.0 * np.sqrt(2.0))
    assert e.params["fraction_fixes_covered"] == 1.0
    # With a tiny a, only the fix itself qualifies: every hull is degenerate.
    with pytest.warns(DataQualityWarning, match="cannot be reached"):
        (e,) = locoh.estimate(xy, levels=[0.5], kind="a", a_m=50.0)
    assert e.area_m2 == 0.0


def test_r_locoh() -> None:
    xy = np.vstack([grid5(100.0), [[10_000.0, 0.0]]])
    with pytest.warns(DataQualityWarning, match="25 of 26"):
        (e,) = locoh.estimate(xy, levels=[1.0], kind="r", r_m=150.0)
    assert e.area_m2 == pytest.approx(400.0 * 400.0)
    (e,) = locoh.estimate(xy, levels=[0.9], kind="r", r_m=150.0)
    assert e.params["r_m"] == 150.0
    with pytest.raises(InputError, match="radius"):
        locoh.estimate(xy, levels=[0.9], kind="r")


@pytest.mark.parametrize("k", [1, 2, 26, 2.5])
def test_invalid_k(k: float) -> None:
    with pytest.raises(InputError, match="k must"):
        locoh.estimate(grid5(), levels=[0.95], k=k)  # type: ignore[arg-type]


def test_too_few_fixes() -> None:
    with pytest.raises(InsufficientDataError, match="at least 5"):
        locoh.estimate(grid5()[:4], levels=[0.95], k=3)


@pytest.mark.parametrize(
    ("xy", "levels", "kind", "match"),
    [
        (np.zeros((10, 3)), [0.95], "k", "shape"),
        (np.full((10, 2), np.nan), [0.95], "k", "missing"),
        (grid5(), [95], "k", r"\(0, 1\]"),
        (grid5(), [0.0], "k", r"\(0, 1\]"),
        (grid5(), [0.95], "z", "kind"),
    ],
)
def test_invalid_input(xy: np.ndarray, levels: list[float], kind: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        locoh.estimate(xy, levels=levels, kind=kind)  # type: ignore[arg-type]


def test_duplicate_fixes_are_handled() -> None:
    rng = np.random.default_rng(5)
    xy = rng.normal(scale=1000.0, size=(50, 2))
    xy = np.vstack([xy, np.repeat(xy[:1], 20, axis=0)])
    res = locoh.estimate(xy, levels=[0.5, 1.0], k=8)
    assert res[1].params["fraction_fixes_covered"] == 1.0
    assert shapely.covers(res[1].geometry, shapely.points(xy)).all()
    assert res[1].params["duplicates"] == "once"
    assert res[1].params["n_repeated_fixes"] == 21
    # adehabitatHR's rule: the 21 copies are moved apart, and still all covered
    jit = locoh.estimate(xy, levels=[0.5, 1.0], k=8, duplicates="jitter")
    assert jit[1].params["duplicates"] == "jitter"
    assert jit[1].params["n_repeated_fixes"] == 21
    assert jit[1].params["fraction_fixes_covered"] == 1.0
    amount = jit[1].params["jitter_amount_m"]
    assert 0 < amount < 1.0
    assert shapely.covers(jit[1].geometry.buffer(amount * 1.5), shapely.points(xy)).all()


@pytest.mark.slow
def test_speed_10000_fixes_k100() -> None:
    rng = np.random.default_rng(6)
    xy = rng.normal(scale=5000.0, size=(10_000, 2))
    t0 = time.perf_counter()
    res = locoh.estimate(xy, levels=[0.5, 0.95, 1.0], k=100)
    elapsed = time.perf_counter() - t0
    assert res[-1].params["fraction_fixes_covered"] == 1.0
    assert elapsed < 10.0
