#!/usr/bin/env python3
"""Generate the bundled demo leopard relocations with :mod:`habitat.datasets.simulate`.

Writes, into ``data/relocations/`` (or ``--out-dir``):

* ``demo_leopards.csv`` -- Movebank-format GPS fixes of 12 simulated leopards
  (6 F, 6 M), one year of 4-hourly fixes, with GPS failures, location error
  and a handful of planted data problems;
* ``demo_leopards_reference.csv`` -- the Movebank reference (deployment) table;
* ``demo_leopards_truth.csv`` -- the true parameters and range areas;
* ``README.md`` -- what the data are, the model, the truth and the planted
  problems (with their ``event-id``).

The output is deterministic (fixed seeds). Run from the repository root::

    .venv/bin/python tools/make_demo_data.py

It needs the bundled land cover (``habitat.datasets.land_cover()``) and the
``land_of_the_leopard`` layer, which place the range centres in forest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from habitat.core.crs import UTM_52N, WGS84  # noqa: E402
from habitat.datasets.simulate import simulate_relocations  # noqa: E402

#: seed of the simulation (the planted problems use SEED + 1)
SEED = 2025
N_FEMALES = 6
N_MALES = 6
DAYS = 365
FIX_INTERVAL_H = 4.0
FIX_SUCCESS = 0.9
LOCATION_ERROR_M = 15.0
START = "2025-01-01T00:00Z"
STUDY_NAME = "habitat demo"  # short: it is repeated on every row
TAXON = "Panthera pardus orientalis"
#: where collars are switched on before deployment (Vladivostok), lon/lat
OFFICE_LONLAT = (131.8855, 43.1155)

FIX_COLUMNS = [
    "event-id",
    "visible",
    "timestamp",
    "location-long",
    "location-lat",
    "individual-local-identifier",
    "tag-local-identifier",
    "sensor-type",
    "individual-taxon-canonical-name",
    "study-name",
]


def leopard_name(sim_id: str) -> str:
    """``F01`` -> ``Leo 1F``, ``M06`` -> ``Leo 6M`` (Movebank-style animal names)."""
    return f"Leo {int(sim_id[1:])}{sim_id[0]}"


def simulate() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulated fixes (lon/lat, with UTM x/y) and the truth table, animals renamed."""
    fixes, truth = simulate_relocations(
        n_females=N_FEMALES,
        n_males=N_MALES,
        days=DAYS,
        fix_interval_h=FIX_INTERVAL_H,
        seed=SEED,
        start=START,
        fix_success=FIX_SUCCESS,
        location_error_m=LOCATION_ERROR_M,
        crs=UTM_52N,
    )
    names = {k: leopard_name(k) for k in truth.index}
    tags = {k: str(7101 + i) for i, k in enumerate(truth.index)}
    to_ll = Transformer.from_crs(UTM_52N, WGS84, always_xy=True)
    lon, lat = to_ll.transform(fixes.geometry.x.to_numpy(), fixes.geometry.y.to_numpy())
    df = pd.DataFrame(
        {
            "individual": fixes["individual"].map(names).to_numpy(),
            "tag": fixes["individual"].map(tags).to_numpy(),
            "timestamp": fixes["timestamp"].to_numpy(),
            "lon": lon,
            "lat": lat,
            "visible": True,
            "problem": "",
        }
    )
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    truth = truth.rename(index=names).rename_axis("individual")
    truth.insert(0, "simulation_id", list(names))
    truth.insert(1, "tag_id", [tags[k] for k in names])
    return df, truth


