"""The streaming "mplgif" writer: registration, timing, colours, memory."""

from __future__ import annotations

import io
import tracemalloc
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from corpus import RecordingPillowWriter, as_a_gif_shows
from matplotlib import animation
from matplotlib.animation import FuncAnimation
from PIL import Image, ImageSequence
from strict_warnings import every_warning_an_error

import mplgif
from mplgif.inspecting import _walk
from mplgif.saving import find_imagemagick
from mplgif.writer import GifStream, GifWriter, frame_delays_cs

REAL_IMAGEMAGICK = find_imagemagick()


def decoded(path) -> list[np.ndarray]:
    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]


def encoded(frames, delay_cs: int = 10) -> tuple[bytes, GifStream]:
    """`frames` written by one GifStream: the GIF's bytes, and the stream."""
    file = io.BytesIO()
    stream = GifStream(file, frames[0].shape[1], frames[0].shape[0])
    for frame in frames:
        stream.add(frame, delay_cs)
    stream.close()
    return file.getvalue(), stream


def rendered(fig, update, frames) -> list[np.ndarray]:
    """What Agg draws for each frame: the reference for fidelity."""
    pixels = []
    for frame in frames:
        update(frame)
        fig.canvas.draw()
        pixels.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    return pixels


@pytest.fixture
def sine():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 2 * np.pi, 100)
    ax.plot(x, np.cos(x), color="tab:blue")
    (line,) = ax.plot(x, np.sin(x), color="tab:orange", lw=3)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 5))
        return (line,)

    yield fig, update
    plt.close(fig)


def test_registered_with_matplotlib():
    assert "mplgif" in animation.writers.list()
    assert animation.writers["mplgif"] is GifWriter


def test_anim_save_with_the_registered_name(sine, tmp_path):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=12)
    anim.save(tmp_path / "sine.gif", writer="mplgif", fps=25)
    info = mplgif.gif_info(tmp_path / "sine.gif")
    assert (info.frames, info.loop, info.width, info.height) == (12, 0, 150, 100)
    assert info.durations_ms == (40,) * 12
    assert [p.name for p in tmp_path.iterdir()] == ["sine.gif"]


def test_frames_match_the_agg_render(sine, tmp_path):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=10)
    anim.save(tmp_path / "sine.gif", writer="mplgif", fps=10)
    reference = rendered(fig, update, range(10))
    frames = decoded(tmp_path / "sine.gif")
    assert len(frames) == 10
    for got, want in zip(frames, reference, strict=True):
        assert np.abs(got.astype(int) - want).mean() < 0.1
        # Background and line colours are exact where they are flat.
        assert (got[want.sum(axis=-1) == 765] == 255).all()
        orange = (want == (255, 127, 14)).all(axis=-1)
        assert (got[orange] == (255, 127, 14)).all()


def test_odd_fps_alternates_delays_to_keep_the_total(sine, tmp_path):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=6)
    with every_warning_an_error():  # alternating delays play right: no warning
        anim.save(tmp_path / "odd.gif", writer="mplgif", fps=30)
    info = mplgif.gif_info(tmp_path / "odd.gif")
    assert info.durations_ms == (30, 40, 30, 30, 40, 30)
    assert info.total_duration_ms == 200
    assert frame_delays_cs(300, fps=30).count(4) == 100


def test_identical_frames_are_stored_once_for_their_added_delays(sine, tmp_path):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=[0, 0, 0, 5, 5, 0])
    anim.save(tmp_path / "still.gif", writer="mplgif", fps=20)
    info = mplgif.gif_info(tmp_path / "still.gif")
    assert info.durations_ms == (150, 100, 50)
    frames = decoded(tmp_path / "still.gif")
    assert len(frames) == 3
    assert not (frames[0] == frames[1]).all()
    # The first picture again: its rarest colours may come out closer the second
    # time, from palette entries added since, but no more than that differs.
    assert np.abs(frames[2].astype(int) - frames[0]).mean() < 0.05


def test_identical_frames_merge_only_up_to_the_longest_delay_a_gif_holds(tmp_path):
    still = np.full((4, 6, 3), 200, dtype=np.uint8)
    with open(tmp_path / "long.gif", "wb") as file:
        stream = GifStream(file, 6, 4)
        for _ in range(3):
            stream.add(still, 30000)  # 300 s each; 655.35 s is the most one frame holds
        stream.close()
    info = mplgif.gif_info(tmp_path / "long.gif")
    assert info.durations_ms == (600000, 300000)
    with Image.open(tmp_path / "long.gif") as image:
        shown = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]
    assert [frame[0, 0].tolist() for frame in shown] == [[200, 200, 200]] * 2


def test_a_colour_that_appears_late_comes_out_right(tmp_path):
    # The regression GIFs add a blue cost curve only on the last frame; a
    # palette built from the first frames must not turn it into another colour.
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 10, 60)
    (line,) = ax.plot(x, x, color="tab:red")
    (late,) = ax.plot(x, 10 - x, color="tab:blue", lw=3, visible=False)

    def update(frame):
        line.set_ydata(x * (1 + frame / 10))
        late.set_visible(frame == 4)
        return (line, late)

    anim = FuncAnimation(fig, update, frames=5)
    anim.save(tmp_path / "late.gif", writer="mplgif", fps=10)
    reference = rendered(fig, update, range(5))
    last = decoded(tmp_path / "late.gif")[-1]
    blue = (reference[-1] == (31, 119, 180)).all(axis=-1)
    assert blue.sum() > 50
    assert (last[blue] == (31, 119, 180)).all()
    assert np.abs(last.astype(int) - reference[-1]).mean() < 0.5
    plt.close(fig)


def test_many_colours_get_a_palette_close_to_them():
    # A smooth gradient has far more colours than a GIF palette can hold.
    ramp = np.linspace(0, 255, 200)
    rgb = np.stack(np.broadcast_arrays(ramp[None, :], ramp[:, None], 128.0), axis=-1)
    frame = rgb.astype(np.uint8)
    gif, _ = encoded([frame])
    got = np.asarray(Image.open(io.BytesIO(gif)).convert("RGB"))
    assert np.abs(got.astype(int) - frame).mean() < 6


def test_a_rare_colour_far_from_the_palette_is_never_replaced_by_a_far_one():
    # Gradients with far more colours than a palette, each colour on 16 pixels,
    # and 4 or 5 pixels of a colour far from all of them: in the first frame,
    # then elsewhere once the palette is full (grey tick labels next to an image).
    levels = np.repeat(np.linspace(0, 255, 50), 4)
    red, green = np.broadcast_arrays(levels[None, :], levels[:, None])
    frames = [np.stack([red, green, np.full_like(red, blue)], axis=-1).astype(np.uint8)
              for blue in (128, 60, 60)]
    frames[0][10, 10:15] = (0, 0, 0)
    frames[1][100, 50:55] = (250, 250, 0)
    frames[2][150, 60:64] = (0, 90, 250)
    with Image.open(io.BytesIO(encoded(frames)[0])) as gif:
        decoded = [np.asarray(f.convert("RGB"), dtype=int) for f in ImageSequence.Iterator(gif)]
    for got, want in zip(decoded, frames, strict=True):
        assert np.abs(got - want).max() <= 32
        assert np.abs(got - want).mean() < 6


