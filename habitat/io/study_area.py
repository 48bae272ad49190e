"""A study area: habitat layers by role, from any files, for every analysis.

A :class:`StudyArea` is a set of :class:`StudyLayer` s, each with a **role**
the analyses understand, plus an optional categorical land-cover raster:

==================  ===================================================  ===============
role                what it holds                                        geometry
==================  ===================================================  ===============
protected_areas     parks, reserves; a name per feature, optional zone   polygons
                    (park zone) and category (e.g. IUCN category)
admin_units         countries, provinces, districts; a name per feature  polygons
barriers            roads, railways, rivers, fences; kind, width_m       lines, polygons
settlements         towns and villages; name                             points, polygons
crossings           wildlife crossings, tunnels, bridges; name, kind     points, lines
context             anything else: drawn on maps, not measured           any
==================  ===================================================  ===============

Every layer is stored in EPSG:4326 with standard columns next to its own:
``name`` (from the layer's name column, else one name for the whole layer),
``zone``, ``category``, ``kind`` and ``width_m`` (missing where unknown). The
territory table, maps, reports, fragmentation and corridors read roles and
these columns, never a layer's file or bundled name, so a park's real
boundary works exactly like the bundled schematic one.

Areas and lengths are never measured here: analyses project the layers they
use into a CRS chosen from the data they analyse (:mod:`habitat.core.crs`),
after dropping the layers far from those data (:meth:`StudyArea.near`).

Build one in Python::

    area = StudyArea(
        [study_layer("parks.gpkg", "protected_areas", name_column="NAME",
                     zone_column="ZONE"),
         study_layer("roads.shp", "roads")],          # role alias: barriers, kind road
        land_cover=read_geotiff("cover.tif"), name="Adirondacks",
    )

from a TOML file (:func:`read_study_area`), or from the command line
(``--layer ROLE=PATH[:NAME_COLUMN]``, :func:`parse_layer_option`).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import crs as hcrs
from habitat.core.errors import ColumnError, ConfigError, DataFileError, GeometryTypeError
from habitat.core.fs import gdal_read_path, read_toml
from habitat.core.validation import require_finite_coordinates, require_geodata
from habitat.io.raster import Raster, read_geotiff

__all__ = [
    "ROLES",
    "ROLE_ALIASES",
    "STANDARD_COLUMNS",
    "StudyArea",
    "StudyLayer",
    "parse_layer_option",
    "read_study_area",
    "resolve_role",
    "study_area_from_mapping",
    "study_layer",
]

#: roles a layer can have, and the geometry types each accepts
ROLES: dict[str, tuple[str, ...]] = {
    "protected_areas": ("Polygon", "MultiPolygon"),
    "admin_units": ("Polygon", "MultiPolygon"),
    "barriers": ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
    "settlements": ("Point", "MultiPoint", "Polygon", "MultiPolygon"),
    "crossings": ("Point", "MultiPoint", "LineString", "MultiLineString"),
    "context": (),  # anything
}
#: words accepted for a role on the command line and in files: alias -> (role, kind)
ROLE_ALIASES: dict[str, tuple[str, str | None]] = {
    **{r: (r, None) for r in ROLES},
    "protected": ("protected_areas", None),
    "protected_area": ("protected_areas", None),
    "parks": ("protected_areas", None),
    "park": ("protected_areas", None),
    "reserves": ("protected_areas", None),
    "zones": ("protected_areas", None),
    "admin": ("admin_units", None),
    "countries": ("admin_units", None),
    "country": ("admin_units", None),
    "admin_unit": ("admin_units", None),
    "barrier": ("barriers", None),
    "roads": ("barriers", "road"),
    "road": ("barriers", "road"),
    "railways": ("barriers", "railway"),
    "railway": ("barriers", "railway"),
    "rivers": ("barriers", "river"),
    "river": ("barriers", "river"),
    "fences": ("barriers", "fence"),
    "fence": ("barriers", "fence"),
    "settlement": ("settlements", None),
    "towns": ("settlements", None),
    "crossing": ("crossings", None),
    "other": ("context", None),
}
#: columns every stored layer has (missing values where the source has none)
STANDARD_COLUMNS = ("layer", "name", "zone", "category", "kind", "width_m")

_KEY = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    """``"Land of the Leopard NP"`` -> ``"land_of_the_leopard_np"`` (ASCII, lower case)."""
    return _KEY.sub("_", str(text).lower()).strip("_") or "layer"


def resolve_role(role: object, *, where: str = "layer") -> tuple[str, str | None]:
    """``(role, kind)`` of a role word or alias (``"roads"`` -> ``("barriers", "road")``).

    Examples
    --------
    >>> resolve_role("roads"), resolve_role("Protected-Areas")
    (('barriers', 'road'), ('protected_areas', None))
    >>> resolve_role("parcs")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: layer: unknown role 'parcs'; did you mean 'parks'? \
