"""Column slugs of the user's names: safe, deterministic, never colliding."""

import re

import pytest

from habitat.core.names import slug, unique_slugs

NAMES = [
    '<b>Parc "Été"</b>',
    "Land of the Leopard National Park",
    "Земля леопарда",
    "东北虎豹国家公园",
    "东北虎豹国家公园 ",  # another name (trailing blank): another slug
    "Zone: A/B",
    "  ",
    "x" * 3,
    "İstanbul Ili",
    "Ñandú",
    "1st zone",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_slug_is_safe_and_stable(name):
    s = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", s), s  # never '__', never '_' at an end
    assert slug(s) == s  # a slug is its own slug
    assert slug(name) == s  # deterministic


def test_unique_slugs_never_collide_and_keep_the_order_rule():
    out = unique_slugs(NAMES + ["zone a b", "Zone A-B", "ete"])
    assert len(set(out)) == len(out)
    assert out[-3:] == ["zone_a_b_2", "zone_a_b_3", "ete"]
    assert unique_slugs(["nodata"], taken=["nodata"]) == ["nodata_2"]
    assert unique_slugs([("Park", "core"), ("Park core", "")]) == [
        "park__core",
        "park_core__n_blank",
    ]