def test_partly_transparent_colours_share_near_entries_and_opaque_ones_stay_exact():
    # 100 colours a step apart, as antialiased edges over a see-through background
    # make them: partly transparent, they may share entries up to 8 levels off;
    # opaque, each keeps its own.
    ramp = np.repeat(np.arange(100, 200, dtype=np.uint8), 2)
    rgb = np.stack([ramp, 255 - ramp, np.full_like(ramp, 90)], axis=-1)
    rgb = np.broadcast_to(rgb[None], (20, 200, 3))
    for alpha, most_entries, most_off in ((128, 20, 8), (255, 100, 0)):
        frame = np.concatenate([rgb, np.full((20, 200, 1), alpha, np.uint8)], axis=-1)
        frame[:, :4, 3] = 0  # and some fully transparent pixels, which stay so
        gif, stream = encoded([frame])
        with Image.open(io.BytesIO(gif)) as image:
            got = np.asarray(image.convert("RGBA"), dtype=int)
        assert stream.palette_used <= most_entries, (alpha, stream.palette_used)
        assert (got[:, :4, 3] == 0).all() and (got[:, 4:, 3] == 255).all()
        assert np.abs(got[:, 4:, :3] - frame[:, 4:, :3]).max() <= most_off, alpha


def test_a_partly_transparent_colour_is_never_shown_more_than_8_levels_off():
    # The entry nearest in straight-line distance (13 off in red) is not the one
    # within 8 levels in every channel: the latter must be the one shown.
    shared, near, nearest = (100, 100, 100), (108, 108, 108), (113, 104, 102)
    frame = np.zeros((4, 30, 4), dtype=np.uint8)
    frame[:, :10, :3], frame[:, 10:20, :3], frame[:, 20:, :3] = near, nearest, shared
    frame[..., 3] = 255
    frame[:, 20:, 3] = 128
    gif, stream = encoded([frame])
    with Image.open(io.BytesIO(gif)) as image:
        got = np.asarray(image.convert("RGB"), dtype=int)
    assert stream.palette_used == 2
    assert (got[:, :20] == frame[:, :20, :3]).all()  # opaque: exact
    assert np.abs(got[:, 20:] - shared).max() <= 8


def test_a_colour_partly_transparent_then_opaque_keeps_one_entry():
    # 100 colours far apart, partly transparent in the first frame and opaque in the
    # second (a line's antialiased edge, then its core): one entry each, and a frame
    # that needs a table of its own lists each colour once.
    levels = np.arange(5) * 50
    colours = np.stack(np.meshgrid(levels, levels, levels[:4]), axis=-1).reshape(-1, 3)
    see_through = np.concatenate(
        [np.broadcast_to(colours, (4, 100, 3)), np.full((4, 100, 1), 128)], axis=-1
    ).astype(np.uint8)
    opaque = see_through.copy()
    opaque[..., 3] = 255
    gif, stream = encoded([see_through, opaque])
    assert stream.palette_used == 100
    with Image.open(io.BytesIO(gif)) as image:
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]
    assert all((got == see_through[..., :3]).all() for got in frames)

    from mplgif.encoding import _local_table, _pack

    both = np.concatenate([see_through[:2], opaque[:2]])
    table, _, error = _local_table(_pack(both)[0].ravel())
    assert len(table) == 100 and not error.any()


def test_which_partly_transparent_colours_get_entries_is_the_greedy_rule():
    # The encoder's rule, written out slowly: the most frequent first, a partly
    # transparent colour gets an entry unless one within 8 levels in every channel
    # already has one (the palette, an opaque new colour, or an earlier one).
    from mplgif.encoding import _SEE_THROUGH, _needing_entries

    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 40, size=(400, 3)).astype(np.uint32) * 6
    packed = np.unique(rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16)
    see_through = rng.random(len(packed)) < 0.8
    packed[see_through] |= _SEE_THROUGH
    counts = rng.integers(1, 50, size=len(packed))
    palette = rng.integers(0, 240, size=(20, 3)).astype(np.uint8)

    colours = np.stack([(packed >> shift) & 0xFF for shift in (0, 8, 16)], axis=-1).astype(int)
    shown = [*palette.astype(int), *colours[~see_through]]
    want = ~see_through
    for index in sorted(np.flatnonzero(see_through), key=lambda i: -counts[i]):
        if min(np.abs(colour - colours[index]).max() for colour in shown) > 8:
            want[index] = True
            shown.append(colours[index])
    got = _needing_entries(packed, counts, see_through, palette)
    assert 0 < (got & see_through).sum() < see_through.sum()
    assert (got == want).all()


def test_memory_does_not_grow_with_the_number_of_frames():
    frame = np.full((240, 320, 3), 255, dtype=np.uint8)

    def peak(frames: int) -> int:
        file = io.BytesIO()
        tracemalloc.start()
        stream = GifStream(file, 320, 240)
        for index in range(frames):
            frame[100:140, :] = 255
            frame[100:140, index % 300 : index % 300 + 20] = (200, 30, 30)
            stream.add(frame, 4)
        stream.close()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top - len(file.getvalue())  # what is kept besides the output itself

    peak(40)  # a first run imports what the encoder loads on first use (SciPy's k-d tree)
    assert peak(400) < 1.2 * peak(40)


def _see_through_frames() -> list[np.ndarray]:
    """RGBA frames on a transparent background: a red bar that moves (the pixels it
    leaves must turn transparent again), a blue square that vanishes and comes back,
    and a half-transparent green strip (shown opaque: GIF has no partial alpha)."""
    frames = []
    for index in range(5):
        frame = np.zeros((30, 40, 4), dtype=np.uint8)
        frame[5:9, 4 + 6 * index : 10 + 6 * index] = (220, 30, 30, 255)
        if index != 2:
            frame[18:26, 28:36] = (30, 60, 220, 255)
        frame[28:30, :] = (40, 160, 60, 90)
        frames.append(frame)
    return frames


def test_transparent_pixels_stay_transparent_and_nothing_is_left_behind():
    frames = _see_through_frames()
    with Image.open(io.BytesIO(encoded(frames)[0])) as gif:
        shown = [as_a_gif_shows(np.asarray(f.convert("RGBA"))) for f in ImageSequence.Iterator(gif)]
    assert len(shown) == len(frames)
    for index, (got, want) in enumerate(zip(shown, frames, strict=True)):
        assert (got == as_a_gif_shows(want)).all(), f"frame {index} differs"


@pytest.mark.skipif(REAL_IMAGEMAGICK is None, reason="needs ImageMagick, a second GIF decoder")
def test_imagemagick_shows_the_transparent_frames_alike(tmp_path):
    import subprocess

    frames = _see_through_frames()
    (tmp_path / "see-through.gif").write_bytes(encoded(frames)[0])
    subprocess.run([REAL_IMAGEMAGICK.path, "see-through.gif", "-coalesce", "PNG32:frame-%d.png"],
                   cwd=tmp_path, check=True, capture_output=True)
    for index, want in enumerate(frames):
        got = np.asarray(Image.open(tmp_path / f"frame-{index}.png").convert("RGBA"))
        assert (as_a_gif_shows(got) == as_a_gif_shows(want)).all(), f"frame {index} differs"


def test_opaque_frames_are_never_cleared():
    # Disposal 2 ("restore to background") only where a pixel turns transparent.
    frames = _see_through_frames()
    for frame in frames:
        frame[..., 3] = 255
    with Image.open(io.BytesIO(encoded(frames)[0])) as gif:
        assert {f.disposal_method for f in ImageSequence.Iterator(gif)} == {1}


# How a figure can be transparent, and the savefig options anim.save passes on.
TRANSPARENT_WAYS = {
    "facecolor none": ({}, {}),
    "patch alpha 0": ({}, {}),
    "savefig.transparent": ({"savefig.transparent": True}, {}),
    "savefig.transparent, transparent=None": ({"savefig.transparent": True},
                                              {"transparent": None}),
    "savefig.facecolor none, facecolor=None": ({"savefig.facecolor": "none"},
                                               {"facecolor": None}),
    "facecolor none, facecolor='auto'": ({}, {"facecolor": "auto"}),
}