Roles: protected_areas, admin_units, barriers, settlements, crossings, context (aliases: ...).
    """
    word = str(role).strip().lower().replace("-", "_").replace(" ", "_")
    if isinstance(role, str) and word in ROLE_ALIASES:
        return ROLE_ALIASES[word]
    close = difflib.get_close_matches(word, list(ROLE_ALIASES), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else "."
    aliases = ", ".join(a for a in ROLE_ALIASES if a not in ROLES)
    raise ConfigError(
        f"{where}: unknown role {role!r}{hint} Roles: {', '.join(ROLES)} (aliases: {aliases})."
    )


# ---------------------------------------------------------------------------- one layer


@dataclasses.dataclass(frozen=True)
class StudyLayer:
    """One layer of a study area: its features in EPSG:4326, a role and a label.

    Make one with :func:`study_layer`, which reads files, checks geometry types
    against the role and fills the standard columns.

    Attributes
    ----------
    key : str
        Identifier, unique within a study area (e.g. ``"land_of_the_leopard"``);
        maps use it to name and style the layer.
    label : str
        Shown in legends and reports (e.g. ``"Land of the Leopard NP"``).
    role : str
        One of :data:`ROLES`.
    data : GeoDataFrame
        Features in EPSG:4326 with :data:`STANDARD_COLUMNS` and the source's columns.
    source : str or None
        File it was read from.
    """

    key: str
    label: str
    role: str
    data: gpd.GeoDataFrame
    source: str | None = None

    def __repr__(self) -> str:
        return (
            f"StudyLayer(key={self.key!r}, label={self.label!r}, role={self.role!r}, "
            f"n_features={len(self.data)})"
        )


def _read_vector(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise DataFileError(f"layer file '{path}' does not exist.")
    try:
        with gdal_read_path(path) as readable:
            return gpd.read_file(readable, layer=layer) if layer else gpd.read_file(readable)
    except Exception as exc:  # pyogrio raises its own types
        raise DataFileError(f"cannot read layer file '{path}': {exc}") from exc


def _column(
    gdf: gpd.GeoDataFrame, column: str | None, *, what: str, where: str
) -> pd.Series | None:
    if column is None:
        return None
    if column not in gdf.columns:
        names = {str(c).lower(): str(c) for c in gdf.columns if c != gdf.geometry.name}
        close = difflib.get_close_matches(str(column).lower(), list(names), n=1)
        hint = f" Did you mean '{names[close[0]]}'?" if close else ""
        raise ColumnError(
            f"{where}: no {what} column {column!r}.{hint} Columns: "
            f"{', '.join(str(c) for c in gdf.columns if c != gdf.geometry.name)}."
        )
    return gdf[column]


def _text(values: pd.Series | None, n: int, default: str | None) -> np.ndarray:
    """Column values as stripped text; missing values (and blanks) as None, or ``default``."""
    if values is None:
        return np.full(n, default, dtype=object)
    out = np.array(
        [None if pd.isna(v) or not str(v).strip() else str(v).strip() for v in values],
        dtype=object,
    )
    if default is not None:
        out[pd.isna(out)] = default
    return out


def _check_geometry(gdf: gpd.GeoDataFrame, role: str, where: str) -> None:
    allowed = ROLES[role]
    types = gdf.geom_type
    if allowed:
        bad = types.notna() & ~types.isin(allowed)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise GeometryTypeError(
                f"{where}: role {role} takes {'/'.join(allowed)} geometries, but row {row} is a "
                f"{types.iat[row]}. Give the layer another role (e.g. 'context' to only draw it) "
                "or convert its geometries."
            )


def study_layer(
    source: gpd.GeoDataFrame | str | os.PathLike[str],
    role: str,
    *,
    key: str | None = None,
    label: str | None = None,
    name_column: str | None = None,
    name: str | None = None,
    zone_column: str | None = None,
    category_column: str | None = None,
    kind_column: str | None = None,
    kind: str | None = None,
    width_column: str | None = None,
    width_m: float | None = None,
    layer: str | None = None,
    crs: Any = None,
) -> StudyLayer:
    """A layer for a :class:`StudyArea` from a GeoDataFrame or any file GDAL reads.

    Parameters
    ----------
    source : GeoDataFrame or path
        The features; a file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf...) is
        read with its own CRS.
    role : str
        One of :data:`ROLES` or an alias (:data:`ROLE_ALIASES`: ``"parks"``,
        ``"roads"``, ``"countries"``...; ``"roads"`` means barriers of kind road).
    key, label : str, optional
        Identifier and display name; default the file's stem (or the role).
    name_column : str, optional
        Column naming each feature (a park, a country). Default ``"name"``
        when the source has one, else every feature is named ``name`` or the label.
    name : str, optional
        One name for every feature (e.g. the park a zones layer belongs to).
    zone_column, category_column : str, optional
        Park zone and category (e.g. IUCN category) of protected areas.
    kind_column, kind : optional
        Kind of each barrier or crossing (``"road"``, ``"fence"``...), by
        column or one value for the layer.
    width_column, width_m : optional
        Width of barriers in metres, by column or one value.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage).
    crs : optional
        CRS of a source without one (a CSV-derived table); a source with a
        CRS is never re-labelled.

    Raises
    ------
    ConfigError
        Unknown role.
    ColumnError
        A named column that does not exist (with the columns there are).
    GeometryTypeError
        Geometries the role cannot take (e.g. roads as a protected area).
    MissingCRSError, CoordinateError, DataFileError
        No CRS, non-finite coordinates, unreadable file.

    Examples
    --------
    Two parks in New York State, one with zones:

    >>> import geopandas as gpd
    >>> import shapely
    >>> parks = gpd.GeoDataFrame(
    ...     {"PARK": ["Adirondack Park", "Adirondack Park", "Catskill Park"],
    ...      "ZONE": ["wilderness", "intensive use", None]},
    ...     geometry=[shapely.box(-75, 43.5, -74, 44.5), shapely.box(-74, 43.5, -73.5, 44.5),
    ...               shapely.box(-74.6, 41.9, -74.0, 42.3)],
    ...     crs="EPSG:4326",
    ... )
    >>> parks_layer = study_layer(parks, "parks", label="State parks",
    ...                           name_column="PARK", zone_column="ZONE")
    >>> parks_layer.role, parks_layer.key
    ('protected_areas', 'state_parks')
    >>> parks_layer.data[["name", "zone"]].values.tolist()
    [['Adirondack Park', 'wilderness'], ['Adirondack Park', 'intensive use'], \
['Catskill Park', nan]]
    >>> study_layer(parks, "parks", name_column="park")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ColumnError: layer 'protected_areas': no name column 'park'. Did you \
