"""Saving a map to one HTML file, optionally with its scripts and styles inlined.

What needs a network
--------------------
A saved map is one HTML file. By default its scripts and styles (Leaflet,
Bootstrap, the plugins) load from CDNs; :func:`save_map` with
``offline_assets=<folder>`` inlines them from a local copy
(:func:`habitat.maps.assets.inline_assets`) so that the page works without
internet. The basemap tiles (and the minimap's tiles) always come from the
tile server over the network; build the map with ``tiles=None`` for a map
without a basemap, which then needs no network at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import folium

from habitat.core.fs import atomic_write_text
from habitat.maps.checks import check_map

__all__ = ["save_map"]


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline_assets: str | os.PathLike[str] | None = None,
) -> Path:
    """Save a map to one self-contained HTML file, atomically; return its path.

    Parameters
    ----------
    m : folium.Map
    path : path
        Output ``.html`` file; replaced atomically.
    offline_assets : path, optional
        Folder holding local copies of the scripts and styles the page loads
        from CDNs (Leaflet, jQuery, Bootstrap, the plugins). They are inlined
        with :func:`habitat.maps.assets.inline_assets`, so the page needs no
        internet for them. Basemap and minimap tiles still come from the
        tile server over the network; build the map with ``tiles=None`` for
        a fully offline page.

    Returns
    -------
    pathlib.Path
        The file written (``path`` as a :class:`~pathlib.Path`; a ``str``
        before habitat 0.2).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import folium
    >>> m = folium.Map(location=(43.1, 131.3), zoom_start=9, tiles=None)
    >>> path = save_map(m, Path(tempfile.mkdtemp()) / "leopards.html")
    >>> isinstance(path, Path), path.name
    (True, 'leopards.html')
    >>> path.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    True

    Inlining the scripts needs a local copy of them, fetched once over the
    network (``python -m habitat.maps.assets fetch FOLDER``):

    >>> save_map(m, "leopards.html", offline_assets="assets/")  # doctest: +SKIP
    PosixPath('leopards.html')
    """
    check_map(m)
    page = m.get_root().render()
    if offline_assets is not None:
        # imported here: the assets module is only needed for offline pages
        from habitat.maps.assets import inline_assets

        page = inline_assets(page, offline_assets)
    atomic_write_text(path, page)
    return Path(path)
