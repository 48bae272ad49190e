"""Reading relocations: formats, schema, time zones, sex, and every refused input."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Geod

from habitat.core.errors import (
    ColumnError,
    CoordinateError,
    CRSMismatchError,
    DataFileError,
    DataQualityWarning,
    EmptyDataError,
    GeometryTypeError,
    InputError,
    MissingCRSError,
    TimestampError,
)
from habitat.io import read_camera_traps, read_relocations

#: Real relocation data sets, outside the repository (optional; tests skip without them).
SHARED_RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"

UTC = "UTC"


def _read(*args, **kwargs) -> gpd.GeoDataFrame:
    """read_relocations without the (expected) flag summary warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_relocations(*args, **kwargs)


# ----------------------------------------------------------------------------- Movebank
def test_movebank_schema_sorting_and_flags(movebank_csv: Path, movebank_reference: Path) -> None:
    with pytest.warns(DataQualityWarning, match=r"3 of 8 fixes flagged"):
        fixes = read_relocations(movebank_csv, reference=movebank_reference, max_speed_kmh=20)

    assert fixes.crs.equals(CRS.from_epsg(4326))
    assert str(fixes["timestamp"].dtype) == "datetime64[ns, UTC]"
    # sorted by individual then time; source_row points back at the data line
    assert fixes["individual"].tolist() == ["Leo 1F"] * 6 + ["Leo 2M"] * 2
    assert fixes["source_row"].tolist() == [2, 3, 4, 5, 6, 7, 8, 1]
    assert fixes["sex"].tolist() == ["F"] * 6 + ["M"] * 2
    hours = [0, 1, 2, 3, 3, 4, 0, 6]
    expected = [pd.Timestamp("2024-03-01", tz=UTC) + pd.Timedelta(hours=h) for h in hours]
    assert fixes["timestamp"].tolist() == expected
    # source columns are kept under their own names
    assert fixes["event-id"].tolist() == [102, 103, 104, 105, 106, 107, 108, 101]
    assert fixes["individual-local-identifier"].tolist() == fixes["individual"].tolist()
    assert fixes["source"].unique().tolist() == ["telemetry"]

    by_row = fixes.set_index("source_row")
    assert by_row.loc[7, "geometry"] is None
    assert by_row["flag_missing_coords"][lambda s: s].index.tolist() == [7]
    assert by_row["flag_duplicate"][lambda s: s].index.tolist() == [6]
    assert by_row["flag_speed"][lambda s: s].index.tolist() == [4]  # not row 5 (spike rule)
    assert by_row["flag_impossible_coords"].sum() == 0
    assert by_row["flag_any"][lambda s: s].index.tolist() == [4, 6, 7]

    geod = Geod(ellps="WGS84")
    v_in = geod.inv(131.01, 43.0, 131.5, 43.0)[2] / 1000  # km in one hour
    v_out = geod.inv(131.5, 43.0, 131.02, 43.0)[2] / 1000
    # 0.49 degrees of longitude at 43 N is about 0.49 * 111.32 * cos(43 deg) = 39.9 km
    assert v_in == pytest.approx(0.49 * 111.32 * np.cos(np.radians(43)), rel=5e-3)
    assert by_row.loc[4, "speed_kmh"] == pytest.approx(v_in)
    assert by_row.loc[4, "flag_reason"] == (
        f"speed {v_in:.1f} km/h from row 3 and {v_out:.1f} km/h to row 5 both exceed 20 km/h "
        "(spike)"
    )
    assert by_row.loc[6, "flag_reason"] == "duplicate of row 5 (same individual and timestamp)"
    assert by_row.loc[7, "flag_reason"] == "missing coordinates"
    assert by_row.loc[[1, 2, 3, 5, 8], "flag_reason"].tolist() == [""] * 5


