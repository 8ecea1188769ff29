"""Execute the series' notebooks in place, in order, storing their outputs.

Used by ``make gifs``. Each notebook runs top to bottom in a fresh kernel of
this very interpreter (the project's .venv), with its folder as the working
directory, so it writes its GIFs to ``outputs/``. Execution times and other
run-to-run metadata are not stored; cell tags and the kernelspec are kept.

So that running twice changes nothing, what varies from run to run is pinned:
consecutive prints to one stream are stored as one output (the kernel splits
them at random points), and a cell tagged ``nbval-ignore-output`` (timings,
versions, a to_jshtml player with random ids) keeps the outputs committed in
git as long as its code is the same as there: they are one example run.
``--refresh`` stores new ones.

    python tools/run_notebooks.py                # every notebook
    python tools/run_notebooks.py notebooks/01-reset-redraw.ipynb
    python tools/run_notebooks.py --refresh      # also renew the example outputs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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


VARIES = "nbval-ignore-output"


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


def committed_outputs(path: Path) -> dict[str, list]:
    """Outputs of the tagged cells in git's HEAD version of `path`, by cell source."""
    try:
        text = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}  # not in git (yet): nothing to keep
    cells = json.loads(text)["cells"]
    return {
        "".join(cell["source"]): cell["outputs"]
        for cell in cells
        if cell["cell_type"] == "code"
        and VARIES in cell.get("metadata", {}).get("tags", [])
        and cell["outputs"]
    }


def keep_committed_examples(notebook: nbformat.NotebookNode, committed: dict[str, list]) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code" and VARIES in cell.metadata.get("tags", []):
            if cell.source in committed:
                cell.outputs = [nbformat.from_dict(output) for output in committed[cell.source]]


LIVE = "remove-output"  # a cell whose output is not stored: a to_jshtml() player


def is_live(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and LIVE in cell.metadata.get("tags", [])


def drop_live_outputs(notebook: nbformat.NotebookNode) -> None:
    """Store no output for cells tagged ``remove-output``: an animation player made
    by ``to_jshtml()`` works only when its cell runs. Stored, it would be a broken
    image in JupyterLab (which does not run the scripts of a notebook it did not
    run itself) and megabytes of frames in git. The website runs such cells to
    show them (tools/build_site.py)."""
    for cell in filter(is_live, notebook.cells):
        cell.outputs = []


def run(notebook: nbformat.NotebookNode, folder: Path, *, cells: int | None = None) -> float:
    """Execute `notebook` in memory, top to bottom (only its first `cells` cells if
    given), in a fresh kernel working in `folder`; return the seconds it took."""
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
            resources={"metadata": {"path": str(folder)}},
        )
        start = time.perf_counter()
        try:
            if cells is None:
                client.execute()
            else:
                with client.setup_kernel():
                    for index, cell in enumerate(notebook.cells[:cells]):
                        client.execute_cell(cell, index)
        finally:
            # nbclient leaves a kernel it was handed running; one left behind
            # lives until this script exits, then notices its parent is gone
            # ("Parent appears to have exited, shutting down").
            if client.kc is not None:
                client.kc.stop_channels()
            if manager.has_kernel:
                manager.shutdown_kernel()
        return time.perf_counter() - start


def execute(path: Path, *, refresh: bool = False) -> float:
    notebook = nbformat.read(path, as_version=4)
    seconds = run(notebook, path.parent)
    merge_streams(notebook)
    if not refresh:
        keep_committed_examples(notebook, committed_outputs(path))
    drop_live_outputs(notebook)
    strip_run_metadata(notebook)
    nbformat.validate(notebook)
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: all, in order")
    parser.add_argument(
        "--refresh", action="store_true", help="store new outputs in nbval-ignore-output cells too"
    )
    args = parser.parse_args(argv)
    # A backend forced from outside would stop figures from showing inline.
    os.environ.pop("MPLBACKEND", None)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    width = max(len(path.name) for path in paths)
    total = 0.0
    for path in paths:
        print(f"{path.name:<{width}}  ", end="", flush=True)
        seconds = execute(path.resolve(), refresh=args.refresh)
        total += seconds
        print(f"{seconds:5.1f} s", flush=True)
    print(f"{len(paths)} notebook{'s' * (len(paths) != 1)} executed in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
