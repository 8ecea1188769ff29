"""Every corpus animation saves right: both fast paths give the frames
PillowWriter is handed under anim.save, pixel for pixel, and the GIF shows
their colours at least as faithfully as PillowWriter's.

save_gif runs as a user calls it; writer="mplgif" runs with ``verify=True``,
which draws every blitted frame in full as well and raises at the first pixel
that differs (mplgif.frames.BlitMismatchError).
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
from mplgif.writer import GifWriter


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


def _differing(want: list, got: list) -> list[int]:
    """Per frame, how many pixels differ (all frames must be there)."""
    assert len(got) == len(want)
    return [int((a != b).any(axis=-1).sum()) for a, b in zip(want, got, strict=True)]


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
def test_both_paths_give_pillowwriters_frames_and_a_palette_as_faithful(
        name, tmp_path, monkeypatch):
    # The reference: the frames Matplotlib's PillowWriter is handed under anim.save.
    fig, anim = CASES[name]()
    writer = RecordingPillowWriter(fps=10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Matplotlib's notes on transparent frames
            anim.save(tmp_path / "pillow.gif", writer=writer)
    finally:
        plt.close(fig)
    # save_gif as a user calls it (blitting where it is safe, no verification): the frames
    # it encodes must be those, pixel for pixel.
    encoded = []
    add_frame = GifWriter.add_frame
    monkeypatch.setattr(GifWriter, "add_frame",
                        lambda self, rgba: encoded.append(np.array(rgba)) or add_frame(self, rgba))
    fig, anim = CASES[name]()
    try:
        info = mplgif.save_gif(anim, tmp_path / "save_gif.gif", fps=10)
    finally:
        plt.close(fig)
    assert len(encoded) == len(writer.recorded)
    if name not in ("series_training", "series_comparison"):
        assert len(encoded) == FRAMES
    # A frame like the one before is stored once, shown for both delays.
    runs = 1 + sum(not np.array_equal(a, b) for a, b in zip(encoded[:-1], encoded[1:], strict=True))
    assert (info.frames, info.total_duration_ms) == (runs, 100 * len(encoded))
    assert _differing(writer.recorded, encoded) == [0] * len(encoded)
    # writer="mplgif", with verification on: each blitted frame is also drawn in full,
    # and the first differing pixel raises. Its frames must be PillowWriter's too, and
    # its file save_gif's, byte for byte (the encoder is deterministic).
    encoded.clear()
    fig, anim = CASES[name]()
    try:
        anim.save(tmp_path / "mplgif.gif", writer=GifWriter(fps=10, verify=True))
    finally:
        plt.close(fig)
    assert _differing(writer.recorded, encoded) == [0] * len(encoded)
    ours = (tmp_path / "save_gif.gif").read_bytes()
    assert (tmp_path / "mplgif.gif").read_bytes() == ours

    # The palette: compare save_gif's GIF and PillowWriter's with the reference,
    # frame by frame.
    reference = [as_a_gif_shows(rgba) for rgba in writer.recorded]
    our_far, our_error, our_wrong = _far_and_error(reference, ours)
    assert our_wrong == 0, f"{our_wrong} pixels transparent where the frame is not, or opaque"
    pillow = (tmp_path / "pillow.gif").read_bytes()
    if len(_decoded(pillow, fps=10)) != len(reference):
        # Pillow 9.5 merges identical frames without adding up their delays, so its GIF
        # has fewer frames than were saved (and plays too fast): ours must then be exact.
        assert max(our_far) == 0 and our_error < 0.5, (our_far, our_error)
        return
    pillow_far, pillow_error, _ = _far_and_error(reference, pillow)
    for index, (mine, theirs) in enumerate(zip(our_far, pillow_far, strict=True)):
        assert mine <= theirs + 50, f"frame {index}: {mine} far pixels, PillowWriter {theirs}"
    assert our_error <= pillow_error + 0.05, (
        f"mean error {our_error:.3f}, PillowWriter {pillow_error:.3f}"
    )
