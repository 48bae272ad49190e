r"""Circuit theory on resistance surfaces, as Circuitscape defines it.

:func:`current_flow` treats a resistance raster as an electrical network
(McRae 2006; McRae et al. 2008; Circuitscape 4 and Circuitscape.jl) and gives
the effective resistance between focal nodes and the cumulative current map.

Definitions (Circuitscape's, restated)
--------------------------------------
* **Graph.** One node per cell with data; each cell is joined to its 4 or 8
  neighbours with data. Cell conductance = 1 / resistance (ohm\ :sup:`-1`; the
  raster's values are ohm per cell, independent of the cell size: a square of
  a uniform sheet has the same resistance whatever its side).
* **Branch conductance** between neighbours with conductances
  :math:`g_1, g_2`: :math:`(g_1 + g_2)/2` by default ("average conductance",
  ``connection="conductance"``), or :math:`1 / ((r_1 + r_2)/2)` with
  ``connection="resistance"`` ("average resistance"); divided by √2 between
  diagonal neighbours.
* **Focal nodes.** Points take the cell holding them; a polygon (a park, a core
  area) is a *focal region*: its cells are short-circuited into one node
  (:func:`habitat.corridors.nodes.node_cells` gives the cells). In pairwise
  mode only the two regions of the pair being solved are shorted, the other
  regions are ordinary cells (as Circuitscape does); in one-to-all mode every
  region is shorted.
* **Pairwise.** For each pair, 1 A is injected at one node and the other is
  grounded (0 V). The effective resistance is the voltage of the source
  (ohm). When every node is a single cell, one node per connected component is
  grounded once and the voltages of every pair follow by superposition of
  ``n - 1`` solves (Circuitscape's "single ground" shortcut), all with one
  matrix.
* **One-to-all.** Each node in turn gets 1 A while all the others are grounded;
  its resistance is its voltage.
* **Node current** (Circuitscape's current map): at each cell, the larger of
  the current flowing in and the current flowing out through its branches,
  i.e. half the sum of the absolute branch currents plus half the injected
  current; 1 A at a source and at a sink. The cells of a shorted region all get
  the region's node current. The **cumulative current map** sums the node
  currents of every pair (pairwise) or every source (one-to-all).

Solvers
-------
The reduced Laplacian (ground or fixed-voltage cells eliminated) is symmetric
positive definite. ``solver="direct"`` factorises it once (SuperLU with a
symmetric ordering: CHOLMOD is not available) and back-substitutes every
right-hand side; ``solver="amg"`` builds a smoothed-aggregation algebraic
multigrid hierarchy once per matrix and uses it as the preconditioner of
conjugate gradients for every right-hand side. Its first level comes from the
grid itself (aggregates of 3 × 3 cells, a Jacobi-smoothed prolongator and the
Galerkin product, without pyamg's eigenvalue estimates and block-sparse
products), the coarser ones from pyamg; one solve on 4 M cells takes about
13 s on two cores, against about 47 s for pyamg with its defaults
(``benchmarks/bench_circuit.py``). ``"auto"`` factorises up to
:data:`DIRECT_MAX_CELLS` unknowns (:data:`DIRECT_MANY_MAX_CELLS` when one matrix
has :data:`MANY_RIGHT_HAND_SIDES` or more) and uses AMG above. The relative residual
:math:`\lVert b - Ax\rVert / \lVert b\rVert` of every solve is checked; a solve
that does not reach ``tol`` raises :class:`~habitat.core.errors.ConvergenceError`
naming the residual and the tolerance (never a silent number). With
``"auto"``, an AMG solve that stalls (extreme contrasts, 1 to 10\ :sup:`6`) is
retried with the factorisation when the system is small enough
(:data:`FALLBACK_MAX_CELLS`), with a warning.

:func:`pinch_points` marks the cells whose current is in the top percentile
inside a corridor.

References
----------
McRae, B. H. (2006). Isolation by resistance. *Evolution* 60, 1551-1561.
McRae, B. H., Dickson, B. G., Keitt, T. H., Shah, V. B. (2008). Using circuit
theory to model connectivity in ecology, evolution, and conservation.
*Ecology* 89, 2712-2724. Circuitscape 4 user guide (McRae, Shah, Mohapatra
2013); Circuitscape.jl (Anantharaman et al. 2020, JuliaCon proceedings).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage, sparse

from habitat.core.errors import (
    DataQualityWarning,
    InputError,
    InsufficientDataError,
)
from habitat.corridors.nodes import node_cells
from habitat.corridors.solver import (
    DIRECT_MANY_MAX_CELLS,
    DIRECT_MAX_CELLS,
    FALLBACK_MAX_CELLS,
    MANY_RIGHT_HAND_SIDES,
    block_aggregates,
    grid_index,
    kernels,
    laplacian_matrix,
    make_solver,
)
from habitat.corridors.surface import resistance_cells
from habitat.io.raster import Raster

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "DIRECT_MANY_MAX_CELLS",
    "DIRECT_MAX_CELLS",
    "FALLBACK_MAX_CELLS",
    "MANY_RIGHT_HAND_SIDES",
    "CurrentFlow",
    "current_flow",
    "pinch_points",
]

_MODES = ("pairwise", "one_to_all")
_CONNECTIONS = ("conductance", "resistance")
_SOLVERS = ("auto", "amg", "direct", "cholesky")
_GROUND, _HIGH = -2, -3


@dataclass(frozen=True)
class CurrentFlow:
    """Result of :func:`current_flow`.

    Attributes
    ----------
    resistances : pandas.DataFrame
        Pairwise mode: the symmetric matrix of effective resistances (ohm),
        index and columns = node ids, 0 on the diagonal, ``inf`` for pairs
        without a path. One-to-all mode: one row per node, column
        ``effective_resistance`` (ohm) between the node and all the others
        grounded (``inf`` when no other node is reachable).
    pairs : pandas.DataFrame or None
        Pairwise mode: one row per pair (``from_id``, ``to_id``,
        ``effective_resistance`` in ohm, ``connected``, ``note``), following
        :data:`habitat.core.tables.CORRIDORS`. ``None`` in one-to-all mode.
    current : habitat.io.raster.Raster
        Cumulative node current (A) per cell, float64, NaN on cells without
        data, 0 on cells no current reaches.
    voltage : habitat.io.raster.Raster or None
        Only when the run is a single pair (pairwise with two nodes): the
        voltage (V) of each cell, the first node grounded (0 V) and 1 A
        injected at the second (which sits at the effective resistance), as
        Circuitscape writes its pair maps; NaN on cells without data or not
        connected to the pair. ``None`` otherwise.
    mode : str
        ``"pairwise"`` or ``"one_to_all"``.
    solver : str
        The solver used: ``"direct"`` or ``"amg"``.
    max_residual : float
        Largest relative residual ``||b - Ax|| / ||b||`` over the solves.
    n_solves : int
        Number of right-hand sides solved.
    """

    resistances: pd.DataFrame
    pairs: pd.DataFrame | None
    current: Raster
    voltage: Raster | None
    mode: str
    solver: str
    max_residual: float
    n_solves: int


def _choice(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if value not in allowed:
        raise InputError(
            f"{what} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}."
        )
    return value


def _node_current(
    cond: np.ndarray,
    index: np.ndarray,
    v: np.ndarray,
    v_high: float,
    eight: bool,
    avg_res: bool,
    regions: list[np.ndarray],
) -> np.ndarray:
    """Circuitscape's node current per cell; each of ``regions`` (flat cell indices) shorted."""
    inflow, outflow = kernels().branch_sums(cond, index, v, v_high, eight, avg_res)
    cur: np.ndarray = np.maximum(inflow, outflow)
    flat = cur.reshape(-1)
    for cells in regions:
        if cells.size > 1:
            flat[cells] = max(inflow.reshape(-1)[cells].sum(), outflow.reshape(-1)[cells].sum())
    return cur


