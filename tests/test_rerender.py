"""Every animation in the series can be rendered again without growing.

Each notebook is run in a fresh kernel; then every FuncAnimation it leaves in
its namespace is saved, shown as HTML (as Jupyter displays an animation) and
saved again, and must keep the same axes and artists and give the same bytes.
(Showing as HTML also shrinks a figure of odd pixel width or height by a
pixel, for video codecs; the series' figures all have even sizes.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# 07 writes no series GIF: it builds a fresh animation with one function for
# every measurement, so there is nothing of its own to render twice.
NOTEBOOKS = sorted(
    path
    for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")
    if not path.name.startswith("07-")
)

# Animations that reproduce the article's bugs on purpose. (02's `broken` draws
# on whatever the global `ax` is by the end of the notebook, so it is skipped,
# not rendered: notebook 02 itself shows its lines piling up.)
BROKEN_ON_PURPOSE = {"02-erase-redraw": {"broken"}}

CHECK = """
import json as _json, tempfile as _tempfile
from pathlib import Path as _Path
import mplgif as _mplgif  # registers the "mplgif" writer
from matplotlib.animation import Animation as _Animation

def _inventory(fig):
    return [len(fig.axes)] + [len(axes.get_children()) for axes in fig.axes]

_report = {}
# A low resolution: what grows or changes does so at any size, and small
# frames keep this test quick.
import matplotlib as _matplotlib
with _tempfile.TemporaryDirectory() as _folder, _matplotlib.rc_context({"savefig.dpi": 40}):
    for _name, _anim in list(globals().items()):
        if _name.startswith("_") or not isinstance(_anim, _Animation) or _name in _skip:
            continue
        _figure = _anim._fig
        _before = _inventory(_figure)
        _anim.save(f"{_folder}/first.gif", writer="mplgif")
        _anim.to_jshtml()
        _anim.save(f"{_folder}/second.gif", writer="mplgif")
        _report[_name] = {
            "before": _before,
            "after": _inventory(_figure),
            "same_bytes": _Path(_folder, "first.gif").read_bytes()
            == _Path(_folder, "second.gif").read_bytes(),
        }
print(_json.dumps(_report))
"""


class ThisInterpreter(KernelSpecManager):
    def get_kernel_spec(self, kernel_name):
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3",
            language="python",
        )


def rerender_report(path: Path, skip: set[str]) -> dict:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(f"_skip = {sorted(skip)!r}\n" + CHECK))
    client = NotebookClient(
        notebook,
        km=KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter()),
        timeout=600,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    text = "".join(
        output["text"] for output in notebook.cells[-1].outputs if output.get("name") == "stdout"
    )
    return json.loads(text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_animations_render_again_without_growing(path):
    report = rerender_report(path, skip=BROKEN_ON_PURPOSE.get(path.stem, set()))
    assert report, f"{path.name} leaves no animation to check"
    for name, result in report.items():
        assert result["after"] == result["before"], f"{path.name}: {name} grew: {result}"
        assert result["same_bytes"], f"{path.name}: {name} rendered different bytes"