mean 'PARK'? Columns: PARK, ZONE.
    """
    role_name, alias_kind = resolve_role(role)
    path: Path | None = None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        gdf = _read_vector(path, layer)
    else:
        gdf = source
    label = label or (path.stem if path is not None else role_name)
    where = f"layer '{label}'" + (f" (file '{path}')" if path is not None else "")
    require_geodata(gdf, name=where, hint="give a GeoDataFrame or a vector file.")
    if gdf.crs is None and crs is not None:
        gdf = gdf.set_crs(hcrs.as_crs(crs, name="crs"))
    hcrs.require_crs(gdf, name=where)
    require_finite_coordinates(gdf, name=where)
    _check_geometry(gdf, role_name, where)
    if name_column is None and name is None and "name" in gdf.columns:
        name_column = "name"
    n = len(gdf)
    names = _text(_column(gdf, name_column, what="name", where=where), n, name or label)
    zones = _text(_column(gdf, zone_column, what="zone", where=where), n, None)
    cats = _text(_column(gdf, category_column, what="category", where=where), n, None)
    kinds = _text(_column(gdf, kind_column, what="kind", where=where), n, kind or alias_kind)
    widths = _column(gdf, width_column, what="width", where=where)
    width = (
        pd.to_numeric(widths, errors="coerce").to_numpy(dtype=float)
        if widths is not None
        else np.full(n, np.nan if width_m is None else float(width_m))
    )
    if np.any(width[np.isfinite(width)] < 0):
        raise ConfigError(f"{where}: widths must be metres >= 0.")
    out = gdf.to_crs(4326) if not hcrs.as_crs(gdf.crs).equals("EPSG:4326") else gdf.copy()
    out = out[~(out.geometry.isna() | out.geometry.is_empty)]
    keep = ~np.asarray((gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy(), dtype=bool)
    own = [c for c in out.columns if c not in STANDARD_COLUMNS and c != out.geometry.name]
    data = gpd.GeoDataFrame(
        {
            "layer": label,
            "name": names[keep],
            "zone": zones[keep],
            "category": cats[keep],
            "kind": kinds[keep],
            "width_m": width[keep],
            **{c: out[c].to_numpy() for c in own},
        },
        geometry=out.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    return StudyLayer(
        key or _key(label), str(label), role_name, data, None if path is None else str(path)
    )


# ---------------------------------------------------------------------------- the study area


def _bbox(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Per-feature (west, south, east, north) in degrees."""
    return np.asarray(shapely.bounds(gdf.geometry.to_numpy()), dtype=float).reshape(-1, 4)


