r"""Circuit theory on resistance surfaces, as Circuitscape defines it.

:func:`current_flow` treats a resistance raster as an electrical network
(McRae 2006; McRae et al. 2008; Circuitscape 4 and Circuitscape.jl) and gives
the effective resistance between focal nodes and the cumulative current map,
or (advanced mode) the current and voltage maps of given sources and grounds.

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
* **Advanced.** Current sources (A, any sign) and grounds (a resistance to
  ground in ohm, or 0 = a direct ground at 0 V) are given per cell, and
  short-circuit regions merge their cells into one node; the ground
  conductances join the Laplacian's diagonal, the direct grounds are
  eliminated, a region is summed into one unknown (``Sᵀ A S`` with ``S`` the
  cells-to-nodes matrix), and every connected component holding both a source
  and a ground is solved, in one system.
* **Node current** (Circuitscape's current map): at each cell, the larger of
  the current flowing in and the current flowing out through its branches
  (and its resistance to ground, in advanced mode), i.e. half the sum of the
  absolute branch currents plus half the injected current; 1 A at a source and
  at a sink. The cells of a shorted region all get
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
from scipy.sparse import csgraph

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
    check_memory,
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

_MODES = ("pairwise", "one_to_all", "advanced")
_CONFLICTS = ("keep_both", "remove_source", "remove_ground", "remove_both")
_CONNECTIONS = ("conductance", "resistance")
_SOLVERS = ("auto", "amg", "direct", "cholesky")
_GROUND, _HIGH = -2, -3
#: memory one solve still needs once the grid is read (matrix ~112, multigrid ~55, CG ~32 and
#: the current map; bytes per cell with data, measured at 64 M cells by bench_circuit --memory)
SOLVE_BYTES_PER_CELL = 200.0


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
        grounded (``inf`` when no other node is reachable). Advanced mode: an
        empty table with the column ``effective_resistance`` (there are no
        focal nodes).
    pairs : pandas.DataFrame or None
        Pairwise mode: one row per pair (``from_id``, ``to_id``,
        ``effective_resistance`` in ohm, ``connected``, ``note``), following
        :data:`habitat.core.tables.CORRIDORS`. ``None`` in the other modes.
    current : habitat.io.raster.Raster
        Cumulative node current (A) per cell, float64, NaN on cells without
        data, 0 on cells no current reaches. Advanced mode: the node current of
        the one solve.
    voltage : habitat.io.raster.Raster or None
        Only when the run is a single pair (pairwise with two nodes): the
        voltage (V) of each cell, the first node grounded (0 V) and 1 A
        injected at the second (which sits at the effective resistance), as
        Circuitscape writes its pair maps; NaN on cells without data or not
        connected to the pair. Advanced mode: the voltage (V) of every cell, 0 V
        at direct grounds and in components with a ground but no source, NaN on
        cells without data and in components without a ground (not solved;
        Circuitscape writes 0 there). ``None`` otherwise.
    mode : str
        ``"pairwise"``, ``"one_to_all"`` or ``"advanced"``.
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


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{what} must be True or False; got {value!r}.")
    return bool(value)


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
    nodes: gpd.GeoDataFrame | gpd.GeoSeries | Raster | np.ndarray | None = None,
    *,
    mode: Literal["pairwise", "one_to_all", "advanced"] = "pairwise",
    id_column: str | None = None,
    neighbours: int = 8,
    connection: Literal["conductance", "resistance"] = "conductance",
    sources: Raster | np.ndarray | None = None,
    grounds: Raster | np.ndarray | None = None,
    grounds_as: Literal["resistance", "conductance"] = "resistance",
    direct_grounds: bool = False,
    unit_currents: bool = False,
    source_on_ground: Literal[
        "keep_both", "remove_source", "remove_ground", "remove_both"
    ] = "keep_both",
    short_circuit: Raster | np.ndarray | None = None,
    solver: Literal["auto", "amg", "direct", "cholesky"] = "auto",
    tol: float = 1e-6,
    max_iterations: int = 1000,
    disconnected: Literal["warn", "raise"] = "warn",
) -> CurrentFlow:
    r"""Effective resistances and current maps on a resistance surface (Circuitscape).

    Three of Circuitscape's modes: ``"pairwise"`` and ``"one_to_all"`` between
    focal nodes (``nodes``), and ``"advanced"``, where the current sources and
    the grounds are given cell by cell (``sources``, ``grounds``) and one
    circuit is solved with all of them at once.

    **Advanced mode** (Circuitscape 4 user guide, "advanced mode"; Circuitscape.jl
    ``advanced``), conventions:

    * each source cell injects its current (A; negative = current drawn out);
      each ground cell is tied to ground (0 V) through its resistance to ground
      (ohm), or held at 0 V (a *direct ground*: resistance 0, or every ground with
      ``direct_grounds=True``);
    * a short-circuit region (``short_circuit``: cells sharing an id > 0, need not
      be contiguous) is one node: its cells are at one voltage, their sources and
      ground conductances add up, and it joins the parts of the grid it touches;
    * every connected component of the graph holding both a source and a ground
      is solved (all components in one sparse system); a component without a
      ground is skipped with a :class:`DataQualityWarning` when it holds sources
      (their current cannot flow): current 0, voltage NaN there. A component with
      a ground but no source is at 0 V and carries no current. "Holding a source"
      means a nonzero source after the source/ground rule, as Circuitscape 4 tests
      it (Circuitscape.jl tests the sum of the sources, so it skips a component
      whose sources cancel, e.g. +1 A and -1 A; here that component is solved);
    * ``.current`` is Circuitscape's node current: at each node the larger of the
      current flowing in and the current flowing out, counting the branches to
      the neighbours and the resistance to ground (a 1 A source carries 1 A; a
      ground carries the current it sinks); the cells of a short-circuit region
      all get the region's current. ``.voltage`` is each cell's voltage (V).

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance per cell (ohm, > 0; nodata / NaN / +inf = impassable), in a
        projected CRS in metres (checked by
        :func:`habitat.corridors.surface.resistance_cells`).
    nodes : GeoDataFrame or GeoSeries of points or polygons, or a grid of ids
        Pairwise and one-to-all modes (required there; must be None in advanced
        mode). Focal nodes (points) or focal regions (polygons; rows sharing an
        id are one region), any CRS (reprojected); or Circuitscape's focal node
        raster (a Raster on the same grid, or an array of its shape: cells
        with an id > 0 belong to that node); see
        :func:`habitat.corridors.nodes.node_cells` for the cell rules. Cells
        of a region without data are left out of it.
    mode : {"pairwise", "one_to_all", "advanced"}
        Every pair (1 A in at one, the other grounded), each node against all
        the others grounded, or the sources and grounds given (advanced).
    id_column : str, optional
        Column holding the node ids; default the index.
    neighbours : {8, 4}
        Cell neighbourhood of the graph.
    connection : {"conductance", "resistance"}
        Branch conductance = mean of the two cells' conductances (default,
        Circuitscape's default), or 1 / mean of their resistances.
    sources : Raster or numpy.ndarray, optional
        Advanced mode (required): current injected at each cell (A), on the
        resistance raster's grid (a Raster with the same shape and transform,
        or an array of its shape); NaN, nodata or 0 = no source. Negative
        currents draw current out (Circuitscape allows them).
    grounds : Raster or numpy.ndarray, optional
        Advanced mode (required): resistance to ground of each cell (ohm, >= 0;
        0 = direct ground held at 0 V; NaN, nodata or +inf = no ground), or its
        conductance (S) with ``grounds_as="conductance"`` (0, NaN, nodata = no
        ground; +inf = direct ground). Negative values are refused.
    grounds_as : {"resistance", "conductance"}
        What ``grounds`` holds (Circuitscape's ``ground_file_is_resistances``).
    direct_grounds : bool
        Tie every ground cell directly to ground (0 V) whatever its value
        (Circuitscape's ``use_direct_grounds``).
    unit_currents : bool
        Every source cell injects 1 A whatever its value, negative ones
        included (Circuitscape's ``use_unit_currents``).
    source_on_ground : {"keep_both", "remove_source", "remove_ground", "remove_both"}
        A node holding both a source and a ground (Circuitscape's
        ``remove_src_or_gnd``: ``keepall``, ``rmvsrc``, ``rmvgnd``, ``rmvall``).
        ``"keep_both"`` keeps the source and a finite resistance to ground but
        drops a direct ground (a source cannot be held at 0 V), as the user
        guide says. The removals follow the user guide; Circuitscape's code
        differs in corner cases (it keeps a finite ground under a source with
        ``rmvgnd``/``rmvall``, and the ground with ``rmvall``).
    short_circuit : Raster or numpy.ndarray, optional
        Advanced mode: short-circuit regions on the resistance grid, integer
        ids > 0 (NaN, nodata, <= 0 = none); the cells sharing an id are one node
        (zero resistance between them). Cells of a region without resistance
        data are left out of it.
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
        ``voltage`` (single pair, or advanced mode), the solver used and its
        worst residual. Advanced mode: ``resistances`` is empty (no focal
        nodes), ``pairs`` None, ``n_solves`` 1 (0 when no component has both a
        source and a ground).

    Raises
    ------
    InputError
        Bad options; nodes outside the raster, on nodata only or overlapping
        (from :func:`~habitat.corridors.nodes.node_cells`); disconnected pairs
        with ``disconnected="raise"``. Advanced mode: ``nodes`` given,
        ``sources`` or ``grounds`` missing or not on the resistance grid,
        negative or infinite values, no source or no ground on a cell with
        data, non-integer short-circuit ids; advanced-mode options in another
        mode.
    ConvergenceError
        A solve that does not reach ``tol`` (naming the residual and the
        tolerance) and cannot be retried with the factorisation.
    InsufficientDataError
        Fewer than two focal nodes.
    ProjectedCRSRequiredError
        A raster in degrees.

    Warns
    -----
    DataQualityWarning
        Disconnected pairs (``disconnected="warn"``); advanced mode: sources
        in a component without a ground, sources or grounds on cells without
        data (ignored, as Circuitscape does).

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

    Advanced mode on a 4-cell row: 1 A injected at the west end, the east end
    tied directly to ground (resistance 0): the voltage is the resistance
    between each cell and the ground, and the whole amp crosses every cell:

    >>> row = Raster(np.ones((1, 4)), (100.0, 0.0, 0.0, 0.0, -100.0, 100.0), "EPSG:32652")
    >>> amps = np.array([[1.0, np.nan, np.nan, np.nan]])
    >>> to_ground = np.array([[np.nan, np.nan, np.nan, 0.0]])
    >>> adv = current_flow(row, mode="advanced", sources=amps, grounds=to_ground)
    >>> adv.voltage.array.round(12)
    array([[3., 2., 1., 0.]])
    >>> adv.current.array.round(12)
    array([[1., 1., 1., 1.]])

    Through a 10 ohm resistance to ground instead, every voltage rises by 10 V:

    >>> to_ground[0, 3] = 10.0
    >>> current_flow(row, mode="advanced", sources=amps, grounds=to_ground).voltage.array.round(12)
    array([[13., 12., 11., 10.]])
    """
    opts = _check_options(
        nodes=nodes,
        mode=mode,
        id_column=id_column,
        neighbours=neighbours,
        connection=connection,
        sources=sources,
        grounds=grounds,
        grounds_as=grounds_as,
        direct_grounds=direct_grounds,
        unit_currents=unit_currents,
        source_on_ground=source_on_ground,
        short_circuit=short_circuit,
        solver=solver,
        tol=tol,
        max_iterations=max_iterations,
        disconnected=disconnected,
    )
    if opts.mode == "advanced":
        return _advanced(resistance, sources, grounds, short_circuit, opts)

    cond, valid = _conductances(resistance)
    ids, regions = _focal_regions(nodes, resistance, id_column, valid)
    check_memory(int(np.count_nonzero(valid)), SOLVE_BYTES_PER_CELL, "one circuit solve")
    comp = _components(valid, opts.eight).reshape(-1)

    run = _Run(cond, opts.eight, opts.avg_res, opts.solver, opts.tol, opts.max_iterations)
    if opts.mode == "pairwise":
        resistances, pairs, voltage = _pairwise(
            run, ids, regions, comp, opts.neighbours, opts.disconnected
        )
    else:
        resistances = _one_to_all_table(run, ids, regions, comp, opts.neighbours, opts.disconnected)
        pairs, voltage = None, None
    current = np.where(valid, run.cumulative.reshape(valid.shape), np.nan)
    return CurrentFlow(
        resistances=resistances,
        pairs=pairs,
        current=_raster(resistance, current),
        voltage=None if voltage is None else _raster(resistance, voltage),
        mode=opts.mode,
        solver=run.kind or ("direct" if opts.solver == "auto" else opts.solver),
        max_residual=run.max_residual,
        n_solves=run.n_solves,
    )


@dataclass(frozen=True)
class _Options:
    """The options of one :func:`current_flow` call, checked and normalised."""

    mode: str
    neighbours: int
    eight: bool
    avg_res: bool
    solver: str  # "cholesky" already read as "direct"
    tol: float
    max_iterations: int
    disconnected: str
    # advanced mode only (their defaults in the other modes)
    grounds_as: str
    direct_grounds: bool
    unit_currents: bool
    source_on_ground: str


def _check_options(
    *,
    nodes: Any,
    mode: Any,
    id_column: Any,
    neighbours: Any,
    connection: Any,
    sources: Any,
    grounds: Any,
    grounds_as: Any,
    direct_grounds: Any,
    unit_currents: Any,
    source_on_ground: Any,
    short_circuit: Any,
    solver: Any,
    tol: Any,
    max_iterations: Any,
    disconnected: Any,
) -> _Options:
    """:func:`current_flow`'s options checked (InputError naming the fix), in its order."""
    if mode == "all_to_one":
        raise InputError(
            "mode='all_to_one' (Circuitscape's all-to-one: 1 A injected at every node but "
            "one, that one grounded) is not implemented; use mode='one_to_all' (each node "
            "against all the others grounded), mode='pairwise' or mode='advanced' (sources "
            "and grounds of your choosing)."
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
    if mode == "advanced":
        _check_advanced(nodes, id_column, sources, grounds)
        grounds_as = _choice(grounds_as, ("resistance", "conductance"), "grounds_as")
        direct_grounds = _flag(direct_grounds, "direct_grounds")
        unit_currents = _flag(unit_currents, "unit_currents")
        source_on_ground = _choice(source_on_ground, _CONFLICTS, "source_on_ground")
    else:
        _check_not_advanced(
            nodes,
            mode,
            {
                "sources": sources is not None,
                "grounds": grounds is not None,
                "grounds_as": grounds_as != "resistance",
                "direct_grounds": direct_grounds is not False,
                "unit_currents": unit_currents is not False,
                "source_on_ground": source_on_ground != "keep_both",
                "short_circuit": short_circuit is not None,
            },
        )
    return _Options(
        mode=mode,
        neighbours=neighbours,
        eight=neighbours == 8,
        avg_res=connection == "resistance",
        solver=solver,
        tol=float(tol),
        max_iterations=int(max_iterations),
        disconnected=disconnected,
        grounds_as=grounds_as,
        direct_grounds=direct_grounds,
        unit_currents=unit_currents,
        source_on_ground=source_on_ground,
    )


def _check_advanced(nodes: Any, id_column: Any, sources: Any, grounds: Any) -> None:
    """Advanced mode: no focal nodes, sources and grounds given."""
    if nodes is not None:
        raise InputError(
            "mode='advanced' takes no focal nodes (nodes must be None): give the current "
            "sources (sources=, amps per cell) and the grounds (grounds=) as rasters, or "
            "use mode='pairwise' / 'one_to_all' with focal nodes."
        )
    if id_column is not None:
        raise InputError("id_column names focal node ids; mode='advanced' has no nodes.")
    if sources is None or grounds is None:
        missing = [n for n, v in (("sources", sources), ("grounds", grounds)) if v is None]
        raise InputError(
            f"mode='advanced' needs {' and '.join(missing)}: sources= (current injected per "
            "cell, A; NaN/0 = none) and grounds= (resistance to ground per cell, ohm; 0 = "
            "direct ground; NaN = no ground), rasters on the resistance grid."
        )


def _check_not_advanced(nodes: Any, mode: str, advanced_only: dict[str, bool]) -> None:
    """Pairwise and one-to-all: focal nodes given, no advanced-mode option set."""
    given = [name for name, used in advanced_only.items() if used]
    if given:
        raise InputError(
            f"{', '.join(given)} only apply to mode='advanced' (Circuitscape's advanced mode: "
            f"sources and grounds given cell by cell); mode={mode!r} takes focal nodes."
        )
    if nodes is None:
        raise InputError(
            f"mode={mode!r} needs focal nodes: points or polygons (GeoDataFrame/GeoSeries) or "
            "a grid of node ids; or use mode='advanced' with sources= and grounds=."
        )


def _raster(like: Raster, array: np.ndarray) -> Raster:
    return Raster(array, like.transform, like.crs, nodata=float("nan"))


def _conductances(resistance: Raster) -> tuple[np.ndarray, np.ndarray]:
    """Cell conductances (S, NaN off the data) and the mask of cells with data."""
    values, _cell_size_m = resistance_cells(resistance, name="resistance")
    valid = np.isfinite(values)
    np.divide(1.0, values, out=values, where=valid)  # in place: no second full-size array
    return values, valid


def _focal_regions(
    nodes: Any, resistance: Raster, id_column: str | None, valid: np.ndarray
) -> tuple[pd.Index, list[np.ndarray]]:
    """Node ids and, per node, its flat cell indices (at least two nodes)."""
    labels, ids = node_cells(nodes, resistance, id_column=id_column, valid=valid, name="nodes")
    n_nodes = len(ids)
    if n_nodes < 2:
        raise InsufficientDataError(
            f"current_flow needs at least two focal nodes; got {n_nodes} ({list(ids)!r}). "
            "Give two or more points or polygons."
        )
    flat_labels = labels.reshape(-1)
    cells = np.flatnonzero(flat_labels)  # only the node cells are sorted, not the raster
    cells = cells[np.argsort(flat_labels[cells], kind="stable")]
    bounds = np.searchsorted(flat_labels[cells], np.arange(1, n_nodes + 2))
    return ids, [cells[bounds[k] : bounds[k + 1]].copy() for k in range(n_nodes)]


def _pairwise(
    run: _Run,
    ids: pd.Index,
    regions: list[np.ndarray],
    comp: np.ndarray,
    neighbours: int,
    disconnected: str,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray | None]:
    """Pairwise mode: the resistance matrix, the pair table and the single pair's voltages."""
    if all(cells.size == 1 for cells in regions):
        r, voltage = _pairwise_points(run, regions, comp)
    else:
        node_comps = [np.unique(comp[cells]) for cells in regions]
        r, voltage = _pairwise_regions(run, regions, node_comps, comp)
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
            stacklevel=3,  # here, current_flow, its caller
        )
    return pd.DataFrame(r, index=ids, columns=ids), pairs, voltage


def _one_to_all_table(
    run: _Run,
    ids: pd.Index,
    regions: list[np.ndarray],
    comp: np.ndarray,
    neighbours: int,
    disconnected: str,
) -> pd.DataFrame:
    """One-to-all mode: each node's resistance to all the others grounded."""
    r1 = _one_to_all(run, regions, comp)
    lonely = ids[~np.isfinite(r1)]
    if len(lonely):
        text = (
            f"node(s) {', '.join(repr(i) for i in lonely[:10])} reach no other focal node "
            f"(nodata separates them, {neighbours}-neighbour graph)"
        )
        if disconnected == "raise":
            raise InputError(f"{text}. Fill the nodata gap or drop those nodes.")
        warnings.warn(
            f"{text}; their effective resistance is inf.", DataQualityWarning, stacklevel=3
        )
    return pd.DataFrame({"effective_resistance": r1}, index=ids)


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
        self,
        a: sparse.csr_matrix,
        index: np.ndarray,
        n_rhs: int = 1,
        *,
        aggregates: np.ndarray | None = None,
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Set up a solver of ``a`` (factorisation or AMG hierarchy, once) for columns of b.

        ``aggregates``: AMG's first-level aggregate of each unknown (default: blocks of
        3 x 3 cells of ``index``).
        """
        if aggregates is None:
            aggregates = block_aggregates(index)
        run = make_solver(a, self.solver, self.tol, self.max_iterations, aggregates, n_rhs)

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


# --- advanced mode ---------------------------------------------------------------------


def _layer(layer: Any, like: Raster, what: str) -> np.ndarray:
    """A float64 copy of an advanced-mode layer on the resistance grid, NaN where no data."""
    if isinstance(layer, Raster):
        if layer.shape != like.shape:
            raise InputError(
                f"{what} has shape {layer.shape}, the resistance raster {like.shape}: give "
                f"{what} on the resistance raster's grid (same rows and columns)."
            )
        if tuple(layer.transform) != tuple(like.transform):
            raise InputError(
                f"{what} is not on the resistance raster's grid (transform "
                f"{tuple(layer.transform)} against {tuple(like.transform)}); resample it onto "
                "the resistance raster's grid."
            )
        out = np.array(layer.array, dtype=np.float64)
        out[layer.nodata_mask()] = np.nan
        return out
    if isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise InputError(
            f"{what} must be a Raster or a 2-D array on the resistance raster's grid, not "
            "vector data: rasterise it first (one value per cell)."
        )
    try:
        out = np.array(layer, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{what} must be a Raster or a 2-D array of numbers on the resistance raster's "
            f"grid; got {type(layer).__name__}."
        ) from None
    if out.shape != like.shape:
        raise InputError(
            f"{what} has shape {out.shape}, the resistance raster {like.shape}: give {what} "
            "on the resistance raster's grid (same rows and columns)."
        )
    return out


def _first_cells(mask: np.ndarray, values: np.ndarray | None = None, k: int = 3) -> str:
    rows, cols = np.nonzero(mask)
    shown = [
        f"row {r}, col {c}" + ("" if values is None else f": {values[r, c]:g}")
        for r, c in zip(rows[:k].tolist(), cols[:k].tolist(), strict=True)
    ]
    return "; ".join(shown) + (" ..." if rows.size > k else "")


@dataclass(frozen=True)
class _Grounds:
    """Grounds per cell (2-D, on the resistance grid)."""

    grounded: np.ndarray  # any ground, direct or through a resistance
    direct: np.ndarray  # a direct ground (held at 0 V)
    conductance: np.ndarray  # conductance to ground (S; 0 at direct grounds and elsewhere)


@dataclass(frozen=True)
class _Nodes:
    """The circuit's nodes: one per cell with data, the cells of a short-circuit region merged."""

    cells: np.ndarray  # flat raster index of each cell with data, in raster order
    region: np.ndarray  # its short-circuit region id (0 = none)
    node: np.ndarray  # its node
    n_nodes: int
    merged: bool  # some short-circuit region holds a cell with data


@dataclass(frozen=True)
class _Loads:
    """Sources and grounds summed per node, and each cell's conductance to ground."""

    source: np.ndarray  # current injected per node (A)
    conductance: np.ndarray  # conductance to ground per node (S)
    direct: np.ndarray  # direct ground per node (held at 0 V)
    cell_conductance: np.ndarray  # conductance to ground per cell with data (S)

    @property
    def grounded(self) -> np.ndarray:
        """Per node: tied to ground, directly or through a resistance."""
        out: np.ndarray = (self.conductance > 0) | self.direct
        return out


@dataclass(frozen=True)
class _Parts:
    """Per cell with data: its part in the solve (from the connected components)."""

    at_ground: np.ndarray  # in a component holding a ground (0 V unless solved)
    unknown: np.ndarray  # voltage unknown: a solved component, not a direct ground
    held: np.ndarray  # a direct ground in a solved component (0 V)


def _advanced(
    resistance: Raster,
    sources: Raster | np.ndarray | None,
    grounds: Raster | np.ndarray | None,
    short_circuit: Raster | np.ndarray | None,
    opts: _Options,
) -> CurrentFlow:
    """Circuitscape's advanced mode: given sources and grounds, one solve for all components.

    ``sources`` and ``grounds`` are given (checked by :func:`_check_options`).
    """
    cond, valid = _conductances(resistance)
    src = _advanced_sources(sources, resistance, opts.unit_currents)
    gnd = _advanced_grounds(grounds, resistance, opts.grounds_as, opts.direct_grounds)
    _keep_on_data(src, gnd, valid)
    nodes = _merged_nodes(short_circuit, resistance, valid)
    loads = _resolve_conflicts(_node_loads(nodes, src, gnd), nodes, opts.source_on_ground)
    parts = _solved_components(valid, opts.eight, nodes, loads)
    run = _Run(cond, opts.eight, opts.avg_res, opts.solver, opts.tol, opts.max_iterations)
    index, v = _solve_nodes(run, nodes, loads, parts)

    voltage = np.full(cond.size, np.nan)
    voltage[nodes.cells[parts.at_ground]] = 0.0  # grounded, no source: all at 0 V
    voltage[nodes.cells[parts.unknown]] = v
    current = np.full(cond.size, np.nan)
    current[nodes.cells] = _advanced_node_current(run, index, v, nodes, loads, parts)
    return CurrentFlow(
        resistances=pd.DataFrame({"effective_resistance": np.zeros(0)}),
        pairs=None,
        current=_raster(resistance, current.reshape(cond.shape)),
        voltage=_raster(resistance, voltage.reshape(cond.shape)),
        mode="advanced",
        solver=run.kind or ("direct" if opts.solver == "auto" else opts.solver),
        max_residual=run.max_residual,
        n_solves=run.n_solves,
    )


def _advanced_sources(
    sources: Raster | np.ndarray | None, like: Raster, unit_currents: bool
) -> np.ndarray:
    """Current injected per cell (A, 0 = none; 1 A at every source with ``unit_currents``)."""
    src = _layer(sources, like, "sources")
    if np.isinf(src).any():
        raise InputError(
            f"sources holds infinite currents ({_first_cells(np.isinf(src), src)}); give "
            "finite currents in amps (NaN or 0 where there is no source)."
        )
    src = np.where(np.isnan(src), 0.0, src)
    if unit_currents:
        src = np.where(src != 0.0, 1.0, 0.0)
    return src


def _advanced_grounds(
    grounds: Raster | np.ndarray | None, like: Raster, grounds_as: str, direct_grounds: bool
) -> _Grounds:
    """Grounds per cell from resistances (ohm) or conductances (S) to ground."""
    gnd = _layer(grounds, like, "grounds")
    negative = gnd < 0
    if negative.any():
        raise InputError(
            f"grounds holds {int(negative.sum())} negative {grounds_as}(s) to ground "
            f"({_first_cells(negative, gnd)}); a {grounds_as} to ground is >= 0 "
            + (
                "(0 = a direct ground held at 0 V; NaN or nodata = no ground)."
                if grounds_as == "resistance"
                else "(0, NaN or nodata = no ground; +inf = a direct ground)."
            )
        )
    with np.errstate(divide="ignore"):
        if grounds_as == "resistance":
            grounded = np.isfinite(gnd)  # +inf resistance: no ground
            direct = grounded & (gnd == 0.0)
            conductance = np.where(grounded & (gnd > 0.0), 1.0 / np.where(gnd > 0, gnd, 1.0), 0.0)
        else:
            grounded = gnd > 0.0  # NaN compares False
            direct = gnd == np.inf
            conductance = np.where(grounded & ~direct, gnd, 0.0)
    if direct_grounds:
        direct = grounded.copy()
        conductance = np.zeros(gnd.shape)
    return _Grounds(grounded, direct, conductance)


def _keep_on_data(src: np.ndarray, gnd: _Grounds, valid: np.ndarray) -> None:
    """Drop the sources and grounds off the data (in place, with a warning); need one of each."""
    off_src = (src != 0.0) & ~valid
    off_gnd = gnd.grounded & ~valid
    if off_src.any() or off_gnd.any():
        warnings.warn(
            f"{int(off_src.sum())} source cell(s) and {int(off_gnd.sum())} ground cell(s) lie "
            "on cells without resistance data (impassable, not in the circuit) and are ignored, "
            f"as Circuitscape does ({_first_cells(off_src | off_gnd)}).",
            DataQualityWarning,
            stacklevel=4,  # here, _advanced, current_flow, its caller
        )
    src[~valid] = 0.0
    np.logical_and(gnd.direct, valid, out=gnd.direct)
    np.logical_and(gnd.grounded, valid, out=gnd.grounded)
    gnd.conductance[~valid] = 0.0
    if not (src != 0.0).any():
        raise InputError(
            "sources holds no current on a cell with resistance data: nothing flows. Give "
            "current in amps on cells of the circuit (NaN or 0 = no source)."
        )
    if not gnd.grounded.any():
        raise InputError(
            "grounds holds no ground on a cell with resistance data: the current has nowhere to "
            "leave the circuit. Give at least one ground (a resistance to ground in ohm, 0 = "
            "direct ground) on a cell of the circuit."
        )


def _merged_nodes(
    short_circuit: Raster | np.ndarray | None, like: Raster, valid: np.ndarray
) -> _Nodes:
    """One node per cell with data, the cells of each short-circuit region merged into one."""
    cells = np.flatnonzero(valid)
    n_cells = cells.size
    region = np.zeros(n_cells, np.int64)
    if short_circuit is not None:
        sc = _layer(short_circuit, like, "short_circuit")
        ids = np.isfinite(sc) & (sc > 0)
        fractional = ids & (sc != np.round(sc))
        if fractional.any():
            raise InputError(
                "short_circuit must hold integer region ids (> 0; cells sharing an id form one "
                f"node; NaN, nodata or <= 0 = no region); got {_first_cells(fractional, sc)}."
            )
        region = np.where(ids, sc, 0.0).reshape(-1)[cells].astype(np.int64)
    merged = bool((region > 0).any())
    if merged:
        key = np.where(region > 0, -region, np.arange(n_cells))
        _keys, node = np.unique(key, return_inverse=True)
        node = node.reshape(-1)
        n_nodes = int(node.max()) + 1
    else:
        node = np.arange(n_cells)
        n_nodes = n_cells
    return _Nodes(cells, region, node, n_nodes, merged)


def _node_loads(nodes: _Nodes, src: np.ndarray, gnd: _Grounds) -> _Loads:
    """Sources, conductances to ground and direct grounds summed over each node's cells."""
    n = nodes.n_nodes
    g_flat = gnd.conductance.reshape(-1)[nodes.cells]
    return _Loads(
        source=np.bincount(nodes.node, weights=src.reshape(-1)[nodes.cells], minlength=n),
        conductance=np.bincount(nodes.node, weights=g_flat, minlength=n),
        direct=np.bincount(nodes.node, weights=gnd.direct.reshape(-1)[nodes.cells], minlength=n)
        > 0,
        cell_conductance=g_flat,
    )


def _resolve_conflicts(loads: _Loads, nodes: _Nodes, source_on_ground: str) -> _Loads:
    """A source and a ground on one node (Circuitscape's remove_src_or_gnd).

    Updates the per-node arrays of ``loads`` in place; refuses a circuit left without a
    source or without a ground.
    """
    source, conductance, direct = loads.source, loads.conductance, loads.direct
    g_flat = loads.cell_conductance
    conflict = (source != 0.0) & loads.grounded
    if source_on_ground in ("remove_source", "remove_both"):
        source[conflict] = 0.0
    if source_on_ground in ("remove_ground", "remove_both"):
        conductance[conflict] = 0.0
        direct[conflict] = False
        g_flat = np.where(conflict[nodes.node], 0.0, g_flat)
    # a source is never held at 0 V: with both kept, a direct ground under a source goes
    # (a finite resistance to ground stays)
    direct &= source == 0.0
    out = _Loads(source, conductance, direct, g_flat)
    if not (source != 0.0).any():
        raise InputError(
            "Every source shares its node with a ground and was removed "
            f"(source_on_ground={source_on_ground!r}): nothing flows. Use "
            "source_on_ground='keep_both' or move the sources off the grounds."
        )
    if not out.grounded.any():
        why = (
            "a direct ground under a source is dropped (a source cannot be held at 0 V)"
            if source_on_ground == "keep_both"
            else f"source_on_ground={source_on_ground!r} removed them"
        )
        raise InputError(
            f"Every ground shares its node with a source and none is left: {why}. Add a ground "
            "away from the sources, or give those grounds a resistance > 0."
        )
    return out


def _solved_components(valid: np.ndarray, eight: bool, nodes: _Nodes, loads: _Loads) -> _Parts:
    """Connected components of the merged graph; those with a source and a ground are solved.

    A component with sources but no ground is skipped with a warning.
    """
    cells, node, region = nodes.cells, nodes.node, nodes.region
    comp = _components(valid, eight).reshape(-1)[cells]
    if nodes.merged:  # a region joins the components it touches
        inside = region > 0
        _r, reg_index = np.unique(region[inside], return_inverse=True)
        k = int(comp.max()) + 1
        size = k + int(reg_index.max()) + 1
        links = sparse.coo_matrix(
            (np.ones(int(inside.sum())), (comp[inside], k + reg_index.reshape(-1))),
            shape=(size, size),
        )
        _n, joined = csgraph.connected_components(links, directed=False)
        comp = joined[comp]
    _c, comp = np.unique(comp, return_inverse=True)
    comp = comp.reshape(-1)
    n_comp = int(comp.max()) + 1
    comp_node = np.zeros(nodes.n_nodes, np.int64)
    comp_node[node] = comp
    comp_source = np.bincount(comp_node, weights=loads.source != 0.0, minlength=n_comp) > 0
    comp_ground = np.bincount(comp_node, weights=loads.grounded, minlength=n_comp) > 0
    stranded = comp_source & ~comp_ground
    if stranded.any():
        lost = np.zeros(valid.size, bool)
        lost[cells] = stranded[comp] & (loads.source[node] != 0.0)
        amps = float(np.abs(loads.source[stranded[comp_node]]).sum())
        warnings.warn(
            f"{int(stranded.sum())} part(s) of the circuit (connected components) hold current "
            f"sources ({amps:g} A in absolute value) but no ground: their current cannot flow "
            "and they are not solved (current 0, voltage NaN), as Circuitscape skips them. "
            f"Sources there: {_first_cells(lost.reshape(valid.shape))}. Add a ground in each "
            "part or join the parts.",
            DataQualityWarning,
            stacklevel=4,  # here, _advanced, current_flow, its caller
        )
    solved = (comp_source & comp_ground)[comp]
    held = solved & loads.direct[node]
    return _Parts(at_ground=comp_ground[comp], unknown=solved & ~held, held=held)


def _solve_nodes(
    run: _Run, nodes: _Nodes, loads: _Loads, parts: _Parts
) -> tuple[np.ndarray, np.ndarray]:
    """The grid index (direct grounds held at 0 V) and the voltage of each unknown cell.

    The Laplacian of the unknown cells, each short-circuit region summed into one unknown
    (``Sᵀ A S``), plus the nodes' conductances to ground; the nodes' sources on the right.
    """
    shape = run.cond.shape
    mask = np.zeros(run.cond.size, bool)
    mask[nodes.cells[parts.unknown]] = True
    index, m = grid_index(mask.reshape(shape))
    index.reshape(-1)[nodes.cells[parts.held]] = _GROUND
    if not m:
        return index, np.zeros(m)
    check_memory(m, SOLVE_BYTES_PER_CELL, "one circuit solve")
    lap, _rhs = laplacian_matrix(run.cond, index, m, run.eight, run.avg_res)
    cells_node = nodes.node[parts.unknown]  # node of each unknown cell (unknowns in raster order)
    aggregates = block_aggregates(index)
    if nodes.merged:
        nodes_kept, inv = np.unique(cells_node, return_inverse=True)
        inv = inv.reshape(-1)
        s = sparse.csr_matrix((np.ones(m), inv, np.arange(m + 1)), shape=(m, nodes_kept.size))
        a = sparse.csr_matrix(s.T @ (lap @ s))
        node_aggregates = np.zeros(nodes_kept.size, np.int64)
        node_aggregates[inv] = aggregates
        aggregates = node_aggregates
    else:
        nodes_kept, inv = cells_node, np.arange(m)
        a = lap
    a = sparse.csr_matrix(a + sparse.diags(loads.conductance[nodes_kept]))
    a.sum_duplicates()
    a.sort_indices()
    b = loads.source[nodes_kept][:, None]
    x = run.solve(a, index, 1, aggregates=aggregates)(b)
    return index, x[inv, 0]


def _advanced_node_current(
    run: _Run, index: np.ndarray, v: np.ndarray, nodes: _Nodes, loads: _Loads, parts: _Parts
) -> np.ndarray:
    """Node current per cell with data (A).

    The larger of the current flowing in and out of each node, branches and resistances to
    ground included (Circuitscape's node current); a region's cells all get its node's.
    """
    inflow, outflow = kernels().branch_sums(run.cond, index, v, 0.0, run.eight, run.avg_res)
    into = inflow.reshape(-1)[nodes.cells]
    out = outflow.reshape(-1)[nodes.cells]
    to_ground = np.zeros(nodes.cells.size)
    to_ground[parts.unknown] = loads.cell_conductance[parts.unknown] * v
    out = out + np.maximum(to_ground, 0.0)
    into = into + np.maximum(-to_ground, 0.0)
    node_current = np.maximum(
        np.bincount(nodes.node, weights=into, minlength=nodes.n_nodes),
        np.bincount(nodes.node, weights=out, minlength=nodes.n_nodes),
    )
    out_cells: np.ndarray = node_current[nodes.node]
    return out_cells


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
