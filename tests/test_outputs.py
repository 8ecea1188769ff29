"""The GIFs in outputs/ show what the notebooks promise, frame by frame.

In ``make test`` the notebooks have just written them again. Every test here is
parametrized with the GIF it reads (or the notebook that writes it), and runs
after that notebook, on the same worker (see the root conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

import mplgif
from tests.test_notebooks import NOTEBOOKS, gifs_written_by

OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"
TAB_RED, TAB_BLUE = (214, 39, 40), (31, 119, 180)


def pixels_near(path: Path, colour) -> list[int]:
    """Per frame, how many pixels are within a small distance of `colour`."""
    counts = []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            rgb = np.asarray(frame.convert("RGB"), dtype=np.int16)
            distance = np.abs(rgb - np.array(colour, dtype=np.int16)).sum(axis=-1)
            counts.append(int((distance < 60).sum()))
    return counts


@pytest.mark.parametrize("name", ["01-reset-redraw.gif", "02-erase-redraw.gif"])
def test_sine_gifs_have_100_frames_of_20_ms_looping_forever(name):
    info = mplgif.gif_info(OUTPUTS / name)
    assert info.frames == 100
    assert info.durations_ms == (20,) * 100
    assert info.loop == 0


@pytest.mark.parametrize("name", ["02-erase-redraw.gif"])
def test_every_erase_redraw_frame_shows_the_cosine_and_one_red_sine(name):
    red = np.array(pixels_near(OUTPUTS / name, TAB_RED))
    blue = np.array(pixels_near(OUTPUTS / name, TAB_BLUE))
    # One line's worth of red on every frame (about 500 pixels); a second sine
    # would double it.
    assert red.min() > 0.8 * np.median(red) and red.max() < 1.2 * np.median(red)
    assert 300 < red.min() and red.max() < 700
    # The cosine is on every frame (where the sine lies on top of it, around
    # frame 16, only part of it shows).
    assert blue.min() > 0.4 * np.median(blue)


def reddish_pixels(path: Path) -> list[int]:
    """Per frame, pixels that are clearly red (any shade the article's 'r' lines take)."""
    counts = []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            r, g, b = np.moveaxis(np.asarray(frame.convert("RGB"), dtype=np.int16), -1, 0)
            counts.append(int(((r > 200) & (g < 90) & (b < 90)).sum()))
    return counts


@pytest.mark.parametrize("name", ["02-erase-redraw-broken.gif"])
def test_the_broken_erase_redraw_piles_up_lines(name):
    red = reddish_pixels(OUTPUTS / name)
    assert len(red) == 10
    assert all(later > earlier for earlier, later in zip(red, red[1:], strict=False))
    assert red[-1] > 5 * red[0]


@pytest.mark.parametrize(
    ("name", "frames", "delay_ms"),
    [
        ("03-regression-trace.gif", 12, 100),
        ("04-cost-curve.gif", 12, 100),
        ("05-linear-regression.gif", 23, 100),
        ("06-learning-rates.gif", 23, 200),
    ],
)
def test_regression_gifs_have_one_frame_per_snapshot(name, frames, delay_ms):
    info = mplgif.gif_info(OUTPUTS / name)
    assert info.frames == frames
    assert info.durations_ms == (delay_ms,) * frames
    assert info.loop == 0


@pytest.mark.parametrize("name", ["04-cost-curve.gif", "05-linear-regression.gif"])
def test_the_blue_cost_curve_appears_on_the_last_frame_only(name):
    blue = pixels_near(OUTPUTS / name, TAB_BLUE)
    assert max(blue[:-1]) < 20  # none, but for a stray antialiased pixel
    assert blue[-1] > 500


@pytest.mark.parametrize("name", ["05-linear-regression.gif"])
def test_one_dashed_green_line_per_frame(name):
    green = np.array(pixels_near(OUTPUTS / name, (44, 160, 44)))
    assert green.min() > 0.5 * np.median(green)
    assert green.max() < 1.5 * np.median(green)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_gif_a_notebook_writes_exists_and_is_named_for_it(path):
    for name in gifs_written_by(path):
        assert name.startswith(path.stem[:3]), (
            f"{path.name} writes {name}: prefix it {path.stem[:3]}"
        )
        assert mplgif.gif_info(OUTPUTS / name).frames > 0