class StudyArea:
    """Habitat layers by role and a land cover: what every analysis is run against.

    Parameters
    ----------
    layers : iterable of StudyLayer
        e.g. from :func:`study_layer`; keys must be unique.
    land_cover : Raster, optional
        Categorical raster whose ``classes`` name its values.
    name : str
        Shown in map and report titles.
    species : str, optional
        Name of the species profile that goes with this study area by default
        (the bundled Primorsky set: ``"amur_leopard"``).
    schematic : bool
        Whether the layers are schematic drawings (said in map legends).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> park = gpd.GeoDataFrame({"name": ["Green Park"]},
    ...                         geometry=[shapely.box(10.0, 50.0, 10.2, 50.1)], crs=4326)
    >>> area = StudyArea([study_layer(park, "protected_areas", label="Parks")], name="Demo")
    >>> area
    StudyArea('Demo': protected_areas: Parks (1))
    >>> area.features("protected_areas")[["layer", "name"]].to_dict("records")
    [{'layer': 'Parks', 'name': 'Green Park'}]
    >>> len(area.features("barriers"))
    0
    """

    def __init__(
        self,
        layers: Iterable[StudyLayer] = (),
        *,
        land_cover: Raster | None = None,
        name: str = "Study area",
        species: str | None = None,
        schematic: bool = False,
    ) -> None:
        self.layers: tuple[StudyLayer, ...] = tuple(layers)
        for lyr in self.layers:
            if not isinstance(lyr, StudyLayer):
                raise ConfigError(
                    f"StudyArea layers must be StudyLayer objects (habitat.study_layer(...)), "
                    f"not {type(lyr).__name__}."
                )
        keys = [lyr.key for lyr in self.layers]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ConfigError(
                f"StudyArea: layer key(s) {dup} used twice; give each layer its own key= or label=."
            )
        if land_cover is not None and not isinstance(land_cover, Raster):
            raise ConfigError(
                f"land_cover must be a habitat Raster (habitat.read_geotiff(...)), not "
                f"{type(land_cover).__name__}."
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"StudyArea name must be non-empty text, not {name!r}.")
        self.land_cover = land_cover
        self.name = name.strip()
        self.species = species
        self.schematic = bool(schematic)

    def __repr__(self) -> str:
        parts = [f"{lyr.role}: {lyr.label} ({len(lyr.data)})" for lyr in self.layers]
        if self.land_cover is not None:
            parts.append(f"land_cover {self.land_cover.shape}")
        return f"StudyArea({self.name!r}: {'; '.join(parts) or 'no layers'})"

    @property
    def is_empty(self) -> bool:
        """No layer with a feature and no land cover."""
        return self.land_cover is None and not any(len(lyr.data) for lyr in self.layers)

    def layers_of(self, role: str) -> list[StudyLayer]:
        """The layers with this role (a role word or alias)."""
        role_name, _ = resolve_role(role)
        return [lyr for lyr in self.layers if lyr.role == role_name]

    def features(self, role: str) -> gpd.GeoDataFrame:
        """Every feature of one role, in EPSG:4326, with :data:`STANDARD_COLUMNS`.

        An empty table (with those columns) when the study area has none.
        """
        parts = [lyr.data[[*STANDARD_COLUMNS, "geometry"]] for lyr in self.layers_of(role)]
        parts = [p for p in parts if len(p)]
        if not parts:
            return gpd.GeoDataFrame(
                {c: pd.Series(dtype=float if c == "width_m" else object) for c in STANDARD_COLUMNS},
                geometry=gpd.GeoSeries([], crs=4326),
                crs=4326,
            )
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)

    def map_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Layers by key for maps (:func:`habitat.maps.study_area_map`), empty ones left out."""
        return {lyr.key: lyr.data for lyr in self.layers if len(lyr.data)}

    def bounds_lonlat(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of every layer and the land cover; None if empty."""
        boxes = [_bbox(lyr.data) for lyr in self.layers if len(lyr.data)]
        if self.land_cover is not None:
            outline = gpd.GeoSeries([shapely.box(*self.land_cover.bounds)], crs=self.land_cover.crs)
            boxes.append(np.array([hcrs.lonlat_bounds(outline)]))
        if not boxes:
            return None
        b = np.vstack(boxes)
        return (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )

    def overlaps(self, data: gpd.GeoDataFrame | gpd.GeoSeries) -> bool:
        """Whether the extent of ``data`` meets the extent of this study area."""
        mine = self.bounds_lonlat()
        if mine is None or len(data) == 0:
            return False
        w, s, e, n = hcrs.lonlat_bounds(data)
        return not (e < mine[0] or w > mine[2] or n < mine[1] or s > mine[3])

    def near(
        self, data: gpd.GeoDataFrame | gpd.GeoSeries, *, margin_km: float | None = None
    ) -> StudyArea:
        """The study area without the features and land cover far from ``data``.

        A feature is kept when its extent meets the extent of ``data`` widened
        by ``margin_km`` on every side (default: a quarter of the data's
        larger side, at least 25 km); features are kept whole, never clipped.
        Analyses then choose their CRS from the data and the layers near them,
        instead of reprojecting a layer on another continent.

        Examples
        --------
        >>> import geopandas as gpd
        >>> import shapely
        >>> parks = gpd.GeoDataFrame(
        ...     {"name": ["Near", "Far"]},
        ...     geometry=[shapely.box(10.0, 50.0, 10.2, 50.1),
        ...               shapely.box(131.0, 43.0, 131.5, 43.5)],
        ...     crs=4326)
        >>> area = StudyArea([study_layer(parks, "parks")])
        >>> fixes = gpd.GeoSeries(shapely.points([(10.1, 50.05), (10.3, 50.2)]), crs=4326)
        >>> area.near(fixes).features("protected_areas")["name"].tolist()
        ['Near']
        """
        if len(data) == 0:
            return self
        w, s, e, n = hcrs.lonlat_bounds(data)
        if margin_km is None:
            side_km = max(e - w, n - s) * 111.32
            margin_km = max(25.0, side_km / 4)
        lat = float(np.clip(max(abs(s), abs(n)), 0, 89))
        dlat = margin_km / 111.32
        dlon = min(180.0, margin_km / (111.32 * max(np.cos(np.radians(lat)), 0.01)))
        box = (w - dlon, s - dlat, e + dlon, n + dlat)

        def meets(b: np.ndarray) -> np.ndarray:
            return ~(
                (b[:, 2] < box[0]) | (b[:, 0] > box[2]) | (b[:, 3] < box[1]) | (b[:, 1] > box[3])
            )

        kept = [
            dataclasses.replace(lyr, data=lyr.data[meets(_bbox(lyr.data))]) for lyr in self.layers
        ]
        cover = self.land_cover
        if cover is not None:
            outline = gpd.GeoSeries([shapely.box(*cover.bounds)], crs=cover.crs)
            if not meets(np.array([hcrs.lonlat_bounds(outline)]))[0]:
                cover = None
        return StudyArea(
            [lyr for lyr in kept if len(lyr.data)],
            land_cover=cover,
            name=self.name,
            species=self.species,
            schematic=self.schematic,
        )

    def summary(self) -> pd.DataFrame:
        """One row per layer: key, label, role, n_features, geometry_type and source."""
        rows = [
            {
                "key": lyr.key,
                "label": lyr.label,
                "role": lyr.role,
                "n_features": len(lyr.data),
                "geometry_type": "/".join(sorted(set(lyr.data.geom_type.dropna()))),
                "source": lyr.source,
            }
            for lyr in self.layers
        ]
        return pd.DataFrame(
            rows, columns=["key", "label", "role", "n_features", "geometry_type", "source"]
        )

    @classmethod
    def from_layers(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        roles: Mapping[str, str] | None = None,
        land_cover: Raster | None = None,
        name: str = "Study area",
        species: str | None = None,
    ) -> StudyArea:
        """A study area from a mapping of layer names to GeoDataFrames.

        Each layer's role is ``roles[name]``, else the role its name spells
        (``"roads"``, ``"parks"``, ``"protected_areas"``, ``"countries"``... see
        :data:`ROLE_ALIASES`), else ``"context"`` (drawn on maps, not measured).
        """
        roles = dict(roles or {})
        out = []
        for key, gdf in layers.items():
            role = roles.get(key)
            if role is None:
                word = str(key).strip().lower()
                role = word if word in ROLE_ALIASES else "context"
            out.append(study_layer(gdf, role, key=str(key), label=str(key)))
        return cls(out, land_cover=land_cover, name=name, species=species)


