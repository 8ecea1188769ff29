"""A failed save never costs you a file: full disks, late failures, bad dpi.

Every way of saving (save_gif with each writer, anim.save(writer="mplgif"),
save_frames) follows one temporary-file rule (mplgif.files.PartialFile). The
tests here break a save at every point where it touches the file system and
check both promises each time: no temporary file is left behind, and the
file that was there before is byte for byte as it was.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.lines import Line2D
from strict_warnings import every_warning_an_error

import mplgif
from mplgif import saving

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses shell scripts and signals")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def small_anim(frames=3):
    # A line on the figure itself, without an Axes: making an Axes (its ticks, labels
    # and frame) and drawing it are most of a save's time (45 ms against 12), and these
    # tests, about files, save a thousand times.
    fig = plt.figure(figsize=(2, 1.5), dpi=40)
    x = np.linspace(0, 1, 50)
    line = fig.add_artist(Line2D(x, 0.5 + 0.4 * np.sin(2 * np.pi * x), color="tab:red"))

    def update(frame):
        line.set_ydata(0.5 + 0.4 * np.sin(2 * np.pi * x + frame / 2))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=frames)


def save_default(path):
    fig, anim = small_anim()
    try:
        mplgif.save_gif(anim, path, fps=10)
    finally:
        plt.close(fig)


def save_through_anim_save(path):
    fig, anim = small_anim()
    try:
        anim.save(path, writer="mplgif", fps=10)
    finally:
        plt.close(fig)


def save_with_pillow(path):
    fig, anim = small_anim()
    try:
        mplgif.save_gif(anim, path, fps=10, writer="pillow")
    finally:
        plt.close(fig)


def save_webp(path):
    fig, anim = small_anim()
    try:
        mplgif.save_frames(anim, path, fps=10, lossless=True)
    finally:
        plt.close(fig)


SAVES = {
    "save_gif": (save_default, "a.gif"),
    "anim.save(writer='mplgif')": (save_through_anim_save, "a.gif"),
    "save_gif(writer='pillow')": (save_with_pillow, "a.gif"),
    "save_frames(.webp)": (save_webp, "a.webp"),
}


# -- Fault injection ------------------------------------------------------------


class Injected(OSError):
    """The failure this test forces (an OSError, as the file system would raise)."""


class Faults:
    """Count every file-system call that touches `folder`; call number `fail_at`
    raises `error`, before the real call or (for an interrupt) just after it."""

    def __init__(self, folder: Path, fail_at=None, error=None, after=False,
                 interrupt_cleanup=False) -> None:
        self.folder = str(folder)
        self.fail_at, self.error, self.after = fail_at, error, after
        # Also interrupt the first os.unlink after that failure: Ctrl-C during cleanup.
        self.interrupt_cleanup = interrupt_cleanup
        self.calls: list[str] = []
        self.descriptors: set[int] = set()

    def touches(self, *paths) -> bool:
        return any(
            isinstance(p, (str, os.PathLike)) and os.fspath(p).startswith(self.folder)
            for p in paths
        )

    def point(self, name: str, real, *args, **kwargs):
        self.calls.append(name)
        failing = len(self.calls) == self.fail_at
        if self.interrupt_cleanup and name == "os.unlink" and len(self.calls) > self.fail_at:
            self.interrupt_cleanup = False
            raise KeyboardInterrupt("injected during cleanup")
        if failing and not self.after:
            raise self.make_error(name)
        result = real(*args, **kwargs)
        if failing:
            raise self.make_error(name)
        return result

    def make_error(self, name: str) -> BaseException:
        if self.error is KeyboardInterrupt:
            return KeyboardInterrupt(f"injected at {name}")
        return Injected(errno.EIO, f"injected at {name}")

    def install(self, monkeypatch) -> None:
        faults = self
        real = {name: getattr(os, name) for name in
                ("open", "close", "replace", "rename", "unlink", "remove", "stat", "chmod")}
        real_open = builtins.open

        def os_open(path, flags, mode=0o777, **kwargs):
            if not faults.touches(path):
                return real["open"](path, flags, mode, **kwargs)
            descriptor = faults.point("os.open", real["open"], path, flags, mode, **kwargs)
            faults.descriptors.add(descriptor)
            return descriptor

        def os_close(descriptor):
            if descriptor in faults.descriptors:
                faults.descriptors.discard(descriptor)
                return faults.point("os.close", real["close"], descriptor)
            return real["close"](descriptor)

        def by_path(name):
            def call(*args, **kwargs):
                if faults.touches(*args[:2]):
                    return faults.point(f"os.{name}", real[name], *args, **kwargs)
                return real[name](*args, **kwargs)

            return call

        def open_file(file, mode="r", *args, **kwargs):
            if not faults.touches(file):
                return real_open(file, mode, *args, **kwargs)
            opened = faults.point("open", real_open, file, mode, *args, **kwargs)
            return FaultyFile(opened, faults) if set(mode) & set("wa+") else opened

        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(os, "close", os_close)
        for name in ("replace", "rename", "unlink", "remove", "stat", "chmod"):
            monkeypatch.setattr(os, name, by_path(name))
        monkeypatch.setattr(builtins, "open", open_file)
        monkeypatch.setattr(io, "open", open_file)


class FaultyFile:
    """A file whose write, flush and close are points where a failure can strike.

    close() always closes the real file before failing, as a full disk does:
    the buffer cannot be flushed, the error is raised, the file is closed.
    """

    def __init__(self, file, faults: Faults) -> None:
        self._file, self._faults = file, faults

    def write(self, data):
        return self._faults.point("write", self._file.write, data)

    def flush(self):
        return self._faults.point("flush", self._file.flush)

    def close(self):
        if self._file.closed:
            return None
        self._faults.calls.append("close")
        failing = len(self._faults.calls) == self._faults.fail_at
        self._file.close()
        if failing:
            raise self._faults.make_error("close")
        return None

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def injected_in_chain(error: BaseException) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (Injected, KeyboardInterrupt)) and "injected" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


@pytest.mark.parametrize("kind", list(SAVES))
def test_a_failure_at_any_file_system_call_costs_no_file(kind, tmp_path, monkeypatch):
    save, name = SAVES[kind]
    target = tmp_path / name
    # The file a good save writes, and an old file that must survive any failure.
    save(target)
    new = target.read_bytes()
    target.write_bytes(b"the old file, which must survive")
    old = target.read_bytes()

    dry = Faults(tmp_path)
    with monkeypatch.context() as patch:
        dry.install(patch)
        save(target)
    assert target.read_bytes() == new
    points = dry.calls
    assert {"os.open", "os.replace", "open"} <= set(points), points

    checked = 0
    ways = [  # (error, just after the real call, then Ctrl-C while cleaning up)
        (OSError, False, False),
        (KeyboardInterrupt, False, False),
        (KeyboardInterrupt, True, False),  # the call happened, then the interrupt
        (OSError, False, True),
    ]
    # Consecutive calls of one kind (a run of writes) fail alike: try the first
    # and the last of each run.
    chosen = [
        index + 1
        for index, name in enumerate(points)
        if index in (0, len(points) - 1)
        or points[index - 1] != name
        or points[index + 1] != name
    ]
    for error, after, interrupt_cleanup in ways:
        for fail_at in chosen:
            target.write_bytes(old)
            faults = Faults(tmp_path, fail_at, error, after, interrupt_cleanup)
            raised = None
            with monkeypatch.context() as patch:
                faults.install(patch)
                try:
                    save(target)
                except BaseException as caught:  # noqa: BLE001 (KeyboardInterrupt is the point)
                    raised = caught
            point = faults.calls[fail_at - 1] if fail_at <= len(faults.calls) else "not reached"
            where = (
                f"{error.__name__} {'after' if after else 'at'} call {fail_at} ({point})"
                + " and in cleanup" * interrupt_cleanup
            )
            assert leftovers(tmp_path) == [], where
            assert sorted(p.name for p in tmp_path.iterdir()) == [name], where
            now = target.read_bytes()
            if raised is None:
                # The failure struck where the save could go on (Pillow asks
                # os.path.exists, which swallows errors): the save is complete.
                assert now == new, where
                continue
            assert injected_in_chain(raised), f"{where}: {raised!r}"
            replaced_then_interrupted = after and point == "os.replace"
            assert now == (new if replaced_then_interrupted else old), where
            checked += 1
    assert checked >= len(chosen)


# -- 1. A full disk ---------------------------------------------------------------


class FullDiskFile:
    """A stand-in for a file on a full disk: writes fit in its buffer until
    `capacity` bytes, then fail; close() fails if the buffer had to be flushed."""

    def __init__(self, file, capacity: int, fail_on_write: bool) -> None:
        self._file, self._capacity, self._fail_on_write = file, capacity, fail_on_write
        self._written = 0

    def write(self, data):
        self._written += len(data)
        if self._fail_on_write and self._written > self._capacity:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._file.write(data)

    def close(self):
        self._file.close()
        if self._written > self._capacity:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.mark.parametrize("fail_on_write", [True, False], ids=["write fails", "close fails"])
@pytest.mark.parametrize("kind", list(SAVES))
def test_a_full_disk_leaves_the_old_file_and_no_temporary(kind, fail_on_write, tmp_path,
                                                          monkeypatch):
    save, name = SAVES[kind]
    target = tmp_path / name
    target.write_bytes(b"old")
    real_open = builtins.open

    def full_disk_open(file, mode="r", *args, **kwargs):
        opened = real_open(file, mode, *args, **kwargs)
        if ".partial" in os.fspath(file) and set(mode) & set("wa+"):
            return FullDiskFile(opened, capacity=100, fail_on_write=fail_on_write)
        return opened

    monkeypatch.setattr(builtins, "open", full_disk_open)
    with pytest.raises(OSError, match="No space left to write .*Free some space") as caught:
        save(target)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def mount_small_tmpfs(folder: Path) -> str | None:
    """Mount a 64 kB tmpfs at `folder`; return why not, or None if mounted."""
    if sys.platform != "linux" or shutil.which("mount") is None:
        return "needs Linux and mount(8)"
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root; the stand-in file test covers a full disk"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", f"mplgif-test-{uuid.uuid4().hex[:8]}",
         str(folder)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        return f"this machine does not allow mounting a tmpfs: {done.stderr.strip()}"
    return None


@pytest.mark.parametrize("kind", list(SAVES))
def test_a_really_full_tmpfs(kind, tmp_path):
    save, name = SAVES[kind]
    disk = tmp_path / "small-disk"
    why_not = mount_small_tmpfs(disk)
    if why_not:
        pytest.skip(why_not)
    try:
        target = disk / name
        target.write_bytes(b"old")
        (disk / "filler").write_bytes(b"x" * 60_000)  # leave a few kB
        fig, anim = small_anim(frames=40)
        plt.close(fig)
        anim_big = anim
        with pytest.raises(OSError) as caught:
            if kind == "save_frames(.webp)":
                mplgif.save_frames(anim_big, target, fps=10, lossless=True, dpi=200)
            elif kind == "anim.save(writer='mplgif')":
                anim_big.save(target, writer="mplgif", fps=10, dpi=200)
            else:
                writer = "pillow" if "pillow" in kind else "mplgif"
                mplgif.save_gif(anim_big, target, fps=10, writer=writer, dpi=200)
        assert caught.value.errno == errno.ENOSPC
        assert "No space left to write" in str(caught.value)
        assert target.read_bytes() == b"old"
        assert leftovers(disk) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# -- 2. The result is checked before it replaces the target ---------------------


def fake_imagemagick(folder: Path, body: str) -> Path:
    """A program that answers -version as ImageMagick, and does `body` otherwise."""
    folder.mkdir(exist_ok=True)
    program = folder / "convert"
    program.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-version" ]; then echo "Version: ImageMagick 7.1.1-0 Q16"; exit 0; fi\n'
        "cat > /dev/null\n"
        'for last in "$@"; do :; done\n' + body + "\n"
    )
    program.chmod(0o755)
    return program


def save_with_fake_imagemagick(tmp_path, monkeypatch, body: str, old: bytes, error: str) -> None:
    """Save with a fake ImageMagick doing `body` over a target holding `old`: the save
    must raise `error` (a regex), keep `old` and leave no temporary file."""
    fake_imagemagick(tmp_path / "bin", body)
    monkeypatch.setenv("PATH", os.pathsep.join([str(tmp_path / "bin"), os.environ["PATH"]]))
    target = tmp_path / "out" / "kept.gif"
    target.parent.mkdir()
    target.write_bytes(old)
    fig, anim = small_anim()
    with pytest.raises(RuntimeError, match=error):
        mplgif.save_gif(anim, target, fps=10, writer="imagemagick")
    plt.close(fig)
    assert target.read_bytes() == old
    assert leftovers(target.parent) == []


@posix_only
def test_a_writer_that_exits_0_with_a_corrupt_file_replaces_nothing(tmp_path, monkeypatch):
    save_with_fake_imagemagick(
        tmp_path, monkeypatch, "printf 'GIF89a\\001\\000\\001\\000' > \"$last\"",
        b"the good old GIF", "did not write a complete GIF.*truncated.*unchanged")


# -- 3. Exceptions that used to leak the temporary file ---------------------------


def test_a_target_that_is_a_folder_through_anim_save(tmp_path):
    (tmp_path / "folder.gif").mkdir()
    fig, anim = small_anim()
    with pytest.raises(IsADirectoryError, match="is a folder; give a file name"):
        anim.save(tmp_path / "folder.gif", writer="mplgif", fps=10)
    plt.close(fig)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", list(SAVES))
def test_a_rename_the_folder_refuses_says_what_happened(kind, tmp_path, monkeypatch):
    # As in a sticky folder (/tmp) where the old file belongs to someone else.
    save, name = SAVES[kind]
    target = tmp_path / name
    target.write_bytes(b"someone else's")

    def refuse(source, destination):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError) as caught:
        save(target)
    message = str(caught.value)
    assert "The new file was complete, but it could not replace" in message
    assert "Operation not permitted" in message and "save under another name" in message
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "stopped after" not in notes
    if sys.version_info >= (3, 11) and kind.startswith("save_gif"):
        assert "all 3 frames were drawn, then finishing failed" in notes
    assert target.read_bytes() == b"someone else's"
    assert leftovers(tmp_path) == []


def test_an_interrupt_while_setting_up_leaves_nothing(tmp_path, monkeypatch):
    from mplgif.writer import GifStream

    real_init = GifStream.__init__

    made = []

    def header_then_interrupt(self, *args, **kwargs):
        real_init(self, *args, **kwargs)  # the header is written by now
        made.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(GifStream, "__init__", header_then_interrupt)
    for save in (save_default, save_through_anim_save):
        with pytest.raises(KeyboardInterrupt):
            save(tmp_path / "a.gif")
        assert list(tmp_path.iterdir()) == []
    # Interrupted between the encoder's making and the writer keeping it (the one place
    # the writer cannot reach it), the encoder's temporary file is closed by the garbage
    # collector, with a ResourceWarning: closed here instead, in this test made on purpose.
    for stream in made:
        stream.discard()


class TemporaryFiles:
    """Records the temporary files mplgif's encoder opens (it keeps the encoded frames
    in one until the GIF is finished); with `full`, closing one fails as on a full disk,
    once its descriptor is closed (as closing a file that cannot write out its buffer
    does)."""

    def __init__(self, monkeypatch, full: bool = False) -> None:
        from mplgif import encoding

        self.opened: list = []
        self.full = full
        monkeypatch.setattr(encoding, "tempfile", SimpleNamespace(TemporaryFile=self._open))

    def _open(self, *args, **kwargs):
        file = tempfile.TemporaryFile(*args, **kwargs)
        self.opened.append(file)
        return FullOnClose(file) if self.full else file

    def all_closed(self) -> bool:
        return all(file.closed for file in self.opened)


class FullOnClose:
    def __init__(self, file) -> None:
        self._file = file

    def __getattr__(self, name):
        return getattr(self._file, name)

    def close(self) -> None:
        self._file.close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("how", ["save_gif", "anim.save"])
@pytest.mark.parametrize("when", ["a frame", "setting up", "a frame, the temporary folder full"])
def test_a_failed_save_closes_the_encoders_temporary_file(how, when, tmp_path, monkeypatch):
    # The encoded frames wait in a temporary file (already unlinked: nothing stays on disk)
    # until the GIF is finished. A failed save must close it, not leave the descriptor
    # open until the garbage collector finds the encoder; and the error the user sees is
    # the one that stopped the save, even when closing that file fails too.
    from mplgif import writer

    files = TemporaryFiles(monkeypatch, full=when.endswith("full"))
    if when == "setting up":
        def refuse(self, fig):
            raise RuntimeError("setting up failed on purpose")
        monkeypatch.setattr(writer.GifWriter, "_take_over_drawing", refuse)
    fig, anim = small_anim()
    if when.startswith("a frame"):
        moved = anim._func

        def update(frame):
            if frame == 1:
                raise RuntimeError("frame 1 failed on purpose")
            return moved(frame)

        anim._func = update
    try:
        with pytest.raises(RuntimeError, match="failed on purpose"):
            if how == "save_gif":
                mplgif.save_gif(anim, tmp_path / "a.gif", fps=10)
            else:
                anim.save(tmp_path / "a.gif", writer="mplgif", fps=10)
    finally:
        plt.close(fig)
    assert files.opened and files.all_closed()
    assert list(tmp_path.iterdir()) == []


# -- 4. dpi ---------------------------------------------------------------------


def saves_with_dpi(path: Path, dpi):
    fig, anim = small_anim()
    try:
        yield lambda: mplgif.save_gif(anim, path, fps=10, dpi=dpi)
        yield lambda: anim.save(path, writer="mplgif", fps=10, dpi=dpi)
        yield lambda: mplgif.save_gif(anim, path, fps=10, dpi=dpi, writer="pillow")
        yield lambda: mplgif.save_frames(anim, path.with_suffix(".webp"), fps=10, dpi=dpi)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("dpi", [-40, 0, float("nan"), float("inf"), -float("inf")])
def test_a_dpi_that_is_not_a_positive_number(tmp_path, dpi):
    for save in saves_with_dpi(tmp_path / "a.gif", dpi):
        with pytest.raises(ValueError, match="dpi must be a positive, finite number"):
            save()
        assert list(tmp_path.iterdir()) == []


def test_a_dpi_that_gives_no_pixels_says_the_smallest_that_works(tmp_path):
    for save in saves_with_dpi(tmp_path / "a.gif", 0.5):
        with pytest.raises(ValueError, match=r"frames of 1x0 pixels, too small .* dpi=1 or more"):
            save()
        assert list(tmp_path.iterdir()) == []


def test_a_huge_dpi_is_refused_before_drawing_anything(tmp_path):
    start = time.perf_counter()
    for save in saves_with_dpi(tmp_path / "a.gif", 20000):
        with pytest.raises(ValueError) as caught:
            save()
        assert list(tmp_path.iterdir()) == []
        message = str(caught.value)
        assert "dpi=20000 on this 2x1.5 inch figure asks for frames of 40000x30000" in message
        assert "at most 10000 pixels a side and 25 Mpx" in message
        assert "Use dpi=2886 or less, or a smaller figure" in message
    assert time.perf_counter() - start < 5
    # The largest dpi it suggests works (checked without drawing).
    from mplgif.writer import check_dpi

    fig, _ = small_anim()
    assert check_dpi(fig, 2886) == 2886
    with pytest.raises(ValueError):
        check_dpi(fig, 2887)
    plt.close(fig)


@pytest.mark.parametrize("dpi", ["100", True, [100]])
def test_a_dpi_that_is_not_a_number(tmp_path, dpi):
    fig, anim = small_anim()
    with pytest.raises(TypeError, match="dpi must be a number of dots per inch"):
        mplgif.save_gif(anim, tmp_path / "a.gif", fps=10, dpi=dpi)
    plt.close(fig)


# -- 5. gif_info does not trust the file ------------------------------------------


def test_a_truncated_gif_says_so_with_its_path_wherever_it_is_cut(tmp_path):
    save_default(tmp_path / "whole.gif")
    data = (tmp_path / "whole.gif").read_bytes()
    cut = tmp_path / "cut.gif"
    for length in [*range(6, 40), *range(40, len(data), 7), len(data) - 1]:
        cut.write_bytes(data[:length])
        with pytest.raises(ValueError, match="cut.gif' is truncated: .*save or download it again"):
            mplgif.gif_info(cut)
    cut.write_bytes(data)
    assert mplgif.gif_info(cut).frames == 3


def tiny_gif(width: int, height: int, frames: int) -> bytes:
    """A GIF declaring a `width` x `height` screen, with `frames` frames of 1x1 pixel."""
    import struct

    data = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + bytes(6)
    frame = (
        b"!\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms
        + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    )
    return data + frame * frames + b";"


def test_a_gif_bomb_is_refused_before_decoding(tmp_path):
    import tracemalloc

    bomb = tmp_path / "bomb.gif"
    bomb.write_bytes(tiny_gif(20000, 8000, 2))
    assert bomb.stat().st_size < 120
    tracemalloc.start()
    with pytest.raises(ValueError, match=r"declares 2 frames of 20000x8000 pixels .*max_pixels"):
        mplgif.gif_info(bomb)
    # Accepted on request, and still read without decoding a pixel.
    info = mplgif.gif_info(bomb, max_pixels=None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (info.frames, info.width, info.height, info.durations_ms) == (2, 20000, 8000, (100, 100))
    assert peak < 1_000_000
    with pytest.raises(ValueError, match="declares 200 frames of 4000x4000"):
        mplgif.show_gif(_write(tmp_path / "many.gif", tiny_gif(4000, 4000, 200)))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_damaged_and_empty_files_say_what_is_wrong(tmp_path):
    data = bytearray(tiny_gif(10, 10, 2))
    data[-1:] = b"\x99;"  # a byte that starts no block, where the next block should be
    with pytest.raises(ValueError, match=r"damaged: byte .* \(0x99\) starts no GIF block"):
        mplgif.gif_info(_write(tmp_path / "bad.gif", bytes(data)))
    with pytest.raises(ValueError, match="is empty, not a GIF"):
        mplgif.gif_info(_write(tmp_path / "empty.gif", b""))


# -- 6. The timing check looks at the delays asked for -----------------------------


def test_merged_identical_frames_give_no_false_timing_warning(tmp_path):

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    (line,) = ax.plot([0, 1], [0, 0])

    def update(frame):
        line.set_ydata([0, frame])
        return (line,)

    anim = FuncAnimation(fig, update, frames=[0] * 9 + [1])
    with every_warning_an_error():
        info = mplgif.save_gif(anim, tmp_path / "still.gif", fps=10, writer="pillow")
    plt.close(fig)
    assert info.frames < 10  # Pillow merged the identical frames...
    assert info.total_duration_ms == 1000  # ...and kept the time they take


# -- 7. show_gif's width goes into HTML ----------------------------------------------


@pytest.mark.parametrize(
    ("width", "error"),
    [('abc" onerror="alert(1)', TypeError), (True, TypeError), (300.5, TypeError),
     (0, ValueError), (-5, ValueError), (10**9, ValueError)],
)
def test_show_gif_refuses_a_width_that_is_not_a_pixel_count(tmp_path, width, error):
    save_default(tmp_path / "a.gif")
    with pytest.raises(error, match="width must be"):
        mplgif.show_gif(tmp_path / "a.gif", width=width)


def test_show_gif_accepts_numpy_widths(tmp_path, monkeypatch):
    save_default(tmp_path / "a.gif")
    monkeypatch.chdir(tmp_path)
    assert ' width="300"' in mplgif.show_gif("a.gif", width=np.int64(300))._repr_html_()


# -- 8. Messages that said the wrong thing -----------------------------------------


def test_a_home_relative_path_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    fig, anim = small_anim()
    info = mplgif.save_gif(anim, "~/home.gif", fps=10)
    assert info.path == tmp_path / "home.gif" and (tmp_path / "home.gif").exists()
    assert mplgif.gif_info("~/home.gif").frames == 3
    with pytest.raises(FileNotFoundError) as caught:
        mplgif.save_gif(anim, "~/missing/a.gif", fps=10)
    assert f"The folder {str(tmp_path / 'missing')!r} does not exist" in str(caught.value)
    assert "'~" not in str(caught.value)
    plt.close(fig)


def test_a_file_named_only_dot_gif(tmp_path):
    fig, anim = small_anim()
    with pytest.raises(ValueError, match=r"has no name before '\.gif'.*animation\.gif"):
        mplgif.save_gif(anim, tmp_path / ".gif", fps=10)
    plt.close(fig)


def test_a_tiny_fps_gets_a_short_message(tmp_path):
    fig, anim = small_anim()
    with pytest.raises(ValueError, match="at most 655.35 s") as caught:
        mplgif.save_gif(anim, tmp_path / "a.gif", fps=1e-300)
    assert len(str(caught.value)) < 200
    assert "fps=1e-300 asks for 1e+300 s per frame" in str(caught.value)
    plt.close(fig)


@posix_only
def test_imagemagicks_own_reason_is_in_the_error(tmp_path, monkeypatch):
    save_with_fake_imagemagick(
        tmp_path, monkeypatch,
        "echo \"convert: cache resources exhausted '$last' @ error/cache.c/OpenPixelCache\" >&2\n"
        "exit 1",
        b"old", "exit status 1: convert: cache resources exhausted")


def process_gone(pid: int) -> bool:
    """True if `pid` has ended (a zombie waiting for its parent counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_hanging_convert_is_stopped_with_its_children(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    pids = tmp_path / "pids"
    program = folder / "convert"
    # It starts a helper and then hangs, as a stuck delegate program would.
    program.write_text(f"#!/bin/sh\nsleep 300 &\necho $! $$ > {pids}\nwait\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(saving, "_VERSION_TIMEOUT_S", 1.0)
    start = time.perf_counter()
    assert mplgif.find_imagemagick() is None
    assert time.perf_counter() - start < 10
    for pid in map(int, pids.read_text().split()):
        for _ in range(50):
            if process_gone(pid):
                break
            time.sleep(0.05)
        assert process_gone(pid), f"process {pid} still runs"


# -- An interrupt at any line of the saving code ---------------------------------

# Functions that draw and encode frames: an interrupt in them is an interrupt
# "at frame k", which the tests above cover; the lines checked here are those
# that create, write, check, rename and remove files.
_FRAME_WORK = {
    "_frames", "frame", "_plan", "_snapshot", "_unchanged", "_paint_overlay", "_set_animated",
    "_draw_order", "_axes_order", "_every_artist", "_inside_any", "_artists", "add",
    "_global_indices", "_find",
    "_nearest", "_add_entries", "_local_table", "come_closer", "_remember", "_write", "_encode",
    "_pack", "_unpack", "_frame_pixels", "_savefig_as_drawn", "grab_frame", "add_frame", "_blitted",
    "_start_blitting", "_stop_blitting", "_advance", "_frame_end_cs",
    "close", "_on_draw", "own_draws", "_draw", "_looks", "unseen", "stop", "_saved",
    "next_frame",
}


def interrupt_lines(save, target: Path, fail_at: int | None, seen: dict) -> BaseException | None:
    """Run `save`, raising KeyboardInterrupt at the `fail_at`-th line event of
    mplgif's file-handling code; with fail_at None, record where each line first runs."""
    import linecache

    package = str(Path(mplgif.__file__).parent)
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event != "line":
            return local
        key = (frame.f_code.co_filename, frame.f_lineno)
        # CPython reports a `try:` line at an instruction outside the try's
        # protection, where a real Ctrl-C is never delivered: skip those.
        if linecache.getline(*key).strip() == "try:":
            return local
        count += 1
        if fail_at is None:
            seen.setdefault(key, count)
        elif count == fail_at:
            raise KeyboardInterrupt(f"injected at {Path(key[0]).name}:{key[1]}")
        return local

    def calls(frame, event, arg):
        code = frame.f_code
        if code.co_filename.startswith(package) and code.co_name not in _FRAME_WORK:
            return local
        return None

    sys.settrace(calls)
    try:
        save(target)
    except BaseException as error:  # noqa: BLE001 (the interrupt is the point)
        return error
    finally:
        sys.settrace(None)
    return None


def test_an_interrupt_at_any_line_of_the_saving_code_costs_no_file(tmp_path, monkeypatch):
    files = TemporaryFiles(monkeypatch)  # and leaves no temporary file open
    covered: set = set()
    for kind in ["save_gif", "anim.save(writer='mplgif')"]:
        save, name = SAVES[kind]
        target = tmp_path / name
        save(target)
        new = target.read_bytes()
        seen: dict = {}
        assert interrupt_lines(save, target, None, seen) is None
        # Lines the first way of saving already checked need no second check (time).
        for key, fail_at in seen.items():
            if key in covered:
                continue
            covered.add(key)
            target.write_bytes(b"old")
            error = interrupt_lines(save, target, fail_at, seen)
            where = f"{kind} at {Path(key[0]).name}:{key[1]}"
            assert leftovers(tmp_path) == [], where
            assert target.read_bytes() in (b"old", new), where
            assert files.all_closed(), f"{where}: the encoder's temporary file is left open"
            if error is not None:
                assert isinstance(error, KeyboardInterrupt), f"{where}: {error!r}"
    assert len(covered) > 150
