"""AKDE through home_range on bad input: errors that say what and where, flags with the reason.

Issue 14, item 5: too few fixes, duplicate timestamps, a track that never settles, fixes in
degrees, enormous gaps. Tracks are built here with numpy: an exact OU recursion (a resident
animal) and a Gaussian random walk (Brownian motion: a dispersing animal, whose variogram
grows linearly and never levels off).
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import habitat
from habitat.core.errors import DataQualityWarning, InsufficientDataError, TimestampError
from habitat.homerange import home_range
from habitat.movement import fit_movement, variogram
from habitat.movement.fit import ADVISORY_PREFIX

HOUR, DAY = 3600.0, 86400.0
UTM52 = "EPSG:32652"
E0, N0 = 640_000.0, 4_770_000.0  # near the Land of the Leopard, UTM 52N
START = pd.Timestamp("2024-03-01", tz="UTC")
SETTLE = "the track does not settle (the variogram does not level off)"


def _ou(t_s: np.ndarray, *, tau_s: float, sd_m: float, seed: int) -> np.ndarray:
    """Exact isotropic OU positions (m) at the times, started stationary."""
    rng = np.random.default_rng(seed)
    xy = np.empty((t_s.size, 2))
    xy[0] = rng.normal(scale=sd_m, size=2)
    for i in range(1, t_s.size):
        rho = np.exp(-(t_s[i] - t_s[i - 1]) / tau_s)
        xy[i] = rho * xy[i - 1] + np.sqrt(1.0 - rho**2) * sd_m * rng.normal(size=2)
    return xy


def _random_walk(n: int, *, step_m: float, seed: int) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).normal(scale=step_m, size=(n, 2)), axis=0)


def _fixes(individual: str, t_s: np.ndarray, xy_m: np.ndarray, *, crs=UTM52) -> gpd.GeoDataFrame:
    """Relocations as users have them: individual, time-zone-aware timestamp, points."""
    return gpd.GeoDataFrame(
        {
            "individual": individual,
            "timestamp": START + pd.to_timedelta(np.asarray(t_s), unit="s"),
        },
        geometry=shapely.points(xy_m),
        crs=crs,
    )


def _four_hourly(days: float, *, lost: tuple[float, float] | None = None) -> np.ndarray:
    t = np.arange(0.0, days * DAY, 4 * HOUR)
    if lost is not None:
        t = t[(t < lost[0] * DAY) | (t >= lost[1] * DAY)]
    return t


def _akde(fixes: gpd.GeoDataFrame, **options) -> tuple[gpd.GeoDataFrame, list]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ranges = home_range(fixes, method="akde", levels=(0.5, 0.95), species=None, **options)
    return ranges, list(caught)


@pytest.fixture(scope="module")
def resident_and_disperser() -> tuple[gpd.GeoDataFrame, list, np.ndarray]:
    """60 days of 4-hourly fixes: R1 an OU resident (tau 1 day, SD 2 km), D1 a random walk."""
    t = _four_hourly(60)
    resident = _fixes("R1", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=1) + [E0, N0])
    walk = _random_walk(t.size, step_m=400.0, seed=3)
    disperser = _fixes("D1", t, walk + [E0 + 30_000.0, N0])
    ranges, caught = _akde(pd.concat([resident, disperser], ignore_index=True))
    return ranges, caught, walk


def test_the_disperser_variogram_does_not_level_off(resident_and_disperser):
    """The premise: a random walk's semivariance keeps growing with the lag (linearly)."""
    _, _, walk = resident_and_disperser
    t = _four_hourly(60)
    vg = variogram(t, walk)
    lags, gamma = vg["lag_s"].to_numpy(), vg["semivariance_m2"].to_numpy()
    early = gamma[(lags > 4 * DAY) & (lags < 6 * DAY)].mean()
    late = gamma[(lags > 20 * DAY) & (lags < 30 * DAY)].mean()
    # Brownian motion: gamma(lag) = (step² / 4 h) * lag, 5 times as much at 25 days as at 5
    assert late / early > 2.5


def test_a_track_that_never_settles_is_implausible_with_the_reason(resident_and_disperser):
    ranges, _, _ = resident_and_disperser
    disperser = ranges[ranges["individual"] == "D1"]
    assert len(disperser) == 2
    span_s = _four_hourly(60)[-1]
    assert (disperser["tau_position_s"] > 0.5 * span_s).all()
    assert not disperser["plausible"].any()
    for notes, why in zip(disperser["model_notes"], disperser["plausibility"], strict=True):
        assert notes.startswith(SETTLE) and not notes.startswith(ADVISORY_PREFIX)
        assert f"movement model: {notes}" in why  # the whole note is the reason
    # the resident beside it: no notes, plausible
    resident = ranges[ranges["individual"] == "R1"]
    assert (resident["model_notes"] == "").all()
    assert resident["plausible"].all() and (resident["plausibility"] == "").all()