# Matplotlib 3.8 and later ask writers whether they support transparency; 3.7's
# anim.save paints the figure's face colour onto white for every writer.
ASKS_FOR_TRANSPARENCY = hasattr(animation.AbstractMovieWriter, "_supports_transparency")


@pytest.mark.parametrize("how", TRANSPARENT_WAYS)
def test_the_writer_is_transparent_where_pillowwriter_gets_transparent_frames(how, tmp_path):
    import matplotlib as mpl

    settings, savefig_kwargs = TRANSPARENT_WAYS[how]
    if not ASKS_FOR_TRANSPARENCY and savefig_kwargs.get("facecolor", "") is None:
        pytest.skip("Matplotlib 3.7's anim.save fails on facecolor=None, whatever the writer")

    def build():
        fig, ax = plt.subplots(figsize=(2.4, 1.8), dpi=40)
        if how.startswith("facecolor none"):
            fig.set_facecolor("none")
        elif how == "patch alpha 0":
            fig.patch.set_alpha(0)
            ax.patch.set_alpha(0)
        (line,) = ax.plot([0, 1], [0, 1])

        def update(frame):
            line.set_ydata([frame / 4, 1 - frame / 4])
            return (line,)

        return fig, FuncAnimation(fig, update, frames=4)

    with mpl.rc_context(settings):
        fig, anim = build()
        pillow = RecordingPillowWriter(fps=10)
        anim.save(tmp_path / "pillow.gif", writer=pillow, savefig_kwargs=dict(savefig_kwargs))
        plt.close(fig)
        fig, anim = build()
        anim.save(tmp_path / "mplgif.gif", writer=GifWriter(fps=10, verify=True),
                  savefig_kwargs=dict(savefig_kwargs))
        plt.close(fig)
    with Image.open(tmp_path / "mplgif.gif") as gif:
        clear = [np.asarray(f.convert("RGBA"))[..., 3] == 0 for f in ImageSequence.Iterator(gif)]
    assert len(clear) == len(pillow.recorded)
    for index, (got, frame) in enumerate(zip(clear, pillow.recorded, strict=True)):
        assert (got == (frame[..., 3] == 0)).all(), f"frame {index}"


@pytest.mark.parametrize("setup", ["facecolor none", "patch alpha 0"])
def test_a_transparent_figure_still_blits_under_anim_save(setup, tmp_path, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real_draw = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda canvas: (draws.append(1),
                                                                   real_draw(canvas)))
    fig, ax = plt.subplots(figsize=(2.4, 1.8), dpi=40)
    if setup == "facecolor none":
        fig.set_facecolor("none")
    else:
        fig.patch.set_alpha(0)
    (line,) = ax.plot([0, 1], [0, 1])

    def update(frame):
        line.set_ydata([frame / 8, 1 - frame / 8])
        return (line,)

    FuncAnimation(fig, update, frames=6).save(tmp_path / "a.gif", writer="mplgif", fps=10)
    plt.close(fig)
    if ASKS_FOR_TRANSPARENCY:
        assert len(draws) == 1  # the background once; then only the line is repainted
    else:  # savefig paints the face onto white: each frame drawn in full, once
        assert len(draws) == 6


def test_local_colour_tables_and_transparency_together():
    # Far more colours than a palette (every frame gets a local table), on a
    # background that turns transparent and back, with a block that moves.
    rng = np.random.default_rng(7)
    frames = []
    for index in range(5):
        frame = np.zeros((30, 40, 4), dtype=np.uint8)
        frame[:, :, :3] = rng.integers(0, 256, size=(30, 40, 3))
        frame[:, :, 3] = 255
        frame[::2, index * 4 : index * 4 + 12, 3] = 0 if index % 2 else 255
        frame[20:, 5 * index : 5 * index + 10] = 0
        frames.append(frame)
    gif_bytes, stream = encoded(frames)
    assert stream.local_tables > 0
    with Image.open(io.BytesIO(gif_bytes)) as gif:
        shown = [np.asarray(f.convert("RGBA")).astype(int) for f in ImageSequence.Iterator(gif)]
    for index, (got, want) in enumerate(zip(shown, frames, strict=True)):
        clear = want[..., 3] == 0
        assert ((got[..., 3] == 0) == clear).all(), f"frame {index}: transparency"
        # 1,100 random colours a frame in at most 255 entries: near, not exact
        # (about 8.5 levels off on average in the first frame, as planned).
        assert np.abs(got[~clear, :3] - want[~clear, :3]).mean() < 10, f"frame {index}"


def test_few_colours_get_a_small_table_and_narrow_codes():
    # A figure of a few colours: the global table holds just them (and the
    # transparent entry 0), and LZW codes start as narrow as the entries used allow.
    # (test_imagemagick_shows_the_transparent_frames_alike decodes such codes with
    # ImageMagick too.)
    frames = []
    for index in range(4):
        frame = np.full((24, 32, 4), 255, dtype=np.uint8)
        frame[4 + index : 10 + index, 3:20, :3] = (31, 119, 180)
        frame[15, :, :3] = (255, 127, 14)
        frame[20:, 10 * index : 10 * index + 5, 3] = 0  # a transparent hole that moves
        frames.append(frame)
    gif_bytes, stream = encoded(frames)
    structure = _walk(gif_bytes)
    assert stream.palette_used == 3 and structure.table_entries == 4
    assert structure.frame_tables == [0, 0, 0, 0]  # no local tables
    assert structure.code_sizes == [2, 2, 2, 2]  # entries 0 (transparent) to 3: 2 bits
    with Image.open(io.BytesIO(gif_bytes)) as gif:
        shown = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(gif)]
    for index, (got, want) in enumerate(zip(shown, frames, strict=True)):
        assert (as_a_gif_shows(got) == as_a_gif_shows(want)).all(), f"frame {index}"


def test_unchanged_pixels_are_painted_again_when_that_packs_smaller(monkeypatch):
    # A sine moving across its axes: most pixels of each changed rectangle keep
    # their colour, scattered among changed ones. Painted again with the entry
    # they show, they leave LZW longer runs than holes would.
    from mplgif import encoding

    fig, ax = plt.subplots(figsize=(2.4, 1.8), dpi=100)
    x = np.linspace(0, 2 * np.pi, 200)
    (line,) = ax.plot(x, np.sin(x))
    frames = []
    for index in range(6):
        line.set_ydata(np.sin(x + index / 3))
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    plt.close(fig)
    def error(gif_bytes):
        with Image.open(io.BytesIO(gif_bytes)) as gif:
            shown = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(gif)]
        return [np.abs(got.astype(int) - want).mean() for got, want in zip(shown, frames,
                                                                           strict=True)]

    gif_bytes, _ = encoded(frames)
    # The same frames with holes only: larger, and shown no closer (the 400 colours
    # share 236 entries, at most 2 levels off).
    monkeypatch.setattr(encoding, "_painted_again", lambda out, changed, shown: out)
    with_holes, _ = encoded(frames)
    assert len(gif_bytes) < 0.9 * len(with_holes)
    assert all(mine <= theirs < 0.01 for mine, theirs in zip(error(gif_bytes),
                                                             error(with_holes), strict=True))


def test_zero_frames_is_a_clear_error():
    with pytest.raises(ValueError, match="no frames"):
        GifStream(io.BytesIO(), 10, 10).close()


def test_a_frame_of_the_wrong_size_is_a_clear_error():
    stream = GifStream(io.BytesIO(), 10, 10)
    with pytest.raises(ValueError, match="must be 10x10 pixels; this one is 12x10"):
        stream.add(np.zeros((10, 12, 3), dtype=np.uint8), 2)


