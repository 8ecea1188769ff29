"""gif_info reads back what a viewer sees; show_gif stores a reference, not bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

import mplgif


def write_gif(path: Path, durations, loop=0, size=(30, 20)) -> Path:
    """A GIF of distinct solid frames, written directly with Pillow."""
    frames = [
        Image.new("RGB", size, (40 * index % 256, 80, 200 - 20 * index))
        for index in range(len(durations))
    ]
    options = {} if loop is None else {"loop": loop}
    frames[0].save(
        path, save_all=True, append_images=frames[1:], duration=list(durations), **options
    )
    return path


def test_reads_frames_durations_loop_and_size(tmp_path):
    path = write_gif(tmp_path / "a.gif", [100, 20, 30], loop=0)
    info = mplgif.gif_info(path)
    assert info.frames == 3
    assert info.durations_ms == (100, 20, 30)
    assert info.total_duration_ms == 150
    assert info.loop == 0
    assert (info.width, info.height) == (30, 20)
    assert info.size_bytes == path.stat().st_size
    assert info.describe() == (
        "a.gif: 3 frames, 20-100 ms each (150 ms in all), loops forever, 30x20 px"
    )


def test_a_gif_without_loop_extension_plays_once(tmp_path):
    info = mplgif.gif_info(write_gif(tmp_path / "once.gif", [50, 50], loop=None))
    assert info.loop is None
    assert "plays once" in info.describe()


def test_a_finite_loop_count(tmp_path):
    info = mplgif.gif_info(write_gif(tmp_path / "twice.gif", [50, 50], loop=2))
    assert info.loop == 2
    assert "plays 3 times" in info.describe()


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file at .*run the notebook"):
        mplgif.gif_info(tmp_path / "nothing.gif")


def test_a_png_is_not_a_gif(tmp_path):
    path = tmp_path / "picture.gif"
    Image.new("RGB", (4, 4)).save(path, format="PNG")
    with pytest.raises(ValueError, match="is a PNG image, not a GIF"):
        mplgif.gif_info(path)


def test_a_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.gif"
    path.write_text("hello")
    with pytest.raises(ValueError, match="not an image"):
        mplgif.gif_info(path)


def test_show_gif_refers_to_the_file_relative_to_the_notebook(tmp_path, monkeypatch):
    outputs = tmp_path / "outputs"
    notebooks = tmp_path / "notebooks"
    outputs.mkdir()
    notebooks.mkdir()
    write_gif(outputs / "a b&c.gif", [20, 20])
    monkeypatch.chdir(notebooks)

    shown = mplgif.show_gif(Path("..") / "outputs" / "a b&c.gif", width=300)
    html = shown._repr_html_()
    assert html.startswith('<img src="../outputs/a%20b%26c.gif" width="300"')
    assert "base64" not in html and len(html) < 300
    assert repr(shown) == (
        "a b&c.gif: 2 frames, 20 ms each (40 ms in all), loops forever, 30x20 px"
    )
    # An absolute path gives the same relative reference.
    absolute = mplgif.show_gif(outputs / "a b&c.gif")._repr_html_()
    assert absolute.startswith('<img src="../outputs/a%20b%26c.gif"')
    # Characters that mean something in a URL are escaped.
    write_gif(outputs / "#1?.gif", [20])
    assert '<img src="../outputs/%231%3F.gif"' in mplgif.show_gif(outputs / "#1?.gif")._repr_html_()


def test_show_gif_of_a_missing_file_fails_loudly(tmp_path):
    with pytest.raises(FileNotFoundError):
        mplgif.show_gif(tmp_path / "missing.gif")


def test_importing_mplgif_changes_no_global_state():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    # Reading rcParams can load pyplot, so check for pyplot first, on its own.
    no_pyplot = (
        "import sys; import mplgif, mplgif.regression, mplgif.smoothing, mplgif.plots; "
        "assert 'matplotlib.pyplot' not in sys.modules, 'mplgif imported pyplot'"
    )
    same_settings = (
        "import matplotlib; before = (matplotlib.get_backend(), dict(matplotlib.rcParams)); "
        "import mplgif, mplgif.regression, mplgif.smoothing, mplgif.plots; "
        "after = (matplotlib.get_backend(), dict(matplotlib.rcParams)); "
        "assert before == after, 'mplgif changed matplotlib settings on import'"
    )
    for check in (no_pyplot, same_settings):
        subprocess.run([sys.executable, "-c", check], check=True, env=env)