def plant_problems(df: pd.DataFrame) -> pd.DataFrame:
    """Add the documented data problems; each planted row has ``problem`` set."""
    rng = np.random.default_rng(SEED + 1)
    step = pd.Timedelta(hours=FIX_INTERVAL_H)
    to_utm = Transformer.from_crs(WGS84, UTM_52N, always_xy=True)
    to_ll = Transformer.from_crs(UTM_52N, WGS84, always_xy=True)
    animals = sorted(df["individual"].unique(), key=lambda s: (s[-1], int(s[4:-1])))
    new_rows: list[dict] = []
    used: set[tuple[str, pd.Timestamp]] = set()

    def pick(animal: str, *, interior: bool) -> int:
        """Index of a random fix of ``animal`` (with both 4-h neighbours if ``interior``)."""
        g = df[(df["individual"] == animal) & (df["problem"] == "")]
        t = g["timestamp"]
        ok = np.ones(len(g), dtype=bool)
        if interior:
            ts = set(t)
            ok = np.array([(x - step in ts) and (x + step in ts) for x in t])
        ok &= np.array([(animal, x) not in used for x in t])
        ok &= (t > t.min() + 10 * step).to_numpy() & (t < t.max() - 10 * step).to_numpy()
        idx = g.index[ok][rng.integers(0, ok.sum())]
        used.update({(animal, df.at[idx, "timestamp"] + k * step) for k in (-1, 0, 1)})
        return idx

    def shifted(idx: int, dist_m: float) -> tuple[float, float]:
        x, y = to_utm.transform(df.at[idx, "lon"], df.at[idx, "lat"])
        ang = rng.uniform(0, 2 * np.pi)
        return to_ll.transform(x + dist_m * np.cos(ang), y + dist_m * np.sin(ang))

    # 1. exact duplicates (same fix uploaded twice)
    for animal in (animals[0], animals[7], animals[9]):
        i = pick(animal, interior=False)
        new_rows.append({**df.loc[i].to_dict(), "problem": "exact duplicate of the previous row"})
    # 2. same timestamp, different location (a second solution ~200-500 m away)
    for animal in (animals[2], animals[10]):
        i = pick(animal, interior=False)
        lon, lat = shifted(i, rng.uniform(200, 500))
        new_rows.append(
            {
                **df.loc[i].to_dict(),
                "lon": lon,
                "lat": lat,
                "problem": "duplicate timestamp, location 200-500 m from the previous row",
            }
        )
    # 3. single-fix spikes 100-200 km off the track (>= 25 km/h in and out over 4 h)
    for animal in (animals[1], animals[6], animals[8]):
        i = pick(animal, interior=True)
        d = rng.uniform(100_000, 200_000)
        df.loc[i, ["lon", "lat"]] = shifted(i, d)
        df.at[i, "problem"] = f"spike: moved {d / 1000:.0f} km off the track (speed outlier)"
    # 4. a spike already marked as an outlier by the data owner (visible = false)
    i = pick(animals[4], interior=True)
    d = rng.uniform(100_000, 200_000)
    df.loc[i, ["lon", "lat"]] = shifted(i, d)
    df.at[i, "visible"] = False
    df.at[i, "problem"] = f"spike {d / 1000:.0f} km off the track, marked visible=false"
    # 5. failed fixes exported with empty coordinates, at scheduled times with no fix
    for animal in (animals[5], animals[11], animals[11]):
        g = df[df["individual"] == animal]
        have = set(g["timestamp"])
        sched = pd.date_range(START, periods=int(DAYS * 24 / FIX_INTERVAL_H), freq=step)
        free = [
            t
            for t in sched[20:-20]
            if t not in have and (animal, t) not in used and (animal, t - step) not in used
        ]
        t = free[rng.integers(0, len(free))]
        used.add((animal, t))
        new_rows.append(
            {
                **g.iloc[0].to_dict(),
                "timestamp": t,
                "lon": np.nan,
                "lat": np.nan,
                "problem": "failed fix exported with empty coordinates",
            }
        )
    # 6. fixes recorded before deployment, while the collar lay at the office
    animal = animals[6]
    g = df[df["individual"] == animal]
    for hours in (38, 34):  # 2024-12-30 10:00 and 14:00 UTC
        lon, lat = OFFICE_LONLAT
        new_rows.append(
            {
                **g.iloc[0].to_dict(),
                "timestamp": pd.Timestamp(START) - pd.Timedelta(hours=hours),
                "lon": lon + rng.normal(0, 1e-4),
                "lat": lat + rng.normal(0, 1e-4),
                "problem": "before deploy-on-date: collar switched on in Vladivostok",
            }
        )

    out = pd.concat([df, pd.DataFrame(new_rows)], ignore_index=True)
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True)
    out["order"] = np.arange(len(out))
    key = out["individual"].map({a: i for i, a in enumerate(animals)})
    out = out.assign(_key=key).sort_values(["_key", "timestamp", "order"], kind="stable")
    out = out.drop(columns=["_key", "order"]).reset_index(drop=True)
    out.insert(0, "event-id", np.arange(1, len(out) + 1))
    return out


