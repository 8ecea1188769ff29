"""Open the series in JupyterLab: ``make lab``.

JupyterLab serves the repository root, not ``notebooks/``, and opens the first
notebook. The notebooks show their GIFs with ``<img src="../outputs/...">``
and link to ``../README.md``; a server rooted at ``notebooks/`` cannot serve
anything above its root, so those would be broken images and dead links.
Binder serves the repository root too, so the same paths work there.

    python tools/lab.py                       # as make lab does
    python tools/lab.py --no-browser --port=8899   # extra options go to JupyterLab

As root (common in containers), JupyterLab refuses to start without
``--allow-root``; this script adds it then, and says so. It never adds it for
another user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = "notebooks/00-setup.ipynb"


def running_as_root() -> bool:
    """True for the superuser on POSIX; Windows has no such user id."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def command(extra: list[str]) -> list[str]:
    """The JupyterLab command line ``make lab`` runs, with `extra` options appended."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", FIRST]
    if running_as_root():
        argv.append("--allow-root")
    return argv + extra


def main(extra: list[str]) -> int:
    if running_as_root():
        print(
            "lab.py: running as root (as in many containers), so JupyterLab gets --allow-root; "
            "without it JupyterLab refuses to start. As another user it is not added.",
            file=sys.stderr,
            flush=True,
        )
    # The notebook path on the command line is resolved against the working
    # directory, which must be the root JupyterLab serves.
    argv = command(extra)
    if os.name == "posix":
        # Become JupyterLab, so Ctrl-C and its "Shutdown this server?" prompt
        # reach it alone and nothing is left waiting behind it.
        os.chdir(ROOT)
        os.execv(argv[0], argv)
    return subprocess.call(argv, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
