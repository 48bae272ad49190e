"""Figures of the territory report (presentation layer): matplotlib, drawn without pyplot.

Every function returns a :class:`matplotlib.figure.Figure` built directly (no
pyplot state, so figures can be drawn in worker processes and threads), with
its margins set so that :func:`figure_png` draws it only once.

* :func:`plot_ud` - one utilisation distribution with its isopleths;
* :func:`plot_area_curve` - area against number of fixes
  (:func:`habitat.homerange.curve.area_curve`), with the verdict;
* :func:`plot_summary_by_sex` - range area and share protected by sex;
* :func:`plot_fragmentation_by_animal` - landscape metrics of each animal's
  range, side by side and sorted;
* :func:`plot_variogram` - an empirical variogram with its intervals and the
  fitted movement model (AKDE);
* :func:`plot_area_intervals` - every animal's range area with its interval;
* :func:`figure_png` - a figure as PNG bytes.

Analysis (:mod:`habitat.homerange`, :mod:`habitat.overlap`) never imports
matplotlib; its plotting lives here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import ColumnError, InputError
from habitat.core.sex import sex_labels
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.datasets import species_profile
from habitat.homerange.curve import area_curve_verdict
from habitat.io.raster import Raster
from habitat.io.species import SpeciesProfile
from habitat.movement.model import MovementModel
from habitat.report.akde import duration_text, time_unit, variogram_table
from habitat.report.style import SEX_COLOURS, SEX_LABELS

__all__ = [
    "UD_DISPLAY_MAX_SIDE",
    "display_array",
    "figure_png",
    "length_label",
    "plot_area_curve",
    "plot_connectivity_graph",
    "plot_area_intervals",
    "plot_fragmentation_by_animal",
    "plot_summary_by_sex",
    "plot_ud",
    "plot_variogram",
]

#: Longest side (cells) of a UD image handed to matplotlib: a UD on a finer
#: grid is averaged over blocks of cells first (the figure is 450 pixels wide,
#: and matplotlib's resampling would hold several float64 copies of the full grid).
UD_DISPLAY_MAX_SIDE = 1200


def display_array(values: Any, *, max_side: int = UD_DISPLAY_MAX_SIDE) -> tuple[np.ndarray, int]:
    """A grid averaged over ``step x step`` blocks so that no side exceeds ``max_side`` cells.

    The grid is padded with zeros at its last rows and columns to a multiple
    of ``step`` (a UD is 0 there); block means keep the units (a density stays
    a density).

    Parameters
    ----------
    values : array_like, 2-D
        Grid, row 0 at the top.
    max_side : int
        Longest side of the result, in blocks (>= 1).

    Returns
    -------
    image : numpy.ndarray
        Block means, ``ceil(rows / step) x ceil(cols / step)``.
    step : int
        Cells per block side (1: ``values`` as they are).

    Examples
    --------
    >>> image, step = display_array(np.arange(20.0).reshape(4, 5), max_side=3)
    >>> step, image.shape
    (2, (2, 3))
    >>> image  # the last column is padded with zeros: (4 + 9 + 0 + 0) / 4
    array([[ 3.  ,  5.  ,  3.25],
           [13.  , 15.  ,  8.25]])
    """
    arr = np.asarray(values, dtype=float)
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1:
        raise InputError(f"max_side must be a whole number of cells >= 1; got {max_side!r}.")
    step = max(1, -(-max(arr.shape) // max_side))
    if step == 1:
        return arr, 1
    # block sums row-wise then column-wise: no copy of the full grid (a ragged last
    # block sums what there is; dividing by step² is the mean with zeros padded)
    rows = np.add.reduceat(arr, np.arange(0, arr.shape[0], step), axis=0)
    blocks = np.add.reduceat(rows, np.arange(0, arr.shape[1], step), axis=1)
    blocks /= step * step
    return blocks, step


def _plain_number(value: float, _pos: Any = None) -> str:
    """A tick label without mathtext: 10, 2.5, 1,000, 250,000."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def length_label(metres: float) -> str:
    """A length for a title or caption: metres below 1 km, else km.

    Examples
    --------
    >>> length_label(150.0), length_label(8000.0), length_label(2500.0)
    ('150 m', '8 km', '2.5 km')
    """
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def figure_png(fig: Any, *, dpi: int = 80) -> bytes:
    """Encode a matplotlib Figure as PNG bytes (no pyplot state is used).

    The figure is drawn once with the margins its plotting function set
    (``tight_layout`` or ``bbox_inches="tight"`` would draw it once more,
    which doubles the time of a batch of hundreds of figures).
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_ud(
    ud: Raster,
    *,
    individual: str,
    ranges: Any | None = None,
    levels: Sequence[float] = (0.5, 0.95),
) -> Any:
    """Image of one utilisation distribution with its isopleths.

    Parameters
    ----------
    ud : Raster
        UD in 1/m² on a metric grid (:func:`habitat.homerange.ud.utilization_distribution`).
    individual : str
        Animal named in the title.
    ranges : GeoDataFrame, optional
        Isopleth polygons (e.g. the KDE ranges of this animal) to outline; reprojected
        to the UD's CRS.
    levels : sequence of float
        Only used in the caption of the outlines.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in km of the UD's CRS; colour = UD per km² (per 10^k km² for a UD
        below 0.01 per km², as the colour bar says).
    """
    fig = Figure(figsize=(5.6, 4.6))
    ax = fig.add_subplot()
    left, _, _, top = ud.bounds
    image, step = display_array(np.asarray(ud.array), max_side=UD_DISPLAY_MAX_SIDE)
    cell = abs(float(ud.transform[0]))
    right = left + image.shape[1] * step * cell
    bottom = top - image.shape[0] * step * cell
    km = 1000.0
    density = image * 1e6  # per km²
    # a far-ranging animal's UD per km² is ~1e-5: per 10^k km² instead, so that the
    # colour bar needs no "1e-5" offset (drawn over the title)
    top_value = float(np.nanmax(density)) if density.size else 0.0
    per = 10.0 ** math.ceil(-math.log10(top_value)) if 0.0 < top_value < 0.01 else 1.0
    img = ax.imshow(
        density * per,
        extent=(left / km, right / km, bottom / km, top / km),
        origin="upper",
        cmap="magma_r",
    )
    fig.colorbar(img, ax=ax, label=f"utilisation per {_plain_number(per)} km²")
    if ranges is not None and len(ranges):
        shapes = hcrs.align(ranges, ud.crs, name="ranges")
        for geom in shapes.geometry:
            polys = getattr(geom, "geoms", [geom])
            for p in polys:
                x, y = p.exterior.xy
                ax.plot(np.asarray(x) / km, np.asarray(y) / km, color="#1a9850", lw=1.2)
    ax.set_xlabel("easting (km)")
    ax.set_ylabel("northing (km)")
    pct = ", ".join(f"{100 * lv:g} %" for lv in levels)
    # an explicit y turns off matplotlib's title placement, which measures every
    # tick label and costs as much as the rest of the drawing
    ax.set_title(
        f"{individual}: kernel UD ({length_label(cell)} cells), isopleths {pct}",
        fontsize=10,
        y=1.01,
    )
    ax.set_aspect("equal")
    ax.locator_params(nbins=5)  # fewer tick labels to lay out
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.11, top=0.93)
    return fig


def plot_summary_by_sex(
    metrics: pd.DataFrame,
    *,
    species: SpeciesProfile | str | Mapping[str, Any] | None = None,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> Any:
    """Range area and share protected by sex, one dot per animal.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Territory table (:func:`habitat.overlap.territory.territory_table`) with ``sex``,
        ``area_sq_mi`` and optionally ``share_protected``.
    species : SpeciesProfile, str, mapping or None
        A species profile (or a bundled name such as ``"amur_leopard"``, a
        TOML file, a mapping; :func:`habitat.datasets.species_profile`) whose
        expected outer-range sizes are shaded per sex (its ``any`` bounds for
        a sex it does not bound, e.g. unknown). ``None`` (default) and no
        ``expected_area_sq_mi``: nothing is shaded.
    expected_area_sq_mi : mapping, optional
        Or the sizes themselves (sq mi by ``F``, ``M``, ``any``); not with ``species``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        For both ``species`` and ``expected_area_sq_mi``.
    """
    if species is not None and expected_area_sq_mi is not None:
        raise InputError(
            "plot_summary_by_sex: give either species= or expected_area_sq_mi=, not both."
        )
    profile = species_profile(species)
    expected = dict(
        expected_area_sq_mi
        if expected_area_sq_mi is not None
        else ({} if profile is None else profile.expected_area_sq_mi)
    )
    panels = [("area_sq_mi", "range area (sq mi)")]
    if "share_protected" in metrics.columns:
        panels.append(("share_protected", "share protected (%)"))
    fig = Figure(figsize=(4.2 * len(panels), 3.8))
    sexes = sorted(metrics["sex"].astype(str).unique()) if len(metrics) else []
    rng = np.random.default_rng(0)
    for k, (col, label) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        for x, sex in enumerate(sexes):
            v = metrics.loc[metrics["sex"].astype(str) == sex, col].to_numpy(dtype=float)
            v = v * 100.0 if col.startswith("share") else v
            jitter = rng.uniform(-0.12, 0.12, len(v))
            colour = SEX_COLOURS.get(sex, "#777777")
            ax.scatter(x + jitter, v, color=colour, s=22, alpha=0.85, zorder=3)
            if len(v):
                ax.hlines(np.nanmedian(v), x - 0.25, x + 0.25, color="k", lw=1.5, zorder=4)
            bounds = expected.get(str(sex_labels([sex])[0]), expected.get("any", (None, None)))
            lo, hi = bounds if col == "area_sq_mi" else (None, None)
            if lo is not None or hi is not None:
                ax.fill_between(
                    [x - 0.35, x + 0.35],
                    lo or 0.0,
                    hi or np.nanmax(v, initial=0.0),
                    color=colour,
                    alpha=0.12,
                    zorder=1,
                    lw=0,
                )
        ax.set_xticks(range(len(sexes)), [SEX_LABELS.get(s, s) for s in sexes])
        ax.set_xlim(-0.6, max(len(sexes) - 0.4, 0.6))
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    shading = (
        ""
        if not expected
        else f"; shading: expected sizes of {profile.common_name}"
        if profile is not None
        else "; shading: expected range sizes"
    )
    fig.suptitle(f"By sex (bar: median{shading})", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.1, top=0.88, wspace=0.3)
    return fig


#: metrics compared across animals on the index (one panel each)
FRAGMENTATION_FIGURE_METRICS = ("effective_mesh_size", "edge_density")


def plot_fragmentation_by_animal(
    metrics: pd.DataFrame,
    *,
    columns: Sequence[str] = FRAGMENTATION_FIGURE_METRICS,
    sexes: Mapping[str, str] | None = None,
) -> Any:
    """Landscape metrics of each animal's range as horizontal bars, one panel per metric.

    Animals are sorted by the first metric (largest at the top) and keep that
    order in every panel, so a row reads across; bars are coloured by sex
    when ``sexes`` is given. Missing values leave a gap labelled ``n/a``.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Landscape-level rows of a :data:`habitat.core.tables.LANDSCAPE_METRICS`
        table, one per animal (``zone_id`` is the individual).
    columns : sequence of str
        Metrics to draw (contract names); each axis is labelled with the
        contract's description and unit.
    sexes : mapping, optional
        Individual -> sex code, for the bar colours.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ColumnError
        For a metric that is not a column of ``metrics``.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_fragmentation_by_animal(pd.DataFrame({
    ...     "zone_id": ["a", "b", "c"], "level": "landscape",
    ...     "effective_mesh_size": [50.0, 900.0, float("nan")], "edge_density": [30.0, 5.0, 12.0]}))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['c', 'a', 'b']
    >>> fig.axes[1].get_xlabel()
    'edge density (m/ha)'
    """
    missing = [c for c in columns if c not in metrics.columns]
    if missing:
        raise ColumnError(
            f"plot_fragmentation_by_animal: the metrics table has no column(s) {missing}; "
            "compute them with habitat.landscape_metrics(..., level='landscape')."
        )
    rows = metrics
    if "level" in rows.columns:
        rows = rows[rows["level"].astype(str) == "landscape"]
    first = rows[columns[0]].to_numpy(dtype=float)
    # largest at the top: barh draws the first row at the bottom, so sort ascending, NaN first
    order = np.argsort(np.where(np.isnan(first), -np.inf, first), kind="stable")
    rows = rows.iloc[order]
    names = rows["zone_id"].astype(str).tolist()
    colours = [SEX_COLOURS.get(str((sexes or {}).get(n, "")), "#5aae61") for n in names]
    height = max(2.4, 0.9 + 0.28 * len(names))
    fig = Figure(figsize=(4.0 * len(columns) + 1.0, height))
    y = np.arange(len(names))
    for k, col in enumerate(columns):
        ax = fig.add_subplot(1, len(columns), k + 1)
        v = rows[col].to_numpy(dtype=float)
        ok = np.isfinite(v)
        ax.barh(y[ok], v[ok], color=[c for c, good in zip(colours, ok, strict=True) if good])
        for yy in y[~ok]:
            ax.text(0, yy, " n/a", va="center", fontsize=8, color="#777777")
        # ids are data: a '$' would start mathtext, so it is escaped
        shown = [n.replace("$", r"\$") for n in names]
        ax.set_yticks(y, shown if k == 0 else [""] * len(names))
        ax.set_ylim(-0.6, len(names) - 0.4)
        column = LANDSCAPE_METRICS.column(col)
        ax.set_xlabel(column.description + (f" ({column.unit})" if column.unit else ""))
        ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.grid(axis="x", alpha=0.3)
        if not ok.any():
            ax.set_xlim(0, 1)
    present = [x for x in SEX_COLOURS if x in {str(v) for v in (sexes or {}).values()}]
    if present:  # which colour is which sex
        from matplotlib.patches import Patch

        handles = [Patch(color=SEX_COLOURS[x], label=SEX_LABELS.get(x, x)) for x in present]
        fig.axes[-1].legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.8)
    fig.suptitle("Fragmentation inside each range (sorted by the first panel)", fontsize=10)
    left = min(0.45, 0.06 + 0.012 * max((len(n) for n in names), default=4)) / len(columns) * 2
    fig.subplots_adjust(
        left=left, right=0.98, bottom=0.5 / height + 0.05, top=1 - 0.45 / height, wspace=0.08
    )
    return fig


def plot_area_curve(
    curve: pd.DataFrame,
    *,
    ax: Any | None = None,
    individuals: Sequence[str] | None = None,
    plateau_tolerance: float | None = None,
) -> Any:
    """Plot area against number of fixes, with a 5–95 % band per individual.

    Parameters
    ----------
    curve : pandas.DataFrame
        The output of :func:`habitat.homerange.curve.area_curve`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; default a new :class:`matplotlib.figure.Figure`
        (no pyplot state is touched).
    individuals : sequence of str, optional
        Subset of individuals to draw (default all).
    plateau_tolerance : float, optional
        Tolerance of the verdict in the title; default the curve's
        ``attrs["plateau_tolerance"]`` or 0.05.

    Returns
    -------
    matplotlib.figure.Figure
        One solid line (mean area, km²) per individual, its 5–95 % band, and a
        dashed line at its full-data area; the title states the verdict.
    """
    data = curve
    if individuals is not None:
        wanted = [str(i) for i in individuals]
        unknown = sorted(set(wanted) - set(curve["individual"].astype(str)))
        if unknown:
            raise InputError(
                f"individuals {unknown} are not in the curve; choose from "
                f"{sorted(curve['individual'].astype(str).unique())}."
            )
        data = curve[curve["individual"].astype(str).isin(wanted)]
    if data.empty:
        raise InputError(
            "the curve is empty; compute it with habitat.homerange.curve.area_curve first."
        )
    tol = plateau_tolerance or curve.attrs.get("plateau_tolerance", 0.05)
    verdicts = area_curve_verdict(data, plateau_tolerance=tol)
    if ax is None:
        fig = Figure(figsize=(7, 4.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    for name, g in data.groupby("individual", sort=True):
        g = g.sort_values("n_fixes")
        x = g["n_fixes"].to_numpy()
        (line,) = ax.plot(x, g["area_km2_mean"].to_numpy(), marker="o", ms=3, label=str(name))
        ax.fill_between(
            x,
            g["area_km2_q05"].to_numpy(),
            g["area_km2_q95"].to_numpy(),
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
        ax.axhline(g["area_km2_mean"].iloc[-1], color=line.get_color(), linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())  # unlabelled minor ticks cost draw time
    # plain tick labels: the default 10^k and x1e5 labels are mathtext, whose parsing
    # cost more than the rest of the figure (0.5 s for an albatross's areas)
    ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.set_xlabel("number of fixes")
    ax.set_ylabel("home-range area (km²)")
    method = curve.attrs.get("method", "")
    level = curve.attrs.get("level")
    what = f"{method.upper()} {100 * level:g} %" if level is not None else method.upper()
    if len(verdicts) == 1:
        title = f"{verdicts.index[0]} ({what}): {verdicts['verdict'].iloc[0]}"
    else:
        k = int(verdicts["levelled_off"].sum())
        rising = [str(i) for i in verdicts.index[~verdicts["levelled_off"].to_numpy(dtype=bool)]]
        title = f"{what}: {k} of {len(verdicts)} individuals levelled off"
        if rising:
            title += f"; still rising: {', '.join(rising[:6])}{'…' if len(rising) > 6 else ''}"
    # explicit y: skips matplotlib's automatic title placement (slow in batches)
    ax.set_title(title, fontsize=9, wrap=True, y=1.01)
    ax.legend(fontsize=8)
    if ax is fig.axes[0] and len(fig.axes) == 1:
        # room for the widest area label (plain numbers: "250,000" for a seabird)
        widest = len(_plain_number(float(np.nanmax(data["area_km2_q95"].to_numpy(float)))))
        fig.subplots_adjust(
            left=max(0.1, 0.045 + 0.0135 * widest), right=0.97, bottom=0.12, top=0.88
        )
    return fig


def plot_connectivity_graph(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    *,
    pc: float | None = None,
    eca_km2: float | None = None,
) -> Figure:
    """The connectivity graph: ranges as nodes, corridors as edges, widths by PC contribution.

    Parameters
    ----------
    nodes : pandas.DataFrame
        Indexed by node id, with ``x_m`` and ``y_m`` (position in a projected
        CRS, metres), ``area_km2`` (marker area) and ``dPC`` (% loss of PC
        without the node, the marker colour).
    links : pandas.DataFrame
        ``from_id``, ``to_id`` and ``dPC`` (% loss of PC when the link alone is
        removed: the line width; 0 = a thin line, a link no best path uses).
    pc, eca_km2 : float, optional
        Probability of connectivity and equivalent connected area (km²) shown
        in the title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ColumnError
        For a missing column.

    Examples
    --------
    >>> nodes = pd.DataFrame({"x_m": [0.0, 5000.0], "y_m": [0.0, 0.0],
    ...                       "area_km2": [40.0, 60.0], "dPC": [45.0, 70.0]}, index=["a", "b"])
    >>> links = pd.DataFrame({"from_id": ["a"], "to_id": ["b"], "dPC": [12.0]})
    >>> fig = plot_connectivity_graph(nodes, links, pc=0.61, eca_km2=78.1)
    >>> len(fig.axes[0].lines), fig.axes[0].get_title()
    (1, 'PC 0.610 · ECA 78.1 km²')
    """
    for col in ("x_m", "y_m", "area_km2", "dPC"):
        if col not in nodes.columns:
            raise ColumnError(f"connectivity graph: nodes have no {col!r} column.")
    for col in ("from_id", "to_id", "dPC"):
        if col not in links.columns:
            raise ColumnError(f"connectivity graph: links have no {col!r} column.")
    ids = nodes.index.astype(str)
    x = pd.Series(nodes["x_m"].to_numpy(dtype=float) / 1000.0, index=ids)
    y = pd.Series(nodes["y_m"].to_numpy(dtype=float) / 1000.0, index=ids)
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_subplot()
    d = links["dPC"].to_numpy(dtype=float)
    top = float(np.nanmax(d)) if len(d) and np.isfinite(d).any() else 0.0
    widths = 0.8 + (6.0 * np.nan_to_num(d) / top if top > 0 else np.zeros(len(d)))
    for (a, b), w in zip(
        zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True),
        widths,
        strict=True,
    ):
        if a in x.index and b in x.index:
            ax.plot([x[a], x[b]], [y[a], y[b]], color="#555555", lw=float(w), zorder=1)
    area = nodes["area_km2"].to_numpy(dtype=float)
    size = 40.0 + 260.0 * area / max(float(np.nanmax(area)), 1e-12) if len(area) else area
    dots = ax.scatter(
        x.to_numpy(),
        y.to_numpy(),
        s=size,
        c=nodes["dPC"].to_numpy(dtype=float),
        cmap="viridis",
        edgecolors="black",
        zorder=2,
    )
    for name, xi, yi in zip(ids, x.to_numpy(), y.to_numpy(), strict=True):
        ax.annotate(name, (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=7)
    fig.colorbar(dots, ax=ax, label="dPC of the range (%)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("easting (km)")
    ax.set_ylabel("northing (km)")
    parts = []
    if pc is not None:
        parts.append(f"PC {pc:.3f}")
    if eca_km2 is not None:
        parts.append(f"ECA {eca_km2:,.1f} km²")
    ax.set_title(" · ".join(parts), fontsize=10)
    fig.subplots_adjust(left=0.12, right=0.95, bottom=0.1, top=0.92)
    return fig


def _mathtext_safe(text: str) -> str:
    """A data string for a matplotlib label: a ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def plot_variogram(
    variogram: pd.DataFrame,
    model: MovementModel | None = None,
    *,
    individual: str | None = None,
    level: float = 0.95,
    fraction: float = 0.5,
) -> Figure:
    """An empirical variogram with its chi-square intervals and the fitted model's curve.

    Drawn as ctmm's ``plot.variogram``: lags with at least one degree of
    freedom, up to ``fraction`` of the longest lag (ctmm's default half: the
    longest lags rest on few pairs); each semivariance with its interval
    (:func:`habitat.report.akde.semivariance_ci`, points with error bars up to
    100 lags, a line and a band beyond); the model's semivariance
    (:meth:`habitat.movement.MovementModel.semivariance_m2`, without location
    error, as ctmm draws it) as a red curve. A range-resident animal's
    variogram levels off at the model's variance; one that keeps rising never
    settles into a range.

    Parameters
    ----------
    variogram : pandas.DataFrame
        :func:`habitat.movement.variogram` (``lag_s``, ``semivariance_m2``, ``dof``).
    model : MovementModel, optional
        The fitted model (its name is in the title).
    individual : str, optional
        Animal named in the title.
    level : float
        Confidence level of the intervals.
    fraction : float
        Share (0-1] of the longest lag shown.

    Returns
    -------
    matplotlib.figure.Figure
        Semivariance in km² (m² for an animal whose variogram stays below
        0.001 km²) against the lag in min, h, days or years
        (:func:`habitat.report.akde.time_unit` of the longest lag shown).

    Raises
    ------
    InputError
        For a ``fraction`` outside (0, 1] or a variogram without a lag.

    Examples
    --------
    >>> v = pd.DataFrame({"lag_s": np.arange(5) * 86400.0,
    ...                   "semivariance_m2": [0.0, 4e6, 6e6, 7e6, 7e6], "dof": 40.0})
    >>> fig = plot_variogram(v, individual="Leo 1F", fraction=1.0)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('lag (days)', 'semivariance (km²)')
    >>> fig.axes[0].get_title()
    'Leo 1F: variogram'
    """
    if not 0.0 < fraction <= 1.0:
        raise InputError(f"fraction must be in (0, 1], e.g. 0.5; got {fraction!r}.")
    table = variogram_table(variogram, level=level)
    if not len(table):
        raise InputError(
            "the variogram has no lag with one degree of freedom or more; "
            "compute it from at least two fixes with habitat.movement.variogram."
        )
    lag = table["lag_s"].to_numpy(dtype=float)
    max_lag = float(fraction * lag.max()) if lag.max() > 0 else 1.0
    table = table[lag <= max_lag]
    lag = table["lag_s"].to_numpy(dtype=float)
    unit_name, unit_s = time_unit(max_lag)
    curve_lag = np.linspace(0.0, max_lag, 400)
    curve = model.semivariance_m2(curve_lag) / 1e6 if model is not None else np.zeros(0)
    svf = table["semivariance_km2"].to_numpy(dtype=float)
    low = table["semivariance_low_km2"].to_numpy(dtype=float)
    high = table["semivariance_high_km2"].to_numpy(dtype=float)
    top = float(np.nanmax(np.concatenate([high, svf, curve, [0.0]])))
    scale, area_unit = (1.0, "km²") if top >= 1e-3 else (1e-6, "m²")
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    x = lag / unit_s
    pct = f"{100 * level:g} %"
    if len(x) <= 100:
        ax.errorbar(
            x,
            svf / scale,
            yerr=np.vstack([svf - low, high - svf]) / scale,
            fmt="o",
            ms=3.5,
            color="#222222",
            ecolor="#999999",
            elinewidth=1.0,
            label=f"empirical ({pct} CI)",
            zorder=3,
        )
    else:
        ax.fill_between(x, low / scale, high / scale, color="#222222", alpha=0.15, lw=0)
        ax.plot(x, svf / scale, color="#222222", lw=1.0, label=f"empirical ({pct} CI)")
    if model is not None:
        taus = [f"τp {duration_text(model.tau_position_s)}"] if model.tau_position_s > 0 else []
        if model.tau_velocity_s > 0:
            taus.append(f"τv {duration_text(model.tau_velocity_s)}")
        ax.plot(
            curve_lag / unit_s,
            curve / scale,
            color="#d62728",
            lw=1.8,
            label=f"{model.label}" + (f" ({', '.join(taus)})" if taus else ""),
            zorder=4,
        )
    ax.set_xlim(0.0, max_lag / unit_s)
    ax.set_ylim(0.0, 1.05 * top / scale if top > 0 else 1.0)
    ax.set_xlabel(f"lag ({unit_name})")
    ax.set_ylabel(f"semivariance ({area_unit})")
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    who = f"{_mathtext_safe(individual)}: " if individual else ""
    what = f"variogram with the fitted {model.label} model" if model is not None else "variogram"
    ax.set_title(f"{who}{what}", fontsize=10, y=1.01)
    widest = len(_plain_number(top / scale))
    fig.subplots_adjust(left=max(0.1, 0.05 + 0.012 * widest), right=0.97, bottom=0.12, top=0.9)
    return fig


