"""The UD figure on a grid much finer than its pixels: block means, cell size in the title."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from habitat.core.crs import UTM_52N
from habitat.core.errors import InputError
from habitat.io.raster import Raster
from habitat.report.figures import UD_DISPLAY_MAX_SIDE, display_array, figure_png, plot_ud


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (1200, 1200), (1201, 5), (3001, 2999)])
def test_block_means_keep_the_volume_and_fit(shape):
    arr = np.random.default_rng(0).random(shape)
    image, step = display_array(arr)
    assert max(image.shape) <= UD_DISPLAY_MAX_SIDE
    assert image.sum() * step**2 == pytest.approx(arr.sum(), rel=1e-12)  # zeros padded
    assert image.shape == (-(-shape[0] // step), -(-shape[1] // step))
    if max(shape) <= UD_DISPLAY_MAX_SIDE:
        assert step == 1 and image is not None and np.array_equal(image, arr)


def test_block_mean_of_a_constant_density_is_that_density():
    image, step = display_array(np.full((40, 40), 3.5), max_side=10)
    assert step == 4 and np.all(image == 3.5)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_max_side(bad):
    with pytest.raises(InputError, match="max_side"):
        display_array(np.ones((3, 3)), max_side=bad)


def test_a_fine_ud_is_drawn_small_and_titled_with_its_cells():
    """A 3,000 x 3,000 grid (9e6 cells, 72 MB) drawn with far less than its size again."""
    n, cell = 3000, 250.0
    ud = Raster(
        np.full((n, n), 1.0 / (n * n * cell**2)),
        (cell, 0.0, 500_000.0, 0.0, -cell, 4_800_000.0),
        UTM_52N,
    )
    tracemalloc.start()
    try:
        fig = plot_ud(ud, individual="A")
        png = figure_png(fig)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert png[:4] == b"\x89PNG"
    assert peak < ud.array.nbytes  # matplotlib alone held several float64 copies
    ax = fig.axes[0]
    assert ax.get_title() == "A: kernel UD (250 m cells), isopleths 50 %, 95 %"
    left, right, bottom, top = ax.images[0].get_extent()  # km, the padded image
    assert (left, top) == (500.0, 4800.0)
    assert right >= 500.0 + n * cell / 1000 and bottom <= 4800.0 - n * cell / 1000