def test_a_track_that_never_settles_warns_once_naming_the_individual(resident_and_disperser):
    _, caught, _ = resident_and_disperser
    settle = [w for w in caught if SETTLE in str(w.message)]
    assert len(settle) == 1, [str(w.message) for w in caught]
    (w,) = settle
    assert w.category is DataQualityWarning
    assert str(w.message).startswith("individual 'D1': ")
    assert w.filename == __file__  # points at the caller of home_range


def test_a_flagged_model_given_by_the_user_flags_the_row_too(resident_and_disperser):
    """model= (fitted beforehand): its notes still reach model_notes and plausibility."""
    t = _four_hourly(60)
    walk = _random_walk(t.size, step_m=400.0, seed=3) + [E0, N0]
    with pytest.warns(DataQualityWarning, match="does not settle"):
        model = fit_movement(t, walk, crs=UTM52)
    fixes = _fixes("D1", t, walk)
    ranges, caught = _akde(fixes, model={"D1": model})
    assert not ranges["plausible"].any()
    assert ranges["plausibility"].str.contains("movement model: " + SETTLE, regex=False).all()
    assert not [w for w in caught if SETTLE in str(w.message)]  # warned when it was fitted


def test_a_60_day_gap_in_120_days_is_advice_with_its_length_and_weights():
    """Days 30-90 of an OU track lost: the range stands, the note says how to weight it."""
    t = _four_hourly(120, lost=(30, 90))
    fixes = _fixes("G1", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=4) + [E0, N0])
    ranges, caught = _akde(fixes)
    notes = ranges["model_notes"].iloc[0]
    assert (ranges["model_notes"] == notes).all()  # one model for both levels
    # last fix before the gap at day 29.83, next at day 90; span 119.83 days
    assert notes.startswith(f"{ADVISORY_PREFIX}a 60.2-day gap without fixes (days 29.8 to 90")
    assert "50% of the 120-day tracking span" in notes
    assert "weights=True" in notes
    assert ranges["plausible"].all()  # advice only
    gap = [str(w.message) for w in caught if "gap" in str(w.message)]
    assert len(gap) == 1 and gap[0].startswith("individual 'G1': ")
    # with the optimal weights the advice is taken: the note says so, the rest unchanged
    weighted, _ = _akde(fixes, weights=True)
    assert (weighted["weights"] == "optimal").all()
    advice = ", so use AKDE's optimal weights (weights=True, as ctmm's weights=TRUE"
    assert notes.count(advice) == 1 and notes.endswith("Fleming et al. 2018)")
    taken = notes.split(advice)[0] + ", so AKDE's optimal weights (weights=True) were used"
    assert (weighted["model_notes"] == taken).all()
    assert weighted["plausible"].all()  # still advice, not a flag
    low, est, high = (weighted[c].to_numpy() for c in ("area_low_km2", "area_km2", "area_high_km2"))
    assert (low < est).all() and (est < high).all()


def test_gaps_covering_three_quarters_of_the_track_make_the_range_implausible():
    t = _four_hourly(120, lost=(15, 105))
    fixes = _fixes("G2", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=5) + [E0, N0])
    ranges, _ = _akde(fixes)
    assert not ranges["plausible"].any()
    why = ranges["plausibility"].iloc[0]
    assert why.startswith("movement model: a 90.2-day gap without fixes")
    assert "75% of the span in such gaps" in why
    # with the optimal weights: still implausible, and the note no longer advises them
    weighted, _ = _akde(fixes, weights=True)
    assert not weighted["plausible"].any()
    notes = weighted["model_notes"].iloc[0]
    assert notes.endswith("(if it did, AKDE's optimal weights (weights=True) were used)")
    assert "use AKDE's optimal weights" not in notes
    assert f"movement model: {notes}" in weighted["plausibility"].iloc[0]