def plot_area_intervals(
    metrics: pd.DataFrame,
    *,
    level: float | None = None,
    sexes: Mapping[str, str] | None = None,
) -> Figure:
    """Each animal's range area as a point with its interval as an error bar, sorted.

    Animals are sorted by area (largest at the top) and coloured by sex when
    it is known (a ``sex`` column or ``sexes``). An animal without an
    interval (a method that has none, e.g. MCP) is a point alone; an
    unbounded upper limit is drawn to the edge with an arrow head. Areas in
    km² below, sq mi above.

    Parameters
    ----------
    metrics : pandas.DataFrame
        One row per animal: ``individual``, ``area_km2`` and, for AKDE,
        ``area_low_km2`` and ``area_high_km2`` (:func:`habitat.home_range`).
    level : float, optional
        Confidence level of the intervals, for the title.
    sexes : mapping, optional
        Individual -> sex code (instead of a ``sex`` column).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ColumnError
        Without ``individual`` or ``area_km2``.

    Examples
    --------
    >>> fig = plot_area_intervals(pd.DataFrame({
    ...     "individual": ["a", "b"], "sex": ["F", "M"], "area_km2": [300.0, 120.0],
    ...     "area_low_km2": [250.0, 90.0], "area_high_km2": [360.0, 160.0]}), level=0.95)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # largest at the top
    ['b', 'a']
    """
    for col in ("individual", "area_km2"):
        if col not in metrics.columns:
            raise ColumnError(
                f"plot_area_intervals: the table has no {col!r} column; pass one row per "
                "animal of habitat.home_range (with area_low_km2 / area_high_km2 for AKDE)."
            )
    area = metrics["area_km2"].to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(area), -np.inf, area), kind="stable")
    rows = metrics.iloc[order]
    names = rows["individual"].astype(str).tolist()
    area = rows["area_km2"].to_numpy(dtype=float)
    nan = np.full(len(rows), np.nan)
    low = rows["area_low_km2"].to_numpy(dtype=float) if "area_low_km2" in rows else nan
    high = rows["area_high_km2"].to_numpy(dtype=float) if "area_high_km2" in rows else nan
    if sexes is not None:
        sex = [str(sexes.get(n, "")) for n in names]
    elif "sex" in rows.columns:
        sex = [str(s) for s in rows["sex"]]
    else:
        sex = [""] * len(names)
    colours = [SEX_COLOURS.get(s, "#5aae61" if not any(sex) else "#777777") for s in sex]
    finite = np.concatenate([area, low, high[np.isfinite(high)]])
    finite = finite[np.isfinite(finite)]
    right = 1.08 * float(finite.max()) if finite.size else 1.0
    height = max(2.6, 1.1 + 0.3 * len(names))
    fig = Figure(figsize=(6.4, height))
    ax = fig.add_subplot()
    y = np.arange(len(names))
    for yi, a, lo, hi, colour in zip(y, area, low, high, colours, strict=True):
        if np.isfinite(lo) and not np.isnan(hi):
            top = min(hi, right) if np.isfinite(hi) else right
            ax.plot([lo, top], [yi, yi], color=colour, lw=2.0, alpha=0.7, solid_capstyle="butt")
            ax.plot([lo], [yi], marker="|", ms=9, color=colour)
            ax.plot([top], [yi], marker="|" if np.isfinite(hi) else ">", ms=9, color=colour)
        if np.isfinite(a):
            ax.plot([a], [yi], marker="o", ms=6, color=colour, mec="black", mew=0.6, zorder=3)
    ax.set_yticks(y, [_mathtext_safe(n) for n in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlim(0.0, right)
    ax.set_xlabel("range area (km²)")
    ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
    sq_mi = ax.secondary_xaxis(
        "top",
        functions=(units.km2_to_sq_mi, units.sq_mi_to_km2),
    )
    sq_mi.set_xlabel("range area (sq mi)")
    sq_mi.xaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.grid(axis="x", alpha=0.3)
    present = [s for s in SEX_COLOURS if s in set(sex)]
    if present:
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color=SEX_COLOURS[s], marker="o", lw=2, label=SEX_LABELS.get(s, s))
            for s in present
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.8)
    what = f"{100 * level:g} % intervals" if level is not None else "intervals"
    fig.suptitle(f"Range areas with their {what} (sorted)", fontsize=10)
    left = min(0.4, 0.05 + 0.012 * max((len(n) for n in names), default=4))
    fig.subplots_adjust(
        left=max(left, 0.1), right=0.97, bottom=0.55 / height + 0.05, top=1 - 0.95 / height
    )
    return fig
