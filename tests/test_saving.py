"""save_gif: what it writes, what it refuses, and what it leaves behind on failure."""

from __future__ import annotations

import gc
import os
import stat
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import ArtistAnimation, FuncAnimation
from PIL import Image, ImageSequence
from strict_warnings import every_warning_an_error

import mplgif
from mplgif.exercises import after_each_frame
from mplgif.saving import find_imagemagick

REAL_IMAGEMAGICK_FOR_NAMES = find_imagemagick()


def leftovers(folder: Path) -> list[str]:
    """Temporary files save_gif may have left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_saves_frames_durations_and_loop(make_anim, tmp_path):
    path = tmp_path / "sine.gif"
    info = mplgif.save_gif(make_anim(frames=5), path, fps=25)

    with Image.open(path) as image:
        assert image.format == "GIF"
        assert image.size == (80, 60)
        assert image.info["loop"] == 0
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
    assert durations == [40] * 5
    assert info.frames == 5
    assert info.durations_ms == (40,) * 5
    assert info.loop == 0
    assert (info.width, info.height) == (80, 60)
    assert info.size_bytes == path.stat().st_size


def test_dpi_scales_the_frames(make_anim, tmp_path):
    info = mplgif.save_gif(make_anim(frames=2), tmp_path / "big.gif", fps=10, dpi=80)
    assert (info.width, info.height) == (160, 120)


def test_accepts_str_paths_and_overwrites(make_anim, tmp_path):
    path = tmp_path / "again.gif"
    path.write_bytes(b"an old file")
    mplgif.save_gif(make_anim(frames=3), str(path), fps=10)
    assert mplgif.gif_info(path).frames == 3
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_saved_file_gets_ordinary_permissions(make_anim, tmp_path):
    path = tmp_path / "shared.gif"
    mplgif.save_gif(make_anim(frames=2), path, fps=10)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_permissions(make_anim, tmp_path):
    path = tmp_path / "private.gif"
    path.write_bytes(b"old")
    path.chmod(0o600)
    mplgif.save_gif(make_anim(frames=2), path, fps=10)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(REAL_IMAGEMAGICK_FOR_NAMES is None, reason="needs ImageMagick")
@pytest.mark.parametrize("name", ["sub%d[0].gif", "a b*c?.gif"])
def test_file_names_imagemagick_would_interpret(make_anim, tmp_path, name):
    info = mplgif.save_gif(make_anim(frames=3), tmp_path / name, fps=10, writer="imagemagick")
    assert info.frames == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_numpy_numbers_are_fine_as_fps(make_anim, tmp_path):
    info = mplgif.save_gif(make_anim(frames=2), tmp_path / "np.gif", fps=np.int64(10))
    assert info.durations_ms == (100, 100)


@pytest.mark.parametrize("name", ["sine.png", "sine", "sine.gif.tmp"])
def test_refuses_a_path_not_ending_in_gif(make_anim, tmp_path, name):
    with pytest.raises(ValueError, match=r"does not end in '\.gif'"):
        mplgif.save_gif(make_anim(), tmp_path / name, fps=10)
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_missing_folder(make_anim, tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "sine.gif"
    with pytest.raises(FileNotFoundError, match="does not exist.*mkdir"):
        mplgif.save_gif(make_anim(), target, fps=10)
    assert not (tmp_path / "no").exists()


def test_refuses_a_folder_as_the_path(make_anim, tmp_path):
    (tmp_path / "folder.gif").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        mplgif.save_gif(make_anim(), tmp_path / "folder.gif", fps=10)


@pytest.mark.parametrize("fps", [0, -5, float("nan"), float("inf")])
def test_refuses_fps_that_is_not_a_positive_rate(make_anim, tmp_path, fps):
    with pytest.raises(ValueError, match="positive, finite"):
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=fps)


def test_refuses_fps_a_gif_cannot_store(make_anim, tmp_path):
    with pytest.raises(ValueError, match="10 ms units.*fps=50 or less"):
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=500)


@pytest.mark.parametrize("fps", ["50", None, True])
def test_refuses_fps_that_is_not_a_number(make_anim, tmp_path, fps):
    with pytest.raises(TypeError, match="fps must be a number"):
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=fps)


def test_refuses_an_unknown_writer(make_anim, tmp_path):
    with pytest.raises(ValueError, match="writer must be one of"):
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=10, writer="ffmpeg")


def test_refuses_something_that_is_not_an_animation(tmp_path):
    with pytest.raises(TypeError, match="needs a matplotlib.animation.Animation"):
        mplgif.save_gif("sine", tmp_path / "sine.gif", fps=10)


@pytest.mark.filterwarnings("ignore:Can not start iterating the frames")
def test_zero_frames_is_a_clear_error_and_writes_nothing(make_anim, tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        mplgif.save_gif(make_anim(frames=[]), tmp_path / "empty.gif", fps=10)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("fail_at", [0, 3, 7])
def test_a_failed_save_keeps_the_old_gif_and_leaves_no_temp_file(
    make_anim, tmp_path, error, fail_at
):
    path = tmp_path / "kept.gif"
    mplgif.save_gif(make_anim(frames=4), path, fps=10)
    before = path.read_bytes()

    with pytest.raises(error, match=f"frame {fail_at} failed on purpose"):
        mplgif.save_gif(make_anim(frames=8, fail_at=fail_at, error=error), path, fps=10)

    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_failed_first_save_leaves_no_file(make_anim, tmp_path):
    with pytest.raises(RuntimeError, match="frame 2 failed"):
        mplgif.save_gif(make_anim(frames=4, fail_at=2), tmp_path / "new.gif", fps=10)
    assert list(tmp_path.iterdir()) == []


# ImageMagick ------------------------------------------------------------------


def write_program(folder: Path, name: str, output: str) -> Path:
    """A stand-in program that prints `output` and exits 0."""
    program = folder / name
    # `echo` is built into sh, so the script works with nothing else on PATH.
    program.write_text(f"#!/bin/sh\necho '{output}'\n")
    program.chmod(0o755)
    return program


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses shell scripts")


@posix_only
def test_a_program_named_convert_is_not_enough(make_anim, tmp_path, monkeypatch):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    fake = write_program(bin_folder, "convert", "convert: a disk tool, not ImageMagick")
    monkeypatch.setenv("PATH", str(bin_folder))

    assert find_imagemagick() is None
    with pytest.raises(mplgif.ImageMagickNotFoundError) as caught:
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=10, writer="imagemagick")
    message = str(caught.value)
    assert str(fake) in message
    assert "none answers `-version` as ImageMagick" in message
    assert "apt-get install imagemagick" in message
    assert "writer='pillow'" in message
    assert not (tmp_path / "sine.gif").exists()


@posix_only
def test_missing_imagemagick_says_how_to_install_it(make_anim, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(mplgif.ImageMagickNotFoundError, match="No program named") as caught:
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=10, writer="imagemagick")
    assert "brew install imagemagick" in str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)


@posix_only
def test_find_imagemagick_looks_past_an_impostor(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write_program(first, "convert", "Convert: not this one")
    real = write_program(second, "convert", "Version: ImageMagick 6.9.11-60 Q16 x86_64")
    monkeypatch.setenv("PATH", os.pathsep.join([str(first), str(second)]))

    found = find_imagemagick()
    assert found is not None
    assert found.path == str(real)
    assert found.version == "6.9.11-60"


REAL_IMAGEMAGICK = find_imagemagick()


@pytest.mark.skipif(
    REAL_IMAGEMAGICK is None,
    reason="ImageMagick is not installed (apt-get install imagemagick); .ci/run installs it",
)
def test_saves_with_a_real_imagemagick(make_anim, tmp_path):
    path = tmp_path / "magick.gif"
    info = mplgif.save_gif(make_anim(frames=4), path, fps=25, writer="imagemagick")
    assert info.frames == 4
    assert info.durations_ms == (40,) * 4
    assert info.loop == 0
    assert (info.width, info.height) == (80, 60)
    assert leftovers(tmp_path) == []


# Bad input and failures: what the user is told ------------------------------


def test_a_file_in_place_of_the_folder(make_anim, tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        mplgif.save_gif(make_anim(), tmp_path / "notes.txt" / "sine.gif", fps=10)


def test_an_unwritable_folder_is_a_permission_error(make_anim, tmp_path, monkeypatch):
    real_open = os.open

    def refuse(path, flags, mode=0o777, **kwargs):
        if str(path).endswith(".partial.gif"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError, match="Cannot write in the folder .*Permission denied"):
        mplgif.save_gif(make_anim(), tmp_path / "sine.gif", fps=10)


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root (as in CI containers) may write anywhere; the test above covers the message",
)
def test_a_read_only_folder_is_a_permission_error(make_anim, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="Cannot write in the folder"):
            mplgif.save_gif(make_anim(), folder / "sine.gif", fps=10)
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(("fps", "stored"), [(30, "30 ms"), (15, "60 ms"), (3, "330 ms")])
def test_fps_that_does_not_divide_says_what_was_stored(make_anim, tmp_path, fps, stored):
    with pytest.warns(mplgif.GifTimingWarning, match=f"fps={fps} asks for .* holds {stored}"):
        info = mplgif.save_gif(make_anim(frames=3), tmp_path / "odd.gif", fps=fps, writer="pillow")
    assert info.frames == 3


def test_the_mplgif_writer_keeps_odd_fps_in_step_without_a_warning(make_anim, tmp_path):
    with every_warning_an_error():  # alternating delays play right: nothing to warn about
        info = mplgif.save_gif(make_anim(frames=6), tmp_path / "odd.gif", fps=30)
    assert info.durations_ms == (30, 40, 30, 30, 40, 30)


def test_fps_too_slow_for_a_gif_delay(make_anim, tmp_path):
    with pytest.raises(ValueError, match="at most 655.35 s"):
        mplgif.save_gif(make_anim(), tmp_path / "slow.gif", fps=0.001)


@pytest.mark.parametrize("fps", [60, 75, 100])
def test_very_fast_fps_warns_that_browsers_slow_it_down(make_anim, tmp_path, fps):
    with pytest.warns(mplgif.GifTimingWarning, match="less than 20 ms for 100 ms"):
        mplgif.save_gif(make_anim(frames=3), tmp_path / "fast.gif", fps=fps)


@pytest.mark.parametrize("fps", [50, 25, 10, 4, 1])
def test_fps_that_divides_100_is_stored_exactly_and_silently(make_anim, tmp_path, fps):
    with every_warning_an_error():
        info = mplgif.save_gif(make_anim(frames=3), tmp_path / "exact.gif", fps=fps)
    assert info.durations_ms == (1000 // fps,) * 3


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are Python 3.11+")
def test_a_failing_frame_gets_a_note_saying_where_the_save_stopped(make_anim, tmp_path):
    with pytest.raises(RuntimeError) as caught:
        mplgif.save_gif(make_anim(frames=8, fail_at=5), tmp_path / "sine.gif", fps=10)
    notes = "\n".join(caught.value.__notes__)
    assert "stopped after 5 frames" in notes
    assert "earlier file there is unchanged" in notes


def test_a_figure_closed_before_saving_still_saves(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    (line,) = ax.plot([0, 1], [0, 0])

    def update(frame):
        line.set_ydata([0, frame])
        return (line,)

    anim = FuncAnimation(fig, update, frames=4)
    plt.close(fig)
    info = mplgif.save_gif(anim, tmp_path / "closed.gif", fps=10)
    assert info.frames == 4
    assert np.asarray(line.get_ydata()).tolist() == [0, 3]


def test_saving_the_same_animation_twice_gives_identical_bytes(make_anim, tmp_path):
    anim = make_anim(frames=6)
    mplgif.save_gif(anim, tmp_path / "one.gif", fps=10)
    mplgif.save_gif(anim, tmp_path / "two.gif", fps=10)
    assert (tmp_path / "one.gif").read_bytes() == (tmp_path / "two.gif").read_bytes()


@pytest.mark.parametrize("how", ["save_gif", "after_each_frame (ArtistAnimation)"])
def test_an_animation_drawn_by_mplgif_is_not_deleted_unrendered(how, tmp_path):
    # Matplotlib warns when an animation it never drew is deleted ("Animation was deleted
    # without rendering anything"); the tests ignore that warning (see pyproject.toml),
    # so here it is looked for, after mplgif drew every frame.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()  # other tests' animations, so that only this one can warn below
    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    (line,) = ax.plot([0, 1], [0, 0])
    if how == "save_gif":
        anim = FuncAnimation(fig, lambda frame: line.set_ydata([0, frame]), frames=np.arange(3))
        mplgif.save_gif(anim, tmp_path / "a.gif", fps=10)
    else:
        anim = ArtistAnimation(fig, [[line], ax.plot([0, 1], [1, 1])])
        after_each_frame(anim, lambda figure: None)
    plt.close(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del anim
        gc.collect()
    assert not [w for w in caught if "without rendering" in str(w.message)]