def movebank_fixes(df: pd.DataFrame) -> pd.DataFrame:
    """The Movebank CSV table (strings, as written)."""

    def coord(v: pd.Series) -> pd.Series:
        return v.map(lambda x: "" if pd.isna(x) else f"{x:.6f}")

    return pd.DataFrame(
        {
            "event-id": df["event-id"].astype(str),
            "visible": np.where(df["visible"], "true", "false"),
            "timestamp": df["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S.000"),
            "location-long": coord(df["lon"]),
            "location-lat": coord(df["lat"]),
            "individual-local-identifier": df["individual"],
            "tag-local-identifier": df["tag"],
            "sensor-type": "gps",
            "individual-taxon-canonical-name": TAXON,
            "study-name": STUDY_NAME,
        },
        columns=FIX_COLUMNS,
    )


def reference_table(truth: pd.DataFrame) -> pd.DataFrame:
    """Movebank reference (deployment) table: one row per animal."""
    on = pd.Timestamp(START)
    off = on + pd.Timedelta(days=DAYS)
    fmt = "%Y-%m-%d %H:%M:%S.000"
    return pd.DataFrame(
        {
            "animal-id": truth.index,
            "animal-sex": truth["sex"].str.lower().to_numpy(),
            "tag-id": truth["tag_id"].to_numpy(),
            "deploy-on-date": on.strftime(fmt),
            "deploy-off-date": off.strftime(fmt),
            "animal-taxon": TAXON,
            "animal-life-stage": "adult",
        }
    )


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.to_numpy()]
    return "\n".join(lines)


