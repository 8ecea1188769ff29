"""Execute the series' notebooks in place, in order, storing their outputs.

Used by ``make gifs``. Each notebook runs top to bottom in a fresh kernel of
this very interpreter (the project's .venv), with its folder as the working
directory, so it writes its GIFs to ``outputs/``. Execution times and other
run-to-run metadata are not stored; cell tags and the kernelspec are kept.

    python tools/run_notebooks.py                # every notebook
    python tools/run_notebooks.py notebooks/01-reset-redraw.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL_NAME = "python3"


class ThisInterpreter(KernelSpecManager):
    """Start kernels with this interpreter, whatever kernels are installed elsewhere."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (ipykernel)",
            language="python",
        )


def strip_run_metadata(notebook: nbformat.NotebookNode) -> None:
    """Keep only what does not change from run to run: tags and the kernelspec."""
    for cell in notebook.cells:
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.NotebookNode({"tags": tags} if tags else {})
    kept = {
        key: notebook.metadata[key]
        for key in ("kernelspec", "language_info")
        if key in notebook.metadata
    }
    kept.setdefault("language_info", {}).pop("version", None)
    notebook.metadata = nbformat.NotebookNode(kept)


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How a cell's printing is cut into messages depends on timing (a busy
    machine may send ``print``'s text and its newline apart); the text does not.
    """
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    # The kernel talks to us over local IPC sockets, in a private temporary
    # folder, instead of TCP: ipykernel warns that TCP is unencrypted (harmless
    # on one machine, but alarming), and IPC needs no ports either.
    with tempfile.TemporaryDirectory(prefix="mplgif-kernel-") as sockets:
        manager = KernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=ThisInterpreter(),
            transport="ipc",
            ip=os.path.join(sockets, "kernel"),
        )
        client = NotebookClient(
            notebook,
            km=manager,
            timeout=600,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        try:
            client.execute()
        finally:
            # nbclient leaves a kernel it was handed running; one left behind
            # lives until this script exits, then notices its parent is gone
            # ("Parent appears to have exited, shutting down").
            if manager.has_kernel:
                manager.shutdown_kernel()
        seconds = time.perf_counter() - start
    merge_streams(notebook)
    strip_run_metadata(notebook)
    nbformat.validate(notebook)
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: all, in order")
    args = parser.parse_args(argv)
    # A backend forced from outside would stop figures from showing inline.
    os.environ.pop("MPLBACKEND", None)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    width = max(len(path.name) for path in paths)
    total = 0.0
    for path in paths:
        print(f"{path.name:<{width}}  ", end="", flush=True)
        seconds = execute(path.resolve())
        total += seconds
        print(f"{seconds:5.1f} s", flush=True)
    print(f"{len(paths)} notebook{'s' * (len(paths) != 1)} executed in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