def test_movebank_without_speed_limit_flags_no_speed(movebank_csv: Path) -> None:
    fixes = _read(movebank_csv)
    assert not fixes["flag_speed"].any()
    assert fixes["sex"].unique().tolist() == ["unknown"]  # no sex column, no reference
    # speeds from the previous valid fix: rows 3, 4, 5 of Leo 1F (not the duplicate, not the
    # fix without coordinates, not the first fix) and row 1 of Leo 2M
    has_speed = fixes.loc[fixes["speed_kmh"].notna(), "source_row"].tolist()
    assert has_speed == [3, 4, 5, 1]


def test_movebank_sex_column_codes_and_reference_dataframe(write_text) -> None:
    path = write_text(
        "mb.csv",
        "timestamp,location-long,location-lat,individual-local-identifier,sex\n"
        "2024-01-01 00:00:00.000,131,43,A,Female\n"
        "2024-01-01 01:00:00.000,131,43,A,\n"
        "2024-01-01 00:00:00.000,131,43,B,u\n"
        "2024-01-01 00:00:00.000,131,43,C,M\n",
    )
    ref = pd.DataFrame({"animal-id": ["B", "C"], "animal-sex": ["m", "m"]})
    fixes = _read(path, reference=ref)
    assert fixes["sex"].tolist() == ["F", "F", "M", "M"]  # A's blank row takes A's sex


# ----------------------------------------------------------------------------- time zones
def test_naive_timestamps_with_tz_are_converted_to_utc(write_text) -> None:
    path = write_text("naive.csv", "id,x,y,date\nLeo,500000,4800000,2024-03-01 10:00\n")
    fixes = _read(path, crs="EPSG:32652", tz="Asia/Vladivostok")
    assert fixes["timestamp"].iloc[0] == pd.Timestamp("2024-03-01 00:00", tz=UTC)
    assert fixes["date"].iloc[0] == "2024-03-01 10:00"  # the source column is kept as text


def test_timestamps_with_mixed_offsets_need_no_tz(write_text) -> None:
    path = write_text(
        "offsets.csv",
        "id,x,y,timestamp\n"
        "Leo,500000,4800000,2024-03-01T10:00:00+10:00\n"
        "Leo,500100,4800000,2024-03-01T01:30:00Z\n",
    )
    fixes = _read(path, crs="EPSG:32652")
    assert fixes["timestamp"].tolist() == [
        pd.Timestamp("2024-03-01 00:00", tz=UTC),
        pd.Timestamp("2024-03-01 01:30", tz=UTC),
    ]


def test_timestamp_format_for_non_iso_dates(write_text) -> None:
    path = write_text("dmy.csv", "id,x,y,date\nLeo,500000,4800000,02.03.2024 10:00\n")
    fixes = _read(path, crs="EPSG:32652", tz="UTC", timestamp_format="%d.%m.%Y %H:%M")
    assert fixes["timestamp"].iloc[0] == pd.Timestamp("2024-03-02 10:00", tz=UTC)


# ----------------------------------------------------------------------------- generic CSV
def test_generic_csv_in_utm_keeps_metres_and_crs(write_text) -> None:
    path = write_text(
        "utm.csv",
        "animal,easting,northing,datetime,habitat\n"
        "Leo 3M,512345.5,4812345.25,2024-03-01T00:00:00Z,forest\n"
        "Leo 3M,512400.0,4812400.0,2024-03-01T03:00:00Z,forest\n",
    )
    fixes = _read(path, crs="EPSG:32652")
    assert fixes.crs.to_epsg() == 32652
    assert shapely.get_x(fixes.geometry.to_numpy()).tolist() == [512345.5, 512400.0]
    assert shapely.get_y(fixes.geometry.to_numpy()).tolist() == [4812345.25, 4812400.0]
    assert fixes["habitat"].tolist() == ["forest", "forest"]
    assert fixes["individual"].tolist() == ["Leo 3M", "Leo 3M"]


def test_numeric_ids_stay_text(write_text) -> None:
    path = write_text("ids.csv", "id,lon,lat,time\n007,131,43,2024-01-01T00:00Z\n")
    fixes = _read(path, crs="EPSG:4326")
    assert fixes["individual"].tolist() == ["007"]


