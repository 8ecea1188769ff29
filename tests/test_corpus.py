"""Every corpus animation saves right: blitted frames equal full draws, and
the GIF shows their colours at least as faithfully as PillowWriter's.

``verify=True`` makes save_gif draw every blitted frame in full as well and
raise at the first pixel that differs (mplgif.writer.BlitMismatchError).
"""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from corpus import CASES, FRAMES, RecordingPillowWriter, as_a_gif_shows, off_by
from PIL import Image, ImageSequence

import mplgif
from mplgif.encoding import GifStream


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


# One axes; two panels; an axes over another; two panels with hidden twins (notebook 06's
# comparison): the axes after the first returned artist are repainted whole each frame.
@pytest.mark.parametrize(
    "name", ["sine_returned", "two_subplots", "later_axes_over_the_moving_line",
             "series_comparison"])
def test_blitting_still_blits_where_it_is_safe(name, tmp_path, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real_draw = FigureCanvasAgg.draw

    def counting_draw(canvas):
        draws.append(canvas)
        real_draw(canvas)

    monkeypatch.setattr(FigureCanvasAgg, "draw", counting_draw)
    fig, anim = CASES[name]()
    try:
        mplgif.save_gif(anim, tmp_path / "blitted.gif", fps=10)
    finally:
        plt.close(fig)
    assert len(draws) == 1  # one background, then only what the update changed is repainted


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_writer_matches_savefig_on_the_corpus(name, tmp_path):
    from mplgif.writer import GifWriter

    fig, anim = CASES[name]()
    try:
        anim.save(tmp_path / f"{name}.gif", writer=GifWriter(fps=10, verify=True))
    finally:
        plt.close(fig)
    assert mplgif.gif_info(tmp_path / f"{name}.gif").frames >= 1


def _decoded(gif: bytes, fps: float) -> list[np.ndarray]:
    """The GIF's frames as a viewer shows them (:func:`corpus.as_a_gif_shows`),
    one per saved frame (a frame Pillow merged with the next identical ones
    repeated by its delay)."""
    frames = []
    with Image.open(io.BytesIO(gif)) as image:
        for frame in ImageSequence.Iterator(image):
            pixels = as_a_gif_shows(np.asarray(frame.convert("RGBA")))
            frames += [pixels] * max(1, round(frame.info.get("duration", 0) * fps / 1000))
    return frames


def _far_and_error(reference: list[np.ndarray], gif: bytes) -> tuple[list[int], float, int]:
    """Per frame, the pixels more than 40 off in some channel (or transparent
    where they should not be, or the other way round); the mean absolute
    error (0-255) over every frame, pixel and channel; and how many pixels in
    all are transparent where they should not be, or the other way round."""
    frames = _decoded(gif, fps=10)
    assert len(frames) == len(reference)
    off = [off_by(want, got) for want, got in zip(reference, frames, strict=True)]
    wrong = sum(int((want[..., 3] != got[..., 3]).sum())
                for want, got in zip(reference, frames, strict=True))
    far = [int((o.max(axis=-1) > 40).sum()) for o in off]
    return far, float(np.mean([o.mean() for o in off])), wrong


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_palette_is_as_faithful_as_pillows_on_the_corpus(name, tmp_path):
    # The frames Matplotlib's PillowWriter gets are the full draws (save_gif
    # and writer="mplgif" encode the same ones: see the tests above). Encode
    # them with GifStream too, and compare both GIFs with them, frame by frame.
    fig, anim = CASES[name]()
    writer = RecordingPillowWriter(fps=10)
    # anim.save draws each frame twice: once when it steps the animation (draw_idle, which
    # on a canvas without a window draws at once) and once in the writer's savefig. Only
    # the frames the writer records are compared, and both encoders are given those, so
    # the first draw is left out (time). (With a layout engine, the recorded frames may
    # then differ a little from anim.save's: they are the ones save_gif draws.)
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Matplotlib's notes on transparent frames
            anim.save(tmp_path / "pillow.gif", writer=writer)
    finally:
        plt.close(fig)
    reference = [as_a_gif_shows(rgba) for rgba in writer.recorded]

    def encode() -> bytes:
        file = io.BytesIO()
        stream = GifStream(file, reference[0].shape[1], reference[0].shape[0])
        for rgba in writer.recorded:
            stream.add(rgba, 10)
        stream.close()
        return file.getvalue()

    ours = encode()
    assert encode() == ours  # deterministic
    our_far, our_error, our_wrong = _far_and_error(reference, ours)
    pillow_far, pillow_error, _ = _far_and_error(reference, (tmp_path / "pillow.gif").read_bytes())
    assert our_wrong == 0, f"{our_wrong} pixels transparent where the frame is not, or opaque"
    for index, (mine, theirs) in enumerate(zip(our_far, pillow_far, strict=True)):
        assert mine <= theirs + 50, f"frame {index}: {mine} far pixels, PillowWriter {theirs}"
    assert our_error <= pillow_error + 0.05, (
        f"mean error {our_error:.3f}, PillowWriter {pillow_error:.3f}"
    )