def test_a_failed_save_leaves_the_old_file_and_no_temporary(sine, tmp_path):
    fig, update = sine
    path = tmp_path / "kept.gif"
    FuncAnimation(fig, update, frames=3).save(path, writer="mplgif", fps=10)
    before = path.read_bytes()

    def failing(frame):
        if frame == 2:
            raise RuntimeError("frame 2 failed on purpose")
        return update(frame)

    with pytest.raises(RuntimeError, match="on purpose"):
        FuncAnimation(fig, failing, frames=5).save(path, writer="mplgif", fps=10)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept.gif"]


# -- save_gif drives the frames itself and blits where it is safe -------------


def count_full_draws(monkeypatch, action) -> int:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real_draw = FigureCanvasAgg.draw

    def counting_draw(canvas):
        draws.append(canvas)
        real_draw(canvas)

    with monkeypatch.context() as patch:
        patch.setattr(FigureCanvasAgg, "draw", counting_draw)
        action()
    return len(draws)


def test_blitting_gives_the_same_bytes_with_far_fewer_draws(sine, tmp_path, monkeypatch):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=20)
    blitted = count_full_draws(
        monkeypatch, lambda: mplgif.save_gif(anim, tmp_path / "blit.gif", fps=20)
    )
    full = count_full_draws(
        monkeypatch, lambda: mplgif.save_gif(anim, tmp_path / "full.gif", fps=20, blit=False)
    )
    assert (tmp_path / "blit.gif").read_bytes() == (tmp_path / "full.gif").read_bytes()
    assert blitted <= 2
    assert full == 20  # each frame drawn once, not twice as anim.save does


def test_an_update_that_returns_nothing_is_blitted_from_what_it_marked_changed(
        tmp_path, monkeypatch):
    # FuncAnimation(blit=False) needs nothing returned; the line set_ydata changed
    # is marked stale, and that is what is repainted.
    fig, ax, x, line = _sine_figure()

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))

    anim = FuncAnimation(fig, update, frames=12)
    draws = {}
    for blit in (True, False):
        draws[blit] = count_full_draws(monkeypatch, lambda blit=blit: mplgif.save_gif(
            anim, tmp_path / f"{blit}.gif", fps=10, blit=blit))
    plt.close(fig)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()
    assert draws == {True: 2, False: 12}  # the first frame, then one background


@pytest.mark.parametrize("how", ["trail", "erase and redraw"])
def test_artists_added_or_removed_where_they_are_repainted_keep_the_background(
        how, tmp_path, monkeypatch):
    # A trail drawn after the returned head, or the returned line erased and drawn
    # anew (notebook 02's pattern), in fixed limits: nothing in the background changes.
    current = []

    def update(frame):
        if how == "trail":
            line.set_ydata(np.sin(x + frame / 3))
            if frame % 3 == 0:  # the frames between add nothing
                ax.plot(x[: 5 * frame + 2], np.cos(x[: 5 * frame + 2]), color="tab:green")
        else:
            current.pop().remove()
            current.append(ax.plot(x, np.sin(x + frame / 3), color="tab:red")[0])
        return current

    draws = {}
    for blit in (True, False):
        fig, ax, x, line = _sine_figure()
        ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))
        current[:] = [line]
        anim = FuncAnimation(fig, update, frames=12)
        draws[blit] = count_full_draws(monkeypatch, lambda blit=blit, anim=anim: mplgif.save_gif(
            anim, tmp_path / f"{blit}.gif", fps=10, blit=blit))
        plt.close(fig)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()
    assert draws == {True: 1, False: 12}


def test_anim_save_with_the_writer_blits_too_and_gives_the_same_bytes(sine, tmp_path, monkeypatch):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=20)
    draws = {}
    for blit in (True, False):
        def save(blit=blit):
            anim.save(tmp_path / f"{blit}.gif", writer=GifWriter(fps=20, blit=blit))

        draws[blit] = count_full_draws(monkeypatch, save)
    mplgif.save_gif(anim, tmp_path / "save_gif.gif", fps=20)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "save_gif.gif").read_bytes()
    assert draws[True] <= 2
    assert draws[False] == 20  # each frame once: the writer silences anim.save's own draw


def test_the_writer_gives_the_canvas_back_as_it_was(sine, tmp_path):
    fig, update = sine
    canvas = fig.canvas
    anim = FuncAnimation(fig, update, frames=3)
    anim.save(tmp_path / "a.gif", writer="mplgif", fps=10)
    assert fig.canvas is canvas
    assert "draw_idle" not in vars(canvas)  # the class's own again
    assert not canvas.is_saving()
    assert not any(artist.get_animated() for artist in fig.findobj())
    # The animation still starts on the figure's first draw, as before the save.
    assert anim._first_draw_id in canvas.callbacks.callbacks["draw_event"]


def test_a_failure_under_anim_save_gives_the_canvas_back(sine, tmp_path):
    fig, update = sine
    canvas = fig.canvas

    def failing(frame):
        if frame == 2:
            raise RuntimeError("update failed on purpose")
        return update(frame)

    with pytest.raises(RuntimeError, match="on purpose"):
        FuncAnimation(fig, failing, frames=4).save(tmp_path / "a.gif", writer="mplgif", fps=10)
    assert fig.canvas is canvas and "draw_idle" not in vars(canvas)
    assert not any(artist.get_animated() for artist in fig.findobj())
    assert list(tmp_path.iterdir()) == []


def test_a_figure_made_without_pyplot_is_lent_a_canvas_only_while_saving(tmp_path):
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

    def made():
        fig = Figure(figsize=(3, 2), dpi=50)
        ax = fig.subplots()
        x = np.linspace(0, 2 * np.pi, 60)
        (line,) = ax.plot(x, np.sin(x))

        def update(frame):
            line.set_ydata(np.sin(x + frame / 3))
            return (line,)

        return fig, FuncAnimation(fig, update, frames=5)

    fig, anim = made()
    plain = fig.canvas
    assert type(plain) is FigureCanvasBase
    # verify=True: every frame must be the one savefig draws on the plain figure.
    anim.save(tmp_path / "writer.gif", writer=GifWriter(fps=10, verify=True))
    assert fig.canvas is plain
    assert mplgif.gif_info(tmp_path / "writer.gif").frames == 5


def test_two_animations_on_one_figure_are_drawn_in_full_and_right(sine, tmp_path, monkeypatch):
    fig, update = sine
    other = FuncAnimation(fig, lambda frame: (), frames=3)  # another one, also alive
    anim = FuncAnimation(fig, update, frames=6)
    draws = count_full_draws(
        monkeypatch, lambda: anim.save(tmp_path / "a.gif", writer=GifWriter(fps=10, verify=True))
    )
    assert draws == 2 * 6  # each frame drawn once, and once more to verify it
    del other


def test_blitting_the_regression_animation_matches_full_draws(tmp_path):
    from mplgif.plots import animate_training
    from mplgif.regression import make_data, train

    x, y = make_data()
    trace = train(x, y, learning_rate=0.001, epochs=60, display_step=20)
    for blit in (True, False):
        anim = animate_training(trace, x, y)
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()


def test_changing_axes_limits_fall_back_to_full_draws(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 1, 50)
    (line,) = ax.plot(x, x)

    def grow(frame):
        line.set_ydata(x * (frame + 1))
        ax.set_ylim(0, frame + 1)  # tick labels change: not blittable
        return (line,)

    for blit in (True, False):
        anim = FuncAnimation(fig, grow, frames=6)
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()
    plt.close(fig)