# ----------------------------------------------------------------------------- spatial files
@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".geojson"])
def test_spatial_file_round_trip(
    tmp_path: Path, movebank_csv: Path, movebank_reference: Path, suffix: str
) -> None:
    fixes = _read(movebank_csv, reference=movebank_reference, max_speed_kmh=20)
    path = tmp_path / f"fixes{suffix}"
    if suffix == ".parquet":
        fixes.to_parquet(path)
    else:
        fixes.to_file(path)
    back = _read(path, max_speed_kmh=20)
    assert back.crs.equals(fixes.crs)
    assert back["individual"].tolist() == fixes["individual"].tolist()
    assert back["timestamp"].tolist() == fixes["timestamp"].tolist()
    assert back["sex"].tolist() == fixes["sex"].tolist()
    assert back.geometry.equals(fixes.geometry)
    for col in ["flag_missing_coords", "flag_duplicate", "flag_speed"]:
        assert back[col].tolist() == fixes[col].tolist()
    # our own bookkeeping columns from the first read are kept, renamed
    assert back["source_row_original"].tolist() == fixes["source_row"].tolist()


def test_geopackage_with_several_layers_needs_layer(tmp_path: Path, movebank_csv: Path) -> None:
    fixes = _read(movebank_csv)
    path = tmp_path / "two.gpkg"
    fixes.to_file(path, layer="collars")
    fixes.iloc[:2].to_file(path, layer="other")
    with pytest.raises(DataFileError, match=r"two\.gpkg.*several layers.*'collars'.*layer="):
        read_relocations(path)
    assert len(_read(path, layer="other")) == 2


# ----------------------------------------------------------------------------- in memory
def test_dataframe_input_needs_crs_and_uses_positions() -> None:
    df = pd.DataFrame(
        {
            "individual": ["B", "A"],
            "longitude": [131.1, 131.0],
            "latitude": [43.1, 43.0],
            "timestamp": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:00"]).tz_localize(
                "Asia/Vladivostok"
            ),
        },
        index=[10, 20],
    )
    with pytest.raises(MissingCRSError, match=r"input DataFrame.*crs='EPSG:4326'"):
        read_relocations(df)
    fixes = _read(df, crs="EPSG:4326")
    assert fixes["individual"].tolist() == ["A", "B"]
    assert fixes["source_row"].tolist() == [2, 1]
    assert fixes["timestamp"].iloc[0] == pd.Timestamp("2023-12-31 14:00", tz=UTC)


def test_geodataframe_input() -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["A", "A"], "time": ["2024-01-01T00:00Z", "2024-01-01T01:00Z"]},
        geometry=gpd.points_from_xy([500000, 500500], [4800000, 4800000]),
    )
    with pytest.raises(MissingCRSError, match=r"crs='EPSG:32652'"):
        read_relocations(gdf)
    fixes = _read(gdf.set_crs("EPSG:32652"))
    assert fixes.crs.to_epsg() == 32652
    assert fixes["speed_kmh"].iloc[1] == pytest.approx(0.5, rel=1e-3)  # 500 m in 1 h
    assert _read(gdf, crs="EPSG:32652").crs.to_epsg() == 32652
    with pytest.raises(CRSMismatchError, match=r"EPSG:4326.*omit crs="):
        read_relocations(gdf.set_crs("EPSG:32652"), crs="EPSG:4326")


