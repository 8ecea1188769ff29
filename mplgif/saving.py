"""Save a Matplotlib animation as a GIF: checked first, written atomically."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
from matplotlib import animation

from .inspecting import GifInfo, gif_info
from .writer import (
    FailureAwareWriter,
    GifTimingWarning,
    GifWriter,
    check_gif_fps,
    draw_frames,
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


def _imagemagick_version(program: str) -> str | None:
    """The ImageMagick version `program` reports, or None if it is not ImageMagick."""
    try:
        answer = subprocess.run(
            [program, "-version"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"^Version: ImageMagick (\S+)", answer.stdout, re.MULTILINE)
    return match.group(1) if match else None


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
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(
            f"{str(path)!r} does not end in '.gif'; save_gif writes GIF files only. "
            f"Use e.g. {str(path.with_suffix('.gif'))!r}."
        )
    return _check_place(path)


def _check_place(path: Path) -> Path:
    """`path` can be written: its folder exists and it is not itself a folder."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"{str(folder)!r} is a file, not a folder, so {path.name!r} cannot be saved in it."
        )
    if not folder.is_dir():
        raise FileNotFoundError(
            f"The folder {str(folder)!r} does not exist (resolved from "
            f"{os.getcwd()!r}). Create it first, e.g. "
            f"Path({str(folder)!r}).mkdir(parents=True), or fix the path."
        )
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give a file name, not a folder.")
    return path


