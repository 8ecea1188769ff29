"""save_gif: what it writes, what it refuses, and what it leaves behind on failure."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

import mplgif
from mplgif.saving import find_imagemagick


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
