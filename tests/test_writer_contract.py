"""writer="mplgif" behaves as Matplotlib's own movie writers do.

This project's own versions of the checks Matplotlib applies to its writers
(in its lib/matplotlib/tests/test_animation.py): a save smoke test with
warnings as errors, grab_frame's argument checks, saving from an exhausted
frame iterator, frame counts, the output folder; plus what a GIF writer
must refuse (a target that is not a .gif).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import animation
from strict_warnings import every_warning_an_error

import mplgif
from mplgif.writer import GifWriter


@pytest.fixture
def sine_anim():
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    (line,) = ax.plot([], [])
    ax.set(xlim=(0, 10), ylim=(-1, 1))

    def init():
        line.set_data([], [])
        return (line,)

    def animate(frame):
        x = np.linspace(0, 10, 100)
        line.set_data(x, np.sin(x + frame))
        return (line,)

    yield fig, lambda **kw: animation.FuncAnimation(fig, animate, init_func=init, **kw)
    plt.close(fig)


@pytest.mark.parametrize("fps", [30, 25, 20, 12, 50])
def test_save_smoke_test_raises_no_warning(sine_anim, tmp_path, fps):
    fig, make = sine_anim
    anim = make(frames=5)
    with every_warning_an_error():
        anim.save(tmp_path / "movie.gif", fps=fps, writer="mplgif", bitrate=500)
    info = mplgif.gif_info(tmp_path / "movie.gif")
    assert info.frames == 5
    # Alternating delays keep the animation in step: 5 frames at 30 fps last 170 ms.
    assert info.total_duration_ms == 10 * round(5 * 100 / fps)


@pytest.mark.parametrize("fps", [60, 100])
def test_only_delays_browsers_slow_down_warn(sine_anim, tmp_path, fps):
    fig, make = sine_anim
    with pytest.warns(mplgif.GifTimingWarning, match="less than 20 ms"):
        make(frames=3).save(tmp_path / "fast.gif", fps=fps, writer="mplgif")


def test_grab_frame_refuses_what_matplotlibs_writers_refuse(sine_anim, tmp_path):
    fig, _ = sine_anim
    writer = GifWriter(fps=10)
    with writer.saving(fig, tmp_path / "grab.gif", 40):
        writer.grab_frame()  # fine
        for key in ("dpi", "bbox_inches", "format"):
            with pytest.raises(
                TypeError, match=f"grab_frame got an unexpected keyword argument {key!r}"
            ):
                writer.grab_frame(**{key: object()})
        writer.grab_frame(facecolor="yellow")  # other savefig options are passed on
    assert mplgif.gif_info(tmp_path / "grab.gif").frames == 2


def test_grab_frame_refuses_a_tight_bounding_box(sine_anim, tmp_path):
    fig, _ = sine_anim
    writer = GifWriter(fps=10)
    with writer.saving(fig, tmp_path / "tight.gif", 40):
        with mpl.rc_context({"savefig.bbox": "tight"}):
            with pytest.raises(ValueError, match="savefig.bbox.*must not be 'tight'"):
                writer.grab_frame()
        writer.grab_frame()
    assert mplgif.gif_info(tmp_path / "tight.gif").frames == 1


@pytest.mark.parametrize("name", ["movie.png", "movie.mp4", "movie", "movie.gif.part"])
def test_refuses_a_target_that_is_not_a_gif(sine_anim, tmp_path, name):
    fig, make = sine_anim
    anim = make(frames=3)
    with pytest.raises(ValueError, match=r"does not end in '\.gif'.*writes GIF files only"):
        anim.save(tmp_path / name, writer="mplgif", fps=10)
    assert list(tmp_path.iterdir()) == []
    anim.save(tmp_path / "movie.gif", writer="mplgif", fps=10)  # rendered: no warning at exit


def test_to_html5_video_with_mplgif_as_the_default_writer_refuses(sine_anim):
    fig, make = sine_anim
    anim = make(frames=3)
    with mpl.rc_context({"animation.writer": "mplgif"}):
        with pytest.raises(ValueError, match="does not end in '.gif'"):
            anim.to_html5_video()
    anim.to_jshtml()  # rendered


def test_the_frame_count_matches_the_frames_asked_for(sine_anim, tmp_path):
    fig, make = sine_anim
    for frames in (1, 7, range(3, 9), iter(range(4))):
        anim = make(frames=frames, cache_frame_data=False)
        anim.save(tmp_path / "count.gif", writer="mplgif", fps=10)
        expected = {1: 1, 7: 7}.get(frames, 6 if isinstance(frames, range) else 4)
        assert mplgif.gif_info(tmp_path / "count.gif").frames == expected


class CountingWriter(animation.AbstractMovieWriter):
    """Writes nothing; counts the frames Matplotlib hands a writer."""

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi)
        self.frames = 0

    def grab_frame(self, **savefig_kwargs):
        self.frames += 1

    def finish(self):
        pass


def test_an_exhausted_animation_saves_and_warns_as_matplotlib_does(tmp_path):
    def exhausted():
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
        anim = animation.FuncAnimation(
            fig, lambda frame: [ax.set_title(frame)], frames=iter(range(10)), repeat=False,
            cache_frame_data=False,
        )
        return fig, anim

    fig, anim = exhausted()
    counting = CountingWriter()
    anim.save(tmp_path / "counted.gif", writer=counting)
    plt.close(fig)

    fig, anim = exhausted()
    anim.save(tmp_path / "exhausted.gif", writer="mplgif", fps=10)
    info = mplgif.gif_info(tmp_path / "exhausted.gif")
    assert info.frames == counting.frames > 0
    assert info.total_duration_ms == 100 * counting.frames
    with pytest.warns(UserWarning, match="exhausted"):
        anim._start()
    plt.close(fig)


def test_a_missing_folder_is_a_file_not_found_error(sine_anim, tmp_path):
    fig, make = sine_anim
    anim = make(frames=2)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        anim.save(tmp_path / "foo" / "bar" / "movie.gif", writer="mplgif", fps=10)
    anim.save(tmp_path / "movie.gif", writer="mplgif", fps=10)


def test_setup_uses_the_figure_dpi_by_default(sine_anim, tmp_path):
    fig, _ = sine_anim
    writer = GifWriter(fps=10)
    with writer.saving(fig, tmp_path / "dpi.gif", None):
        assert writer.dpi == fig.dpi
        writer.grab_frame()
    assert mplgif.gif_info(tmp_path / "dpi.gif").width == 80


def test_registered_and_available_as_matplotlib_expects():
    assert animation.writers.is_available("mplgif")
    assert isinstance(animation.writers["mplgif"](fps=10), animation.AbstractMovieWriter)