def test_a_background_that_changes_every_frame_stops_the_checks_after_two(tmp_path,
                                                                          monkeypatch):
    # The limits change every frame: each frame's background must be drawn again, which
    # costs a full draw plus the blitter's checks. After two such frames in a row the
    # blitter stops trying, and the rest are plain full draws, with the same frames.
    from mplgif.frames import _Blitter

    snapshots = []
    snapshot = _Blitter._snapshot
    monkeypatch.setattr(_Blitter, "_snapshot", lambda self: snapshots.append(1) or snapshot(self))
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 1, 50)
    (line,) = ax.plot(x, x)

    def grow(frame):
        line.set_ydata(x * (frame + 1))
        ax.set_ylim(0, frame + 1)
        return (line,)

    for blit in (True, False):
        anim = FuncAnimation(fig, grow, frames=8)
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
    plt.close(fig)
    assert len(snapshots) == 3  # the first background, then two drawn again
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()


def test_the_blitter_finds_every_artist_without_making_ticks():
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401 (registers the 3d projection)

    from mplgif.frames import _every_artist

    fig = plt.figure(figsize=(3, 2), dpi=50)
    flat = fig.add_subplot(1, 2, 1)
    flat.plot([0, 1], [1, 0], label="line")
    flat.legend()
    flat.set_axis_off()
    solid = fig.add_subplot(1, 2, 2, projection="3d")
    solid.plot([0, 1], [0, 1], [0, 1])
    fig.suptitle("title")
    # findobj would make all the ticks of an axis that is off (and so never draws them)
    ticks = [len(vars(axis).get(kind, ())) for axis in (flat.xaxis, flat.yaxis)
             for kind in ("majorTicks", "minorTicks")]
    _every_artist(fig)
    assert [len(vars(axis).get(kind, ())) for axis in (flat.xaxis, flat.yaxis)
            for kind in ("majorTicks", "minorTicks")] == ticks
    fig.canvas.draw()
    flat.set_axis_on()
    fig.canvas.draw()
    # once drawn, every artist findobj finds, the ticks drawn included; and besides
    # those only ticks made earlier that this draw left out (and what they hold)
    found = _every_artist(fig)
    assert len(found) == len(set(found))
    assert set(fig.findobj(include_self=False)) <= set(found)
    assert set(flat.xaxis.get_major_ticks()) <= set(found)
    spare = [tick for axis in (flat.xaxis, flat.yaxis, solid.xaxis, solid.yaxis, solid.zaxis)
             for tick in axis.majorTicks + axis.minorTicks
             if tick not in axis.get_major_ticks() + axis.get_minor_ticks()]
    assert set(found) - set(fig.findobj(include_self=False)) <= {
        artist for tick in spare for artist in tick.findobj()}
    plt.close(fig)


def _twin_blit_true():
    # FuncAnimation(blit=True) marks the returned artists animated; the twin is
    # repainted whole, and must draw its animated line as savefig does.
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    twin = ax.twinx()
    x = np.linspace(0, 6, 30)
    (left,) = ax.plot(x, np.sin(x))
    (right,) = twin.plot(x, 5 * np.cos(x), color="tab:red")

    def update(frame):
        left.set_ydata(np.sin(x + frame))
        right.set_ydata(5 * np.cos(x + frame))
        return left, right

    return fig, FuncAnimation(fig, update, frames=5, blit=True)


def _axes_hidden_every_other_frame():
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    x = np.linspace(0, 6, 30)
    (line,) = ax.plot(x, np.sin(x))

    def update(frame):
        line.set_ydata(np.sin(x + frame))
        ax.set_visible(frame % 2 == 0)
        return (line,)

    return fig, FuncAnimation(fig, update, frames=5)


def _title_over_a_twins_changing_labels():
    # The title sits above the twin's top tick labels, which grow a line every
    # other frame: a full draw moves the title.
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    fig.subplots_adjust(top=0.55)  # room for the title to move into
    ax.set_title("T")
    twin = ax.twiny()
    x = np.linspace(0, 6, 30)
    (line,) = ax.plot(x, np.sin(x))
    (other,) = twin.plot(x, np.cos(x), color="tab:red")
    tall = [False]
    twin.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}" + "\nx" * tall[0]))

    def update(frame):
        tall[0] = frame % 2 == 1
        line.set_ydata(np.sin(x + frame))
        other.set_ydata(np.cos(x + frame))
        return line, other

    return fig, FuncAnimation(fig, update, frames=5)


@pytest.mark.parametrize(
    "build", [_twin_blit_true, _axes_hidden_every_other_frame, _title_over_a_twins_changing_labels])
@pytest.mark.parametrize("how", ["save_gif", "anim.save"])
def test_axes_repainted_whole_give_full_draws_frames(build, how, tmp_path):
    fig, anim = build()
    try:
        if how == "save_gif":
            mplgif.save_gif(anim, tmp_path / "a.gif", fps=10, verify=True)
        else:
            anim.save(tmp_path / "a.gif", writer=GifWriter(fps=10, verify=True))
    finally:
        plt.close(fig)
    assert mplgif.gif_info(tmp_path / "a.gif").frames == 5


def test_erase_and_redraw_updates_are_drawn_right(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 6, 80)
    ax.plot(x, np.cos(x))
    current = []

    def redraw(frame):
        if current:
            current.pop().remove()
        current.append(ax.plot(x, np.sin(x + frame / 3), color="tab:red")[0])
        return current

    for blit in (True, False):
        anim = FuncAnimation(fig, redraw, frames=5)
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()
    assert len(ax.lines) == 2
    plt.close(fig)


def test_the_init_function_runs_once_per_save(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])
    calls = []

    def init():
        calls.append("init")
        return (line,)

    def update(frame):
        calls.append(frame)
        line.set_ydata([0, frame])
        return (line,)

    anim = FuncAnimation(fig, update, frames=3, init_func=init)
    mplgif.save_gif(anim, tmp_path / "a.gif", fps=10)
    assert calls == ["init", 0, 1, 2]
    plt.close(fig)


@pytest.mark.parametrize("how", ["save_gif", "writer"])
def test_an_earlier_animation_never_shown_stays_out_of_the_save(tmp_path, how):
    # In a notebook, a first try made on the same figure and never shown still waits
    # for the figure's first draw to start (and to run its own first frame). anim.save
    # keeps it waiting; so must a save that draws the frames itself.
    def make(with_earlier_try: bool):
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
        x = np.linspace(0, 6, 40)
        (line,) = ax.plot(x, np.sin(x))
        ax.set_ylim(-3, 3)
        calls = []

        def first_try(frame):
            calls.append(frame)
            line.set_ydata(np.sin(x) + 2)
            ax.text(0.5, 0.5, "first try")
            return (line,)

        def update(frame):
            line.set_ydata(np.sin(x + frame))
            return (line,)

        earlier = FuncAnimation(fig, first_try, frames=3) if with_earlier_try else None
        return fig, FuncAnimation(fig, update, frames=3), earlier, calls

    gifs = {}
    for with_earlier_try in (True, False):
        fig, anim, earlier, calls = make(with_earlier_try)
        path = tmp_path / f"{with_earlier_try}.gif"
        if how == "save_gif":
            mplgif.save_gif(anim, path, fps=10)
        else:
            anim.save(path, writer="mplgif", fps=10)
        gifs[with_earlier_try] = path.read_bytes()
        if with_earlier_try:
            assert calls == [] and not fig.axes[0].texts
            fig.canvas.draw()  # it still starts on the figure's first draw, as before
            assert calls == [0]
            earlier._draw_was_started = True
        plt.close(fig)
    assert gifs[True] == gifs[False]


