"""Look inside a saved GIF: its frames, timing and size, and show it inline."""

from __future__ import annotations

import html
import numbers
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from PIL import Image

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
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"No file at {str(path)!r} (resolved from {os.getcwd()!r}). "
            "Check the path, or run the notebook that writes it first."
        )
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give the path of a .gif file.")
    return path


# A GIF's frames are decoded at the size of its declared screen, whatever
# their own size: a file of a hundred bytes can ask a viewer for gigabytes.
MAX_PIXELS = 2_000_000_000


def gif_info(path: str | os.PathLike[str], *, max_pixels: int | None = MAX_PIXELS) -> GifInfo:
    """Read a GIF's frame count, per-frame delays, looping and size.

    Only the file's structure is read (headers, delays, block lengths); no
    frame is decoded, so this is fast and uses little memory on any file.

    Parameters
    ----------
    path : str or path-like
        The GIF to read (``~`` is expanded).
    max_pixels : int or None
        Refuse a GIF whose declared screen size times its frame count is
        larger than this, or whose screen is larger than Pillow's
        ``Image.MAX_IMAGE_PIXELS``: a viewer decodes every frame at the
        screen's size, so such a file (a "GIF bomb") can exhaust memory
        wherever it is shown. ``None`` accepts any size.

    Returns
    -------
    GifInfo
        The facts a viewer would notice.

    Raises
    ------
    FileNotFoundError
        If there is no file at `path`.
    ValueError
        If the file is not a GIF, is truncated or damaged, or declares more
        pixels than `max_pixels`.
    """
    path = _existing_gif(path)
    with open(path, "rb") as file:
        data = file.read()
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        _not_a_gif(path, data)
    try:
        gif = _walk(data)
    except _Truncated as stop:
        raise ValueError(
            f"{str(path)!r} is truncated: its {len(data):,} bytes end inside frame "
            f"{stop.frames + 1}, before the GIF's end marker. It was not written completely "
            "(an interrupted copy or save); save or download it again."
        ) from None
    except _Damaged as stop:
        raise ValueError(
            f"{str(path)!r} is damaged: byte {stop.position:,} (0x{stop.byte:02x}) starts no "
            f"GIF block, after {stop.frames} frames. Save or download it again."
        ) from None
    frames = len(gif.durations_ms)
    if max_pixels is not None:
        screen = max([gif.width * gif.height, *gif.frame_areas])
        # Pillow's own limit for one image (a "decompression bomb"), which its users may change.
        per_frame = Image.MAX_IMAGE_PIXELS or screen
        if screen > per_frame or screen * frames > max_pixels:
            raise ValueError(
                f"{str(path)!r} declares {frames} frames of {gif.width}x{gif.height} pixels "
                f"({screen * frames / 1e6:,.0f} Mpx to decode in all, from a file of "
                f"{len(data):,} bytes), more than gif_info accepts ({per_frame / 1e6:,.0f} Mpx "
                f"a frame, {max_pixels / 1e6:,.0f} Mpx in all): it may be built to exhaust "
                "memory wherever it is shown. If you trust it, pass max_pixels=None."
            )
    return GifInfo(
        path=path,
        frames=frames,
        durations_ms=tuple(gif.durations_ms),
        loop=gif.loop,
        width=gif.width,
        height=gif.height,
        size_bytes=len(data),
    )


