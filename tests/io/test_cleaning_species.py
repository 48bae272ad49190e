"""A species profile's max_speed_kmh is the speed limit of flag_relocations (issue 11).

Oracle: fixes one hour apart along the equator, ``60 / 111.319490793`` degrees
of longitude apart, are 60 km apart on the WGS 84 ellipsoid (its equatorial
radius 6378.137 km gives 111.319490793 km per degree of longitude), so every
step is 60 km/h: above a leopard's 20 km/h, below an albatross's 90 km/h.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat import datasets
from habitat.batch.demo import DEMO_REFERENCE, DEMO_RELOCATIONS, load_demo_relocations
from habitat.core.errors import DataQualityWarning, DatasetNotFoundError, InputError
from habitat.io.cleaning import (
    FLAG_COLUMNS,
    LEOPARD_MAX_SPEED_KMH,
    flag_relocations,
    speed_limit,
)
from habitat.io.relocations import read_camera_traps, read_relocations
from habitat.io.species import SpeciesProfile

KM_PER_DEG_EQUATOR = 2 * math.pi * 6378.137 / 360  # 111.319490793 km
ALBATROSS = SpeciesProfile(name="waved_albatross", max_speed_kmh=90.0)
N_FIXES = 24


def albatross_track(speed_kmh: float = 60.0) -> gpd.GeoDataFrame:
    """Hourly fixes flying east along the equator off Ecuador at ``speed_kmh``."""
    lon = -90.0 + np.arange(N_FIXES) * speed_kmh / KM_PER_DEG_EQUATOR
    return gpd.GeoDataFrame(
        {
            "individual": "A1",
            "timestamp": pd.date_range("2008-06-01", periods=N_FIXES, freq="h", tz="UTC"),
        },
        geometry=gpd.points_from_xy(lon, np.zeros(N_FIXES)),
        crs="EPSG:4326",
    )


def test_the_track_flies_at_sixty_km_per_hour():
    out = flag_relocations(albatross_track())
    assert out["speed_kmh"].iloc[1:].to_numpy() == pytest.approx(60.0, rel=1e-9)
    assert not out["flag_speed"].any()  # no limit, no profile: no speed flag


def test_sixty_km_per_hour_is_flagged_for_a_leopard_only():
    track = albatross_track()
    leopard = flag_relocations(track, species="amur_leopard")
    assert leopard["flag_speed"].all()  # every step is three times a leopard's limit
    assert leopard.attrs["habitat_flags"]["max_speed_kmh"] == LEOPARD_MAX_SPEED_KMH
    assert leopard.attrs["species"] == "amur_leopard"
    assert leopard["flag_reason"].iloc[5] == (
        "speed 60.0 km/h from row 5 and 60.0 km/h to row 7 both exceed 20 km/h (spike)"
    )

    albatross = flag_relocations(track, species=ALBATROSS)
    assert not albatross["flag_speed"].any()
    assert albatross.attrs["habitat_flags"]["max_speed_kmh"] == 90.0

    none = flag_relocations(track, species=None)
    assert not none["flag_speed"].any() and none.attrs["species"] is None
    assert none.attrs["habitat_flags"]["max_speed_kmh"] is None
    # speeds themselves do not depend on the profile
    np.testing.assert_array_equal(leopard["speed_kmh"], none["speed_kmh"])


def test_the_limit_is_a_strict_threshold_of_the_profile():
    # 60 km/h against profiles just below and just above it
    track = albatross_track()
    below = SpeciesProfile(name="a", max_speed_kmh=59.9)
    above = SpeciesProfile(name="b", max_speed_kmh=60.1)
    assert flag_relocations(track, species=below)["flag_speed"].all()
    assert not flag_relocations(track, species=above)["flag_speed"].any()


def test_a_profile_without_a_speed_flags_nothing_unless_a_limit_is_given():
    track = albatross_track()
    silent = SpeciesProfile(name="fisher")
    assert not flag_relocations(track, species=silent)["flag_speed"].any()
    assert flag_relocations(track, species=silent, max_speed_kmh=30)["flag_speed"].all()


def test_limit_and_profile_must_agree():
    track = albatross_track()
    with pytest.raises(InputError, match="differs from the 20 km/h of the species profile"):
        flag_relocations(track, max_speed_kmh=90, species="amur_leopard")
    same = flag_relocations(track, max_speed_kmh=20.0, species="amur_leopard")
    assert same["flag_speed"].all()
    with pytest.raises(InputError, match="max_speed_kmh must be a positive number"):
        speed_limit(-5, ALBATROSS)
    with pytest.raises(InputError, match="needs a study area"):
        flag_relocations(track, species="auto")
    with pytest.raises(DatasetNotFoundError, match="did you mean 'amur_leopard'"):
        flag_relocations(track, species="amur_leoprad")
    with pytest.raises(InputError, match="species must be"):
        flag_relocations(track, species=90)  # type: ignore[arg-type]


def test_profile_from_a_toml_file_or_a_mapping(tmp_path):
    path = tmp_path / "albatross.toml"
    path.write_text('name = "waved_albatross"\nmax_speed_kmh = 50\n', encoding="utf-8")
    track = albatross_track()
    assert flag_relocations(track, species=path)["flag_speed"].all()
    as_map = flag_relocations(track, species={"name": "waved_albatross", "max_speed_kmh": 90})
    assert not as_map["flag_speed"].any()


def test_read_relocations_takes_the_species_speed(tmp_path):
    track = albatross_track()
    table = pd.DataFrame(
        {
            "individual": track["individual"],
            "timestamp": track["timestamp"].astype(str),
            "lon": track.geometry.x,
            "lat": track.geometry.y,
        }
    )
    with pytest.warns(DataQualityWarning, match="24 of 24 fixes flagged"):
        leopard = read_relocations(table, crs="EPSG:4326", species="amur_leopard")
    assert leopard["flag_speed"].all()
    albatross = read_relocations(table, crs="EPSG:4326", species=ALBATROSS)
    assert not albatross["flag_speed"].any() and albatross.attrs["species"] == "waved_albatross"
    assert not read_relocations(table, crs="EPSG:4326")["flag_speed"].any()  # default: none
    # a conflict is refused before the file is read (the path does not exist)
    with pytest.raises(InputError, match="differs"):
        read_relocations(tmp_path / "missing.csv", max_speed_kmh=5, species="amur_leopard")
    traps = table.assign(station="S1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cams = read_camera_traps(traps, crs="EPSG:4326", species="amur_leopard")
    assert cams["flag_speed"].all()


def test_the_demo_read_with_the_leopard_profile_is_the_demo_read_with_20_km_per_hour():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_profile = read_relocations(
            datasets.data_path(*DEMO_RELOCATIONS),
            reference=datasets.data_path(*DEMO_REFERENCE),
            species="amur_leopard",
        )
    demo = load_demo_relocations()
    for column in [*FLAG_COLUMNS, "flag_any", "flag_reason"]:
        assert by_profile[column].tolist() == demo[column].tolist(), column
    assert int(by_profile["flag_speed"].sum()) > 0


def test_the_leopard_constant_is_the_bundled_profile_speed():
    leopard = datasets.species_profile("amur_leopard")
    assert leopard is not None and leopard.max_speed_kmh == LEOPARD_MAX_SPEED_KMH
