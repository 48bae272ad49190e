"""Column names made from the user's own names: one deterministic, collision-free rule.

Tables name columns after things found in the user's data (a park called
``Parc "Été"``, a land-cover class ``Open water``, a road layer ``roads``).
Those names are turned into **slugs**, safe in CSV, GeoPackage and HTML:

1. Unicode is decomposed (NFKD) and accents dropped (``Été`` -> ``Ete``);
   Cyrillic is transliterated (``Земля леопарда`` -> ``zemlya_leoparda``);
2. lower case; every run of characters other than ``a-z`` and ``0-9`` becomes
   one ``_``; leading and trailing ``_`` are removed, so a slug never holds
   ``__`` (two slugs can be joined with ``__`` without ambiguity);
3. a name with nothing left (e.g. Chinese characters only) becomes ``n`` and
   the first 8 hex digits of the SHA-256 of its text, so distinct names stay
   distinct;
4. within one table, a slug already used gets ``_2``, ``_3``... (the first
   free one), in the order the names are given, so the result depends only on
   that order (:func:`unique_slugs`).

The user's names themselves are kept in the tables' long forms and shown,
escaped, in reports; slugs are only column names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["slug", "unique_slugs"]

_NOT_WORD = re.compile(r"[^a-z0-9]+")

#: Russian/Ukrainian/Belarusian letters -> Latin (simplified ISO 9 / BGN)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
            "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
            "yu", "ya", "i", "yi", "ye", "g", "w",
        ],
        strict=True,
    )
)  # fmt: skip


def slug(text: object) -> str:
    """An ASCII, lower-case identifier of ``text`` (see the module docstring).

    Examples
    --------
    >>> slug('<b>Parc "Été"</b>'), slug("Land of the Leopard National Park")
    ('b_parc_ete_b', 'land_of_the_leopard_national_park')
    >>> slug("grassland/burnt"), slug("Земля леопарда"), slug("  ")
    ('grassland_burnt', 'zemlya_leoparda', 'n_blank')
    >>> slug("东北虎豹国家公园")
    'n8edd2ee9'
    """
    raw = str(text)
    lowered = raw.lower()
    translit = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    ascii_text = unicodedata.normalize("NFKD", translit).encode("ascii", "ignore").decode("ascii")
    out = _NOT_WORD.sub("_", ascii_text.lower()).strip("_")
    if out:
        return out
    if not raw.strip():
        return "n_blank"
    return "n" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]


def unique_slugs(texts: Iterable[object], *, taken: Iterable[str] = ()) -> list[str]:
    """Slugs of ``texts`` in order, made unique with ``_2``, ``_3``... suffixes.

    Parameters
    ----------
    texts : iterable
        Names (any objects, read as text); a tuple of names gives their slugs
        joined by ``__`` (e.g. a park and one of its zones).
    taken : iterable of str
        Slugs already in use (never returned).

    Examples
    --------
    >>> unique_slugs(["Été", "ete", "Ete 2", "A-B", "a b"])
    ['ete', 'ete_2', 'ete_2_2', 'a_b', 'a_b_2']
    >>> unique_slugs([("Catskill Park", "wild forest"), ("Catskill", "park wild forest")])
    ['catskill_park__wild_forest', 'catskill__park_wild_forest']
    """
    used = set(taken)
    out = []
    for text in texts:
        base = "__".join(slug(t) for t in text) if isinstance(text, tuple) else slug(text)
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        out.append(name)
    return out