def _not_a_gif(path: Path, data: bytes):
    if not data:
        raise ValueError(f"{str(path)!r} is empty, not a GIF; save it again.")
    try:
        with Image.open(path) as image:
            kind = image.format
    except (Image.UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{str(path)!r} is not an image Pillow can read.") from exc
    raise ValueError(f"{str(path)!r} is a {kind} image, not a GIF.")


@dataclass
class _Structure:
    width: int
    height: int
    durations_ms: list[int] = field(default_factory=list)
    frame_areas: list[int] = field(default_factory=list)  # a frame may exceed the screen
    loop: int | None = None
    table_entries: int = 0  # the global colour table's (0: none)
    frame_tables: list[int] = field(default_factory=list)  # entries of each local table
    code_sizes: list[int] = field(default_factory=list)  # each frame's LZW minimum code size


class _Truncated(Exception):
    def __init__(self, frames: int) -> None:
        self.frames = frames


class _Damaged(Exception):
    def __init__(self, position: int, byte: int, frames: int) -> None:
        self.position, self.byte, self.frames = position, byte, frames


def _table_size(flags: int) -> int:
    """Bytes of the colour table that a descriptor's flags announce."""
    return 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0


def _walk(data: bytes) -> _Structure:
    """The GIF's block structure: sizes, delays and looping; no pixel is decoded."""
    if len(data) < 13:
        raise _Truncated(0)
    gif = _Structure(*struct.unpack_from("<HH", data, 6))
    gif.table_entries = _table_size(data[10]) // 3
    position = 13 + _table_size(data[10])
    delay_ms = 0

    def need(end: int) -> None:
        if end > len(data):
            raise _Truncated(len(gif.durations_ms))

    def skip_sub_blocks(position: int) -> int:
        while True:  # each sub-block: a length byte, then that many bytes; 0 ends
            need(position + 1)
            size = data[position]
            position += 1 + size
            if size == 0:
                return position
            need(position)

    while True:
        need(position + 1)
        block = data[position]
        if block == 0x3B:  # the end marker
            return gif
        if block == 0x21:  # extension: a label, then sub-blocks
            need(position + 3)
            label, size = data[position + 1], data[position + 2]
            need(position + 3 + size)
            body = data[position + 3 : position + 3 + size]
            if label == 0xF9 and size >= 4:  # graphic control: the next frame's delay
                delay_ms = 10 * struct.unpack_from("<H", body, 1)[0]
            elif label == 0xFF and body in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
                after = position + 3 + size
                need(after + 4)
                if data[after] >= 3 and data[after + 1] == 1:
                    gif.loop = struct.unpack_from("<H", data, after + 2)[0]
            position = skip_sub_blocks(position + 2)
        elif block == 0x2C:  # a frame: descriptor, local table, LZW code size, data
            need(position + 10)
            frame_width, frame_height = struct.unpack_from("<HH", data, position + 5)
            gif.frame_tables.append(_table_size(data[position + 9]) // 3)
            position += 10 + _table_size(data[position + 9])
            need(position + 1)
            gif.code_sizes.append(data[position])
            position = skip_sub_blocks(position + 1)
            gif.durations_ms.append(delay_ms)
            gif.frame_areas.append(frame_width * frame_height)
            delay_ms = 0
        else:
            raise _Damaged(position, block, len(gif.durations_ms))


def _check_width(width) -> int | None:
    """`width` as an int of CSS pixels, or a clear error (it goes into HTML)."""
    if width is None:
        return None
    if isinstance(width, bool) or not isinstance(width, numbers.Integral):
        raise TypeError(
            f"width must be a whole number of CSS pixels, e.g. width=400, not {width!r}."
        )
    if not 1 <= width <= 10_000:
        raise ValueError(f"width must be from 1 to 10000 CSS pixels; got {width!r}.")
    return int(width)


class _GifReference:
    """An inline GIF that stores a reference in the notebook, not the bytes."""

    def __init__(self, src: str, info: GifInfo, width: int | None) -> None:
        self.src = src
        self.info = info
        self.width = width

    def _repr_html_(self) -> str:
        width = "" if self.width is None else f' width="{int(self.width)}"'
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
        Display width in CSS pixels (a whole number from 1 to 10000); the
        GIF's own width if not given.

    Returns
    -------
    object
        Shown as the animated image in JupyterLab; its plain-text form is
        the GIF's :meth:`GifInfo.describe` line.
    """
    width = _check_width(width)
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
