"""Save a Matplotlib animation as a GIF: checked first, written atomically."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
from matplotlib import animation

from .files import PartialFile, check_folder, check_suffix
from .frames import draw_frames
from .inspecting import GifInfo, gif_info
from .writer import (
    FailureAwareWriter,
    GifTimingWarning,
    GifWriter,
    check_dpi,
    check_gif_fps,
    timing_warning,
)

__all__ = [
    "GifTimingWarning",
    "ImageMagick",
    "ImageMagickNotFoundError",
    "find_imagemagick",
    "save_frames",
    "save_gif",
]

WRITERS = ("mplgif", "pillow", "imagemagick")

_INSTALL_IMAGEMAGICK = (
    "Install ImageMagick (Debian/Ubuntu: `sudo apt-get install imagemagick`; "
    "macOS: `brew install imagemagick`; conda: `conda install -c conda-forge "
    "imagemagick`; Windows: the installer from imagemagick.org), "
    "or save with writer='pillow', which needs no external program."
)


class ImageMagickNotFoundError(FileNotFoundError):
    """ImageMagick was asked for, but no real ImageMagick program was found."""


@dataclass(frozen=True)
class ImageMagick:
    """A program that answered ``-version`` as ImageMagick does."""

    path: str
    version: str


def _candidates() -> list[str]:
    """Every ``magick`` and ``convert`` on PATH, in PATH order, without repeats.

    ``shutil.which`` returns only the first match, and the first ``convert``
    on PATH is not always ImageMagick's (Windows has a disk tool of that name,
    and some machines put a stand-in first), so look in every folder.
    """
    found: list[str] = []
    seen: set[str] = set()
    for folder in os.get_exec_path():
        for name in ("magick", "convert"):
            program = shutil.which(name, path=folder)
            if program is None:
                continue
            real = os.path.realpath(program)
            if real not in seen:
                seen.add(real)
                found.append(program)
    return found


# How long `PROGRAM -version` may take before it counts as not ImageMagick.
_VERSION_TIMEOUT_S = 20.0


def _imagemagick_version(program: str) -> str | None:
    """The ImageMagick version `program` reports, or None if it is not ImageMagick."""
    answer = _run_briefly([program, "-version"], _VERSION_TIMEOUT_S)
    if answer is None:
        return None
    match = re.search(r"^Version: ImageMagick (\S+)", answer, re.MULTILINE)
    return match.group(1) if match else None


def _run_briefly(command: list[str], timeout_s: float) -> str | None:
    """What `command` prints, or None if it cannot start or takes longer than `timeout_s`.

    The program runs in a session of its own, so that on a timeout (or
    Ctrl-C) it is stopped together with every process it started.
    """
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=os.name == "posix",
        )
    except OSError:
        return None
    try:
        answer, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _stop(process)
        return None
    except BaseException:
        _stop(process)
        raise
    return answer


def _stop(process: subprocess.Popen) -> None:
    """Kill `process` and its process group, and collect it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError):  # it may have ended by itself
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def find_imagemagick() -> ImageMagick | None:
    """Find a real ImageMagick on PATH, or return None.

    A program counts only if ``PROGRAM -version`` says ``Version: ImageMagick``:
    being called ``convert`` or ``magick`` is not enough.

    Returns
    -------
    ImageMagick or None
        The first real ImageMagick in PATH order, with its version.
    """
    for program in _candidates():
        version = _imagemagick_version(program)
        if version is not None:
            return ImageMagick(path=program, version=version)
    return None


def _require_imagemagick() -> ImageMagick:
    found = find_imagemagick()
    if found is not None:
        return found
    impostors = _candidates()
    if impostors:
        seen = ", ".join(impostors)
        what = f"Found {seen}, but none answers `-version` as ImageMagick."
    else:
        what = "No program named `magick` or `convert` is on PATH."
    raise ImageMagickNotFoundError(
        f"writer='imagemagick' needs ImageMagick. {what} " + _INSTALL_IMAGEMAGICK
    )


