"""Every corpus animation saves right: blitted frames equal full draws.

``verify=True`` makes save_gif draw every blitted frame in full as well and
raise at the first pixel that differs (mplgif.writer.BlitMismatchError).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from corpus import CASES, FRAMES

import mplgif


@pytest.mark.parametrize("name", sorted(CASES))
def test_blitting_matches_full_draws_on_the_corpus(name, tmp_path):
    fig, anim = CASES[name]()
    try:
        info = mplgif.save_gif(anim, tmp_path / f"{name}.gif", fps=10, verify=True)
    finally:
        plt.close(fig)
    assert info.frames >= 1
    if name not in ("series_training", "series_comparison"):
        assert info.frames == FRAMES


def test_the_verification_catches_a_blitter_that_misses_a_change(tmp_path, monkeypatch):
    from mplgif.frames import BlitMismatchError, _Blitter

    # A blitter blind to everything but the returned artists: the trail it
    # is not told about never appears, and verification must say so.
    monkeypatch.setattr(_Blitter, "_unchanged", lambda self: True)
    fig, anim = CASES["trail_added_each_frame"]()
    try:
        with pytest.raises(BlitMismatchError, match=r"Frame 1: the blitted frame differs"):
            mplgif.save_gif(anim, tmp_path / "trail.gif", fps=10, verify=True)
    finally:
        plt.close(fig)
    assert list(tmp_path.iterdir()) == []


def test_blitting_still_blits_where_it_is_safe(tmp_path, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real_draw = FigureCanvasAgg.draw

    def counting_draw(canvas):
        draws.append(canvas)
        real_draw(canvas)

    monkeypatch.setattr(FigureCanvasAgg, "draw", counting_draw)
    fig, anim = CASES["sine_returned"]()
    try:
        mplgif.save_gif(anim, tmp_path / "sine.gif", fps=10)
    finally:
        plt.close(fig)
    assert len(draws) == 1  # one background, then only the line is repainted


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_writer_matches_savefig_on_the_corpus(name, tmp_path):
    from mplgif.writer import GifWriter

    fig, anim = CASES[name]()
    try:
        anim.save(tmp_path / f"{name}.gif", writer=GifWriter(fps=10, verify=True))
    finally:
        plt.close(fig)
    assert mplgif.gif_info(tmp_path / f"{name}.gif").frames >= 1
