import geopandas as gpd
import pytest
from shapely.geometry import box

from habitat.core.errors import InputError
from habitat.homerange import home_ranges_from_polygons
from habitat.overlap.territory import territory_table, write_territory_table

X, Y = 500_000, 4_800_000


def ranges():
    g = gpd.GeoDataFrame(
        {"individual": ["F1", "F2", "M1"], "sex": ["F", "F", "M"]},
        geometry=[
            box(X, Y, X + 10_000, Y + 10_000),  # half in the park
            box(X + 5_000, Y, X + 15_000, Y + 10_000),  # overlaps F1 by half
            box(X + 100_000, Y, X + 110_000, Y + 10_000),  # far away
        ],
        crs=32652,
    )
    return home_ranges_from_polygons(g)


def layers():
    park = gpd.GeoDataFrame(
        {"name": ["park"]}, geometry=[box(X - 50_000, Y - 50_000, X + 5_000, Y + 50_000)], crs=32652
    )
    countries = gpd.GeoDataFrame(
        {"name": ["Russia", "China"]},
        geometry=[
            box(X, Y - 50_000, X + 200_000, Y + 50_000),
            box(X - 200_000, Y - 50_000, X, Y + 50_000),
        ],
        crs=32652,
    )
    return {"land_of_the_leopard": park, "countries": countries}


def test_shares_neighbours_and_exclusivity():
    t = territory_table(ranges(), layers()).set_index("individual")
    # 0.5 up to 1e-3: the 100 km park edge, straight in UTM, is reprojected by its
    # end points only, so it bends by some metres in the equal-area CRS
    assert t.loc["F1", "share_pa_park"] == pytest.approx(0.5, abs=1e-3)
    assert t.loc["F1", "share_protected"] == pytest.approx(t.loc["F1", "share_pa_park"], rel=1e-9)
    assert t.loc["F2", "share_pa_park"] == pytest.approx(0.0, abs=1e-3)  # touches the edge
    assert t.loc["M1", "share_admin_russia"] == pytest.approx(1.0, abs=1e-9)
    assert t.loc["F1", "share_admin_china"] == pytest.approx(0.0, abs=1e-6)
    assert (
        t.loc["F1", "n_same_sex_neighbours"] == 1 and t.loc["F1", "n_opposite_sex_neighbours"] == 0
    )
    assert t.loc["M1", "n_same_sex_neighbours"] == 0
    assert t.loc["F1", "exclusive_share"] == pytest.approx(0.5, abs=1e-4)
    assert t.loc["M1", "exclusive_share"] == pytest.approx(1.0)


def test_export_csv_and_gpkg(tmp_path):
    t = territory_table(ranges(), layers())
    assert write_territory_table(t, tmp_path / "t.csv") == tmp_path / "t.csv"
    assert write_territory_table(t, str(tmp_path / "t.gpkg")) == tmp_path / "t.gpkg"
    back = gpd.read_file(tmp_path / "t.gpkg")
    assert len(back) == 3 and "share_pa_park" in back.columns
    assert (tmp_path / "t.csv").read_text().splitlines()[0].startswith("individual,sex")
    with pytest.raises(InputError, match=".csv or .gpkg"):
        write_territory_table(t, tmp_path / "t.xlsx")
    with pytest.raises(InputError, match="no ranges at level 0.5"):
        territory_table(ranges(), layers(), level=0.5)
