#!/usr/bin/env python3
"""Bootstrap and run habitat from a fresh clone, with nothing but Python 3.11+.

    python3 run.py demo     # (default) install into .venv, run the demo -> demo-output/
    python3 run.py test     # install into .venv, run the test suite

The first call creates ``.venv`` and installs the exact versions pinned in
``requirements.lock`` plus this checkout (editable); later calls reuse it until
the lock file or pyproject.toml change. Extra arguments are passed on
(``python3 run.py test -k crs``, ``python3 run.py demo --out maps``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".habitat-install-stamp"


def _say(msg: str) -> None:
    print(f"[run.py] {msg}", file=sys.stderr, flush=True)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def ensure_env() -> None:
    """Create .venv and install the locked dependencies and habitat, if needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by any python3
        sys.exit(f"habitat needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        _say(f"creating virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    fp = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fp:
        return
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    _say("installing pinned dependencies from requirements.lock (first run takes a minute)")
    subprocess.run([*pip, "install", "-q", "-r", str(ROOT / "requirements.lock")], check=True)
    _say("installing habitat from this checkout")
    subprocess.run([*pip, "install", "-q", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(fp)


def main(argv: list[str]) -> int:
    """Dispatch ``demo`` (default) or ``test``."""
    target, rest = (argv[0], argv[1:]) if argv else ("demo", [])
    if target not in {"demo", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_env()
    os.chdir(ROOT)
    if target == "demo":
        if not any(a == "--out" or a.startswith("--out=") for a in rest):
            rest = ["--out", "demo-output", "--overwrite", *rest]
        cmd = [str(PY), "-m", "habitat", "demo", *rest]
    else:
        cmd = [str(PY), "-m", "pytest", *rest]
    _say(" ".join(cmd[1:]))
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