# ----------------------------------------------------------------------------- camera traps
def test_camera_trap_detections(write_text) -> None:
    path = write_text(
        "camtrap.csv",
        "Station,Species,Individual,DateTimeOriginal,lon,lat\n"
        "ST01,Panthera pardus orientalis,Leo 5F,2024-05-01 22:15:00,131.10,43.20\n"
        "ST02,Panthera pardus orientalis,Leo 5F,2024-05-02 03:40:00,131.14,43.22\n"
        "ST02,Panthera pardus orientalis,Leo 5F,2024-05-02 03:40:00,131.14,43.22\n"
        "ST01,Panthera pardus orientalis,Leo 7M,2024-05-01 23:00:00,131.10,43.20\n",
    )
    fixes = _read_camera(path)
    assert fixes["station"].tolist() == ["ST01", "ST02", "ST02", "ST01"]
    assert fixes["source"].unique().tolist() == ["camera_trap"]
    assert fixes["individual"].tolist() == ["Leo 5F", "Leo 5F", "Leo 5F", "Leo 7M"]
    assert fixes["timestamp"].iloc[0] == pd.Timestamp("2024-05-01 12:15", tz=UTC)
    assert fixes["flag_duplicate"].tolist() == [False, False, True, False]  # photo burst
    assert fixes["Station"].tolist() == fixes["station"].tolist()


def _read_camera(path: Path) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_camera_traps(path, crs="EPSG:4326", tz="Asia/Vladivostok")


def test_camera_traps_need_a_station(write_text) -> None:
    path = write_text("nostation.csv", "id,lon,lat,timestamp\nA,131,43,2024-01-01T00:00Z\n")
    with pytest.raises(ColumnError, match=r"nostation\.csv.*'station'.*station="):
        read_relocations(path, kind="camera_trap", crs="EPSG:4326")


# ----------------------------------------------------------------------------- bad input
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"nowhere\.csv' does not exist.*Check the path"):
        read_relocations(tmp_path / "nowhere.csv", crs="EPSG:4326")


def test_empty_file(write_text) -> None:
    path = write_text("empty.csv", "")
    with pytest.raises(EmptyDataError, match=r"empty\.csv' is empty.*header line"):
        read_relocations(path, crs="EPSG:4326")


def test_header_only_file(write_text) -> None:
    path = write_text("header.csv", "id,x,y,date\n")
    with pytest.raises(EmptyDataError, match=r"header\.csv' has a header but no data rows"):
        read_relocations(path, crs="EPSG:4326")


def test_invalid_geojson(write_text) -> None:
    path = write_text("broken.geojson", '{"type": "FeatureCollection", "features": [')
    with pytest.raises(DataFileError, match=r"broken\.geojson' as a GeoJSON.*valid JSON"):
        read_relocations(path)


def test_invalid_csv(write_text) -> None:
    path = write_text("ragged.csv", "id,x,y,date\nA,1,2,2024-01-01\nA,1,2,2024-01-02,extra,more\n")
    with pytest.raises(DataFileError, match=r"ragged\.csv' is not a valid CSV.*line 3.*delimiter"):
        read_relocations(path, crs="EPSG:32652")


def test_unknown_format(write_text) -> None:
    path = write_text("fixes.dat", "id,x,y\n")
    with pytest.raises(DataFileError, match=r"fixes\.dat.*'\.dat'.*format="):
        read_relocations(path)
    with pytest.raises(InputError, match=r"unknown format='xlsx'.*'csv'"):
        read_relocations(path, format="xlsx")


def test_missing_timestamp_column(write_text) -> None:
    path = write_text("notime.csv", "id,x,y,habitat\nA,500000,4800000,forest\n")
    with pytest.raises(
        ColumnError,
        match=r"no timestamp column found \(in file '.*notime\.csv'\); expected one of "
        r"'timestamp'.*'date'.*columns present are: 'id', 'x', 'y', 'habitat'.*timestamp=",
    ):
        read_relocations(path, crs="EPSG:32652")


def test_missing_coordinate_columns(write_text) -> None:
    path = write_text("nocoords.csv", "id,east,date\nA,5,2024-01-01T00:00Z\n")
    with pytest.raises(ColumnError, match=r"nocoords\.csv.*lon/lat.*'east'.*x='"):
        read_relocations(path, crs="EPSG:32652")


def test_movebank_missing_columns(write_text) -> None:
    path = write_text(
        "mb.csv", "timestamp,location-long,individual-local-identifier\n2024-01-01,131,A\n"
    )
    with pytest.raises(ColumnError, match=r"'location-lat' is missing.*mb\.csv.*format='csv'"):
        read_relocations(path, format="movebank")


