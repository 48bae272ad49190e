"""Territory report pages and figures (presentation layer).

* :mod:`habitat.report.pages` - the per-animal and index pages, rendered from
  autoescaped Jinja2 templates (``habitat/report/templates``).
* :mod:`habitat.report.figures` - matplotlib figures (UD, area curve,
  summary by sex, fragmentation by animal, variogram, areas with intervals)
  and their PNG encoding.
* :mod:`habitat.report.akde` - tables of autocorrelated ranges (variogram,
  movement model, area interval) shared by pages and figures.
* :mod:`habitat.report.style` - labels and colours both share.
"""

from habitat.report.figures import (
    figure_png,
    plot_area_curve,
    plot_area_intervals,
    plot_fragmentation_by_animal,
    plot_summary_by_sex,
    plot_ud,
    plot_variogram,
)
from habitat.report.pages import fmt_number, fmt_share, render_index_page, render_individual_page
from habitat.report.style import METHOD_LABELS, SEX_COLOURS, SEX_LABELS

__all__ = [
    "METHOD_LABELS",
    "SEX_COLOURS",
    "SEX_LABELS",
    "figure_png",
    "fmt_number",
    "fmt_share",
    "plot_area_curve",
    "plot_area_intervals",
    "plot_fragmentation_by_animal",
    "plot_summary_by_sex",
    "plot_ud",
    "plot_variogram",
    "render_index_page",
    "render_individual_page",
]
