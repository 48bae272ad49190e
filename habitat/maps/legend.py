"""A fixed legend box on a map (folium has none built in); all text is escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
from branca.element import MacroElement, Template

from habitat.core.errors import InputError
from habitat.maps.checks import check_map, check_text

__all__ = ["Legend", "add_legend"]

_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div id="{{ this.get_name() }}" class="habitat-legend" style="position: fixed; bottom: 60px;
 left: 10px; z-index: 9999; background: rgba(255,255,255,0.92); padding: 8px 10px;
 border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 sans-serif;
 max-height: 45vh; overflow-y: auto;">
<div style="font-weight: bold; margin-bottom: 4px;">{{ this.title }}</div>
{% for label, colour in this.items %}
<div><span style="display:inline-block;width:12px;height:12px;background:{{ colour }};
 margin-right:6px;border:1px solid #555;vertical-align:middle;"></span>{{ label }}</div>
{% endfor %}
{% for heading, entries in this.sections %}
<div style="font-weight: bold; margin: 6px 0 2px;">{{ heading }}</div>
{% for label, colour in entries %}
<div><span style="display:inline-block;width:12px;height:12px;background:{{ colour }};
 margin-right:6px;border:1px solid #555;vertical-align:middle;"></span>{{ label }}</div>
{% endfor %}
{% endfor %}
{% if this.note %}<div style="margin-top:4px;color:#555;max-width:260px;">{{ this.note }}</div>
{% endif %}
</div>
{% endmacro %}
"""


def _escape_items(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(html.escape(str(lbl)), html.escape(str(col))) for lbl, col in items]


class Legend(MacroElement):
    """The legend box: a title, (label, colour) entries, headed sections and a note.

    Parameters
    ----------
    title : str
        Heading of the box.
    items : sequence of (label, colour)
        Entries listed first, without a heading.
    note : str
        Small print at the bottom.
    sections : sequence of (heading, sequence of (label, colour))
        Further entries under their own headings; empty sections are left out.

    Examples
    --------
    Text is escaped; sections without entries are left out:

    >>> sections = [("Sex", [("F", "#c2185b")]), ("None", [])]
    >>> legend = Legend("Cover <1>", [("Forest", "#2e7d32")], sections=sections)
    >>> legend.title, legend.sections
    ('Cover &lt;1&gt;', [('Sex', [('F', '#c2185b')])])
    """

    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, str]],
        note: str = "",
        sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
    ) -> None:
        super().__init__()
        self._name = "HabitatLegend"
        self.title = html.escape(title)
        self.items = _escape_items(items)
        self.sections = [(html.escape(str(h)), _escape_items(e)) for h, e in sections if e]
        self.note = html.escape(note)
        self._template = Template(_LEGEND_TEMPLATE)


def add_legend(
    m: folium.Map,
    items: Sequence[tuple[str, str]],
    *,
    title: str = "Legend",
    note: str = "",
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> Legend:
    """Add a fixed legend box (folium has none built in); all text is escaped.

    Parameters
    ----------
    m : folium.Map
    items : sequence of (label, colour)
        Entries listed first, without a heading.
    title : str
        Heading of the box.
    note : str
        Small print at the bottom (e.g. the simplification tolerance).
    sections : sequence of (heading, sequence of (label, colour))
        Further entries under their own headings; empty sections are left out.

    Returns
    -------
    Legend
        The legend element, already added to the map.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> legend = add_legend(m, [("Land of the Leopard NP", "#1b7837")], note="Schematic layers.")
    >>> legend in m._children.values(), legend.items
    (True, [('Land of the Leopard NP', '#1b7837')])
    >>> "Schematic layers." in m.get_root().render()
    True
    """
    check_map(m)
    check_text(title, name="title")
    check_text(note, name="note")
    if (
        not isinstance(sections, Sequence)
        or isinstance(sections, str)
        or not all(isinstance(sec, tuple | list) and len(sec) == 2 for sec in sections)
    ):
        raise InputError(
            f"legend sections must be a sequence of (heading, entries) pairs; got {sections!r:.80}."
        )
    for where, entries in (("items", items), *((f"section {h!r}", e) for h, e in sections)):
        if (
            not isinstance(entries, Sequence)
            or isinstance(entries, str)
            or not all(isinstance(e, tuple | list) and len(e) == 2 for e in entries)
        ):
            raise InputError(
                f"legend {where} must be a sequence of (label, colour) pairs, "
                f"e.g. [('Land of the Leopard NP', '#1b7837')]; got {entries!r:.80}."
            )
    legend = Legend(title, items, note, sections)
    m.add_child(legend)
    return legend