# ---------------------------------------------------------------------------- files


def parse_layer_option(text: str) -> tuple[str, Path, str | None]:
    """``ROLE=PATH[:NAME_COLUMN]`` of the command line -> ``(role, path, name_column)``.

    The ``:NAME_COLUMN`` suffix is taken off only when the whole text is not an
    existing file (so ``C:/maps/parks.gpkg`` and names with colons still work).

    Examples
    --------
    >>> parse_layer_option("parks=data/parks.gpkg:NAME")
    ('parks', PosixPath('data/parks.gpkg'), 'NAME')
    >>> parse_layer_option("roads=roads.shp")
    ('roads', PosixPath('roads.shp'), None)
    >>> parse_layer_option("parks.gpkg")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: --layer 'parks.gpkg': expected ROLE=PATH[:NAME_COLUMN], \
e.g. --layer protected_areas=parks.gpkg:NAME or --layer roads=roads.shp.
    """
    role, sep, rest = str(text).partition("=")
    if not sep or not role.strip() or not rest.strip():
        raise ConfigError(
            f"--layer {text!r}: expected ROLE=PATH[:NAME_COLUMN], e.g. "
            "--layer protected_areas=parks.gpkg:NAME or --layer roads=roads.shp."
        )
    resolve_role(role, where=f"--layer {text!r}")
    path, column = rest, None
    if not Path(rest).exists() and ":" in rest:
        head, _, tail = rest.rpartition(":")
        if tail and "/" not in tail and "\\" not in tail:
            path, column = head, tail
    return role.strip(), Path(path), column