def _check_timing(info: GifInfo, fps: float) -> None:
    """Warn when the stored delays are not the ones `fps` asked for."""
    asked_ms = 1000 / fps
    average_ms = info.total_duration_ms / info.frames
    stored = sorted(set(info.durations_ms))
    if abs(average_ms - asked_ms) >= 0.5:
        # Pillow and ImageMagick give every frame the same rounded delay.
        warning = (
            f"fps={fps:g} asks for {asked_ms:.1f} ms per frame, but GIF stores delays in "
            f"10 ms units: {info.path.name} holds {' and '.join(map(str, stored))} ms per "
            f"frame, so it plays at {1000 / average_ms:.3g} fps. For exact timing use an fps "
            "that divides 100: 50, 25, 20, 10, 5, 4, 2 or 1."
        )
        if min(stored) < 20:
            warning += " " + timing_warning(fps, [min(stored) // 10]).strip()
    else:
        warning = timing_warning(fps, [delay // 10 for delay in info.durations_ms])
    if warning:
        warnings.warn(warning, GifTimingWarning, stacklevel=3)


class _CountingWriter:
    """Mixin: count the frames grabbed, to say where a failed save stopped."""

    frames_grabbed = 0

    def grab_frame(self, **savefig_kwargs) -> None:
        super().grab_frame(**savefig_kwargs)
        self.frames_grabbed += 1


class _ImageMagickGifWriter(_CountingWriter, animation.ImageMagickWriter):
    """Matplotlib's ImageMagickWriter, counting frames."""


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


def _create_temporary(folder: Path) -> Path:
    """A new, empty file in `folder` for the GIF being written.

    Its name is fixed apart from random letters (ImageMagick reads characters
    such as ``%`` and ``[`` in file names as instructions, so the user's file
    name is not reused). It is created with mode 0o666 less the umask, like
    any new file, so the finished GIF gets ordinary permissions.
    """
    for _ in range(100):
        candidate = folder / f".mplgif-{secrets.token_hex(6)}.partial.gif"
        try:
            descriptor = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise PermissionError(
                f"Cannot write in the folder {str(folder)!r} ({error.strerror}). "
                "Save to a folder you can write to, or fix its permissions."
            ) from error
        os.close(descriptor)
        return candidate
    raise FileExistsError(f"Could not find a free temporary file name in {str(folder)!r}.")


def save_gif(
    anim: animation.Animation,
    path: str | os.PathLike[str],
    *,
    fps: float,
    writer: str = "mplgif",
    dpi: float | None = None,
    blit: bool = True,
) -> GifInfo:
    """Save `anim` as a GIF at `path`, safely, and report what was written.

    Everything that can be checked is checked before any frame is drawn. The
    GIF is written to a temporary file in the same folder and renamed over
    `path` only once it is complete, so a failed or interrupted save leaves
    any earlier file at `path` as it was and no temporary file behind.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation to save, for example a ``FuncAnimation``.
    path : str or path-like
        Where to write; must end in ``.gif`` and its folder must exist.
    fps : float
        Frames per second. Each frame's delay is ``1000 / fps`` milliseconds,
        stored by GIF in 10 ms units. An fps that divides 100 (50, 25, 20,
        10...) is stored exactly; see Warns for any other.
    writer : {"mplgif", "pillow", "imagemagick"}
        ``"mplgif"`` (:class:`mplgif.GifWriter`) streams frames into one
        shared palette and draws each frame once. ``"pillow"`` is
        Matplotlib's ``PillowWriter``. ``"imagemagick"`` uses a real
        ImageMagick and raises if there is none, instead of falling back to
        Pillow silently as ``anim.save`` does.
    dpi : float, optional
        Resolution of the frames; the figure's own dpi if not given.
    blit : bool
        With ``writer="mplgif"`` and a ``FuncAnimation`` whose update function
        returns the artists it changed, repaint only those over a background
        drawn once; frames where anything else changed get their background
        drawn again, and animations that cannot gain are drawn in full. The
        pixels are those of a full draw.

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
        If `path` does not end in ``.gif``, `writer` is unknown, `fps` is not
        a usable rate, or the animation has no frames.
    FileNotFoundError
        If the folder of `path` does not exist.
    PermissionError
        If the folder of `path` cannot be written to.
    ImageMagickNotFoundError
        If ``writer="imagemagick"`` and no real ImageMagick is installed.
    """
    if not isinstance(anim, animation.Animation):
        raise TypeError(
            f"save_gif needs a matplotlib.animation.Animation (e.g. a FuncAnimation), "
            f"not {type(anim).__name__}."
        )
    target = _check_target(path)
    fps = check_gif_fps(fps)
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

    temporary = _create_temporary(target.parent)
    try:
        frames = draw_frames(anim, dpi, blit=blit) if writer == "mplgif" else None
        if frames is not None:
            # closing(): restore the figure's canvas and dpi even if encoding fails
            with contextlib.closing(frames), movie_writer.saving(anim._fig, temporary, dpi):
                for pixels in frames:
                    movie_writer.add_frame(pixels)
        else:
            with mpl.rc_context(settings):
                anim.save(temporary, writer=movie_writer, dpi=dpi)
        if temporary.stat().st_size == 0:
            raise RuntimeError(
                f"The {writer} writer finished without writing anything to {str(target)!r}."
            )
        if target.exists():
            shutil.copymode(target, temporary)  # replacing a file keeps its permissions
        os.replace(temporary, target)
    except BaseException as error:
        # Also on KeyboardInterrupt: never leave a half-written file behind.
        temporary.unlink(missing_ok=True)
        if isinstance(error, Exception) and hasattr(error, "add_note"):  # Python 3.11+
            error.add_note(
                f"mplgif.save_gif: saving {str(target)!r} stopped after "
                f"{movie_writer.frames_grabbed} frames; any earlier file there is unchanged."
            )
        raise
    info = gif_info(target)
    _check_timing(info, fps)
    return info


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
    :func:`save_gif`, all frames are held in memory until the end. Written
    atomically, like :func:`save_gif`.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
    path : str or path-like
        Ends in ``.webp``, ``.png`` or ``.apng``.
    fps : float
        Frames per second (both formats store delays in milliseconds).
    dpi : float, optional
        Resolution of the frames; the figure's own dpi if not given.
    **pillow_options
        Passed to Pillow's ``save``, e.g. ``lossless=True`` or ``quality=80``
        for WebP.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = Path(path)
    kind = _PILLOW_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise ValueError(
            f"{str(target)!r} should end in .webp, .png or .apng; for a GIF use save_gif."
        )
    _check_place(target)
    fps = check_gif_fps(fps)
    frames = draw_frames(anim, dpi)
    if frames is None:
        raise TypeError("save_frames needs a FuncAnimation.")
    from PIL import Image

    with contextlib.closing(frames):
        images = [Image.fromarray(pixels[..., :3].copy()) for pixels in frames]
    if not images:
        raise ValueError("The animation produced no frames, so there is nothing to save.")
    temporary = _create_temporary(target.parent)
    try:
        images[0].save(
            temporary,
            format=kind,
            save_all=True,
            append_images=images[1:],
            duration=round(1000 / fps),
            loop=0,
            **pillow_options,
        )
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