def test_no_crs_for_csv(write_text) -> None:
    path = write_text("deg.csv", "id,lon,lat,timestamp\nA,131.2,43.1,2024-01-01T00:00Z\n")
    with pytest.raises(MissingCRSError, match=r"deg\.csv.*never guesses.*crs='EPSG:4326'"):
        read_relocations(path)
    path = write_text("m.csv", "id,x,y,timestamp\nA,512000,4812000,2024-01-01T00:00Z\n")
    with pytest.raises(MissingCRSError, match=r"m\.csv.*look like metres.*crs='EPSG:32652'"):
        read_relocations(path)


def test_latitude_out_of_range(write_text) -> None:
    path = write_text(
        "range.csv",
        "id,lon,lat,timestamp\n"
        "A,131.2,43.1,2024-01-01T00:00Z\n"
        "A,131.2,43.1,2024-01-01T01:00Z\n"
        "Leo 4F,131.2,143.1,2024-01-01T00:00Z\n",
    )
    with pytest.raises(
        CoordinateError, match=r"out of range.*range\.csv', rows 3, individual 'Leo 4F'.*flag"
    ):
        read_relocations(path, crs="EPSG:4326")
    fixes = _read(path, crs="EPSG:4326", invalid_coords="flag")
    assert fixes.set_index("source_row").loc[3, "flag_impossible_coords"]
    assert fixes["flag_impossible_coords"].sum() == 1


def test_swapped_lat_lon(write_text) -> None:
    path = write_text(
        "swapped.csv",
        "id,lon,lat,timestamp\nA,43.1,131.2,2024-01-01T00:00Z\nA,43.2,131.3,2024-01-01T01:00Z\n",
    )
    with pytest.raises(
        CoordinateError, match=r"look swapped.*swapped\.csv', rows 1, 2, individual 'A'.*x='lat'"
    ):
        read_relocations(path, crs="EPSG:4326")


def test_metres_declared_as_degrees(write_text) -> None:
    path = write_text("utm_as_deg.csv", "id,x,y,timestamp\nA,512000,4812000,2024-01-01T00:00Z\n")
    with pytest.raises(
        CoordinateError, match=r"projected metres.*EPSG:4326.*utm_as_deg\.csv.*crs='EPSG:32652'"
    ):
        read_relocations(path, crs="EPSG:4326")


def test_non_numeric_coordinates(write_text) -> None:
    path = write_text(
        "dms.csv",
        "id,lon,lat,timestamp\nA,131.2,43.1,2024-01-01T00:00Z\nA,131°12',43.1,2024-01-01T01:00Z\n",
    )
    with pytest.raises(CoordinateError, match=r"'lon'.*dms\.csv', rows 2.*decimal degrees"):
        read_relocations(path, crs="EPSG:4326")


def test_non_point_geometries(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["A", "A"], "timestamp": ["2024-01-01T00:00Z", "2024-01-01T01:00Z"]},
        geometry=[shapely.Point(131, 43), shapely.LineString([(131, 43), (131.1, 43.1)])],
        crs="EPSG:4326",
    )
    path = tmp_path / "lines.geojson"
    gdf.to_file(path)
    with pytest.raises(GeometryTypeError, match=r"LineString.*lines\.geojson', rows 2.*points"):
        read_relocations(path)


def test_unknown_sex_codes(write_text) -> None:
    path = write_text(
        "sex.csv",
        "id,lon,lat,timestamp,sex\n"
        "A,131,43,2024-01-01T00:00Z,1\n"
        "B,131,43,2024-01-01T00:00Z,2\n"
        "C,131,43,2024-01-01T00:00Z,f\n",
    )
    with pytest.raises(
        ColumnError, match=r"unknown sex code\(s\) '1', '2'.*sex\.csv', rows 1, 2.*sex_codes="
    ):
        read_relocations(path, crs="EPSG:4326")
    fixes = _read(path, crs="EPSG:4326", sex_codes={"1": "M", "2": "F"})
    assert fixes["sex"].tolist() == ["M", "F", "F"]