def test_notes_in_other_words_are_left_as_they_are_with_optimal_weights():
    """Only the fit's wording of the advice is rewritten; other notes pass through unchanged."""
    t = _four_hourly(60)
    xy = _ou(t, tau_s=DAY, sd_m=2000.0, seed=13) + [E0, N0]
    fit = fit_movement(t, xy, crs=UTM52)
    assert fit.notes == ()
    own = (
        f"{ADVISORY_PREFIX}use AKDE's optimal weights for this animal",  # no (weights=True...)
        "a note of the user's: use optimal weights (weights=True) here",
    )
    fixes = _fixes("N1", t, xy)
    ranges, _ = _akde(fixes, model={"N1": dataclasses.replace(fit, notes=own)}, weights=True)
    assert (ranges["model_notes"] == "; ".join(own)).all()


def test_ordinary_collar_failures_say_nothing():
    """A year of 4-hourly fixes with 10 % lost at random and 1-3 day outages: no note."""
    rng = np.random.default_rng(6)
    t = _four_hourly(365)
    keep = rng.random(t.size) > 0.1
    for start, length in ((40, 1), (170, 2), (290, 3)):
        keep &= ~((t >= start * DAY) & (t < (start + length) * DAY))
    t = t[keep]
    fixes = _fixes("Y1", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=7) + [E0, N0])
    ranges, caught = _akde(fixes)
    assert (ranges["model_notes"] == "").all()
    assert ranges["plausible"].all()
    assert not [w for w in caught if issubclass(w.category, DataQualityWarning)]


def test_duplicate_timestamps_are_refused():
    t = _four_hourly(20)
    fixes = _fixes("B", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=8) + [E0, N0])
    fixes.loc[50, "timestamp"] = fixes.loc[49, "timestamp"]
    # rows as home_range names them (1, 2, ... in table order), and the index labels
    with pytest.raises(
        TimestampError,
        match=r"individual 'B': 1 duplicate timestamp.*rows 50, 51 \(index labels 49, 50\)"
        r".*flag_duplicate.*error_m > 0",
    ):
        home_range(fixes, method="akde", levels=0.95, species=None)
    # with a location error, simultaneous fixes are two noisy looks at one place (as in ctmm)
    ranges = home_range(fixes, method="akde", levels=0.95, species=None, error_m=20.0)
    assert np.isfinite(ranges["area_km2"]).all()


def _two_animals() -> gpd.GeoDataFrame:
    t = _four_hourly(20)
    first = _fixes("A", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=9) + [E0, N0])
    second = _fixes("B", t, _ou(t, tau_s=DAY, sd_m=2000.0, seed=8) + [E0, N0])
    return pd.concat([first, second], ignore_index=True)


def _duplicated(fixes: gpd.GeoDataFrame) -> np.ndarray:
    """The oracle: rows sharing individual and timestamp with another (pandas' duplicated)."""
    return fixes.duplicated(["individual", "timestamp"], keep=False).to_numpy()


def test_duplicate_timestamps_name_the_individual_and_the_relocations_rows():
    """Rows as home_range names them (1, 2, ... in table order) and the index labels."""
    fixes = _two_animals()
    row = len(fixes) // 2 + 50  # B's 51st fix takes the time of its 50th
    fixes.loc[row, "timestamp"] = fixes.loc[row - 1, "timestamp"]
    when = re.escape(str(fixes.loc[row, "timestamp"]))
    with pytest.raises(
        TimestampError,
        match=rf"^individual 'B': 1 duplicate timestamp\(s\) \(first at {when}\) at rows "
        rf"{row}, {row + 1} \(index labels {row - 1}, {row}\)\. .*error_m > 0",
    ) as info:
        home_range(fixes, method="akde", levels=0.95, species=None)
    assert "individual 'A'" not in str(info.value)


