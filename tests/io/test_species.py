"""Species profiles: units, checks, bundled names."""

from __future__ import annotations

from pathlib import Path

import pytest

from habitat import datasets
from habitat.core.errors import ConfigError, DatasetNotFoundError
from habitat.io.species import SpeciesProfile, read_species_profile


def test_km2_bounds_convert_to_sq_mi_exactly() -> None:
    # 1 sq mi = 2.589988110336 km² (international mile, exact)
    p = SpeciesProfile.from_mapping({"name": "x", "area_km2": {"F": [2.589988110336, None]}})
    lo, hi = p.expected_area_sq_mi["F"]
    assert lo == pytest.approx(1.0, rel=1e-12) and hi is None


def test_leopard_profile_matches_the_project_figures() -> None:
    p = datasets.species_profile("amur_leopard")
    assert p is not None
    assert p.expected_area_sq_mi == {"F": (15.0, 38.0), "M": (None, 155.0)}
    assert p.max_speed_kmh == 20.0
    from habitat.io.cleaning import LEOPARD_MAX_SPEED_KMH

    assert p.max_speed_kmh == LEOPARD_MAX_SPEED_KMH


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"name": "x", "max_speed_kmh": -1}, "max_speed_kmh: expected a value > 0"),
        ({"name": "x", "max_speed_kmh": True}, "max_speed_kmh: expected a positive number"),
        ({"name": "x", "area_km2": {"F": [5]}}, r"area_km2.F: expected \[low, high\]"),
        ({"name": "x", "area_km2": {"F": [50, 5]}}, "low 50 is above high 5"),
        ({"name": "x", "area_km2": {}, "area_sq_mi": {}}, "not both"),
        ({"name": "x", "speed": 3}, r"unknown key\(s\) \['speed'\]"),
        ({"common_name": "x"}, "no 'name'"),
        ({"name": "9x"}, "letters, digits"),
    ],
)
def test_bad_profiles_are_refused_naming_the_key(values: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        SpeciesProfile.from_mapping(values)


def test_profile_file_and_names(tmp_path: Path) -> None:
    path = tmp_path / "fisher.toml"
    path.write_text('name = "fisher"\nmax_speed_kmh = 8\n[area_km2]\nF = [5, 40]\n')
    assert read_species_profile(path).max_speed_kmh == 8.0
    assert datasets.species_profile(str(path)).name == "fisher"
    assert datasets.species_profile(None) is None
    with pytest.raises(DatasetNotFoundError, match="did you mean 'amur_leopard'"):
        datasets.species_profile("amur_leoprad")


@pytest.mark.parametrize("bounds", [{"F": 5}, 5, {"F": (1, 2, 3)}, {"female": (1, 2)}])
def test_constructor_refuses_bad_bounds_with_a_config_error(bounds: object) -> None:
    with pytest.raises(ConfigError, match="expected_area_sq_mi"):
        SpeciesProfile(name="x", expected_area_sq_mi=bounds)  # type: ignore[arg-type]
