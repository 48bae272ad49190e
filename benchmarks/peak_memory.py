"""Peak resident memory of a benchmark's child process, shared by the benchmark scripts.

Linux: the peak (``VmHWM``) is reset to the current resident set through
``/proc/self/clear_refs`` once a case's inputs are loaded and warmed up, so
the case's own peak can be read afterwards; where that is not possible the
process's lifetime peak (``ru_maxrss``) is all there is.
"""

from __future__ import annotations

import resource


def status_mb(key: str) -> float:
    """A field of /proc/self/status (VmRSS, VmHWM) in MB; NaN where there is none."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def reset_peak() -> bool:
    """Reset this process's peak resident set (Linux >= 4.0: VmHWM := VmRSS)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_mb(reset: bool) -> float:
    """Largest resident set since the reset (else since the start: ru_maxrss, KiB on Linux)."""
    if reset:
        return status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
