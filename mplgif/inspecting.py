"""Look inside a saved GIF: its frames, timing and size, and show it inline."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageSequence

__all__ = ["GifInfo", "gif_info", "show_gif"]


@dataclass(frozen=True)
class GifInfo:
    """What a viewer of a GIF will see, read back from the file.

    Attributes
    ----------
    path : pathlib.Path
        The file that was read.
    frames : int
        Number of frames stored. Pillow's writer merges identical consecutive
        frames into one longer frame, so this can be less than the number of
        frames the animation drew.
    durations_ms : tuple of int
        Delay of each frame in milliseconds, as stored (GIF keeps 10 ms units).
    loop : int or None
        ``0`` loops forever, ``n`` repeats n more times, ``None`` plays once
        (the file has no looping extension).
    width, height : int
        Size of the logical screen in pixels.
    size_bytes : int
        Size of the file on disk.
    """

    path: Path
    frames: int
    durations_ms: tuple[int, ...]
    loop: int | None
    width: int
    height: int
    size_bytes: int

    @property
    def total_duration_ms(self) -> int:
        """Length of one pass through the animation, in milliseconds."""
        return sum(self.durations_ms)

    def describe(self) -> str:
        """One line a reader can check: frames, delays, looping and pixel size.

        The byte count is left out on purpose: it changes with the Pillow or
        ImageMagick version, while these facts do not.

        Examples
        --------
        >>> info = GifInfo(Path("a.gif"), 3, (20, 20, 40), 0, 64, 48, 1234)
        >>> info.describe()
        'a.gif: 3 frames, 20-40 ms each (80 ms in all), loops forever, 64x48 px'
        """
        low, high = min(self.durations_ms), max(self.durations_ms)
        delay = f"{low} ms" if low == high else f"{low}-{high} ms"
        if self.loop is None:
            looping = "plays once"
        elif self.loop == 0:
            looping = "loops forever"
        else:
            looping = f"plays {self.loop + 1} times"
        return (
            f"{self.path.name}: {self.frames} frames, {delay} each "
            f"({self.total_duration_ms} ms in all), {looping}, "
            f"{self.width}x{self.height} px"
        )


def _existing_gif(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"No file at {str(path)!r} (resolved from {os.getcwd()!r}). "
            "Check the path, or run the notebook that writes it first."
        )
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give the path of a .gif file.")
    return path


def gif_info(path: str | os.PathLike[str]) -> GifInfo:
    """Read a GIF's frame count, per-frame delays, looping and size.

    Parameters
    ----------
    path : str or path-like
        The GIF to read.

    Returns
    -------
    GifInfo
        The facts a viewer would notice, read with Pillow.

    Raises
    ------
    FileNotFoundError
        If there is no file at `path`.
    ValueError
        If the file is not a GIF.
    """
    path = _existing_gif(path)
    try:
        image = Image.open(path)
    except Image.UnidentifiedImageError as exc:
        raise ValueError(f"{str(path)!r} is not an image Pillow can read.") from exc
    with image:
        if image.format != "GIF":
            raise ValueError(f"{str(path)!r} is a {image.format} image, not a GIF.")
        durations = tuple(
            int(frame.info.get("duration", 0)) for frame in ImageSequence.Iterator(image)
        )
        loop = image.info.get("loop")
        width, height = image.size
    return GifInfo(
        path=path,
        frames=len(durations),
        durations_ms=durations,
        loop=None if loop is None else int(loop),
        width=width,
        height=height,
        size_bytes=path.stat().st_size,
    )


class _GifReference:
    """An inline GIF that stores a reference in the notebook, not the bytes."""

    def __init__(self, src: str, info: GifInfo, width: int | None) -> None:
        self.src = src
        self.info = info
        self.width = width

    def _repr_html_(self) -> str:
        width = "" if self.width is None else f' width="{self.width}"'
        alt = html.escape(self.info.describe(), quote=True)
        return f'<img src="{html.escape(self.src, quote=True)}"{width} alt="{alt}">'

    def __repr__(self) -> str:
        return self.info.describe()


def show_gif(path: str | os.PathLike[str], *, width: int | None = None) -> _GifReference:
    """Display a saved GIF in a notebook, animated, by reference.

    The notebook stores a short ``<img src=...>`` tag that points at the file,
    not the file's bytes, so notebooks stay small and their stored output does
    not change when a library version changes the GIF's bytes.

    Parameters
    ----------
    path : str or path-like
        The GIF, relative to the notebook's folder (the kernel's working
        directory) or absolute.
    width : int, optional
        Display width in CSS pixels; the GIF's own width if not given.

    Returns
    -------
    object
        Shown as the animated image in JupyterLab; its plain-text form is
        the GIF's :meth:`GifInfo.describe` line.
    """
    path = _existing_gif(path)
    info = gif_info(path)
    # Relative, with forward slashes, so the tag works wherever the
    # repository is cloned and on every operating system.
    try:
        relative = Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError as error:  # Windows: another drive has no relative path
        raise ValueError(
            f"{str(path)!r} is on another drive than the notebook ({os.getcwd()!r}); "
            "a notebook can only show files it can reach by a relative path. "
            "Save the GIF next to the notebook."
        ) from error
    return _GifReference(quote(relative), info, width)