def test_the_figure_keeps_its_canvas_and_dpi(sine, tmp_path):
    fig, update = sine
    canvas, dpi = fig.canvas, fig.dpi
    mplgif.save_gif(FuncAnimation(fig, update, frames=3), tmp_path / "a.gif", fps=10, dpi=80)
    assert fig.canvas is canvas and fig.dpi == dpi
    assert mplgif.gif_info(tmp_path / "a.gif").width == 240


@pytest.mark.parametrize(("suffix", "options"), [(".webp", {"lossless": True}), (".png", {})])
def test_save_frames_writes_webp_and_apng(sine, tmp_path, suffix, options):
    fig, update = sine
    path = mplgif.save_frames(
        FuncAnimation(fig, update, frames=4), tmp_path / f"a{suffix}", fps=10, **options
    )
    with Image.open(path) as image:
        assert image.format == ("WEBP" if suffix == ".webp" else "PNG")
        assert image.n_frames == 4
        assert image.size == (150, 100)
        image.seek(3)
        last = np.asarray(image.convert("RGB"))
    assert np.abs(last.astype(int) - rendered(fig, update, [3])[0]).mean() < 0.01  # lossless
    assert [p.name for p in tmp_path.iterdir()] == [f"a{suffix}"]


@pytest.mark.parametrize(("suffix", "options"), [(".webp", {"lossless": True}), (".png", {})])
def test_save_frames_keeps_transparency_and_leaves_nothing_behind(tmp_path, suffix, options):
    # A line moving over a transparent figure: every frame as drawn, alpha included.
    fig, ax = plt.subplots(figsize=(2.4, 1.8), dpi=40)
    fig.patch.set_alpha(0)
    ax.patch.set_alpha(0)
    x = np.linspace(0, 2 * np.pi, 60)
    (line,) = ax.plot(x, np.sin(x), color="tab:green", lw=2)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 2))
        return (line,)

    path = mplgif.save_frames(FuncAnimation(fig, update, frames=4), tmp_path / f"a{suffix}",
                              fps=10, **options)
    drawn = []
    for frame in range(4):
        update(frame)
        fig.canvas.draw()
        drawn.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    plt.close(fig)
    with Image.open(path) as image:
        shown = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(image)]
    assert len(shown) == 4
    for index, (got, want) in enumerate(zip(shown, drawn, strict=True)):
        assert ((got[..., 3] == 0) == (want[..., 3] == 0)).all(), f"frame {index}: transparency"
        visible = want[..., 3] > 0
        assert (got[visible] == want[visible]).all(), f"frame {index}: colours"  # lossless


def test_save_frames_refuses_other_suffixes(sine, tmp_path):
    import gc

    fig, update = sine
    anim = FuncAnimation(fig, update, frames=2)
    with pytest.raises(ValueError, match=r"\.webp, \.png or \.apng; for a GIF use save_gif"):
        mplgif.save_frames(anim, tmp_path / "a.gif", fps=10)
    with warnings.catch_warnings():  # it was refused, so never rendered, on purpose
        warnings.simplefilter("ignore")
        del anim
        gc.collect()


