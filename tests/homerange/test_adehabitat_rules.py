"""adehabitatHR 0.4.22's rules, offered as options, against literal transcriptions of its code.

Two documented choices separate habitat from adehabitatHR (issue 14, item 6):

(a) the Brownian bridge motion variance: habitat follows Horne et al. (2007),
    every other fix being a bridge's middle; adehabitatHR's ``liker`` uses every
    interior fix. ``bbmm.estimate(..., motion_variance_rule="adehabitatHR")``.
(b) repeated locations in LoCoH: habitat counts a location once; adehabitatHR's
    ``LoCoH.k/a/r(duplicates="random")`` jitters the copies apart.
    ``locoh.estimate(..., duplicates="jitter")``.

The transcriptions below follow adehabitatHR 0.4.22's R and C code line by line
(R/kernelbb.r ``liker``, src/tests.c ``CVL`` and ``norm2d``; R/LoCoH.r
``LoCoH.k``, ``LoCoH.a``, ``LoCoH.r`` with R's ``jitter``), in numpy, with
R's 1-based indices kept where the C code uses them. They are independent of
habitat's vectorised implementations: loops, no KD-tree, no pruning.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.homerange import bbmm, home_range, locoh

RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"
needs_shared = pytest.mark.skipif(
    not RELOCATIONS.is_dir(), reason="shared relocation data (adehabitatLT sets) not present"
)


def _track(name: str, animal: str) -> tuple[np.ndarray, np.ndarray]:
    """xy (m) and epoch ns of one animal of an adehabitatLT set, in time order (as an ltraj)."""
    df = pd.read_csv(RELOCATIONS / f"{name}.csv")
    df = df[df["id"] == animal]
    t = pd.to_datetime(df["date"], utc=True)
    order = np.argsort(t.to_numpy(), kind="stable")
    xy = df[["x", "y"]].to_numpy(dtype=float)[order]
    t_ns = pd.DatetimeIndex(t).as_unit("ns").asi8[order]
    assert (np.diff(t_ns) > 0).all()  # an ltraj has strictly increasing dates
    return xy, t_ns


# ============================================================ (a) liker / CVL


def _norm2d(x1: float, y1: float, moyx: float, moyy: float, var: np.ndarray) -> np.ndarray:
    """src/tests.c ``norm2d``: isotropic bivariate normal density with variance ``var``."""
    cste = 1 / (2.0 * 3.141592653589793238 * var)
    cste = cste * np.exp(
        (-1.0 / (2.0 * var)) * (((x1 - moyx) * (x1 - moyx)) + ((y1 - moyy) * (y1 - moyy)))
    )
    return cste


def _cvl(
    xyr: np.ndarray, Tr: np.ndarray, nloc: int, sigma: np.ndarray, sigma2: float
) -> np.ndarray:
    """src/tests.c ``CVL``: log-likelihood of each ``sigma`` (= sig1²) of the Brownian bridge.

    Literal, with the C code's 1-based arrays and its ``k`` counter; the loop
    over ``r`` (the values of ``sigma``) is vectorised, each ``Lr[r-1]``
    accumulating in the same order as in C.
    """
    nlo = nloc
    xy = np.zeros((nlo + 1, 3))
    T = np.zeros(nlo + 1)
    mui = np.zeros(3)
    k = 0
    for i in range(1, nlo + 1):
        for j in range(1, 3):
            xy[i][j] = xyr[k]
            k += 1
        T[i] = Tr[i - 1]
    # "Indices of odd locations"
    Lr = np.zeros(sigma.size)
    k = 1
    for i in range(1, nlo):
        if k == 2:
            ai = (T[i] - T[i - 1]) / (T[i + 1] - T[i - 1])
            mui[1] = xy[i - 1][1] + ai * (xy[i + 1][1] - xy[i - 1][1])
            mui[2] = xy[i - 1][2] + ai * (xy[i + 1][2] - xy[i - 1][2])
            sigmai = (
                ((T[i + 1] - T[i - 1]) * ai * (1 - ai) * sigma)
                + (pow((1 - ai), 2) * sigma2)
                + (pow(ai, 2) * sigma2)
            )
            res = _norm2d(xy[i][1], xy[i][2], mui[1], mui[2], sigmai)
            with np.errstate(divide="ignore"):  # log(0) = -Inf, as in C; never the maximum
                Lr = Lr + np.log(res)
            k = 1
        k += 1
    return Lr


def _liker(
    xy: np.ndarray, t_ns: np.ndarray, rangesig1: tuple[float, float], sig2: float, le: int = 1000
) -> float:
    """R/kernelbb.r ``liker``, one animal: the ``sig1`` (m per root s) of largest likelihood."""
    df = xy
    vsig = np.linspace(rangesig1[0], rangesig1[1], le)  # seq(rangesig1[1], rangesig1[2], length=le)
    date = t_ns.astype(float) / 1e9  # as.double(dft$date): seconds
    date = date - date.min()
    huhu = _cvl(df.ravel(), date, df.shape[0], vsig**2, sig2**2)  # as.double(t(as.matrix(df)))
    return float(vsig[np.argmax(huhu)])  # which.max: the first maximum


def _liker_converged(
    xy: np.ndarray, t_ns: np.ndarray, sig2: float, start: tuple[float, float]
) -> float:
    """``liker`` rerun on narrowing ``rangesig1`` around its last maximum, as a user
    zooms in; returns the motion variance ``sig1²`` in m² per hour."""
    lo, hi = start
    sig1 = _liker(xy, t_ns, (lo, hi), sig2)
    step = (hi - lo) / 999
    assert lo + step < sig1 < hi - step  # the maximum is inside the range, not at a bound
    for _ in range(4):
        lo, hi = sig1 - step, sig1 + step
        sig1 = _liker(xy, t_ns, (lo, hi), sig2)
        step = (hi - lo) / 999
    return sig1**2 * 3600.0


def _synthetic_track(seed: int = 7, n: int = 301) -> tuple[np.ndarray, np.ndarray]:
    """A Brownian track, irregular 10-40 min steps, a 2-day gap, 15 m location error."""
    rng = np.random.default_rng(seed)
    dt_s = rng.uniform(600, 2400, n - 1)
    dt_s[n // 2] = 2 * 86_400.0
    t_s = np.concatenate([[0.0], np.cumsum(np.round(dt_s))])
    steps = rng.normal(size=(n - 1, 2)) * np.sqrt(40.0 * np.diff(t_s))[:, None]  # 40 m²/s
    true = np.vstack([[0.0, 0.0], np.cumsum(steps, axis=0)])
    xy = np.round(true + rng.normal(0, 15.0, true.shape) + [700_000.0, 3_158_000.0])
    return xy, 1_600_000_000_000_000_000 + (t_s * 1e9).astype(np.int64)


# (set, animal, sig2 in m, starting rangesig1 in m per root second)
REAL_TRACKS = [
    (
        "puechcirc",
        "CH93",
        58.0,
        (1.0, 100.0),
    ),  # liker's help page: sig2 = 58, rangesig1 = c(10, 100)
    ("puechcirc", "JE93", 58.0, (1.0, 100.0)),
    ("bear", "W0208", 20.0, (0.1, 20.0)),
]


def _check_liker_rule(
    xy: np.ndarray, t_ns: np.ndarray, sig2: float, start: tuple[float, float]
) -> float:
    ours = bbmm.motion_variance_ml(xy, t_ns, sig2, motion_variance_rule="adehabitatHR")
    # liker as called once: its grid value is within one grid step of ours
    sig1 = _liker(xy, t_ns, start, sig2)
    step = (start[1] - start[0]) / 999
    assert abs(math.sqrt(ours / 3600.0) - sig1) <= step
    # liker zoomed in on its maximum: the same maximum, to 1e-6
    theirs = _liker_converged(xy, t_ns, sig2, start)
    assert ours == pytest.approx(theirs, rel=1e-6)
    return ours


def test_liker_rule_matches_transcription_on_synthetic_track() -> None:
    xy, t = _synthetic_track()
    ours = _check_liker_rule(xy, t, 15.0, (0.5, 30.0))
    horne = bbmm.motion_variance_ml(xy, t, 15.0)
    assert ours != pytest.approx(horne, rel=1e-3)  # the rules do differ


@needs_shared
@pytest.mark.parametrize(("name", "animal", "sig2", "start"), REAL_TRACKS)
def test_liker_rule_matches_transcription_on_real_tracks(
    name: str, animal: str, sig2: float, start: tuple[float, float]
) -> None:
    xy, t = _track(name, animal)
    ours = _check_liker_rule(xy, t, sig2, start)
    horne = bbmm.motion_variance_ml(xy, t, sig2)
    # issue 14: the two rules differ by -38 % to +17 % on real tracks
    assert -0.45 < horne / ours - 1 < 0.25
    assert horne != pytest.approx(ours, rel=1e-3)


def test_horne_rule_is_cvl_likelihood_over_every_other_fix() -> None:
    # Horne et al. (2007): only fixes 1, 3, 5, ... (0-based) are bridge middles.
    # The transcribed CVL over the track cut to windows (0,1,2), (2,3,4), ...
    # sums exactly those terms.
    xy, t = _synthetic_track(seed=11, n=201)
    horne = bbmm.motion_variance_ml(xy, t, 15.0)
    assert horne == bbmm.motion_variance_ml(xy, t, 15.0, motion_variance_rule="horne")
    sig1 = np.sqrt(horne / 3600.0) * np.array([0.999, 1.0, 1.001])
    t_s = (t - t[0]).astype(float) / 1e9
    total = np.zeros(3)
    for start in range(0, xy.shape[0] - 2, 2):
        w = slice(start, start + 3)
        total += _cvl(xy[w].ravel(), t_s[w], 3, sig1**2, 15.0**2)
    assert total[1] > total[0] and total[1] > total[2]  # ours maximises it
    ade = bbmm.motion_variance_ml(xy, t, 15.0, motion_variance_rule="adehabitatHR")
    full = _cvl(
        xy.ravel(),
        t_s,
        xy.shape[0],
        np.sqrt(ade / 3600.0) ** 2 * np.array([0.998, 1.0, 1.002]),
        225.0,
    )
    assert full[1] > full[0] and full[1] > full[2]


def test_result_names_the_rule() -> None:
    xy, t = _synthetic_track(n=121)
    kw: dict[str, Any] = {
        "levels": [0.95],
        "timestamps_ns": t,
        "location_error_m": 15.0,
        "cell_size_m": 50.0,
    }
    horne = bbmm.estimate(xy, **kw)[0]
    ade = bbmm.estimate(xy, motion_variance_rule="adehabitatHR", **kw)[0]
    given = bbmm.estimate(
        xy, motion_variance_m2_per_h=1e5, motion_variance_rule="adehabitatHR", **kw
    )[0]
    assert horne.params["motion_variance_rule"] == "horne"
    assert ade.params["motion_variance_rule"] == "adehabitatHR"
    assert given.params["motion_variance_rule"] == "given"
    assert ade.params["motion_variance_m2_per_h"] == pytest.approx(
        bbmm.motion_variance_ml(xy, t, 15.0, motion_variance_rule="adehabitatHR"), rel=1e-12
    )
    ud = bbmm.bridge_ud(
        xy, timestamps_ns=t, location_error_m=15.0, motion_variance_rule="adehabitatHR"
    )
    assert ud.motion_variance_rule == "adehabitatHR"


def test_unknown_rule_is_refused() -> None:
    from habitat.core.errors import InputError

    xy, t = _synthetic_track(n=21)
    with pytest.raises(InputError, match="motion_variance_rule must be 'horne'"):
        bbmm.motion_variance_ml(xy, t, 15.0, motion_variance_rule="liker")  # type: ignore[arg-type]


def _as_fixes(xy: np.ndarray, t_ns: np.ndarray | None = None) -> gpd.GeoDataFrame:
    data: dict[str, object] = {"individual": ["A"] * len(xy)}
    if t_ns is not None:
        data["timestamp"] = pd.to_datetime(t_ns, utc=True)
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32631")


def test_home_range_takes_the_motion_variance_rule() -> None:
    xy, t = _synthetic_track(n=121)
    fixes = _as_fixes(xy, t)
    common: dict[str, Any] = {
        "method": "bbmm",
        "levels": [0.95],
        "location_error_m": 15.0,
        "species": None,
    }
    out = home_range(fixes, motion_variance_rule="adehabitatHR", **common)
    default = home_range(fixes, **common)
    assert out["motion_variance_rule"].tolist() == ["adehabitatHR"]
    assert default["motion_variance_rule"].tolist() == ["horne"]
    assert out["motion_variance_m2_per_h"].iat[0] == pytest.approx(
        bbmm.motion_variance_ml(xy, t, 15.0, motion_variance_rule="adehabitatHR"), rel=1e-9
    )


# ================================================= (b) LoCoH repeated locations


def _r_jitter(
    x: np.ndarray, factor: float, amount: float | None, rng: np.random.Generator
) -> np.ndarray:
    """R ``base::jitter(x, factor, amount)``; ``runif`` drawn from ``rng``."""
    if len(x) == 0:
        return x
    r = (x.min(), x.max())  # range(x, finite = TRUE)
    z = r[1] - r[0]
    if z == 0:
        z = abs(r[0])
    if z == 0:
        z = 1
    if amount is None:
        xx = np.unique(np.sort(np.round(x, 3 - math.floor(math.log10(z)))))
        d = np.diff(xx)
        d = d.min() if len(d) else (xx[0] / 10 if xx[0] != 0 else z / 10)
        amount = factor / 5 * abs(d)
    elif amount == 0:
        amount = factor * (z / 50)
    return x + rng.uniform(-amount, amount, len(x))  # x + stats::runif(length(x), -amount, amount)


def _r_duplicates_random(
    xy: np.ndarray, amount: float | None, rng: np.random.Generator
) -> np.ndarray:
    """R/LoCoH.r "Management of duplicates", ``duplicates = "random"`` (all three LoCoH.*)."""
    # levv <- factor(apply(xy, 1, paste, collapse = " ")): 15 significant digits;
    # factor levels sorted (byte order here: R uses the locale's collation,
    # which only changes the order of the rows)
    keys = [" ".join(f"{v:.15g}" for v in row) for row in xy]
    levels = sorted(set(keys))
    sam1 = xy[:, 0] - _r_jitter(xy[:, 0], 1, amount, rng)
    sam2 = xy[:, 0] - _r_jitter(xy[:, 0], 1, amount, rng)  # sic: xy[,1] again
    groups = []
    for lev in levels:  # split(xy, levv); lapply(1:length(lixy), ...); rbind
        rows = [j for j, key in enumerate(keys) if key == lev]
        x = xy[rows].copy()
        if len(rows) > 1:
            x[:, 0] = x[:, 0] + sam1[rows]
            x[:, 1] = x[:, 1] + sam2[rows]
        groups.append(x)
    return np.vstack(groups)


def _order(*keys: np.ndarray) -> np.ndarray:
    """R ``order(k1, k2, ...)``: stable, first key first."""
    return np.lexsort(keys[::-1])


def _chull(ff: np.ndarray) -> shapely.Geometry:
    """``ff[chull(ff[,1], ff[,2]),]`` as a geometry: a Polygon when it has > 2 vertices."""
    return shapely.convex_hull(shapely.multipoints(ff))


def _arcpspdf(geom: shapely.Geometry) -> float:
    return float(shapely.area(geom))


def _locoh_k(xy: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """R/LoCoH.r ``LoCoH.k`` after the duplicates block: (area, percent) per step."""
    ind = np.arange(1, xy.shape[0] + 1)
    oo = np.array(
        [ind[_order(np.sqrt(((xy - xy[i]) ** 2).sum(axis=1)))][:k] for i in range(len(xy))]
    )
    pol = [_chull(xy[oo[i] - 1]) for i in range(len(xy))]
    ar = np.array([_arcpspdf(p) for p in pol])
    o = _order(ar)
    pol = [pol[j] for j in o]
    oo = oo[o]
    dej = list(oo[0])
    n = [k]
    lipsf2 = [pol[0]]
    for i in range(1, len(xy)):
        lipsf2.append(shapely.union(pol[i], lipsf2[i - 1]))
        seen = set(dej)
        dej += [v for v in oo[i] if v not in seen]
        n.append(len(dej))
    are = np.array([_arcpspdf(g) for g in lipsf2])
    return are, 100 * np.array(n) / xy.shape[0]


def _locoh_ar(xy: np.ndarray, value: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """R/LoCoH.r ``LoCoH.a`` (``kind="a"``) / ``LoCoH.r`` after the duplicates block."""
    nr = xy.shape[0]
    ind = np.arange(1, nr + 1)
    oo = []
    for i in range(nr):
        di = np.sqrt(((xy - xy[i]) ** 2).sum(axis=1))
        ind2 = ind[_order(di)]
        di = np.sort(di, kind="stable")
        if kind == "a":
            di = np.cumsum(di)
        oo.append(ind2[di <= value])
    pol = [_chull(xy[o - 1]) for o in oo]
    big = [isinstance(p, shapely.Polygon) for p in pol]  # nrow(pol[[i]]) > 2
    ar = np.array([_arcpspdf(p) if b else 0.0 for p, b in zip(pol, big, strict=True)])
    num = np.array([len(o) for o in oo])
    o = _order(-num, ar)
    pol, big, oo = [pol[j] for j in o], [big[j] for j in o], [oo[j] for j in o]
    ar, num = ar[o], num[o]
    lone = int(np.count_nonzero(ar < np.finfo(float).eps))
    mx = nr - lone
    lipsf: list[shapely.Geometry | None] = [p if b else None for p, b in zip(pol, big, strict=True)]
    dej = list(oo[0])
    n = [num[0]]
    for i in range(1, nr):
        if lipsf[i] is not None:
            lipsf[i] = shapely.union(lipsf[i], lipsf[i - 1])
        else:
            lipsf[i] = shapely.union_all([lipsf[i - 1]])
        seen = set(dej)
        dej += [v for v in oo[i] if v not in seen]
        n.append(len(dej))
    are = np.array([_arcpspdf(g) for g in lipsf])
    nn = np.array(n)
    if kind == "r":
        nn[nn > mx] = mx
    return are, 100 * nn / nr


def _isopleth_areas(are: np.ndarray, percent: np.ndarray, levels: list[float]) -> list[float]:
    """LoCoH.*.area / MCHu.rast: the first step whose percent reaches the level."""
    return [float(are[np.flatnonzero(percent >= 100 * p).min()]) for p in levels]


def _with_repeats(seed: int = 3) -> np.ndarray:
    """250 fixes around two centres, 40 of them repeated 2-5 times (a resting animal)."""
    rng = np.random.default_rng(seed)
    xy = np.vstack(
        [rng.normal([0, 0], 600.0, (150, 2)), rng.normal([2500, 800], 400.0, (100, 2))]
    ) + [700_000.0, 3_158_000.0]
    rep = rng.choice(250, 40, replace=False)
    copies = np.repeat(xy[rep], rng.integers(1, 5, 40), axis=0)
    return rng.permutation(np.vstack([xy, copies]))


LEVELS = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0]


def _compare_locoh(
    xy: np.ndarray, kind: str, value: float, seed: int
) -> tuple[list[float], list[float], list[float]]:
    """(levels reached, habitat's areas with duplicates="jitter", the transcription's areas)."""
    jittered = _r_duplicates_random(xy, None, np.random.default_rng(seed))
    if kind == "k":
        are, percent = _locoh_k(jittered, int(value))
        opt: dict[str, Any] = {"k": int(value)}
    else:
        are, percent = _locoh_ar(jittered, value, kind)
        opt = {f"{kind}_m": value}
    levels = [p for p in LEVELS if percent.max() >= 100 * p]
    assert len(levels) >= 4
    theirs = _isopleth_areas(are, percent, levels)
    ests = locoh.estimate(
        xy, levels=levels, kind=kind, duplicates="jitter", jitter_seed=seed, **opt
    )
    assert all(e.params["duplicates"] == "jitter" for e in ests)
    return levels, [e.area_m2 for e in ests], theirs


LOCOH_CASES = [("k", 10.0), ("a", 1500.0), ("r", 400.0)]

# adehabitatHR counts the fixes of zero-area hulls as covered, habitat does not
# (and warns that level 1 cannot be reached); the areas are the same, as such
# hulls add no area.
unreachable_level_1 = pytest.mark.filterwarnings(
    "ignore:LoCoH.*cannot be reached:habitat.core.errors.DataQualityWarning"
)


@unreachable_level_1
@pytest.mark.parametrize(("kind", "value"), LOCOH_CASES)
@pytest.mark.parametrize("seed", [0, 5])
def test_locoh_jitter_matches_transcription_on_synthetic_repeats(
    kind: str, value: float, seed: int
) -> None:
    xy = _with_repeats()
    levels, ours, theirs = _compare_locoh(xy, kind, value, seed)
    assert ours == pytest.approx(theirs, rel=1e-9)
    once = locoh.estimate(xy, levels=levels, kind=kind, **_value_option(kind, value))  # type: ignore[arg-type]
    assert [e.params["duplicates"] for e in once] == ["once"] * len(levels)
    assert [e.area_m2 for e in once] != pytest.approx(ours, rel=1e-6)  # the rules differ


def _value_option(kind: str, value: float) -> dict[str, Any]:
    return {"k": int(value)} if kind == "k" else {f"{kind}_m": value}


@needs_shared
@unreachable_level_1
@pytest.mark.parametrize(("kind", "value"), LOCOH_CASES)
@pytest.mark.parametrize(
    ("name", "animal"), [("puechcirc", "CH93"), ("puechcirc", "JE93"), ("bear", "W0208")]
)
def test_locoh_jitter_matches_transcription_on_real_tracks(
    name: str, animal: str, kind: str, value: float
) -> None:
    xy, _ = _track(name, animal)
    assert len(np.unique(xy, axis=0)) < len(xy)  # these tracks repeat locations
    levels, ours, theirs = _compare_locoh(xy, kind, value, 1)
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_jitter_amount_is_r_jitter_rule() -> None:
    xy = np.round(_with_repeats())  # whole metres: the smallest gap between x values is 1 m
    (e,) = locoh.estimate(xy, levels=[0.95], k=10, duplicates="jitter")
    assert e.params["jitter_amount_m"] == pytest.approx(1 / 5)  # factor / 5 * d
    assert e.params["n_repeated_fixes"] == len(xy) - len(np.unique(xy, axis=0)) + len(
        np.unique(xy[_repeated(xy)], axis=0)
    )
    z = np.ptp(xy[:, 0])
    (e0,) = locoh.estimate(xy, levels=[0.95], k=10, duplicates="jitter", jitter_amount_m=0.0)
    assert e0.params["jitter_amount_m"] == pytest.approx(z / 50)  # R: amount = 0 -> z / 50
    (e1,) = locoh.estimate(xy, levels=[0.95], k=10, duplicates="jitter", jitter_amount_m=0.5)
    assert e1.params["jitter_amount_m"] == 0.5
    (once,) = locoh.estimate(xy, levels=[0.95], k=10)
    assert "jitter_amount_m" not in once.params
    assert once.params["n_repeated_fixes"] == e.params["n_repeated_fixes"]


def _repeated(xy: np.ndarray) -> np.ndarray:
    _, inv, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    return counts[inv.ravel()] > 1


def test_jitter_is_reproducible_and_moves_only_repeats() -> None:
    xy = _with_repeats()
    a = locoh.estimate(xy, levels=[0.5, 0.95], k=10, duplicates="jitter", jitter_seed=3)
    b = locoh.estimate(xy, levels=[0.5, 0.95], k=10, duplicates="jitter", jitter_seed=3)
    assert [e.area_m2 for e in a] == [e.area_m2 for e in b]
    assert all(x.geometry.equals_exact(y.geometry, 0.0) for x, y in zip(a, b, strict=True))
    # without repeated locations nothing moves: the same ranges as the default rule
    rng = np.random.default_rng(9)
    plain = rng.normal(0, 1000.0, (200, 2))
    for kind, value in LOCOH_CASES:
        opt = _value_option(kind, value)
        j = locoh.estimate(plain, levels=[0.5, 0.9], kind=kind, duplicates="jitter", **opt)  # type: ignore[arg-type]
        o = locoh.estimate(plain, levels=[0.5, 0.9], kind=kind, **opt)  # type: ignore[arg-type]
        assert [e.area_m2 for e in j] == pytest.approx([e.area_m2 for e in o], rel=1e-12)
        assert j[0].params["n_repeated_fixes"] == 0 and math.isnan(j[0].params["jitter_amount_m"])


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"duplicates": "random"}, "duplicates must be 'once'"),
        ({"duplicates": "jitter", "jitter_amount_m": -1.0}, "jitter_amount_m"),
        ({"duplicates": "jitter", "jitter_seed": -1}, "jitter_seed"),
        ({"duplicates": "jitter", "jitter_seed": 1.5}, "jitter_seed"),
    ],
)
def test_bad_duplicate_options_are_refused(option: dict[str, Any], match: str) -> None:
    from habitat.core.errors import InputError

    with pytest.raises(InputError, match=match):
        locoh.estimate(_with_repeats(), levels=[0.95], k=10, **option)


def test_home_range_takes_the_duplicates_rule() -> None:
    xy = _with_repeats()
    fixes = _as_fixes(xy)
    common: dict[str, Any] = {"method": "locoh", "levels": [0.5, 0.95], "k": 10, "species": None}
    out = home_range(fixes, duplicates="jitter", jitter_seed=2, **common)
    default = home_range(fixes, **common)
    assert out["duplicates"].tolist() == ["jitter", "jitter"]
    assert default["duplicates"].tolist() == ["once", "once"]
    direct = locoh.estimate(xy, levels=[0.5, 0.95], k=10, duplicates="jitter", jitter_seed=2)
    assert out["area_km2"].to_numpy() == pytest.approx([e.area_m2 / 1e6 for e in direct], rel=1e-9)


@unreachable_level_1
@pytest.mark.parametrize(("kind", "value"), [("k", 9.0), ("a", 4000.0), ("r", 1000.0)])
def test_locoh_jitter_breaks_ties_as_adehabitat(kind: str, value: float) -> None:
    # A 1 km lattice: nearly every neighbour and hull area is tied, so the
    # result depends on adehabitatHR's order of the fixes (their printed
    # coordinates) and on R's stable order(); two nodes are repeated.
    g = np.arange(0.0, 10_001.0, 1000.0) + 500_000.0
    lattice = np.array([(x, y) for x in g for y in g[::-1]])
    xy = np.vstack([lattice, lattice[[17, 17, 60]]])
    levels, ours, theirs = _compare_locoh(xy, kind, value, 4)
    assert ours == pytest.approx(theirs, rel=1e-9)