def test_individual_with_both_sexes(write_text) -> None:
    path = write_text(
        "both.csv",
        "id,lon,lat,timestamp,sex\nA,131,43,2024-01-01T00:00Z,m\nA,131,43,2024-01-01T01:00Z,f\n",
    )
    with pytest.raises(ColumnError, match=r"both sexes.*both\.csv', rows 1, 2, individual 'A'"):
        read_relocations(path, crs="EPSG:4326")


def test_naive_timestamps_without_tz(write_text) -> None:
    path = write_text(
        "naive.csv",
        "id,x,y,date\nLeo 3M,500000,4800000,2024-03-01T10:00:00+10:00\n"
        "Leo 3M,500000,4800000,2024-03-01 11:00\n",
    )
    with pytest.raises(
        TimestampError,
        match=r"no time zone.*naive\.csv', rows 2, individual 'Leo 3M'.*tz='Asia/Vladivostok'",
    ):
        read_relocations(path, crs="EPSG:32652")
    fixes = _read(path, crs="EPSG:32652", tz="Asia/Vladivostok")
    assert fixes["timestamp"].tolist() == [
        pd.Timestamp("2024-03-01 00:00", tz=UTC),
        pd.Timestamp("2024-03-01 01:00", tz=UTC),
    ]


def test_unparseable_timestamps(write_text) -> None:
    path = write_text(
        "baddates.csv",
        "id,x,y,date\nA,500000,4800000,2024-03-01T10:00Z\nB,500000,4800000,next tuesday\n",
    )
    with pytest.raises(
        TimestampError,
        match=r"cannot parse 1 timestamp.*baddates\.csv', rows 2, individual 'B'\), e\.g\. "
        r"'next tuesday'.*timestamp_format=.*clean the column",
    ):
        read_relocations(path, crs="EPSG:32652")


def test_missing_timestamps_and_ids(write_text) -> None:
    path = write_text("gaps.csv", "id,x,y,date\nA,500000,4800000,\n")
    with pytest.raises(TimestampError, match=r"missing.*gaps\.csv', rows 1, individual 'A'"):
        read_relocations(path, crs="EPSG:32652")
    path = write_text("noid.csv", "id,x,y,date\n,500000,4800000,2024-01-01T00:00Z\n")
    with pytest.raises(ColumnError, match=r"individual id is missing.*noid\.csv', rows 1.*drop"):
        read_relocations(path, crs="EPSG:32652")


def test_movebank_refuses_tz(movebank_csv: Path) -> None:
    with pytest.raises(TimestampError, match=r"UTC by definition.*leopards_movebank.*format='csv'"):
        read_relocations(movebank_csv, tz="Asia/Vladivostok")


def test_unknown_time_zone(movebank_csv: Path) -> None:
    with pytest.raises(TimestampError, match=r"unknown time zone.*'Asia/Vladivostok'"):
        read_relocations(movebank_csv, tz="Asia/Vladivstok")


def test_missing_coordinates_are_flagged_not_refused(write_text) -> None:
    path = write_text(
        "gappy.csv", "id,x,y,date\nA,500000,4800000,2024-01-01T00:00Z\nA,,,2024-01-01T01:00Z\n"
    )
    with pytest.warns(DataQualityWarning, match=r"1 of 2 fixes flagged \(1 missing coords"):
        fixes = read_relocations(path, crs="EPSG:32652")
    assert fixes["flag_missing_coords"].tolist() == [False, True]
    assert fixes.geometry.iloc[1] is None