_LAYER_KEYS = {
    "role",
    "path",
    "key",
    "label",
    "name_column",
    "name",
    "zone_column",
    "category_column",
    "kind_column",
    "kind",
    "width_column",
    "width_m",
    "layer",
}


def _land_cover_from(table: Any, base: Path, where: str) -> Raster:
    if isinstance(table, str):
        table = {"path": table}
    if not isinstance(table, Mapping) or "path" not in table:
        raise ConfigError(f"{where}, key land_cover: expected a path or a table with path = ....")
    unknown = sorted(set(table) - {"path", "classes"})
    if unknown:
        raise ConfigError(f"{where}, key land_cover: unknown key(s) {unknown}; use path, classes.")
    cover = read_geotiff(base / str(table["path"]))
    classes = table.get("classes")
    if classes is not None:
        if not isinstance(classes, Mapping):
            raise ConfigError(
                f"{where}, key land_cover.classes: expected a table of value -> name, e.g. "
                '{1 = "forest", 2 = "water"}.'
            )
        try:
            named = {int(k): str(v) for k, v in classes.items()}
        except ValueError:
            raise ConfigError(
                f"{where}, key land_cover.classes: keys must be the raster's integer values."
            ) from None
        cover = Raster(cover.array, cover.transform, cover.crs, nodata=cover.nodata, classes=named)
    return cover


