"""GIF encoding: frames in, bytes out. Imports no Matplotlib.

:class:`GifStream` writes an animated GIF frame by frame:

- one palette for the whole GIF, grown with the exact colours of each frame
  while there is room (figures rarely use more than a few hundred colours,
  and the background and line colours stay exact);
- only the rectangle that changed since the previous frame is encoded (with
  Pillow's LZW encoder) and written at once, so memory does not grow with
  the number of frames;
- a frame whose new colours the palette cannot represent closely gets its
  own local colour table, instead of shifting them to the nearest entry;
- delays in the 10 ms units GIF uses, rounded so that the total duration
  stays right when the frame rate does not divide 100
  (:func:`frame_delays_cs`).
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

__all__ = ["GifStream", "frame_delays_cs"]


# New colours further than _FAR (Euclidean, 0-255 RGB) from every palette entry
# and covering at least _MANY_PIXELS pixels are something new being drawn (a
# curve in a colour the palette lacks), not the odd antialiased edge: their
# frame gets a local colour table instead of being shifted to nearby colours.
_FAR = 24.0
_MANY_PIXELS = 24
# Index 255 is kept for "unchanged since the last frame" (GIF transparency),
# which lets the encoder compress the unchanged parts of a changed rectangle.
_UNCHANGED = 255
_PALETTE_SIZE = 255
# A first frame with more colours than that seeds only this many entries, so
# colours that appear later still find free ones.
_SEED_SIZE = 192


def frame_delays_cs(frames: int, fps: float) -> list[int]:
    """Delays in hundredths of a second that keep `frames` frames in step with `fps`.

    Frame ``i`` ends at ``round((i + 1) * 100 / fps)`` hundredths, so when the
    frame rate does not divide 100 the delays alternate (30 fps: 3, 4, 3, 3,
    4, ...) and the animation as a whole keeps its speed.

    Examples
    --------
    >>> frame_delays_cs(6, fps=30)
    [3, 4, 3, 3, 4, 3]
    >>> frame_delays_cs(3, fps=50)
    [2, 2, 2]
    """
    ends = [_frame_end_cs(index, fps) for index in range(frames)]
    return [end - start for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _frame_end_cs(index: int, fps: float) -> int:
    """When frame `index` (0-based) should end, in hundredths of a second."""
    return round((index + 1) * 100 / fps)


class GifStream:
    """Write an animated GIF frame by frame to a seekable binary file.

    Parameters
    ----------
    file : binary file
        Open for writing and seekable: the global palette is completed at
        :meth:`close`, once every frame has added its colours.
    width, height : int
        Size of every frame in pixels.
    loop : int or None
        0 loops forever; n plays n + 1 times in all; None plays once.
    """

    def __init__(self, file: BinaryIO, width: int, height: int, *, loop: int | None = 0) -> None:
        self.file = file
        self.width, self.height = width, height
        self.frames = 0
        self.local_tables = 0
        self.palette = np.zeros((_PALETTE_SIZE, 3), dtype=np.uint8)
        self.palette_used = 0
        # Colours seen so far (packed 0xBBGGRR, sorted) and their palette index.
        self._known = np.empty(0, dtype=np.uint32)
        self._known_index = np.empty(0, dtype=np.uint8)
        self._previous: np.ndarray | None = None  # packed colours the viewer shows
        screen_flags = 0x80 | 0x70 | 0x07  # global table, 8-bit colour, 256 entries
        file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, screen_flags, 0, 0))
        self._palette_offset = file.tell()
        file.write(bytes(3 * 256))
        if loop is not None:
            file.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")

    # -- colours ------------------------------------------------------------

    def _remember(self, colours: np.ndarray, indices: np.ndarray) -> None:
        merged = np.concatenate([self._known, colours])
        order = np.argsort(merged, kind="stable")
        self._known = merged[order]
        self._known_index = np.concatenate([self._known_index, indices])[order]

    def _nearest(self, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of, and distance to, the nearest palette entry of each colour."""
        palette = self.palette[: self.palette_used].astype(np.int32)[None, :, :]
        nearest = np.empty(len(colours), dtype=np.uint8)
        distance = np.empty(len(colours), dtype=np.float64)
        for start in range(0, len(colours), 4096):  # bounded memory for many colours
            rgb = _unpack(colours[start : start + 4096]).astype(np.int32)[:, None, :]
            squared = ((rgb - palette) ** 2).sum(axis=-1)
            best = squared.argmin(axis=1)
            nearest[start : start + len(best)] = best
            distance[start : start + len(best)] = np.sqrt(squared[np.arange(len(best)), best])
        return nearest, distance

    def _seed_palette(self, colours: np.ndarray, counts: np.ndarray, rgb: np.ndarray) -> None:
        """A first frame with more colours than fit: its most frequent colours
        exactly, the rest of the palette from a median cut of the frame."""
        frequent = colours[np.argsort(-counts, kind="stable")[:64]]
        cut = Image.fromarray(np.ascontiguousarray(rgb)).quantize(
            colors=_SEED_SIZE - len(frequent),
            method=Image.Quantize.MEDIANCUT,
            dither=Image.Dither.NONE,
        )
        used = len(cut.getcolors(_PALETTE_SIZE) or [])
        cut_palette = np.array(cut.getpalette()[: 3 * used], dtype=np.uint8).reshape(-1, 3)
        entries = np.concatenate([_unpack(frequent), cut_palette])[:_SEED_SIZE]
        self.palette[: len(entries)] = entries
        self.palette_used = len(entries)
        self._remember(colours, self._nearest(colours)[0])

    def _lookup(self, packed: np.ndarray, rgb) -> np.ndarray | None:
        """Palette indices of `packed` colours, or None if some are far from all.

        `rgb` returns the frame region's pixels, needed only to seed the palette.
        """
        if len(self._known):
            position = np.searchsorted(self._known, packed)
            position[position == len(self._known)] = 0
            found = self._known[position] == packed
        else:
            found = np.zeros(packed.shape, dtype=bool)
        if not found.all():
            new, counts = np.unique(packed[~found], return_counts=True)
            if not len(self._known) and len(new) > _PALETTE_SIZE:
                self._seed_palette(new, counts, rgb())
            else:
                order = np.argsort(-counts, kind="stable")  # frequent ones get exact slots
                new, counts_sorted = new[order], counts[order]
                exact = min(_PALETTE_SIZE - self.palette_used, len(new))
                slots = np.arange(self.palette_used, self.palette_used + exact).astype(np.uint8)
                self.palette[self.palette_used : self.palette_used + exact] = _unpack(new[:exact])
                self.palette_used += exact
                nearest, distance = self._nearest(new[exact:])
                if counts_sorted[exact:][distance > _FAR].sum() >= _MANY_PIXELS:
                    self._remember(new[:exact], slots)  # these stay useful for later frames
                    return None
                self._remember(new, np.concatenate([slots, nearest]))
            position = np.searchsorted(self._known, packed)
        return self._known_index[position]

    # -- frames -------------------------------------------------------------

    def add(self, frame: np.ndarray, delay_cs: int) -> None:
        """Append one frame.

        Parameters
        ----------
        frame : ndarray of uint8, shape (height, width, 3) or (height, width, 4)
            The frame; an alpha channel is composited onto white.
        delay_cs : int
            How long to show it, in hundredths of a second.
        """
        if frame.shape[:2] != (self.height, self.width):
            raise ValueError(
                f"Every frame must be {self.width}x{self.height} pixels; this one is "
                f"{frame.shape[1]}x{frame.shape[0]}. Keep the figure size and dpi fixed while "
                "saving."
            )
        packed = _pack(frame)
        if self._previous is None:
            top, bottom, left, right = 0, self.height, 0, self.width
            changed = None
        else:
            different = packed != self._previous
            rows = np.flatnonzero(different.any(axis=1))
            if len(rows) == 0:  # identical frame: one unchanged pixel keeps its timing
                self._write(np.full((1, 1), _UNCHANGED, dtype=np.uint8), (0, 0), delay_cs)
                return
            columns = np.flatnonzero(different.any(axis=0))
            top, bottom = int(rows[0]), int(rows[-1]) + 1
            left, right = int(columns[0]), int(columns[-1]) + 1
            changed = different[top:bottom, left:right]
        region = packed[top:bottom, left:right]
        # Only changed pixels need a colour; the rest are "unchanged" (transparent).
        colours = region.ravel() if changed is None else region[changed]
        indices = self._lookup(colours, lambda: _unpack_image(region))
        if indices is not None:
            if changed is None:
                self._write(indices.reshape(region.shape), (left, top), delay_cs)
            else:
                out = np.full(region.shape, _UNCHANGED, dtype=np.uint8)
                out[changed] = indices
                self._write(out, (left, top), delay_cs)
        else:
            self._write_with_local_table(_unpack_image(region), (left, top), delay_cs)
            # The viewer now shows that rectangle in the local table's colours,
            # not the exact ones: mark it so the next frame rewrites it.
            packed = packed.copy()
            packed[top:bottom, left:right] = _NO_COLOUR
        self._previous = packed

    def _write(self, indices: np.ndarray, offset: tuple[int, int], delay_cs: int) -> None:
        image = Image.frombuffer(
            "P", (indices.shape[1], indices.shape[0]), np.ascontiguousarray(indices), "raw"
        )
        for chunk in GifImagePlugin.getdata(
            image, offset=offset, duration=10 * delay_cs, disposal=1, transparency=_UNCHANGED
        ):
            self.file.write(chunk)
        self.frames += 1

    def _write_with_local_table(self, rgb: np.ndarray, offset, delay_cs: int) -> None:
        quantized = Image.fromarray(np.ascontiguousarray(rgb)).quantize(
            colors=_PALETTE_SIZE, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        for chunk in GifImagePlugin.getdata(
            quantized, offset=offset, duration=10 * delay_cs, disposal=1, include_color_table=True
        ):
            self.file.write(chunk)
        self.frames += 1
        self.local_tables += 1

    def close(self) -> None:
        """Finish the file: complete the global palette and write the trailer."""
        if self.frames == 0:
            raise ValueError(
                "There are no frames, so there is no GIF to write. Check the animation's "
                "`frames` argument (a count, or a non-empty iterable)."
            )
        self.file.write(b";")
        end = self.file.tell()
        self.file.seek(self._palette_offset)
        self.file.write(self.palette.tobytes() + bytes(3))  # entry 255: transparent
        self.file.seek(end)


_NO_COLOUR = np.uint32(0xFF000000)  # never equal to a packed RGB colour


def _pack(frame: np.ndarray) -> np.ndarray:
    """Each pixel as one uint32, 0x00BBGGRR; transparency composited onto white."""
    if frame.shape[-1] == 3:
        frame = np.concatenate(
            [frame, np.full(frame.shape[:2] + (1,), 255, dtype=np.uint8)], axis=-1
        )
    elif frame[..., 3].min() < 255:
        weight = frame[..., 3:].astype(np.float32) / 255
        rgb = np.round(frame[..., :3] * weight + 255 * (1 - weight)).astype(np.uint8)
        return _pack(rgb)
    # RGBA bytes read as little-endian uint32 are R | G << 8 | B << 16 | A << 24.
    words = np.ascontiguousarray(frame).view("<u4").reshape(frame.shape[:2])
    return words & np.uint32(0x00FFFFFF)


def _unpack(packed: np.ndarray) -> np.ndarray:
    """Packed colours back to an (n, 3) uint8 array."""
    return np.stack([(packed >> shift) & 0xFF for shift in (0, 8, 16)], axis=-1).astype(np.uint8)


def _unpack_image(packed: np.ndarray) -> np.ndarray:
    """A packed (h, w) image back to (h, w, 3) RGB."""
    return _unpack(packed.ravel()).reshape(packed.shape + (3,))