# ----------------------------------------------------------------------------- real data
@pytest.mark.skipif(not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present")
def test_real_data_puechcirc_and_lynxjura() -> None:
    puech = _read(SHARED_RELOCATIONS / "puechcirc.csv", crs="EPSG:27572")
    assert len(puech) == 163
    assert puech["individual"].value_counts().to_dict() == {"CH93": 116, "JE93": 47}
    assert puech["timestamp"].iloc[0] == pd.Timestamp("1993-08-24 15:00", tz=UTC)
    assert puech["burst"].nunique() == 3

    with pytest.raises(TimestampError, match=r"no time zone.*lynxjura\.csv', rows 1, 2.*tz="):
        read_relocations(SHARED_RELOCATIONS / "lynxjura.csv", crs="EPSG:27572")
    lynx = _read(SHARED_RELOCATIONS / "lynxjura.csv", crs="EPSG:27572", tz="Europe/Paris")
    assert len(lynx) == 1319
    assert lynx["individual"].unique().tolist() == ["jura"]
    assert lynx["timestamp"].min() == pd.Timestamp("1980-12-30 23:00", tz=UTC)


# ----------------------------------------------------------------------------- ids (one rule)
def _csv_track(ids: list[str], *, hours: int = 6) -> str:
    """A CSV with ``hours`` hourly fixes per id (UTM 52N metres, UTC)."""
    lines = ["id,x,y,date"]
    for k, ident in enumerate(ids):
        for h in range(hours):
            lines.append(
                f"{ident},{500_000 + 1000 * k + 100 * h},{4_800_000 + 50 * h},"
                f"2024-05-01T{h:02d}:00Z"
            )
    return "\n".join(lines) + "\n"


def test_words_pandas_reads_as_missing_are_ids(write_text) -> None:
    path = write_text("na_ids.csv", _csv_track(["NA", "None", "nan", "NULL", "n/a"]))
    fixes = _read(path, crs="EPSG:32652")
    assert fixes["individual"].value_counts().sort_index().to_dict() == {
        "NA": 6,
        "NULL": 6,
        "None": 6,
        "n/a": 6,
        "nan": 6,
    }
    assert not fixes["flag_any"].any()  # nothing merged, so nothing duplicated
    # the other columns still read NA words as missing
    gap = write_text("na_xy.csv", "id,x,y,date\nNA,NA,NA,2024-05-01T00:00Z\n")
    assert _read(gap, crs="EPSG:32652")["flag_missing_coords"].tolist() == [True]


def test_movebank_and_camera_trap_ids_named_like_missing_values(write_text) -> None:
    movebank = write_text(
        "mb.csv",
        "timestamp,location-long,location-lat,individual-local-identifier\n"
        "2024-03-01 00:00:00.000,131.0,43.0,NA\n"
        "2024-03-01 01:00:00.000,131.0,43.0,None\n",
    )
    assert _read(movebank)["individual"].tolist() == ["NA", "None"]
    traps = pd.DataFrame(
        {
            "station": ["NA", "KP-01"],
            "lon": [131.1, 131.2],
            "lat": [43.1, 43.1],
            "individual": ["Leo 5M", "Leo 5M"],
            "DateTimeOriginal": ["2024-03-01T00:00Z", "2024-03-02T00:00Z"],
        }
    )
    path = write_text("traps.csv", traps.to_csv(index=False))
    assert _read(path, kind="camera_trap", crs="EPSG:4326")["station"].tolist() == ["NA", "KP-01"]


def test_reference_ids_named_like_missing_values_match(write_text) -> None:
    data = write_text(
        "mb.csv",
        "timestamp,location-long,location-lat,individual-local-identifier\n"
        "2024-03-01 00:00:00.000,131.0,43.0,NA\n",
    )
    ref = write_text("ref.csv", "animal-id,animal-sex\nNA,f\n")
    assert _read(data, reference=ref)["sex"].tolist() == ["F"]


def test_ids_differing_only_in_blanks_or_type_merge_with_a_warning_listing_them() -> None:
    table = pd.DataFrame(
        {
            "individual": [1] * 3 + ["1"] * 3 + ["1 "] * 3 + ["2"] * 3,
            "x": 500_000.0 + np.arange(12) * 100,
            "y": 4_800_000.0,
            "timestamp": pd.date_range("2024-05-01", periods=12, freq="h", tz="UTC"),
        }
    ).astype({"individual": object})
    with pytest.warns(DataQualityWarning, match=r"merged into one.*'1' <- 1, '1', '1 '") as rec:
        fixes = read_relocations(table, crs="EPSG:32652")
    assert fixes["individual"].value_counts().to_dict() == {"1": 9, "2": 3}
    # one warning for the merge (the '2' group is not listed), one for the flag summary
    merge = [str(w.message) for w in rec if "merged" in str(w.message)]
    assert len(merge) == 1 and "'2'" not in merge[0]


def test_ids_in_a_csv_keep_case_and_inner_blanks(write_text) -> None:
    path = write_text("case.csv", _csv_track(["Leo 1", "leo 1", "Leo  1", '" Leo 1"']))
    with pytest.warns(DataQualityWarning, match=r"'Leo 1' <- 'Leo 1', ' Leo 1'"):
        fixes = read_relocations(path, crs="EPSG:32652")
    assert fixes["individual"].value_counts().sort_index().to_dict() == {
        "Leo  1": 6,
        "Leo 1": 12,
        "leo 1": 6,
    }


@pytest.mark.parametrize("char", ["\\x00", "\\n", "\\x1b", "\\u200b"])
def test_ids_with_control_characters_are_refused_naming_the_row(write_text, char) -> None:
    bad = "Leo" + char.encode().decode("unicode_escape") + "1"
    path = write_text("ctl.csv", _csv_track(["Leo 2", f'"{bad}"'], hours=2))
    with pytest.raises(ColumnError, match=r"control or invisible.*ctl\.csv', rows 3, 4\)"):
        read_relocations(path, crs="EPSG:32652")


def test_an_overflowing_coordinate_is_flagged_not_fatal(write_text) -> None:
    text = _csv_track(["Leo"], hours=8).replace("500300,", "1e400,")
    path = write_text("overflow.csv", text)
    with pytest.warns(DataQualityWarning, match=r"1 of 8 fixes flagged \(1 impossible coords"):
        fixes = read_relocations(path, crs="EPSG:32652")
    assert fixes["flag_reason"].tolist() == [""] * 3 + ["infinite coordinates"] + [""] * 4
    assert fixes["source_row"][fixes["flag_any"]].tolist() == [4]


# ----------------------------------------------------------------------------- files
@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zip"])
def test_a_file_that_only_pretends_to_be_compressed(write_text, suffix) -> None:
    path = write_text(f"fixes.csv{suffix}", _csv_track(["Leo"]))
    with pytest.raises(DataFileError, match=rf"fixes\.csv\{suffix}'.*not complete.*Rename it"):
        read_relocations(path, crs="EPSG:32652")


def test_a_truncated_gzip_file_and_a_real_one(tmp_path: Path) -> None:
    import gzip

    data = gzip.compress(_csv_track(["Leo"]).encode())
    (tmp_path / "ok.csv.gz").write_bytes(data)
    assert len(_read(tmp_path / "ok.csv.gz", crs="EPSG:32652")) == 6
    (tmp_path / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match=r"cut\.csv\.gz'.*gzip.*EOFError"):
        read_relocations(tmp_path / "cut.csv.gz", crs="EPSG:32652")


def test_a_folder_where_a_file_is_expected(tmp_path: Path, write_text) -> None:
    folder = tmp_path / "fixes.csv"
    folder.mkdir()
    with pytest.raises(DataFileError, match=r"fixes\.csv' is a folder, not a file"):
        read_relocations(folder, crs="EPSG:32652")
    data = write_text("data.csv", _csv_track(["Leo"]))
    ref = tmp_path / "ref.csv"
    ref.mkdir()
    with pytest.raises(DataFileError, match=r"reference table '.*ref\.csv' is a folder"):
        read_relocations(data, crs="EPSG:32652", reference=ref)
