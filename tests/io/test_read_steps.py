"""The steps of read_relocations (load, locate, parse fields, assemble, flag), one by one."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import CRSError, DataQualityWarning, MissingCRSError
from habitat.io import read_camera_traps, read_relocations

UTC = "UTC"


def _movebank_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "individual-local-identifier": ["Leo 1F", "Leo 1F"],
            "location-long": [131.0, 131.01],
            "location-lat": [43.0, 43.0],
            "timestamp": ["2024-03-01 00:00:00.000", "2024-03-01 01:00:00.000"],
        }
    )


def test_read_relocations_emits_no_deprecation_warning_with_defaults(
    movebank_csv: Path, write_text
) -> None:
    clean = write_text("clean.csv", "id,x,y,timestamp\nA,500000,4800000,2024-01-01T00:00Z\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        read_relocations(movebank_csv)
        read_relocations(clean, crs="EPSG:32652")
        read_relocations(_movebank_frame())
        detections = pd.DataFrame(
            {"station": ["S1"], "id": ["A"], "lon": [131.0], "lat": [43.0]}
        ).assign(timestamp="2024-01-01T00:00Z")
        read_camera_traps(detections, crs="EPSG:4326")


# ----------------------------------------------------------------------------- load
def test_load_detects_movebank_columns_in_a_dataframe_unless_told_otherwise() -> None:
    fixes = read_relocations(_movebank_frame())
    assert fixes.crs.to_epsg() == 4326  # Movebank: WGS 84 ...
    assert fixes["timestamp"].iloc[1] == pd.Timestamp("2024-03-01 01:00", tz=UTC)  # ... and UTC
    with pytest.raises(MissingCRSError, match=r"never guesses"):
        read_relocations(_movebank_frame(), format="csv")


def test_load_reads_compressed_and_semicolon_separated_csv(tmp_path: Path) -> None:
    text = "id;x;y;timestamp\n007;500000;4800000;2024-01-01T00:00Z\n"
    path = tmp_path / "fixes.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    fixes = read_relocations(path, crs="EPSG:32652")
    assert fixes["individual"].tolist() == ["007"]  # read as text, leading zeros kept
    assert fixes.geometry.x.tolist() == [500000.0]


# ----------------------------------------------------------------------------- locate
def test_locate_refuses_a_projected_crs_for_movebank(movebank_csv: Path) -> None:
    with pytest.raises(CRSError, match=r"WGS 84 by definition.*crs='EPSG:32652'"):
        read_relocations(movebank_csv, crs="EPSG:32652")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        assert read_relocations(movebank_csv, crs="EPSG:4326").crs.to_epsg() == 4326


def test_locate_warns_at_the_callers_line_when_metres_look_like_degrees(write_text) -> None:
    path = write_text("deg.csv", "id,lon,lat,timestamp\nA,131.2,43.1,2024-01-01T00:00Z\n")
    with pytest.warns(DataQualityWarning, match=r"look like degrees.*crs='EPSG:4326'") as rec:
        read_relocations(path, crs="EPSG:32652")
    assert [Path(r.filename) for r in rec] == [Path(__file__)]


# ----------------------------------------------------------------------------- fields
def test_fields_join_separate_date_and_time_columns(write_text) -> None:
    path = write_text("split.csv", "id,x,y,date,time\nA,500000,4800000,2024-03-01,10:00\n")
    fixes = read_relocations(path, crs="EPSG:32652", tz="Asia/Vladivostok")
    assert fixes["timestamp"].tolist() == [pd.Timestamp("2024-03-01 00:00", tz=UTC)]
    assert fixes[["date", "time"]].iloc[0].tolist() == ["2024-03-01", "10:00"]  # kept as text


def test_fields_sex_from_the_data_wins_over_the_reference_with_a_warning(write_text) -> None:
    path = write_text(
        "mb.csv",
        "timestamp,location-long,location-lat,individual-local-identifier,sex\n"
        "2024-01-01 00:00:00.000,131,43,A,f\n"
        "2024-01-01 00:00:00.000,131,43,B,\n",
    )
    ref = pd.DataFrame({"animal-id": ["A", "B"], "animal-sex": ["m", "m"]})
    with pytest.warns(DataQualityWarning, match=r"differ for individual\(s\) 'A'") as rec:
        fixes = read_relocations(path, reference=ref)
    assert fixes["sex"].tolist() == ["F", "M"]
    assert [Path(r.filename) for r in rec] == [Path(__file__)]


# ----------------------------------------------------------------------------- assemble
def test_assemble_puts_own_columns_first_and_renames_clashing_input_columns() -> None:
    df = pd.DataFrame(
        {
            "id": ["B", "A", "A"],
            "x": [500000.0, 500000.0, 500500.0],
            "y": [4800000.0] * 3,
            "timestamp": ["2024-01-01T00:00Z", "2024-01-01T01:00Z", "2024-01-01T00:00Z"],
            "source": ["collar"] * 3,
            "station": ["none"] * 3,
            "flag_any": [True] * 3,
            "speed_kmh": [99.0] * 3,
        }
    )
    fixes = read_relocations(df, crs="EPSG:32652")
    own = ["individual", "timestamp", "sex", "source", "source_row"]
    inputs = ["id", "x", "y", "source_original", "station_original"]
    assert list(fixes.columns[: len(own) + len(inputs)]) == own + inputs
    assert fixes.columns[-1] == "geometry"
    assert fixes["source_row"].tolist() == [3, 2, 1]  # A by time, then B
    assert not fixes["flag_any"].any()  # recomputed, not taken from the input
    assert np.isnan(fixes["speed_kmh"].iloc[0])
    assert fixes["speed_kmh"].iloc[1] == pytest.approx(0.5, rel=1e-3)


# ----------------------------------------------------------------------------- flag
def test_flag_step_warns_only_when_something_is_flagged(write_text) -> None:
    clean = write_text(
        "clean.csv",
        "id,x,y,timestamp\nA,500000,4800000,2024-01-01T00:00Z\nA,500100,4800000,2024-01-01T01:00Z\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        read_relocations(clean, crs="EPSG:32652", max_speed_kmh=20)
    # with two fixes only, the spike rule flags both ends of the too-fast step
    with pytest.warns(DataQualityWarning, match=r"^2 of 2 fixes flagged \(2 speed;") as rec:
        read_relocations(clean, crs="EPSG:32652", max_speed_kmh=0.05)
    assert [Path(r.filename) for r in rec] == [Path(__file__)]