def _check_target(path: str | os.PathLike[str]) -> Path:
    example = str(Path(path).expanduser().with_suffix(".gif"))
    path = check_suffix(path, (".gif",), f"save_gif writes GIF files only. Use e.g. {example!r}.")
    return check_folder(path)


def _check_timing(info: GifInfo, fps: float, movie_writer) -> None:
    """Warn when the delays stored are not the ones `fps` asked for.

    The mplgif writer knows the delay it gave each frame. Pillow and
    ImageMagick give every frame the same delay, rounded to GIF's 10 ms
    units, and may merge identical frames into one longer frame; so the
    delay each drawn frame got is the total duration over the frames drawn,
    not the average over the frames stored.
    """
    if isinstance(movie_writer, GifWriter):
        warning = timing_warning(fps, movie_writer.delays_cs)
        if warning:
            warnings.warn(warning, GifTimingWarning, stacklevel=3)
        return
    asked_ms = 1000 / fps
    stored_ms = info.total_duration_ms / movie_writer.frames_grabbed
    if abs(stored_ms - asked_ms) >= 0.5:
        warning = (
            f"fps={fps:g} asks for {asked_ms:.1f} ms per frame, but GIF stores delays in "
            f"10 ms units: {info.path.name} holds {stored_ms:.0f} ms per frame, so it plays "
            f"at {1000 / stored_ms:.3g} fps. For exact timing use an fps that divides 100: "
            "50, 25, 20, 10, 5, 4, 2 or 1."
        )
        if stored_ms < 20:
            warning += " " + timing_warning(fps, [round(stored_ms) // 10]).strip()
    else:
        warning = timing_warning(fps, [round(asked_ms) // 10])
    if warning:
        warnings.warn(warning, GifTimingWarning, stacklevel=3)


class _CountingWriter:
    """Mixin: count the frames grabbed, to say where a failed save stopped."""

    frames_grabbed = 0
    finishing = False

    def grab_frame(self, **savefig_kwargs) -> None:
        super().grab_frame(**savefig_kwargs)
        self.frames_grabbed += 1

    def finish(self) -> None:
        # Matplotlib's own saving() calls finish() after a failed frame too.
        self.finishing = sys.exc_info()[0] is None
        super().finish()


class _ImageMagickGifWriter(_CountingWriter, animation.ImageMagickWriter):
    """Matplotlib's ImageMagickWriter, counting frames, saying why ImageMagick failed."""

    def finish(self) -> None:
        try:
            super().finish()
        except subprocess.CalledProcessError as error:
            reason = error.stderr if isinstance(error.stderr, str) else ""
            if isinstance(error.stderr, bytes):
                reason = error.stderr.decode(errors="replace")
            reason = " ".join(reason.split()) or "it printed no reason"
            raise RuntimeError(
                f"ImageMagick stopped with exit status {error.returncode}: {reason}. If it "
                "says 'cache resources exhausted', its policy.xml limits memory: save fewer "
                "or smaller frames, or use writer='mplgif', which needs no external program."
            ) from error


class _PillowGifWriter(FailureAwareWriter, _CountingWriter, animation.PillowWriter):
    """Matplotlib's PillowWriter, with a clear error for an empty animation."""

    def finish(self) -> None:
        # When drawing a frame failed there is nothing worth encoding, and the
        # error in flight says why.
        if self.failed:
            return
        if not self._frames:
            raise ValueError(
                "The animation produced no frames, so there is no GIF to write. "
                "Check the animation's `frames` argument (a count, or a non-empty "
                "iterable)."
            )
        super().finish()


def _checked_gif(writer: str, target: Path, size: tuple[int, int]):
    """A check for the temporary file a writer wrote, run before it replaces `target`."""

    def check(path: Path) -> GifInfo:
        if path.stat().st_size == 0:
            raise RuntimeError(
                f"The {writer} writer finished without writing anything to {str(target)!r}; "
                "the old file is unchanged. Try writer='mplgif'."
            )
        try:
            info = gif_info(path, max_pixels=None)
        except ValueError as error:
            raise RuntimeError(
                f"The {writer} writer finished, but did not write a complete GIF for "
                f"{str(target)!r} ({error}); the old file is unchanged. Try writer='mplgif'."
            ) from error
        if (info.width, info.height) != size or info.frames == 0:
            raise RuntimeError(
                f"The {writer} writer wrote {info.frames} frames of {info.width}x{info.height} "
                f"pixels for {str(target)!r}, not frames of {size[0]}x{size[1]}; the old file "
                "is unchanged. Try writer='mplgif'."
            )
        return info

    return check


def save_gif(
    anim: animation.Animation,
    path: str | os.PathLike[str],
    *,
    fps: float,
    writer: str = "mplgif",
    dpi: float | None = None,
    blit: bool = True,
    verify: bool = False,
    progress_callback: Callable[[int, int], object] | None = None,
    progress: bool = False,
) -> GifInfo:
    """Save `anim` as a GIF at `path`, safely, and report what was written.

    Everything that can be checked is checked before any frame is drawn. The
    GIF is written to a temporary file in the same folder, read back, and
    renamed over `path` only once it is complete and checked, so a failed or
    interrupted save (including a full disk or Ctrl-C) leaves any earlier
    file at `path` as it was and no temporary file behind
    (:class:`mplgif.files.PartialFile`).

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation to save, for example a ``FuncAnimation``.
    path : str or path-like
        Where to write; must end in ``.gif`` and its folder must exist
        (``~`` is expanded).
    fps : float
        Frames per second. Each frame's delay is ``1000 / fps`` milliseconds,
        stored by GIF in 10 ms units. An fps that divides 100 (50, 25, 20,
        10...) is stored exactly; see Warns for any other.
    writer : {"mplgif", "pillow", "imagemagick"}
        ``"mplgif"`` (:class:`mplgif.GifWriter`) streams frames into one
        shared palette and draws each frame once (as often as ``anim.save``
        where one draw changes the next, as with a layout engine). ``"pillow"`` is
        Matplotlib's ``PillowWriter``. ``"imagemagick"`` uses a real
        ImageMagick and raises if there is none, instead of falling back to
        Pillow silently as ``anim.save`` does.
    dpi : float, optional
        Resolution of the frames. If not given, as with ``anim.save``:
        ``rcParams["savefig.dpi"]``, whose default "figure" is the figure's own
        dpi. Frames must come out between 1 and 10000 pixels a side and at most 25 Mpx.
    blit : bool
        With ``writer="mplgif"`` and a ``FuncAnimation`` whose update function
        returns the artists it changed, repaint only those over a background
        drawn once; frames where anything else changed get their background
        drawn again, and animations that cannot gain are drawn in full. The
        pixels are those of a full draw.
    verify : bool
        Also draw every blitted frame in full and raise
        :class:`mplgif.frames.BlitMismatchError` at the first pixel that
        differs: a check that blitting is right for this animation, at the
        cost of its speed.
    progress_callback : callable, optional
        Called as ``progress_callback(i, n)`` once frame ``i`` (from 0) of
        ``n`` has been drawn, as Matplotlib's ``anim.save`` does; ``n`` is 0
        when the animation does not know its length.
    progress : bool
        Show a progress bar (``tqdm.auto``: a text bar in a terminal, a
        widget in a notebook where ipywidgets is installed). Matplotlib's own
        save is silent for minutes on long animations.

    Returns
    -------
    GifInfo
        The saved file's frames, delays, looping and size, read back from disk.

    Warns
    -----
    GifTimingWarning
        If `fps` does not divide 100, saying what was stored (the default
        writer alternates two delays to keep the average; Pillow and
        ImageMagick round every frame the same way), or if the delays are
        under 20 ms, which browsers slow down.

    Raises
    ------
    ValueError
        If `path` does not end in ``.gif``, `writer` is unknown, `fps` or
        `dpi` is not usable, or the animation has no frames.
    FileNotFoundError
        If the folder of `path` does not exist.
    PermissionError
        If the folder of `path` cannot be written to.
    ImageMagickNotFoundError
        If ``writer="imagemagick"`` and no real ImageMagick is installed.
    RuntimeError
        If ImageMagick fails (its own reason is in the message), or a writer
        finishes without writing a complete GIF.
    OSError
        If the disk is full, or the finished GIF cannot replace `path`; the
        message says which, and what to do.
    """
    if not isinstance(anim, animation.Animation):
        raise TypeError(
            f"save_gif needs a matplotlib.animation.Animation (e.g. a FuncAnimation), "
            f"not {type(anim).__name__}."
        )
    target = _check_target(path)
    fps = check_gif_fps(fps)
    dpi = check_dpi(anim._fig, _as_anim_save_reads(anim._fig, dpi))
    settings: dict[str, str] = {}
    if writer == "mplgif":
        movie_writer: animation.AbstractMovieWriter = GifWriter(fps=fps, warn_timing=False)
    elif writer == "pillow":
        movie_writer = _PillowGifWriter(fps=fps)
    elif writer == "imagemagick":
        imagemagick = _require_imagemagick()
        movie_writer = _ImageMagickGifWriter(fps=fps)
        # Point Matplotlib at the program we checked, not whichever `convert`
        # comes first on PATH.
        settings = {"animation.convert_path": imagemagick.path}
    else:
        raise ValueError(f"writer must be one of {WRITERS}, not {writer!r}.")

    if progress_callback is not None and not callable(progress_callback):
        raise TypeError(
            f"progress_callback must be a function of (frame index, frame count), not "
            f"{progress_callback!r}."
        )
    bar = None
    try:
        report = progress_callback
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=getattr(anim, "_save_count", None) or None, unit="frame",
                       desc=target.name)
            report = _with_bar(bar, progress_callback)
        if writer == "mplgif":
            info = _save_drawing_frames(anim, movie_writer, target, dpi, blit, verify, report)
        else:
            info = _save_with_matplotlib(
                anim, movie_writer, target, dpi, writer, settings, report
            )
    except Exception as error:
        if hasattr(error, "add_note"):  # Python 3.11+
            drawn = movie_writer.frames_grabbed
            if movie_writer.finishing:
                where = f"all {drawn} frames were drawn, then finishing failed"
            else:
                where = f"it stopped after {drawn} frames"
            error.add_note(
                f"mplgif.save_gif: saving {str(target)!r}, {where}; any earlier file there is "
                "unchanged."
            )
        raise
    finally:
        if bar is not None:
            bar.close()
    _check_timing(info, fps, movie_writer)
    return info


def _as_anim_save_reads(fig, dpi):
    """`dpi` as anim.save reads it: if not given, ``rcParams["savefig.dpi"]``, whose
    default "figure" is the figure's own dpi."""
    if dpi is None:
        dpi = mpl.rcParams["savefig.dpi"]
    return fig.dpi if isinstance(dpi, str) and dpi == "figure" else dpi


def _with_bar(bar, callback):
    """A progress callback that moves `bar` and calls `callback`, if any."""

    def report(index: int, total: int) -> None:
        bar.update(1)
        if callback is not None:
            callback(index, total)

    return report


def _save_drawing_frames(anim, movie_writer: GifWriter, target: Path, dpi, blit, verify, report):
    """Draw the frames ourselves (blitting where safe) into the mplgif writer,
    which writes `target` by the temporary-file rule."""
    frames = draw_frames(anim, dpi, blit=blit, verify=verify)
    if frames is None:  # not a FuncAnimation: let Matplotlib drive it
        anim.save(target, writer=movie_writer, dpi=dpi, progress_callback=report)
    else:
        total = getattr(anim, "_save_count", None) or 0  # as anim.save counts
        # closing(): restore the figure's canvas and dpi even if encoding fails
        with contextlib.closing(frames), movie_writer.saving(anim._fig, target, dpi):
            for index, pixels in enumerate(frames):
                if report is not None:
                    report(index, total)
                movie_writer.add_frame(pixels)
    return movie_writer.info


def _save_with_matplotlib(
    anim, movie_writer, target: Path, dpi, writer, settings, report
) -> GifInfo:
    """Let Matplotlib's own writer write a temporary file, check it, then rename it."""
    width_in, height_in = anim._fig.get_size_inches()
    size = (int(width_in * dpi), int(height_in * dpi))
    with PartialFile(target) as partial:
        with mpl.rc_context(settings):
            anim.save(partial.path, writer=movie_writer, dpi=dpi, progress_callback=report)
        info = partial.commit(check=_checked_gif(writer, target, size))
    return dataclasses.replace(info, path=target)


_PILLOW_FORMATS = {".webp": "WEBP", ".png": "PNG", ".apng": "PNG"}


def save_frames(
    anim: animation.Animation,
    path: str | os.PathLike[str],
    *,
    fps: float,
    dpi: float | None = None,
    **pillow_options,
) -> Path:
    """Save an animation as animated WebP (``.webp``) or APNG (``.png``, ``.apng``).

    The frames are drawn as :func:`save_gif` draws them (blitting where it is
    safe) and handed to Pillow, which writes both formats; so, unlike
    :func:`save_gif`, all frames are held in memory until the end. Both
    formats keep transparency, half-transparent pixels included: when a frame
    has any, every frame is saved with its alpha channel. Written atomically,
    like :func:`save_gif`.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
    path : str or path-like
        Ends in ``.webp``, ``.png`` or ``.apng``.
    fps : float
        Frames per second (both formats store delays in milliseconds).
    dpi : float, optional
        Resolution of the frames. If not given, as with ``anim.save``:
        ``rcParams["savefig.dpi"]``, whose default "figure" is the figure's own
        dpi.
    **pillow_options
        Passed to Pillow's ``save``, e.g. ``lossless=True`` or ``quality=80``
        for WebP.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = check_suffix(path, tuple(_PILLOW_FORMATS), "for a GIF use save_gif.")
    kind = _PILLOW_FORMATS[target.suffix.lower()]
    check_folder(target)
    fps = check_gif_fps(fps)
    dpi = check_dpi(anim._fig, _as_anim_save_reads(anim._fig, dpi))
    frames = draw_frames(anim, dpi)
    if frames is None:
        raise TypeError("save_frames needs a FuncAnimation.")
    from PIL import Image

    with contextlib.closing(frames):
        drawn = [pixels.copy() for pixels in frames]
    if not drawn:
        raise ValueError("The animation produced no frames, so there is nothing to save.")
    transparent = any(pixels[..., 3].min() < 255 for pixels in drawn)
    images = [Image.fromarray(pixels if transparent else pixels[..., :3]) for pixels in drawn]
    with PartialFile(target) as partial:
        images[0].save(
            partial.path,
            format=kind,
            save_all=True,
            append_images=images[1:],
            duration=round(1000 / fps),
            loop=0,
            **pillow_options,
        )
        partial.commit(check=_checked_frames(kind, len(images)))
    return target


def _checked_frames(kind: str, frames: int):
    """A check that Pillow wrote a readable `kind` file of `frames` frames."""
    from PIL import Image

    def check(path: Path) -> None:
        with Image.open(path) as image:
            written = (image.format, getattr(image, "n_frames", 1))
        # Pillow may merge identical frames into one longer frame.
        if written[0] != kind or not 1 <= written[1] <= frames:
            raise RuntimeError(
                f"Pillow wrote a {written[0]} file of {written[1]} frames, not a {kind} of "
                f"up to {frames}; the old file is unchanged. Please report this."
            )

    return check