def read_study_area(path: str | os.PathLike[str]) -> StudyArea:
    """Read a study area from a TOML file; paths in it are relative to the file.

    ::

        name = "Adirondack fishers"
        species = "fisher.toml"            # optional: a profile name or file

        [[layers]]
        role = "protected_areas"           # or an alias: parks, roads, countries...
        path = "parks.gpkg"
        name_column = "NAME"
        zone_column = "ZONE"               # optional
        category_column = "IUCN_CAT"       # optional

        [[layers]]
        role = "roads"
        path = "roads.gpkg"
        width_column = "WIDTH_M"           # optional

        [land_cover]
        path = "cover.tif"
        classes = {41 = "deciduous forest", 11 = "open water"}

    Every layer key of :func:`study_layer` can be given. The ``species`` value
    is kept as text on :attr:`StudyArea.species` (resolved by the caller).

    Raises
    ------
    DataFileError, ConfigError, ColumnError, GeometryTypeError
        Naming the file, the layer entry and the key.
    """
    p = Path(path)
    values = read_toml(p, what="study-area file")
    return study_area_from_mapping(
        values, base=p.parent, where=f"study-area file '{p}'", default_name=p.stem
    )


def study_area_from_mapping(
    values: Mapping[str, Any],
    *,
    base: str | os.PathLike[str] = ".",
    where: str = "study area",
    default_name: str = "Study area",
) -> StudyArea:
    """A study area from the keys of a study-area file (:func:`read_study_area`) as a mapping.

    Used for a ``[study_area]`` table inlined in a report config. Paths are
    relative to ``base``; ``where`` names the source in error messages.
    """
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where}: expected a table of keys, got {values!r}.")
    folder = Path(base)
    unknown = sorted(set(values) - {"name", "species", "layers", "land_cover"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {unknown}; use name, species, [[layers]] and [land_cover]."
        )
    entries = values.get("layers", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: layers must be an array of tables ([[layers]]).")
    layers = [
        _layer_from(entry, folder, f"{where}, layers[{i}]") for i, entry in enumerate(entries)
    ]
    cover = (
        _land_cover_from(values["land_cover"], folder, where) if "land_cover" in values else None
    )
    species = values.get("species")
    if species is not None and not isinstance(species, str):
        raise ConfigError(
            f"{where}, key species: expected a profile name or file, got {species!r}."
        )
    if species is not None and (folder / species).is_file():
        species = str(folder / species)
    return StudyArea(
        layers, land_cover=cover, name=str(values.get("name", default_name)), species=species
    )


def _layer_from(entry: Any, base: Path, where: str) -> StudyLayer:
    if not isinstance(entry, Mapping) or "role" not in entry or "path" not in entry:
        raise ConfigError(f"{where}: each [[layers]] table needs role = ... and path = ....")
    unknown = sorted(set(entry) - _LAYER_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {unknown}; valid keys: {', '.join(sorted(_LAYER_KEYS))}."
        )
    options = {k: v for k, v in entry.items() if k not in ("role", "path")}
    resolve_role(entry["role"], where=where)
    return study_layer(base / str(entry["path"]), str(entry["role"]), **options)