def readme(truth: pd.DataFrame, planted: pd.DataFrame, n_rows: int, size_mb: float) -> str:
    """The data folder's README (generated, so it always matches the files)."""
    t = truth.reset_index()
    shown = pd.DataFrame(
        {
            "animal": t["individual"],
            "sex": t["sex"],
            "tag": t["tag_id"],
            "centre lon": t["centre_lon"].map("{:.4f}".format),
            "centre lat": t["centre_lat"].map("{:.4f}".format),
            "sigma (m)": t["sigma_m"].map("{:.0f}".format),
            "true 95 % area (km²)": t["true_area_95_km2"].map("{:.1f}".format),
            "(sq mi)": t["true_area_95_sq_mi"].map("{:.1f}".format),
            "true 50 % area (km²)": t["true_area_50_km2"].map("{:.1f}".format),
            "fixes simulated": t["n_fixes"],
        }
    )
    p = planted[["event-id", "individual", "timestamp", "problem"]].copy()
    p["timestamp"] = p["timestamp"].dt.strftime("%Y-%m-%d %H:%M")
    tau = float(truth["tau_days"].iloc[0])
    rho = float(np.exp(-FIX_INTERVAL_H / 24 / tau))
    return f"""# Demo relocations: simulated Amur leopards

**These are not real animals.** The files here are simulated with
`habitat.datasets.simulate.simulate_relocations` by `tools/make_demo_data.py`, so that
every home-range estimate can be checked against a known truth. No real
leopard locations are shipped (real locations of an endangered cat are
sensitive). Do not cite them as field data.

| file | what |
|---|---|
| `demo_leopards.csv` | {n_rows:,} GPS fixes in Movebank CSV format ({size_mb:.1f} MB) |
| `demo_leopards_reference.csv` | Movebank reference table: animal, sex (`f`/`m`), tag, \
deployment dates |
| `demo_leopards_truth.csv` | true range centre, σ, τ and true 50 % / 95 % range areas per animal |

Read them with

```python
from habitat.io.relocations import read_relocations
fixes = read_relocations("data/relocations/demo_leopards.csv",
                         reference="data/relocations/demo_leopards_reference.csv")
```

## Model and parameters

* {N_FEMALES} females (`Leo 1F` … `Leo {N_FEMALES}F`) and {N_MALES} males
  (`Leo 1M` … `Leo {N_MALES}M`), tags 7101–{7100 + N_FEMALES + N_MALES}.
* One year ({DAYS} days) from {START[:10]} 00:00 UTC, a fix scheduled every
  {FIX_INTERVAL_H:g} h ({int(DAYS * 24 / FIX_INTERVAL_H):,} scheduled fixes per animal).
* Movement: isotropic 2-D Ornstein–Uhlenbeck process around each animal's
  range centre, simulated exactly (Gaussian transition, no discretisation
  error) and started from its stationary distribution, in UTM 52N metres
  (EPSG:32652). Home-range crossing time τ = {tau:g} days for every animal
  (lag-{FIX_INTERVAL_H:g} h autocorrelation e^(−Δt/τ) = {rho:.3f}).
* True range: the stationary distribution is a circular bivariate normal with
  per-axis standard deviation σ, so the true p-range area is −2 ln(1−p) π σ²
  (95 %: 2π σ² ln 20 ≈ 18.82 σ²; 50 %: 2π σ² ln 2 ≈ 4.36 σ²).
* True 95 % areas drawn log-uniformly in 15–38 sq mi (females) and
  60–155 sq mi (males), i.e. 38.8–98.4 and 155.4–401.4 km².
* Centres: forest cells (land-cover class 1) of the bundled land cover inside
  the Land of the Leopard National Park plus a 5 km buffer, spread by
  best-candidate sampling (10 candidates; the one farthest from the centres
  already placed for the same sex), so males are spaced apart and females are
  spaced apart, while female ranges may overlap male ranges.
* GPS: each scheduled fix succeeds with probability {FIX_SUCCESS:g} (failures are
  simply absent from the file, except the three planted below); Gaussian location
  error with σ = {LOCATION_ERROR_M:g} m per axis. Coordinates are rounded to 6
  decimals (≈ 0.1 m).
* Seed: `{SEED}` (`simulate_relocations(seed={SEED}, ...)`); the planted
  problems use `numpy.random.default_rng({SEED + 1})`.

## Truth

`demo_leopards_truth.csv` holds, per animal: `simulation_id`, `tag_id`, `sex`,
`centre_x_m`, `centre_y_m` (EPSG:32652), `centre_lon`, `centre_lat`, `sigma_m`,
`tau_days`, `true_area_95_km2`, `true_area_95_sq_mi`, `true_area_50_km2`,
`true_area_50_sq_mi` and `n_fixes` (successful simulated fixes, before the
planted problems). Areas are of the true (stationary) distribution, not of this
one year of data: a good estimator applied to one year of fixes scatters around
them: with τ = {tau:g} d, one year spans only about {DAYS / tau:.0f} crossing times τ,
which is roughly the effective number of independent fixes for the range area
(not the {int(DAYS * 24 / FIX_INTERVAL_H):,} fixes).

{_md_table(shown)}

## Planted problems

{len(p)} rows carry a deliberate problem, for the cleaning flags
(`habitat.io.cleaning.flag_relocations`) to find. Every other row is a clean
simulated fix (with GPS error).

{_md_table(p)}

What catches them (`read_relocations(..., reference=..., max_speed_kmh=20)`):
exact and timestamp duplicates → `flag_duplicate` (the later row of each
pair); spikes → `flag_speed` (both speed in and speed out exceed 20 km/h);
empty coordinates → `flag_missing_coords`; the `visible=false` spike →
`flag_not_visible` (Movebank's own outlier mark); the two pre-deployment fixes
→ `flag_outside_deployment` (they lie before `deploy-on-date` in the reference
table; their speed to the first real fix is only a few km/h, so no speed rule
would catch them). `tests/test_cleaning.py` checks that exactly these 14
`event-id`s are flagged.

## Regenerate

```bash
.venv/bin/python tools/make_demo_data.py          # writes into data/relocations/
```

The output is deterministic: byte-for-byte the same for the same versions of
habitat, NumPy (whose random streams may change between releases) and the
bundled land cover.
"""


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=ROOT / "data" / "relocations")
    args = ap.parse_args(argv)
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    df, truth = simulate()
    df = plant_problems(df)
    fixes = movebank_fixes(df)
    fixes_path = out_dir / "demo_leopards.csv"
    fixes.to_csv(fixes_path, index=False, lineterminator="\n")
    reference_table(truth).to_csv(
        out_dir / "demo_leopards_reference.csv", index=False, lineterminator="\n"
    )
    truth.to_csv(out_dir / "demo_leopards_truth.csv", lineterminator="\n", float_format="%.6f")
    size_mb = fixes_path.stat().st_size / 1e6
    planted = df[df["problem"] != ""]
    (out_dir / "README.md").write_text(
        readme(truth, planted, len(fixes), size_mb), encoding="utf-8"
    )
    print(f"wrote {len(fixes):,} fixes ({size_mb:.2f} MB), {len(planted)} planted problems")
    print(f"into {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