def test_anim_save_into_a_missing_folder_says_so(sine, tmp_path):
    import gc

    fig, update = sine
    anim = FuncAnimation(fig, update, frames=2)
    with pytest.raises(FileNotFoundError, match="missing"):  # Matplotlib checks first
        anim.save(tmp_path / "missing" / "a.gif", writer="mplgif", fps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        del anim
        gc.collect()


# -- Cases a review found -----------------------------------------------------


def test_a_manual_loop_that_draws_after_grabbing_gets_the_right_frames(sine, tmp_path):
    # Matplotlib's documented pattern: change, grab_frame, (something draws).
    fig, update = sine
    writer = GifWriter(fps=10)
    with writer.saving(fig, tmp_path / "manual.gif", dpi=fig.dpi):
        for frame in range(4):
            update(frame)
            writer.grab_frame()
            fig.canvas.draw()
    reference = rendered(fig, update, range(4))
    for got, want in zip(decoded(tmp_path / "manual.gif"), reference, strict=True):
        assert np.abs(got.astype(int) - want).mean() < 0.1


def test_artists_marked_animated_are_still_drawn(sine, tmp_path):
    fig, update = sine
    anim = FuncAnimation(fig, update, frames=4, blit=True)
    anim.to_jshtml()  # FuncAnimation(blit=True) marks the returned line animated
    line = fig.axes[0].lines[1]
    assert line.get_animated()
    for blit in (True, False):
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
    assert line.get_animated()  # left as it was
    line.set_animated(False)  # a plain draw skips animated artists; saving does not
    reference = rendered(fig, update, range(4))
    line.set_animated(True)
    for blit in (True, False):
        for got, want in zip(decoded(tmp_path / f"{blit}.gif"), reference, strict=True):
            assert np.abs(got.astype(int) - want).mean() < 0.1


def test_a_grab_frame_loop_draws_artists_marked_animated_as_savefig_does(sine, tmp_path):
    fig, update = sine
    fig.axes[0].lines[1].set_animated(True)  # savefig draws it; a plain canvas draw would not
    writer = GifWriter(fps=10, verify=True)  # raises where a frame differs from savefig's
    with writer.saving(fig, tmp_path / "loop.gif", dpi=fig.dpi):
        for frame in range(3):
            update(frame)
            writer.grab_frame()
    assert mplgif.gif_info(tmp_path / "loop.gif").frames == 3


def test_a_failure_while_encoding_restores_the_figure(sine, tmp_path, monkeypatch):
    fig, update = sine
    canvas, dpi = fig.canvas, fig.dpi
    calls = []

    def failing_add_frame(self, rgba):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("encoding failed on purpose")

    monkeypatch.setattr(GifWriter, "add_frame", failing_add_frame)
    caught = None
    try:
        mplgif.save_gif(FuncAnimation(fig, update, frames=4), tmp_path / "a.gif", fps=10, dpi=60)
    except RuntimeError as error:
        caught = error  # keep the traceback alive, as Jupyter does
    assert caught is not None
    assert fig.canvas is canvas and fig.dpi == dpi
    assert not any(artist.get_animated() for artist in fig.findobj())
    assert list(tmp_path.iterdir()) == []


def test_saving_inside_an_except_block_still_writes(sine, tmp_path):
    fig, update = sine
    try:
        raise KeyError("something unrelated")
    except KeyError:
        FuncAnimation(fig, update, frames=3).save(tmp_path / "a.gif", writer="mplgif", fps=10)
        mplgif.save_gif(FuncAnimation(fig, update, frames=3), tmp_path / "b.gif", fps=10)
        mplgif.save_gif(
            FuncAnimation(fig, update, frames=3), tmp_path / "c.gif", fps=10, writer="pillow"
        )
    assert [mplgif.gif_info(tmp_path / f"{n}.gif").frames for n in "abc"] == [3, 3, 3]


def test_a_layout_engine_is_drawn_in_full_and_right(tmp_path):
    def growing_title():
        # A fresh figure each time: constrained layout in older Matplotlib
        # starts from the positions the previous draw left.
        fig, ax = plt.subplots(figsize=(3, 2), dpi=50, layout="constrained")
        x = np.linspace(0, 1, 30)
        (line,) = ax.plot(x, x)
        title = fig.suptitle("frame 0")

        def update(frame):
            line.set_ydata(x ** (frame + 1))
            title.set_text("frame\n" * frame + "done")  # grows: the layout moves
            return (line, title)

        return fig, FuncAnimation(fig, update, frames=4)

    for blit in (True, False):
        fig, anim = growing_title()
        mplgif.save_gif(anim, tmp_path / f"{blit}.gif", fps=10, blit=blit)
        plt.close(fig)
    assert (tmp_path / "True.gif").read_bytes() == (tmp_path / "False.gif").read_bytes()


def test_the_encoder_imports_no_matplotlib():
    import subprocess
    import sys
    from pathlib import Path

    encoding = Path(mplgif.__file__).with_name("encoding.py")
    check = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('encoding', {str(encoding)!r}); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        "assert 'matplotlib' not in sys.modules, 'the encoder imported matplotlib'; "
        "import io, numpy as np; file = io.BytesIO(); "
        "stream = module.GifStream(file, 4, 3); "
        "stream.add(np.zeros((3, 4, 3), np.uint8), 10); stream.close(); "
        "assert file.getvalue().startswith(b'GIF89a')"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


# -- Cases a review of the writer's blitting found ---------------------------------
#
# Each animation below once gave frames that differed from savefig's without a word
# (the last ten: written with the blitting of updates that return nothing, of artists
# added or removed where they are repainted anyway, and of artists marked animated, and
# the five a review of that found). Both fast paths must now give savefig's pixels;
# verify=True checks each frame.


def _sine_figure():
    fig, ax = plt.subplots(figsize=(2.4, 1.8), dpi=40)
    x = np.linspace(0, 2 * np.pi, 60)
    (line,) = ax.plot(x, np.sin(x), lw=2)
    return fig, ax, x, line


def _update_draws_the_canvas_itself():
    fig, ax, x, line = _sine_figure()
    label = ax.text(0.5, 0.5, "0", zorder=1)  # not returned

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        label.set_text(str(frame))
        fig.canvas.draw()  # marks the label up to date: only a draw_event tells
        return (line,)

    return fig, FuncAnimation(fig, update, frames=5)


def _returned_artist_changes_zorder():
    fig, ax, x, line = _sine_figure()
    ax.fill_between(x, -0.5, 0.5, color="tab:orange", zorder=2.5)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        line.set_zorder(3 if frame >= 3 else 2)  # now above the band
        return (line,)

    return fig, FuncAnimation(fig, update, frames=6)


def _empty_text_filled_later():
    fig, ax, x, line = _sine_figure()
    note = fig.text(0.1, 0.5, "", zorder=-1)  # empty: a draw leaves it stale

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        if frame >= 2:
            note.set_text(f"step {frame}")
        return (line,)

    return fig, FuncAnimation(fig, update, frames=5)


def _update_is_a_generator():
    fig, ax, x, line = _sine_figure()

    def update(frame):  # Matplotlib runs the body only when blitting
        line.set_ydata(np.sin(x + frame / 3))
        yield line

    return fig, FuncAnimation(fig, update, frames=5)


def _figure_text_with_blit_true():
    fig, ax, x, line = _sine_figure()
    label = fig.text(0.05, 0.9, "")

    def update(frame):  # FuncAnimation(blit=True) marks both animated: savefig skips the text
        line.set_ydata(np.sin(x + frame / 3))
        label.set_text(str(frame))
        return (line, label)

    return fig, FuncAnimation(fig, update, frames=4, blit=True)


def _returns_nothing_and_changes_more_later():
    # Nothing returned: what is repainted comes from stale flags. A title that
    # appears, a marker hidden, frames where nothing changes: each must show.
    fig, ax, x, line = _sine_figure()
    (marker,) = ax.plot([1], [0], "o", color="tab:red")

    def update(frame):
        if frame not in (3, 4):
            line.set_ydata(np.sin(x + frame / 3))
        if frame == 2:
            ax.set_title("halfway")
        if frame == 5:
            marker.set_visible(False)

    return fig, FuncAnimation(fig, update, frames=8)


def _trail_while_the_axes_changes(changes):
    """Artists added after the returned one each frame, which keeps the background,
    while `changes` ({frame: change(ax)}) change the Axes' own state, which must not."""
    fig, ax, x, line = _sine_figure()
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        ax.plot(x[: 8 * frame + 2], np.cos(x[: 8 * frame + 2]), color="tab:green")
        if frame in changes:
            changes[frame](ax)
        return (line,)

    return fig, FuncAnimation(fig, update, frames=6)


def _trail_then_axis_and_frame_off():
    return _trail_while_the_axes_changes(
        {2: lambda ax: ax.set_frame_on(False), 4: lambda ax: ax.set_axis_off()})


def _added_and_removed_below_the_returned_line():
    # Added below the returned line (a band, zorder 1), and a line drawn before it
    # removed: both are in the background, which must be drawn again.
    fig, ax, x, line = _sine_figure()
    (early,) = ax.plot(x, np.cos(x), color="gray")
    line.remove()
    (line,) = ax.plot(x, np.sin(x), lw=2)  # after `early` in paint order
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        if frame == 2:
            ax.axvspan(1, 2 + frame / 4, color="tab:orange", zorder=1)
        if frame == 4:
            early.remove()
        return (line,)

    return fig, FuncAnimation(fig, update, frames=6)


def _erase_and_redraw_in_fixed_limits():
    # Notebook 02's pattern with fixed limits: a new line returned each frame.
    fig, ax, x, line = _sine_figure()
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))
    current = [line]

    def update(frame):
        current.pop().remove()
        current.append(ax.plot(x, np.sin(x + frame / 3), color="tab:red")[0])
        if frame == 3:
            ax.patch.set_facecolor("lightyellow")
        return current

    return fig, FuncAnimation(fig, update, frames=6)


def _animated_artists_drawn_or_not():
    # Marked animated: the figure's own text and Axes are never drawn (saving or not),
    # an Axes' own line is, by a saving draw. The line changes unreturned; the text
    # and the Axes are unmarked later, and drawn from then on.
    fig, (left, right) = plt.subplots(1, 2, figsize=(2.4, 1.8), dpi=40)
    x = np.linspace(0, 2 * np.pi, 60)
    level = left.axhline(0.2, color="gray", lw=3, zorder=1, animated=True)
    (wave,) = left.plot(x, np.sin(x), color="tab:red")
    right.plot(x, np.cos(x))
    right.set_animated(True)
    label = fig.text(0.05, 0.9, "hidden", animated=True)

    def update(frame):
        wave.set_ydata(np.sin(x + frame / 3))
        if frame == 2:
            level.set_ydata([-0.4, -0.4])
        if frame == 3:
            label.set_animated(False)
        if frame == 5:
            right.set_animated(False)
        return (wave,)

    return fig, FuncAnimation(fig, update, frames=7)


def _trail_while_the_aspect_changes():
    # Set only in the draw (apply_aspect): the box moves with nothing else to tell.
    return _trail_while_the_axes_changes(
        {2: lambda ax: ax.set_aspect("equal"), 4: lambda ax: ax.set_anchor("N")})


def _erase_and_redraw_while_the_box_changes():
    # Notebook 02's pattern, returning nothing, with a box aspect and then the
    # original position changed.
    fig, ax, x, line = _sine_figure()
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))

    def update(frame):
        ax.lines[-1].remove()
        ax.plot(x, np.sin(x + frame / 3), color="tab:red")
        if frame == 2:
            ax.set_box_aspect(0.6)
        if frame == 4:
            ax.set_position([0.3, 0.3, 0.5, 0.5], which="original")

    return fig, FuncAnimation(fig, update, frames=6)


def _subfigures_returning_nothing():
    fig = plt.figure(figsize=(2.4, 1.8), dpi=40)
    first, second = fig.subfigures(1, 2)
    x = np.linspace(0, 2 * np.pi, 60)
    first.subplots().plot(x, np.cos(x))
    ax = second.subplots()
    (line,) = ax.plot(x, np.sin(x))
    ax.set_ylim(-1.5, 1.5)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))

    return fig, FuncAnimation(fig, update, frames=5)


