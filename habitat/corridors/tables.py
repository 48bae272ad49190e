"""Example resistance tables for the Amur leopard: land-cover classes and barrier kinds.

**No published, leopard-specific resistance table exists.** These tables are
illustrative defaults, built the way corridor studies of large felids build
expert-opinion surfaces, so that the bundled study area can be analysed out of
the box and an analyst has a documented starting point to replace. Change them
(``table.loc[...] = ...``) or pass your own mapping to
:func:`habitat.corridors.resistance.resistance_surface`; test how sensitive
your corridors are to them.

Where the numbers come from
---------------------------
* **Scale.** Resistance 1 for the preferred cover, rising to 100 for cover an
  animal crosses reluctantly, and to several hundred or 1,000 for
  infrastructure: the 1-100 / 1-1,000 scales of the Linkage Mapper and
  Circuitscape examples and of most expert-opinion surfaces. Only ratios
  matter for least-cost paths; cost is resistance × metres.
* **Land cover** (classes of :data:`habitat.datasets.LAND_COVER_CLASSES`):
  forest is the leopard's habitat and the cover of the one remaining corridor
  across the Razdolnaya valley, 62.5 km long and 93 % forested (Miquelle et
  al. 2015, "Identifying ecological corridors for Amur tigers and Amur
  leopards", *Integrative Zoology*: a least-cost analysis); repeated fires
  turn forest into grassland that leopards avoid (``facts.md`` § 8, "Fire");
  farmland and settlements are the "development strip" Miquelle et al.
  describe. The relative values below (forest 1, wetland 20,
  grassland/burnt 30, agriculture 50, settlement 100, water 200) are our
  judgement on that ordering, not fitted values.
* **Barriers** (the ``kind`` of the bundled barrier layers, see
  :func:`habitat.datasets.primorsky`): widths are the **formation widths** of
  Russian road categories (SP 34.13330, carriageway plus shoulders: category
  II about 15 m, III about 12 m, IV about 10 m; a category I-B dual
  carriageway about 27.5 m), a single-track railway formation of about 10 m
  with its ditches, and a schematic 80 m for the lower Razdolnaya. These are
  typical values, **not measurements of the bundled lines** (which have no
  widths): give measured widths in a ``width_m`` column where you have them.
  Which category each bundled road has was not checked: regional roads such
  as the A189 are taken as category II. Resistances grow with traffic
  (federal 1,000, regional 500, local 100, railway 300) and are our
  judgement; a leopard was killed on the regional A189 before the Narvinsky
  tunnel opened (``facts.md`` § 8, "Roads"). ``tunnel`` and ``bridge`` rows
  are ``NaN``: the road or railway is under or above the ground there, so
  nothing is burned (to model the A189 *before* the tunnel, set that
  feature's kind to ``"regional"``).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["leopard_barrier_table", "leopard_resistance_table"]

_LAND_COVER = [
    # class, name, resistance, why
    (1, "forest", 1.0, "habitat; the Razdolnaya corridor is 93 % forest (Miquelle et al. 2015)"),
    (2, "grassland/burnt", 30.0, "burnt forest turned grassland, avoided (facts.md § 8)"),
    (3, "agriculture", 50.0, "farmland of the development strip, crossed at night"),
    (4, "settlement", 100.0, "towns and villages; dogs, traffic, people"),
    (5, "water", 200.0, "sea, Lake Khanka, wide rivers: crossed rarely (swimming)"),
    (6, "wetland", 20.0, "open wet meadows along rivers, little cover"),
]

_BARRIERS = [
    # kind, resistance, width_m, why
    ("federal", 1000.0, 27.5, "category I-B dual carriageway (SP 34.13330), heavy traffic"),
    ("regional", 500.0, 15.0, "taken as category II (the A189's category not checked)"),
    ("local", 100.0, 10.0, "category IV road, spurs to ports and villages"),
    ("road", 500.0, 12.0, "road of unknown category: category III formation"),
    ("railway", 300.0, 10.0, "single-track railway formation with ditches"),
    ("river", 100.0, 80.0, "lower Razdolnaya, schematic width; swum across"),
    ("fence", 1000.0, 5.0, "border fence: leopards still cross it (facts.md § 8)"),
    ("settlement", 100.0, float("nan"), "settlement polygons, burned as drawn"),
    ("tunnel", float("nan"), float("nan"), "road underground: no barrier on the surface"),
    ("bridge", float("nan"), float("nan"), "track on a bridge: animals pass beneath"),
]


def leopard_resistance_table() -> pd.DataFrame:
    """Example resistance of the bundled land-cover classes for the Amur leopard.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``class`` (the integer class code of
        :data:`habitat.datasets.LAND_COVER_CLASSES`), with columns ``name``,
        ``resistance`` (unitless, cost = resistance × m) and ``note`` (why).
        A fresh copy: edit it freely. See the module docstring for the sources
        and the caveats.

    Examples
    --------
    >>> table = leopard_resistance_table()
    >>> table["resistance"].to_dict()
    {1: 1.0, 2: 30.0, 3: 50.0, 4: 100.0, 5: 200.0, 6: 20.0}
    >>> table.loc[1, "name"]
    'forest'
    """
    table = pd.DataFrame(_LAND_COVER, columns=["class", "name", "resistance", "note"])
    return table.set_index("class")


def leopard_barrier_table() -> pd.DataFrame:
    """Example resistance and width of barrier kinds (roads, railway, river, fence).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kind`` (the ``kind`` column of barrier layers, e.g.
        ``"regional"``), with columns ``resistance`` (unitless; NaN = the kind
        is not burned), ``width_m`` (formation width in metres, NaN for
        polygons burned as drawn) and ``note``. A fresh copy. Sources and
        caveats: module docstring.

    Examples
    --------
    >>> table = leopard_barrier_table()
    >>> table.loc["regional", ["resistance", "width_m"]].tolist()
    [500.0, 15.0]
    >>> bool(table.loc["tunnel", "resistance"] != table.loc["tunnel", "resistance"])  # NaN
    True
    """
    table = pd.DataFrame(_BARRIERS, columns=["kind", "resistance", "width_m", "note"])
    return table.set_index("kind")
