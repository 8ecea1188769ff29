"""Every animation in the series can be rendered again without growing.

After nbval has run a notebook's last cell, in the same kernel, every
animation the notebook leaves in its namespace is saved twice (its first 5
frames and its last), and must keep the same axes and artists and give the
same bytes: an update function that adds an artist, or an axes, on every run
shows up at the second save. The root conftest.py adds these items. (Each save runs the update
function for every frame it saves, as displaying with ``to_jshtml()`` does;
tests/test_plots.py covers displaying and then saving the helpers' animations.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# 07 writes no series GIF: it builds a fresh animation with one function for
# every measurement, so there is nothing of its own to render twice.
SKIPPED = ("07-",)

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
        # The first 5 frames and the last: an update function that adds an artist,
        # or carries state from one run into the next, shows it from its first calls
        # on, or on the last frame (where 04 and 05 add their cost curve).
        _all = list(_anim.new_saved_frame_seq())
        _anim.new_saved_frame_seq = lambda: iter(_all[:5] + _all[5:][-1:])
        try:
            _mplgif.save_gif(_anim, f"{_folder}/first.gif", fps=10, dpi=40)
            _mplgif.save_gif(_anim, f"{_folder}/second.gif", fps=10, dpi=40)
        finally:
            del _anim.new_saved_frame_seq
        _report[_name] = {
            "before": _before,
            "after": _inventory(_figure),
            "same_bytes": _Path(_folder, "first.gif").read_bytes()
            == _Path(_folder, "second.gif").read_bytes(),
        }
print(_json.dumps(_report))
"""


class RerenderItem(pytest.Item):
    """Runs after a notebook's last cell, in the kernel nbval used for it."""

    def runtest(self) -> None:
        kernel = getattr(self.parent, "kernel", None)
        if kernel is None or not kernel.is_alive():
            pytest.skip("nbval's kernel is not available to re-render in")
        skip = BROKEN_ON_PURPOSE.get(Path(self.parent.path).stem, set())
        msg_id = kernel.execute_cell_input(f"_skip = {sorted(skip)!r}\n" + CHECK, allow_stdin=False)
        kernel.await_reply(msg_id, timeout=600)
        printed, errors = [], []
        while True:
            message = kernel.get_message(stream="iopub", timeout=600)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                printed.append(content["text"])
            elif kind == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                break
        assert not errors, errors
        check_report(Path(self.parent.path).name, json.loads("".join(printed)))

    def reportinfo(self):
        return self.path, None, f"{Path(self.parent.path).name}::re-render"


def check_report(name: str, report: dict) -> None:
    assert report, f"{name} leaves no animation to check"
    for animation, result in report.items():
        assert result["after"] == result["before"], f"{name}: {animation} grew: {result}"
        assert result["same_bytes"], f"{name}: {animation} rendered different bytes"


def add_rerender_items(items: list) -> None:
    """After each series notebook's last nbval cell, check its animations."""
    last_of = {}
    for index, item in enumerate(items):
        parent = item.parent
        if type(parent).__name__ == "IPyNbFile" and Path(parent.path).stem[:2].isdigit():
            last_of[parent] = index
    for parent, index in sorted(last_of.items(), key=lambda pair: -pair[1]):
        if Path(parent.path).name.startswith(SKIPPED):
            continue
        items.insert(index + 1, RerenderItem.from_parent(parent, name="re-render"))