def _left_title_over_an_offset_text():
    # A title is lifted above the y axis' offset text ("1e6") it would overlap:
    # where it goes depends on its text.
    fig, ax, x, line = _sine_figure()
    line.set_ydata(1e6 + 1e3 * np.sin(x))
    ax.set(xlim=(0, 2 * np.pi), ylim=(1e6 - 2e3, 1e6 + 2e3))

    def update(frame):
        line.set_ydata(1e6 + 1e3 * np.sin(x + frame / 3))
        title = ax.set_title("a long title " * max(0, frame - 2), loc="left")
        return (line, title)

    return fig, FuncAnimation(fig, update, frames=6)


def _font_changed_in_place():
    # A text's FontProperties changed in place: nothing is marked stale.
    fig, ax, x, line = _sine_figure()
    note = ax.text(0.5, 0, "text", zorder=1)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        if frame == 3:
            note.get_fontproperties().set_size(16)
        return (line,)

    return fig, FuncAnimation(fig, update, frames=5)


REVIEWED = {
    "update_draws_the_canvas_itself": _update_draws_the_canvas_itself,
    "returned_artist_changes_zorder": _returned_artist_changes_zorder,
    "empty_text_filled_later": _empty_text_filled_later,
    "update_is_a_generator": _update_is_a_generator,
    "figure_text_with_blit_true": _figure_text_with_blit_true,
    "returns_nothing_and_changes_more_later": _returns_nothing_and_changes_more_later,
    "trail_then_axis_and_frame_off": _trail_then_axis_and_frame_off,
    "added_and_removed_below_the_returned_line": _added_and_removed_below_the_returned_line,
    "erase_and_redraw_in_fixed_limits": _erase_and_redraw_in_fixed_limits,
    "animated_artists_drawn_or_not": _animated_artists_drawn_or_not,
    "trail_while_the_aspect_changes": _trail_while_the_aspect_changes,
    "erase_and_redraw_while_the_box_changes": _erase_and_redraw_while_the_box_changes,
    "subfigures_returning_nothing": _subfigures_returning_nothing,
    "left_title_over_an_offset_text": _left_title_over_an_offset_text,
    "font_changed_in_place": _font_changed_in_place,
}


class _SavefigFrames(animation.AbstractMovieWriter):
    """Each frame exactly as savefig gives it: the reference."""

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)
        self.frames = []

    def grab_frame(self, **savefig_kwargs):
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="rgba", dpi=self.dpi, **savefig_kwargs)
        width, height = self.frame_size
        self.frames.append(np.frombuffer(buffer.getvalue(), np.uint8).reshape(height, width, 4))

    def finish(self):
        pass


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_reviewed_animations_give_savefigs_frames(name, tmp_path, monkeypatch):
    fig, anim = REVIEWED[name]()
    reference = _SavefigFrames(fps=10)
    anim.save(tmp_path / "reference.gif", writer=reference)
    plt.close(fig)
    encoded = []
    add_frame = GifWriter.add_frame

    def recording(self, rgba):
        encoded.append(rgba.copy())
        add_frame(self, rgba)

    monkeypatch.setattr(GifWriter, "add_frame", recording)
    # Matplotlib's own save leaves out a figure-level artist that FuncAnimation(blit=True)
    # marked animated, and so does the writer; save_gif never marks it, and draws it.
    ways = ("writer",) if name == "figure_text_with_blit_true" else ("writer", "save_gif")
    for how in ways:
        encoded.clear()
        fig, anim = REVIEWED[name]()
        if how == "writer":
            anim.save(tmp_path / f"{how}.gif", writer=GifWriter(fps=10, verify=True))
        else:
            mplgif.save_gif(anim, tmp_path / f"{how}.gif", fps=10, verify=True)
        plt.close(fig)
        assert len(encoded) == len(reference.frames), how
        for index, (got, want) in enumerate(zip(encoded, reference.frames, strict=True)):
            assert (got == want).all(), f"{how}, frame {index}: not savefig's pixels"


def test_verification_catches_a_blitter_that_misses_a_change_under_anim_save(tmp_path,
                                                                             monkeypatch):
    from mplgif.frames import BlitMismatchError, _Blitter

    # Blind to the label: it neither checks what changed nor hears the update's draw.
    monkeypatch.setattr(_Blitter, "_unchanged", lambda self: True)
    monkeypatch.setattr(_Blitter, "_on_draw", lambda self, event: None)
    fig, anim = _update_draws_the_canvas_itself()
    with pytest.raises(BlitMismatchError):
        anim.save(tmp_path / "a.gif", writer=GifWriter(fps=10, verify=True))
    plt.close(fig)


@pytest.mark.parametrize("setting", [{"savefig.transparent": True},
                                     {"savefig.edgecolor": "red"}])
def test_savefig_settings_that_change_the_picture_are_honoured(setting, tmp_path):
    import matplotlib as mpl

    with mpl.rc_context(setting):
        fig, anim = _returned_artist_changes_zorder()
        fig.set_linewidth(4)
        anim.save(tmp_path / "a.gif", writer=GifWriter(fps=10, verify=True))
        writer = GifWriter(fps=10, verify=True)  # a grab_frame loop too
        with writer.saving(fig, tmp_path / "loop.gif", dpi=fig.dpi):
            for _ in range(2):
                writer.grab_frame()
        plt.close(fig)


def test_a_webagg_canvas_saves_under_anim_save(tmp_path):
    # nbagg (%matplotlib notebook) and ipympl canvases draw through their manager,
    # which anim.save takes away while saving.
    from matplotlib.backends.backend_webagg_core import (
        FigureCanvasWebAggCore,
        FigureManagerWebAgg,
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.4, 1.8), dpi=40)
    canvas = FigureCanvasWebAggCore(fig)
    FigureManagerWebAgg(canvas, 1)
    x = np.linspace(0, 2 * np.pi, 60)
    (line,) = fig.subplots().plot(x, np.sin(x))

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        return (line,)

    FuncAnimation(fig, update, frames=3).save(
        tmp_path / "a.gif", writer=GifWriter(fps=10, verify=True)
    )
    assert fig.canvas is canvas and canvas.manager is not None
    assert mplgif.gif_info(tmp_path / "a.gif").frames == 3


def test_unmarked_changes_are_seen_without_costing_ordinary_frames(tmp_path, monkeypatch):
    # From a review of the blitter's per-frame look: an annotation in the background
    # must not stop blitting (measuring it marked it stale), a secondary axis's tick
    # labels from a formatter reading a variable must be seen (it is held by an axes,
    # not the figure), and a function scale must not warn about the points probed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from mplgif.frames import draw_frames

    draws = []
    real_draw = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw",
                        lambda canvas: draws.append(1) or real_draw(canvas))
    x = np.linspace(0.1, 6, 40)

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    ax.annotate("note", xy=(2, 0.5), zorder=1)
    (line,) = ax.plot(x, np.sin(x))
    anim = FuncAnimation(fig, lambda k: line.set_ydata(np.sin(x + k)) or (line,), frames=5)
    list(draw_frames(anim))
    plt.close(fig)
    assert len(draws) == 1  # one background, then every frame blitted

    clock = {"start": 0}
    fig, (left, right) = plt.subplots(1, 2, figsize=(3, 1.5), dpi=40)
    left.secondary_xaxis("top").xaxis.set_major_formatter(
        lambda value, position: f"{value + clock['start']:.0f}")
    left.set_xscale("function", functions=(np.sqrt, np.square))
    (line,) = right.plot(x, np.sin(x))

    def update(k):
        clock["start"] = 10 * k
        line.set_ydata(np.sin(x + k))
        return (line,)

    anim = FuncAnimation(fig, update, frames=4)
    with every_warning_an_error():
        list(draw_frames(anim, verify=True))  # raises at a blitted frame that differs
    plt.close(fig)