def test_duplicate_timestamps_in_a_shuffled_table_name_its_rows_and_source_rows():
    """The fixes out of time order, two animals at fault: each named, rows as the table has them."""
    fixes = _two_animals()
    fixes.loc[20, "timestamp"] = fixes.loc[7, "timestamp"]  # A: two pairs, one a triple
    fixes.loc[21, "timestamp"] = fixes.loc[7, "timestamp"]
    fixes.loc[31, "timestamp"] = fixes.loc[30, "timestamp"]
    fixes.loc[200, "timestamp"] = fixes.loc[199, "timestamp"]  # B
    shuffled = fixes.sample(frac=1.0, random_state=12)
    shuffled.index = shuffled.index * 10 + 3  # labels that are neither positions nor rows
    dup = _duplicated(shuffled)
    by = shuffled["individual"].to_numpy()
    expected = {}
    for name in ("A", "B"):
        at = dup & (by == name)
        expected[name] = (np.flatnonzero(at) + 1, shuffled.index[at].to_numpy())
    assert [len(expected["A"][0]), len(expected["B"][0])] == [5, 2]
    with pytest.raises(TimestampError) as info:
        home_range(shuffled, method="akde", levels=0.95, species=None)
    message = str(info.value)
    a, b = message.split("; ")[:2]
    assert a.startswith("individual 'A': 3 duplicate timestamp(s)")  # 7=20=21 and 30=31
    assert b.startswith("individual 'B': 1 duplicate timestamp(s)")

    def listed(values) -> str:
        shown = ", ".join(str(v) for v in values[:5])
        return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")

    for name, text in (("A", a), ("B", b)):
        rows, labels = expected[name]
        order = np.argsort(rows)
        assert f"at rows {listed(rows[order])} (index labels {listed(labels[order])})" in text
    # read from a file: the rows are its source_row numbers
    shuffled["source_row"] = np.arange(len(shuffled))[::-1] + 2
    with pytest.raises(TimestampError) as info:
        home_range(shuffled, method="akde", levels=0.95, species=None)
    b = str(info.value).split("; ")[1]
    source = shuffled["source_row"].to_numpy()[dup & (by == "B")]
    labels = shuffled.index[dup & (by == "B")].to_numpy()
    order = np.argsort(source)
    assert f"at rows {listed(source[order])} (index labels {listed(labels[order])})" in b


def test_duplicate_timestamps_the_advice_works():
    """Flagged by habitat.flag_relocations (flag_duplicate), home_range leaves them out."""
    fixes = _two_animals()
    row = len(fixes) // 2 + 50
    fixes.loc[row, "timestamp"] = fixes.loc[row - 1, "timestamp"]
    flagged = habitat.flag_relocations(fixes)
    assert flagged["flag_duplicate"].sum() == 1 and flagged.loc[row, "flag_duplicate"]
    ranges, _ = _akde(flagged)
    counts = ranges.groupby("individual")["n_fixes"].first()
    assert counts.to_dict() == {"A": 120, "B": 119}
    # kept (exclude_flagged=False) with no location error: refused again
    with pytest.raises(TimestampError, match="individual 'B'"):
        home_range(flagged, method="akde", levels=0.95, species=None, exclude_flagged=False)


def test_an_animal_whose_range_cannot_be_estimated_is_named():
    """The estimator's own refusal (a model with no area DOF) comes back naming the animal."""
    fixes = _two_animals()
    b = fixes[fixes["individual"] == "B"]
    t = (b["timestamp"] - START).dt.total_seconds().to_numpy()
    fit = fit_movement(t, shapely.get_coordinates(b.geometry.to_numpy()), crs=UTM52)
    empty = dataclasses.replace(fit, dof_area=0.0)
    with pytest.raises(InsufficientDataError, match=r"^individual 'B': AKDE: .*degrees of freedom"):
        home_range(fixes, method="akde", levels=0.95, species=None, model={"B": empty})


def test_too_few_fixes():
    t = _four_hourly(1)[:4]
    xy = _ou(t, tau_s=DAY, sd_m=2000.0, seed=10) + [E0, N0]
    with pytest.raises(InsufficientDataError, match=r"at least 5 usable fixes.*'T1' \(4\)"):
        home_range(_fixes("T1", t, xy), method="akde", levels=0.95, species=None)
    # five are enough to fit (the models needing more are skipped), but not for a range
    t = _four_hourly(1)[:5]
    xy = _ou(t, tau_s=DAY, sd_m=2000.0, seed=10) + [E0, N0]
    ranges, _ = _akde(_fixes("T1", t, xy))
    assert not ranges["plausible"].any()
    assert ranges["plausibility"].str.contains("few fixes (5 < 30)", regex=False).all()


def test_degrees_declared_as_metres_are_implausible_for_every_reason():
    """Longitude/latitude under a UTM CRS: the fixes' check and the movement fit both say so."""
    t = _four_hourly(30)
    lonlat = _ou(t, tau_s=DAY, sd_m=0.02, seed=11) + [131.2, 43.1]
    ranges, caught = _akde(_fixes("L1", t, lonlat))
    assert not ranges["plausible"].any()
    why = ranges["plausibility"].iloc[0]
    assert "look like degrees, but the CRS is projected" in why  # the fixes
    assert "movement model: the coordinates look like longitude/latitude degrees" in why
    assert any(
        str(w.message).startswith("individual 'L1': ") and "longitude/latitude" in str(w.message)
        for w in caught
    )
    # declared as degrees they are projected first: nothing to say
    ranges, _ = _akde(_fixes("L1", t, lonlat, crs="EPSG:4326"))
    assert (ranges["model_notes"] == "").all() and ranges["plausible"].all()