def _components(valid: np.ndarray, eight: bool) -> np.ndarray:
    structure = np.ones((3, 3), bool) if eight else ndimage.generate_binary_structure(2, 1)
    comp, _n = ndimage.label(valid, structure=structure)
    return np.asarray(comp)


def current_flow(
    resistance: Raster,
    nodes: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    mode: Literal["pairwise", "one_to_all"] = "pairwise",
    id_column: str | None = None,
    neighbours: int = 8,
    connection: Literal["conductance", "resistance"] = "conductance",
    solver: Literal["auto", "amg", "direct", "cholesky"] = "auto",
    tol: float = 1e-6,
    max_iterations: int = 1000,
    disconnected: Literal["warn", "raise"] = "warn",
) -> CurrentFlow:
    r"""Effective resistances and cumulative current between focal nodes (Circuitscape).

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance per cell (ohm, > 0; nodata / NaN / +inf = impassable), in a
        projected CRS in metres (checked by
        :func:`habitat.corridors.surface.resistance_cells`).
    nodes : GeoDataFrame or GeoSeries of points or polygons, or a grid of ids
        Focal nodes (points) or focal regions (polygons; rows sharing an id are
        one region), any CRS (reprojected); or Circuitscape's focal node
        raster (a Raster on the same grid, or an array of its shape: cells
        with an id > 0 belong to that node); see
        :func:`habitat.corridors.nodes.node_cells` for the cell rules. Cells
        of a region without data are left out of it.
    mode : {"pairwise", "one_to_all"}
        Every pair (1 A in at one, the other grounded), or each node against
        all the others grounded.
    id_column : str, optional
        Column holding the node ids; default the index.
    neighbours : {8, 4}
        Cell neighbourhood of the graph.
    connection : {"conductance", "resistance"}
        Branch conductance = mean of the two cells' conductances (default,
        Circuitscape's default), or 1 / mean of their resistances.
    solver : {"auto", "amg", "direct", "cholesky"}
        See the module docstring; ``"auto"`` factorises small systems
        (:data:`DIRECT_MAX_CELLS` unknowns, or :data:`DIRECT_MANY_MAX_CELLS` with
        many right-hand sides), AMG-preconditioned CG above. ``"cholesky"`` is
        a synonym of ``"direct"`` (a symmetric-mode SuperLU factorisation:
        scipy has no sparse Cholesky and CHOLMOD is not installed).
    tol : float
        Largest accepted relative residual ``||b - Ax|| / ||b||`` of each solve
        (default 1e-6, Circuitscape's CG tolerance; the direct solver reaches
        about 1e-12). With AMG at the default, effective resistances agree with
        a factorisation to about 1e-7 relative (measured on 1 M cells, 10 nodes)
        and currents to about ``tol`` (Circuitscape writes 6 decimals).
    max_iterations : int
        Conjugate-gradient iterations per solve (AMG only).
    disconnected : {"warn", "raise"}
        Pairs of nodes with no path between them (nodata separating them, or a
        node alone in its patch of data): ``"warn"`` gives them an infinite
        resistance (Circuitscape writes -1), flags them (``connected`` False,
        a ``note``) and warns with their ids (:class:`DataQualityWarning`);
        ``"raise"`` raises :class:`InputError` naming them.

    Returns
    -------
    CurrentFlow
        ``resistances`` (ohm), ``pairs`` (pairwise), ``current`` (A, cumulative),
        ``voltage`` (single pair only), the solver used and its worst residual.

    Raises
    ------
    InputError
        Bad options; nodes outside the raster, on nodata only or overlapping
        (from :func:`~habitat.corridors.nodes.node_cells`); disconnected pairs
        with ``disconnected="raise"``.
    ConvergenceError
        A solve that does not reach ``tol`` (naming the residual and the
        tolerance) and cannot be retried with the factorisation.
    InsufficientDataError
        Fewer than two focal nodes.
    ProjectedCRSRequiredError
        A raster in degrees.

    Notes
    -----
    Cells of the raster with data that no pair's current reaches (another
    component of the graph) have current 0. Multi-cell focal regions in
    pairwise mode need one matrix per pair (``n (n - 1) / 2`` solves, as in
    Circuitscape); single-cell nodes need ``n - 1`` solves with one matrix
    per component.

    Examples
    --------
    Two cells of resistance 1 joined side by side: 1 ohm between them
    (branch conductance (1 + 1) / 2 = 1 S); a 3-cell row: 2 ohm end to end, and
    the middle cell carries the whole 1 A:

    >>> import numpy as np
    >>> import geopandas as gpd
    >>> import shapely
    >>> surface = Raster(np.ones((1, 3)), (100.0, 0.0, 0.0, 0.0, -100.0, 100.0), "EPSG:32652")
    >>> ends = gpd.GeoSeries([shapely.Point(50, 50), shapely.Point(250, 50)],
    ...                      index=["west", "east"], crs="EPSG:32652")
    >>> flow = current_flow(surface, ends)
    >>> flow.resistances
          west  east
    west   0.0   2.0
    east   2.0   0.0
    >>> flow.current.array
    array([[1., 1., 1.]])
    >>> flow.voltage.array
    array([[0., 1., 2.]])
    >>> flow.pairs[["from_id", "to_id", "effective_resistance"]]
      from_id to_id  effective_resistance
    0    west  east                   2.0
    """
    if mode == "all_to_one":
        raise InputError(
            "mode='all_to_one' (Circuitscape's all-to-one: 1 A injected at every node but "
            "one, that one grounded) is not implemented; use mode='one_to_all' (each node "
            "against all the others grounded) or mode='pairwise'."
        )
    mode = _choice(mode, _MODES, "mode")
    connection = _choice(connection, _CONNECTIONS, "connection")
    solver = _choice(solver, _SOLVERS, "solver")
    if solver == "cholesky":  # the word for the factorisation; SuperLU does it here
        solver = "direct"
    disconnected = _choice(disconnected, ("warn", "raise"), "disconnected")
    if neighbours not in (4, 8) or isinstance(neighbours, bool):
        raise InputError(f"neighbours must be 4 or 8 (cells around each cell); got {neighbours!r}.")
    if not (isinstance(tol, (int, float)) and 0.0 < float(tol) < 1.0):
        raise InputError(
            f"tol must be a relative residual between 0 and 1, e.g. 1e-8; got {tol!r}."
        )
    if not (isinstance(max_iterations, (int, np.integer)) and max_iterations >= 1):
        raise InputError(f"max_iterations must be a positive integer; got {max_iterations!r}.")
    eight = neighbours == 8
    avg_res = connection == "resistance"

    values, _cell_size_m = resistance_cells(resistance, name="resistance")
    valid = np.isfinite(values)
    cond = np.where(valid, 1.0 / np.where(valid, values, 1.0), np.nan)
    labels, ids = node_cells(nodes, resistance, id_column=id_column, valid=valid, name="nodes")
    n_nodes = len(ids)
    if n_nodes < 2:
        raise InsufficientDataError(
            f"current_flow needs at least two focal nodes; got {n_nodes} ({list(ids)!r}). "
            "Give two or more points or polygons."
        )
    flat_labels = labels.reshape(-1)
    order = np.argsort(flat_labels, kind="stable")
    bounds = np.searchsorted(flat_labels[order], np.arange(1, n_nodes + 2))
    regions = [order[bounds[k] : bounds[k + 1]] for k in range(n_nodes)]
    comp = _components(valid, eight).reshape(-1)
    node_comps = [np.unique(comp[cells]) for cells in regions]

    run = _Run(cond, eight, avg_res, solver, float(tol), int(max_iterations))
    if mode == "pairwise":
        if all(cells.size == 1 for cells in regions):
            r, voltage = _pairwise_points(run, regions, comp)
        else:
            r, voltage = _pairwise_regions(run, regions, node_comps, comp)
        resistances = pd.DataFrame(r, index=ids, columns=ids)
        pairs = _pair_table(r, ids)
        bad = pairs.loc[~pairs["connected"]]
        if len(bad):
            named = [f"{a!r}-{b!r}" for a, b in zip(bad["from_id"], bad["to_id"], strict=True)]
            listed = ", ".join(named[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            text = (
                f"{len(bad)} of {len(pairs)} pair(s) of nodes have no path between them "
                f"(nodata separates them, {neighbours}-neighbour graph): {listed}"
            )
            if disconnected == "raise":
                raise InputError(
                    f"{text}. Fill the nodata gap (give those cells a high but finite "
                    "resistance), use neighbours=8, or drop the isolated nodes."
                )
            warnings.warn(
                f"{text}; their effective resistance is inf (Circuitscape writes -1).",
                DataQualityWarning,
                stacklevel=2,
            )
    else:
        r1 = _one_to_all(run, regions, comp)
        resistances = pd.DataFrame({"effective_resistance": r1}, index=ids)
        pairs = None
        voltage = None
        lonely = ids[~np.isfinite(r1)]
        if len(lonely):
            text = (
                f"node(s) {', '.join(repr(i) for i in lonely[:10])} reach no other focal node "
                f"(nodata separates them, {neighbours}-neighbour graph)"
            )
            if disconnected == "raise":
                raise InputError(f"{text}. Fill the nodata gap or drop those nodes.")
            warnings.warn(
                f"{text}; their effective resistance is inf.", DataQualityWarning, stacklevel=2
            )
    current = np.where(valid, run.cumulative.reshape(values.shape), np.nan)
    return CurrentFlow(
        resistances=resistances,
        pairs=pairs,
        current=_raster(resistance, current),
        voltage=None if voltage is None else _raster(resistance, voltage),
        mode=mode,
        solver=run.kind or ("direct" if solver == "auto" else solver),
        max_residual=run.max_residual,
        n_solves=run.n_solves,
    )


def _raster(like: Raster, array: np.ndarray) -> Raster:
    return Raster(array, like.transform, like.crs, nodata=float("nan"))


class _Run:
    """Shared state of one :func:`current_flow` call: grid, options, tallies."""

    def __init__(
        self,
        cond: np.ndarray,
        eight: bool,
        avg_res: bool,
        solver: str,
        tol: float,
        max_iterations: int,
    ) -> None:
        self.cond, self.eight, self.avg_res = cond, eight, avg_res
        self.solver, self.tol, self.max_iterations = solver, tol, max_iterations
        self.cumulative = np.zeros(cond.size, np.float64)
        self.kind = ""
        self.max_residual = 0.0
        self.n_solves = 0

    def solve(
        self, a: sparse.csr_matrix, index: np.ndarray, n_rhs: int = 1
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Set up a solver of ``a`` (factorisation or AMG hierarchy, once) for columns of b."""
        run = make_solver(
            a, self.solver, self.tol, self.max_iterations, block_aggregates(index), n_rhs
        )

        def more(rhs: np.ndarray) -> np.ndarray:
            x, used = run(rhs)
            self.kind = used.kind if self.kind in ("", used.kind) else "amg+direct"
            self.max_residual = max(self.max_residual, used.max_residual)
            self.n_solves += rhs.shape[1]
            return x

        return more

    def node_current(
        self, index: np.ndarray, v: np.ndarray, v_high: float, regions: list[np.ndarray]
    ) -> np.ndarray:
        out: np.ndarray = _node_current(
            self.cond, index, v, v_high, self.eight, self.avg_res, regions
        ).reshape(-1)
        return out


def _pairwise_points(
    run: _Run, regions: list[np.ndarray], comp: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Single-cell nodes: one ground per component, n - 1 solves, superposition."""
    n = len(regions)
    cells = np.array([c[0] for c in regions])
    node_comp = comp[cells]
    r = np.full((n, n), np.inf)
    np.fill_diagonal(r, 0.0)
    voltage = None
    shape = run.cond.shape
    for c in np.unique(node_comp):
        members = np.flatnonzero(node_comp == c)
        if members.size < 2:
            continue
        ground = members[0]
        domain = comp == c
        domain[cells[ground]] = False
        index, m = grid_index(domain.reshape(shape))
        index.reshape(-1)[cells[ground]] = _GROUND
        a, _rhs = laplacian_matrix(run.cond, index, m, run.eight, run.avg_res)
        others = members[1:]
        rows = index.reshape(-1)[cells[others]]
        b = np.zeros((m, others.size))
        b[rows, np.arange(others.size)] = 1.0
        x = run.solve(a, index, b.shape[1])(b)
        # potentials of every member node under each unit injection (ground: 0)
        sol = {int(k): x[:, j] for j, k in enumerate(others)}
        zero = np.zeros(m)
        for ia, ka in enumerate(members):
            xa = sol.get(int(ka), zero)
            for kb in members[ia + 1 :]:
                xb = sol.get(int(kb), zero)
                v = xb - xa  # 1 A in at kb, out at ka
                va = 0.0 if ka == ground else v[index.reshape(-1)[cells[ka]]]
                vb = 0.0 if kb == ground else v[index.reshape(-1)[cells[kb]]]
                r[ka, kb] = r[kb, ka] = vb - va
                # branch currents depend on voltage differences only: v's frame is fine
                run.cumulative += run.node_current(index, v, 0.0, [])
                if n == 2:
                    volt = np.full(run.cond.size, np.nan)
                    flat_index = index.reshape(-1)
                    inside = flat_index >= 0
                    volt[inside] = v[flat_index[inside]] - va
                    volt[cells[ground]] = -va
                    voltage = volt.reshape(shape)
    return r, voltage


def _pairwise_regions(
    run: _Run, regions: list[np.ndarray], node_comps: list[np.ndarray], comp: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Focal regions: per pair, the two regions shorted (1 V and 0 V), the rest solved."""
    n = len(regions)
    shape = run.cond.shape
    r = np.full((n, n), np.inf)
    np.fill_diagonal(r, 0.0)
    voltage = None
    for ka in range(n):
        for kb in range(ka + 1, n):
            if not np.intersect1d(node_comps[ka], node_comps[kb]).size:
                continue
            touched = np.union1d(node_comps[ka], node_comps[kb])
            domain = np.isin(comp, touched)
            domain[regions[ka]] = False
            domain[regions[kb]] = False
            index, m = grid_index(domain.reshape(shape))
            flat_index = index.reshape(-1)
            flat_index[regions[ka]] = _GROUND
            flat_index[regions[kb]] = _HIGH
            a, rhs = laplacian_matrix(run.cond, index, m, run.eight, run.avg_res)
            if m:
                x = run.solve(a, index)(rhs[:, None])[:, 0]
            else:
                x = np.zeros(0)
            inflow, outflow = kernels().branch_sums(run.cond, index, x, 1.0, run.eight, run.avg_res)
            amps = outflow.reshape(-1)[regions[kb]].sum() - inflow.reshape(-1)[regions[kb]].sum()
            if not amps > 0:
                continue
            resistance = 1.0 / amps
            r[ka, kb] = r[kb, ka] = resistance
            v = x * resistance
            run.cumulative += run.node_current(index, v, resistance, [regions[ka], regions[kb]])
            if n == 2:
                volt = np.full(run.cond.size, np.nan)
                inside = flat_index >= 0
                volt[inside] = v[flat_index[inside]]
                volt[regions[ka]] = 0.0
                volt[regions[kb]] = resistance
                voltage = volt.reshape(shape)
    return r, voltage


def _one_to_all(run: _Run, regions: list[np.ndarray], comp: np.ndarray) -> np.ndarray:
    """Each node at 1 A, all the others grounded; one matrix for all sources."""
    n = len(regions)
    shape = run.cond.shape
    touched = np.unique(np.concatenate([comp[cells] for cells in regions]))
    domain = np.isin(comp, touched)
    every = np.concatenate(regions)
    domain[every] = False
    index, m = grid_index(domain.reshape(shape))
    flat_index = index.reshape(-1)
    flat_index[every] = _GROUND
    a, _rhs = laplacian_matrix(run.cond, index, m, run.eight, run.avg_res)
    more: Callable[[np.ndarray], np.ndarray] | None = None
    r = np.full(n, np.inf)
    for k in range(n):
        flat_index[regions[k]] = _HIGH
        _a, rhs = laplacian_matrix(run.cond, index, m, run.eight, run.avg_res)
        if m:
            if more is None:
                more = run.solve(a, index, n)
            x = more(rhs[:, None])[:, 0]
        else:
            x = np.zeros(0)
        inflow, outflow = kernels().branch_sums(run.cond, index, x, 1.0, run.eight, run.avg_res)
        amps = outflow.reshape(-1)[regions[k]].sum() - inflow.reshape(-1)[regions[k]].sum()
        if amps > 0:
            resistance = 1.0 / amps
            r[k] = resistance
            run.cumulative += run.node_current(index, x * resistance, resistance, regions)
        flat_index[regions[k]] = _GROUND
    return r


def _pair_table(r: np.ndarray, ids: pd.Index) -> pd.DataFrame:
    a, b = np.triu_indices(len(ids), k=1)
    values = r[a, b]
    connected = np.isfinite(values)
    return pd.DataFrame(
        {
            "from_id": ids[a],
            "to_id": ids[b],
            "effective_resistance": values,
            "connected": connected,
            "note": np.where(connected, "", "no path: nodata separates the nodes"),
        }
    )


def pinch_points(
    current: Raster | CurrentFlow,
    *,
    within: Raster | np.ndarray | None = None,
    percentile: float = 99.0,
) -> Raster:
    """Pinch points: cells whose current is in the top percentile inside a corridor.

    Parameters
    ----------
    current : habitat.io.raster.Raster or CurrentFlow
        A current map (A), e.g. ``current_flow(...).current``.
    within : Raster or numpy.ndarray of bool, optional
        Where the corridor is, on the same grid: a boolean mask, or a raster
        whose finite cells are the corridor (e.g. the truncated corridor surface
        of :func:`habitat.corridors.linkage.corridors`, NaN outside). Leave the
        focal nodes' own cells out of it (set them False or NaN): a shorted
        focal region carries its pairs' whole current on every cell, so it
        would always come out on top. Default: every cell with current data.
    percentile : float
        Cells with current ``>=`` this percentile (0-100, linear interpolation,
        :func:`numpy.percentile`) of the current over the corridor's cells are
        pinch points (99 = the top 1 %).

    Returns
    -------
    habitat.io.raster.Raster
        uint8 on the current's grid: 1 = pinch point, 0 = not (or outside the
        corridor), 255 (nodata) where the current map has no data.

    Raises
    ------
    InputError
        ``within`` on another grid, a percentile outside 0-100, or a corridor
        with no cell carrying current data.

    Examples
    --------
    >>> import numpy as np
    >>> cur = Raster(np.array([[0.1, 0.9, np.nan], [0.2, 0.5, 1.0]]),
    ...              (30.0, 0.0, 0.0, 0.0, -30.0, 60.0), "EPSG:32652", nodata=float("nan"))
    >>> pinch_points(cur, percentile=75).array
    array([[  0,   1, 255],
           [  0,   0,   1]], dtype=uint8)
    >>> pinch_points(cur, within=np.array([[True, False, False], [True, True, False]]),
    ...              percentile=50).array
    array([[  0,   0, 255],
           [  1,   1,   0]], dtype=uint8)
    """
    raster = current.current if isinstance(current, CurrentFlow) else current
    if not isinstance(raster, Raster):
        raise InputError(
            "current must be a habitat.io.raster.Raster (e.g. current_flow(...).current) or "
            f"a CurrentFlow, not {type(current).__name__}."
        )
    if isinstance(percentile, bool) or not (0.0 <= float(percentile) <= 100.0):
        raise InputError(f"percentile must be between 0 and 100 (e.g. 99); got {percentile!r}.")
    values = np.asarray(raster.array, dtype=np.float64)
    has_data = np.isfinite(values) & ~raster.nodata_mask()
    if within is None:
        inside = has_data
    else:
        if isinstance(within, Raster):
            if within.shape != raster.shape or tuple(within.transform) != tuple(raster.transform):
                raise InputError(
                    f"within (shape {within.shape}) is not on the current map's grid (shape "
                    f"{raster.shape}); compute both on the same resistance surface."
                )
            mask = np.isfinite(np.asarray(within.array, dtype=np.float64)) & ~within.nodata_mask()
        else:
            mask = np.asarray(within, dtype=bool)
            if mask.shape != raster.shape:
                raise InputError(
                    f"within has shape {mask.shape}, the current map {raster.shape}; give a "
                    "boolean mask of the same grid."
                )
        inside = mask & has_data
    if not inside.any():
        raise InputError(
            "No cell of the corridor (within) has current data: the corridor and the current "
            "map do not overlap. Check that both come from the same resistance surface."
        )
    threshold = float(np.percentile(values[inside], float(percentile)))
    out = np.where(inside & (values >= threshold), 1, 0).astype(np.uint8)
    out[~has_data] = 255
    return Raster(out, raster.transform, raster.crs, nodata=255)
