"""Batch territory reports and the demo (orchestration layer).

* :mod:`habitat.batch.runner` - :func:`run_report`: per-animal estimation and
  pages in-process, on local processes or dask, failure isolation, resumable
  atomic output.
* :mod:`habitat.batch.config` - :class:`ReportOptions` and :func:`load_config`:
  one typed schema, every key and value checked before any work.
* :mod:`habitat.batch.cluster` - connecting to a dask scheduler, failing fast.
* :mod:`habitat.batch.study` - the study area, species profile, title and
  speed limit of a report, resolved from the data unless given.
* :mod:`habitat.batch.fragmentation` - a report's landscape metrics inside
  each range and protected area / zone, cached per zone by fingerprint.
* :mod:`habitat.batch.demo` - the whole pipeline on the bundled data.
"""

from habitat.batch.runner import (
    ReportInput,
    ReportOptions,
    ReportResult,
    individual_slugs,
    load_config,
    load_layers,
    prepare_report_input,
    read_report_input,
    run_report,
)

__all__ = [
    "ReportInput",
    "ReportOptions",
    "ReportResult",
    "individual_slugs",
    "load_config",
    "load_layers",
    "prepare_report_input",
    "read_report_input",
    "run_report",
]
