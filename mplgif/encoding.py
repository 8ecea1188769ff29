"""GIF encoding: frames in, bytes out. Imports no Matplotlib.

:class:`GifStream` writes an animated GIF frame by frame:

- one palette for the whole GIF, grown with the exact colours of each frame
  while there is room (figures rarely use more than a few hundred colours,
  and the background and line colours stay exact); a first frame with more
  colours than fit gets a palette planned for it (:func:`_plan`: frequent
  colours exactly, and no group of colours left far from every entry), with
  some entries kept for colours that come later;
- every colour seen is remembered with its nearest palette entry and how far
  that is, so later frames look it up instead of searching again;
- a frame the palette cannot show closely (a colour far from every entry, or
  too much error in all) gets a local colour table of its own, holding the
  exact colours of its changed pixels (or 255 planned ones when they are
  more), instead of being shifted to wrong colours; the next frames go back
  to the global palette whenever it is close enough;
- only the rectangle that changed since the previous frame is encoded (with
  Pillow's LZW encoder), its unchanged pixels transparent or painted again
  with the entry they show, whichever packs smaller, as soon as the
  next frame is known, into a temporary file, so memory does not grow with
  the number of frames; a frame identical to the one before is not stored
  again, that one is shown for both delays (as Pillow stores them);
- small: the file itself is written at the end, once the palette is complete,
  so the global colour table holds just the entries used (64 for a figure of
  40 colours, not 256); transparency is entry 0, and each frame's LZW codes
  start as narrow as the highest entry it uses allows (5 bits for a frame
  using only entries up to 31, not 8);
- fully transparent pixels (alpha 0) stay transparent, and every other pixel
  shows its colour, opaque (GIF has no partial transparency): what
  Matplotlib's PillowWriter asks of Pillow. A partly transparent pixel's colour
  may share an entry up to 8 levels off per channel instead of taking one of
  its own: a transparent figure's antialiased edges have many such colours.
  When pixels a frame shows are transparent in the next frame, that frame's
  rectangle is made to cover them and is cleared after it is shown (GIF's
  "restore to background" disposal), so nothing it drew stays behind;
- delays in the 10 ms units GIF uses, rounded so that the total duration
  stays right when the frame rate does not divide 100
  (:func:`frame_delays_cs`).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import struct
import tempfile
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFile

__all__ = ["GifStream", "frame_delays_cs"]


# How closely the global palette must show a frame's colours, or else the
# frame gets a local colour table of its own. Differences are per channel,
# 0-255. No pixel may be more than _FAR off, and at most _FEW_OFF pixels more
# than _NEAR (odd antialiased blends, say where two curves cross): anything
# further is a different colour, not a rounding, and must not be silently
# replaced. And what the viewer shows may differ from the frame by at most
# _ERROR_BUDGET on average (mean absolute error over every pixel and channel),
# unless the frame makes it no worse.
_NEAR = 12
_FAR = 32
_FEW_OFF = 16
_ERROR_BUDGET = 0.03
# Index 0 of every colour table is kept for "unchanged since the last frame" (GIF
# transparency), which lets the encoder compress the unchanged parts of a changed
# rectangle; it also shows the frame's own transparent pixels. The colours follow
# it, so a frame that uses only the first entries needs narrow LZW codes.
_UNCHANGED = 0
# A fully transparent pixel, packed: 0xFF in the top byte, which no colour has (a
# partly transparent one has _SEE_THROUGH there, below).
_CLEAR = np.uint32(0xFF000000)
_PALETTE_SIZE = 255
# A first frame with more colours than fit plans only this many entries, so
# colours that appear later still find free ones.
_PLANNED_SIZE = 224
# A partly transparent pixel (alpha between 0 and 255) cannot be shown as it is: GIF
# shows it opaque, in its colour. Its colour (Matplotlib's are not premultiplied)
# may then be shown by an entry at most _SEE_THROUGH_NEAR off in every channel instead
# of getting one of its own, and that difference is not counted as error. Transparent
# figures have many such colours (every antialiased edge over a see-through
# background), which would otherwise fill the palette. A GIF with no such pixel is
# encoded as if this rule did not exist. Packed, such a pixel carries _SEE_THROUGH
# above its colour.
_SEE_THROUGH = np.uint32(0x01000000)
_SEE_THROUGH_NEAR = 8
# The longest delay a GIF frame can hold (16 bits of hundredths of a second): identical
# frames merge into one only up to it.
_LONGEST_DELAY_CS = 0xFFFF


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
        Open for writing. Everything is written to it at :meth:`close`, once
        every frame has added its colours: until then, the encoded frames wait
        in a temporary file, so memory does not grow with their number.
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
        # The global palette's colours; in the file, entry i + 1 (entry 0 is
        # transparent).
        self.palette = np.zeros((_PALETTE_SIZE, 3), dtype=np.uint8)
        self.palette_used = 0
        self._loop = loop
        # Every colour seen so far (packed 0x00BBGGRR, with _SEE_THROUGH if partly
        # transparent; sorted), the palette entry nearest to it, and how far that
        # entry is from it: the sum of the absolute differences of the three
        # channels, and the largest one (a far colour stays known as far: later
        # frames need no new search).
        self._known = np.empty(0, dtype=np.uint32)
        self._known_index = np.empty(0, dtype=np.uint8)
        self._known_error = np.empty(0, dtype=np.int32)
        self._known_off = np.empty(0, dtype=np.uint8)
        # Whether a partly transparent colour has been seen: from then on, a new
        # colour that an entry shows exactly (one given to a partly transparent
        # colour, say) needs no entry of its own.
        self._see_through_seen = False
        self._budget = _ERROR_BUDGET * 3 * width * height
        # How far each pixel the viewer shows is from the frame (sum of channel
        # differences), and the total over the frame.
        self._shown_error = np.zeros((height, width), dtype=np.int32)
        self._shown_total = 0
        # The global palette entry each pixel shows (1-based, as in a frame's
        # indices; 0 where it shows nothing, or a colour of a local table).
        self._shown_index = np.zeros((height, width), dtype=np.uint8)
        # What the viewer shows once the last frame written is disposed of
        # (packed colours, _CLEAR where nothing shows), and the frame waiting
        # for the next one, which decides how the viewer disposes of it.
        self._previous: np.ndarray | None = None
        self._pending: tuple[np.ndarray, np.ndarray | None, int] | None = None
        # The frames, encoded, until close() writes the header and the palette
        # before them. (Removed by the system once closed, or on any exit.) Made
        # last: nothing that can fail comes after it here.
        self._frames_file = tempfile.TemporaryFile()

    # -- colours ------------------------------------------------------------

    def _remember(self, colours: np.ndarray) -> None:
        """Add new `colours` (sorted, unique) to the known ones, with their
        nearest palette entry."""
        index, error, off = self._nearest(colours)
        where = np.searchsorted(self._known, colours)  # keeps the known ones sorted
        self._known = np.insert(self._known, where, colours)
        self._known_index = np.insert(self._known_index, where, index)
        self._known_error = np.insert(self._known_error, where, error)
        self._known_off = np.insert(self._known_off, where, off)

    def _add_entries(self, new: np.ndarray, counts: np.ndarray) -> None:
        """Give palette entries to some of the `new` colours while there is room.

        All of them when they fit; otherwise the ones the palette misses most
        (:func:`_plan`: frequent colours, and colours far from every entry).
        """
        see_through = (new & _SEE_THROUGH) != 0
        self._see_through_seen |= bool(see_through.any())
        if self._see_through_seen:  # only those that nothing else shows closely enough
            needed = _needing_entries(new, counts, see_through, self.palette[: self.palette_used])
            new, counts = new[needed], counts[needed]
        free = _PALETTE_SIZE - self.palette_used
        if self.palette_used == 0 and len(new) > _PALETTE_SIZE:
            free = _PLANNED_SIZE  # keep some entries for colours that come later
        if free == 0 or not len(new):
            return
        rgb = _unpack(new)
        if len(new) > free:
            rgb = rgb[_plan(rgb, counts, self.palette[: self.palette_used], free)]
        self.palette[self.palette_used : self.palette_used + len(rgb)] = rgb
        self.palette_used += len(rgb)
        inexact = np.flatnonzero(self._known_error)
        if len(inexact):  # colours seen before may be nearer to a new entry
            index, error, off = self._nearest(self._known[inexact])
            self._known_index[inexact], self._known_error[inexact] = index, error
            self._known_off[inexact] = off

    def _nearest(self, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`_nearest` palette entries of packed `colours`. For a partly
        transparent one whose nearest entry is more than _SEE_THROUGH_NEAR off in
        some channel, an entry within _SEE_THROUGH_NEAR in every channel if there is
        one (the one nearest by the largest channel difference)."""
        rgb, palette = _unpack(colours), self.palette[: self.palette_used]
        index, error, off = _nearest(rgb, palette)
        unsure = np.flatnonzero(((colours & _SEE_THROUGH) != 0) & (off > _SEE_THROUGH_NEAR))
        if len(unsure) and len(palette):
            from scipy.spatial import cKDTree

            distance, found = cKDTree(palette.astype(np.float64)).query(
                rgb[unsure].astype(np.float64), p=np.inf,
                distance_upper_bound=_SEE_THROUGH_NEAR + 0.5)
            unsure, found = unsure[np.isfinite(distance)], found[np.isfinite(distance)]
            diff = np.abs(rgb[unsure].astype(np.int32) - palette[found].astype(np.int32))
            index[unsure], error[unsure] = found, diff.sum(axis=1)
            off[unsure] = diff.max(axis=1)
        return index, error, off

    def _global_indices(self, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Global palette indices of `colours`, with how far each is from its
        entry: the sum of its channel differences, and the largest one (both 0
        for a partly transparent colour at most _SEE_THROUGH_NEAR off)."""
        position, found = self._find(colours)
        if not found.all():
            new, counts = np.unique(colours[~found], return_counts=True)
            self._add_entries(new, counts)
            self._remember(new)
            position, _ = self._find(colours)
        index = self._known_index[position]
        error, off = self._known_error[position], self._known_off[position]
        if self._see_through_seen:
            close = ((colours & _SEE_THROUGH) != 0) & (off <= _SEE_THROUGH_NEAR)
            error[close], off[close] = 0, 0
        return index, error, off

    def _find(self, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self._known):
            return np.zeros(colours.shape, dtype=np.intp), np.zeros(colours.shape, dtype=bool)
        position = np.searchsorted(self._known, colours)
        position[position == len(self._known)] = 0
        return position, self._known[position] == colours

    # -- frames -------------------------------------------------------------

    def add(self, frame: np.ndarray, delay_cs: int) -> None:
        """Append one frame.

        Parameters
        ----------
        frame : ndarray of uint8, shape (height, width, 3) or (height, width, 4)
            The frame. Pixels whose alpha is 0 are transparent; any other
            pixel shows its colour, opaque (a partly transparent one, at most
            _SEE_THROUGH_NEAR off in each channel).
        delay_cs : int
            How long to show it, in hundredths of a second.
        """
        if frame.shape[:2] != (self.height, self.width):
            raise ValueError(
                f"Every frame must be {self.width}x{self.height} pixels; this one is "
                f"{frame.shape[1]}x{frame.shape[0]}. Keep the figure size and dpi fixed while "
                "saving."
            )
        packed, clear = _pack(frame)
        if self._pending is not None:
            waiting, waiting_clear, waiting_delay = self._pending
            if waiting_delay + delay_cs <= _LONGEST_DELAY_CS and np.array_equal(waiting, packed):
                # The same picture again: one frame shown for both delays, as Pillow
                # stores it (the same to the viewer, and a frame less to store).
                self._pending = (waiting, waiting_clear, waiting_delay + delay_cs)
                return
            self._encode(*self._pending, clear_next=clear)
        self._pending = (packed, clear, delay_cs)

    def _encode(
        self, packed: np.ndarray, clear: np.ndarray | None, delay_cs: int, clear_next
    ) -> None:
        """Write the frame `packed` (`clear`: where it is transparent, None if
        nowhere), knowing where the next frame is transparent (None: nowhere,
        or there is no next frame)."""
        if self._previous is None:
            top, bottom, left, right = 0, self.height, 0, self.width
            changed = None
        else:
            changed = packed != self._previous
        # Pixels this frame shows that the next one leaves transparent: the
        # viewer must clear them (disposal 2), so they join the rectangle.
        vanishing = None
        if clear_next is not None:
            vanishing = clear_next if clear is None else clear_next & ~clear
            if not vanishing.any():
                vanishing = None
        if changed is not None:
            touched = changed if vanishing is None else changed | vanishing
            rows = np.flatnonzero(touched.any(axis=1))
            if len(rows) == 0:  # the same picture past the longest delay: one unchanged pixel
                self._write(np.full((1, 1), _UNCHANGED, dtype=np.uint8), (0, 0), delay_cs)
                self._previous = packed
                return
            columns = np.flatnonzero(touched.any(axis=0))
            top, bottom = int(rows[0]), int(rows[-1]) + 1
            left, right = int(columns[0]), int(columns[-1]) + 1
            changed = changed[top:bottom, left:right]
        region = packed[top:bottom, left:right]
        # Only changed pixels with a colour need an entry; the rest are
        # "unchanged" or transparent (the same index).
        if clear is None:
            painted = np.ones(region.shape, dtype=bool) if changed is None else changed
        else:
            painted = ~clear[top:bottom, left:right]
            if changed is not None:
                painted &= changed
        colours = region[painted]
        indices, error, off = self._global_indices(colours)
        shown_region = self._shown_error[top:bottom, left:right]
        shown = shown_region[painted]
        before, after = int(shown.sum()), int(error.sum())
        close = (
            off.max(initial=0) <= _FAR
            and np.count_nonzero(off > _NEAR) <= _FEW_OFF
            and (self._shown_total - before + after <= self._budget or after <= before)
        )
        table = None
        if not close and self._previous is not None:
            # A frame the global palette cannot show closely gets a table of its
            # own colours (the first frame has the palette planned for it).
            table, indices, error = _local_table(colours)
            after = int(error.sum())
        self._shown_total += after - before
        shown_region[painted] = error
        out = np.full(region.shape, _UNCHANGED, dtype=np.uint8)
        out[painted] = indices + 1  # after the transparent entry 0
        disposal = 1 if vanishing is None else 2
        encoded = _lzw(out)
        index_region = self._shown_index[top:bottom, left:right]
        filled = None
        if changed is not None and table is None:
            # Unchanged pixels can also be painted again with the global entry they
            # show: the viewer shows the same, and LZW often packs the frame tighter
            # without the holes. The shorter of the two is kept.
            filled = _painted_again(out, changed, index_region)
        elif changed is not None:
            # With a table of its own: in their colour, where it is an entry (the
            # viewer then shows that colour exactly).
            filled, exact = _filled(out, region, ~changed, table)
        if filled is not None:
            encoded_filled = _lzw(filled)
            if len(encoded_filled[1]) < len(encoded[1]):
                out, encoded = filled, encoded_filled
                if table is not None:
                    self._shown_total -= int(shown_region[exact].sum())
                    shown_region[exact] = 0
        self._write(out, (left, top), delay_cs, table, disposal=disposal, encoded=encoded)
        # Which global entry each pixel now shows (0: none, or one of a local table).
        if table is None:
            np.copyto(index_region, out, where=out != _UNCHANGED)
        else:
            index_region[out != _UNCHANGED] = 0
        self._previous = packed
        if disposal == 2:  # the viewer clears the rectangle once the frame is shown
            self._previous = packed.copy()
            self._previous[top:bottom, left:right] = _CLEAR
            self._shown_total -= int(shown_region.sum())
            shown_region[:] = 0
            index_region[:] = 0

    def _write(
        self,
        indices: np.ndarray,
        offset: tuple[int, int],
        delay_cs: int,
        table=None,
        disposal: int = 1,
        encoded: tuple[int, bytes] | None = None,
    ) -> None:
        """Write one frame: its graphic control extension (delay, disposal, entry 0
        transparent), image descriptor, local colour table (`table`, after entry 0)
        if it has one, and its pixels' table `indices`, LZW-encoded by Pillow with
        codes as narrow as the highest index allows (`encoded`: already done, by
        :func:`_lzw`)."""
        height, width = indices.shape
        flags = 0
        entries = b""
        if table is not None:
            size = _table_entries(len(table))
            flags = 0x80 | (size.bit_length() - 2)  # a local table of `size` entries
            padded = np.zeros((size, 3), dtype=np.uint8)
            padded[1 : len(table) + 1] = table
            entries = padded.tobytes()
            self.local_tables += 1
        bits, data = _lzw(indices) if encoded is None else encoded
        # Encoded in memory, then appended to the frames file with its headers.
        self._frames_file.write(
            b"!\xf9\x04" + struct.pack("<BHBB", disposal << 2 | 1, delay_cs, _UNCHANGED, 0)
            + b"," + struct.pack("<HHHHB", *offset, width, height, flags) + entries
            + bytes([bits]) + data + b"\0"  # the end of its data
        )
        self.frames += 1

    def close(self) -> None:
        """Finish the file: the header with the global palette, every frame, and
        the trailer."""
        try:
            if self._pending is not None:
                self._encode(*self._pending, clear_next=None)
                self._pending = None
            if self.frames == 0:
                raise ValueError(
                    "There are no frames, so there is no GIF to write. Check the animation's "
                    "`frames` argument (a count, or a non-empty iterable)."
                )
            entries = _table_entries(self.palette_used)
            table = np.zeros((entries, 3), dtype=np.uint8)  # entry 0: transparent
            table[1 : self.palette_used + 1] = self.palette[: self.palette_used]
            flags = 0x80 | 0x70 | (entries.bit_length() - 2)  # global table, 8-bit colour
            self.file.write(
                b"GIF89a" + struct.pack("<HHBBB", self.width, self.height, flags, 0, 0)
                + table.tobytes()
            )
            if self._loop is not None:
                self.file.write(
                    b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", self._loop) + b"\x00"
                )
            self._frames_file.seek(0)
            shutil.copyfileobj(self._frames_file, self.file)
            self.file.write(b";")
        finally:
            self._frames_file.close()

    def discard(self) -> None:
        """Drop the frames encoded so far and write nothing more: the save failed.
        (Closes the temporary file that holds them; ``close`` does that too.)"""
        # Closing writes out what is still buffered. Those frames are being thrown away,
        # so a full disk then does not matter (the file is closed all the same), and the
        # error in flight says what went wrong.
        with contextlib.suppress(OSError):
            self._frames_file.close()


def _lzw(indices: np.ndarray) -> tuple[int, bytes]:
    """A frame's table `indices` (2-D uint8) LZW-encoded by Pillow, with codes as
    narrow as the highest index allows: the code size and the data sub-blocks."""
    height, width = indices.shape
    bits = max(2, int(indices.max()).bit_length())  # GIF's LZW needs at least 2
    image = Image.frombuffer("P", (width, height), np.ascontiguousarray(indices), "raw")
    image.encoderconfig = (bits, 0)  # not interlaced
    data = io.BytesIO()
    ImageFile._save(image, data, [("gif", (0, 0, width, height), 0, "P")])
    return bits, data.getvalue()


def _painted_again(out: np.ndarray, changed: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """`out` (a frame's indices in the global palette, _UNCHANGED where the pixel
    did not change) with every unchanged pixel painted with the entry it shows
    (`shown`; _UNCHANGED where that is none of the global palette's)."""
    return np.where(changed, out, shown)


def _filled(
    out: np.ndarray, region: np.ndarray, unchanged: np.ndarray, table: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`out` (a frame's indices, _UNCHANGED where the pixel did not change) with
    every unchanged pixel of `region` (packed colours) whose colour is exactly an
    entry of `table` painted with that entry; and where that was done. Pixels
    that are transparent, wholly or partly, stay as they are."""
    candidates = unchanged & (region < _SEE_THROUGH)  # opaque
    keys = table[:, 0].astype(np.uint32) | table[:, 1].astype(np.uint32) << 8 | (
        table[:, 2].astype(np.uint32) << 16)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    colours = region[candidates]
    position = np.searchsorted(sorted_keys, colours)
    position[position == len(sorted_keys)] = 0
    found = sorted_keys[position] == colours if len(sorted_keys) else np.zeros(len(colours), bool)
    exact = np.zeros(region.shape, dtype=bool)
    exact[candidates] = found
    filled = out.copy()
    filled[exact] = order[position[found]] + 1  # after the transparent entry 0
    return filled, exact


def _table_entries(colours: int) -> int:
    """The entries of a GIF colour table holding `colours` after entry 0: a power
    of two, at least 2."""
    return max(2, 1 << colours.bit_length())


def _nearest(rgb: np.ndarray, palette: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each colour of `rgb` (n, 3): the index of the nearest `palette`
    entry (Euclidean, the lowest index among equally near ones; an entry of
    the colour itself looked up directly, any other found with SciPy's k-d
    tree), the sum of its absolute channel differences, and the largest of
    them."""
    if not len(palette):
        return (
            np.zeros(len(rgb), dtype=np.uint8),
            np.full(len(rgb), 3 * 255, dtype=np.int32),
            np.full(len(rgb), 255, dtype=np.uint8),
        )
    # A colour with an entry of its own (most colours, while the palette has room)
    # needs no search, and no SciPy: importing it costs a process about 27 MB.
    keys, entries = _keys(rgb), _keys(palette)
    entries, first = np.unique(entries, return_index=True)  # the lowest index of each
    position = np.minimum(np.searchsorted(entries, keys), len(entries) - 1)
    exact = entries[position] == keys
    if exact.all():
        zero = np.zeros(len(rgb), dtype=np.int32)
        return first[position].astype(np.uint8), zero, zero.astype(np.uint8)
    index = np.empty(len(rgb), dtype=np.intp)
    index[exact] = first[position[exact]]
    inexact = np.flatnonzero(~exact)
    index[inexact] = _searched(rgb[inexact], palette)
    index = index.astype(np.uint8)
    off = np.abs(rgb.astype(np.int32) - palette[index].astype(np.int32))
    return index, off.sum(axis=1, dtype=np.int32), off.max(axis=1).astype(np.uint8)


def _keys(rgb: np.ndarray) -> np.ndarray:
    """Colours (n, 3) as one whole number each."""
    rgb = rgb.astype(np.uint32)
    return rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16


def _searched(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The index of the `palette` entry nearest to each colour of `rgb` (Euclidean,
    the lowest index among equally near ones), found with SciPy's k-d tree."""
    from scipy.spatial import cKDTree  # imported on first use: most GIFs never need it

    # The nearest few, so that among entries equally near the lowest index wins,
    # as in a search entry by entry (distances of whole numbers tie exactly).
    near = min(4, len(palette))
    distance, found = cKDTree(palette.astype(np.float64)).query(rgb.astype(np.float64), k=near)
    distance, found = distance.reshape(len(rgb), near), found.reshape(len(rgb), near)
    tied = distance == distance[:, :1]
    index = np.where(tied, found, len(palette)).min(axis=1)
    if near < len(palette):
        unsure = np.flatnonzero(tied[:, -1])  # all `near` tie: there may be more
        for row in unsure:
            squared = ((palette.astype(np.int32) - rgb[row].astype(np.int32)) ** 2).sum(axis=1)
            index[row] = squared.argmin()
    return index


def _plan(rgb: np.ndarray, counts: np.ndarray, palette: np.ndarray, size: int) -> np.ndarray:
    """Which `size` of the colours `rgb` (n, 3, unique) to add to `palette`.

    Greedily, the colour whose pixels the palette so far shows worst (count
    times the distance to its nearest entry), then again with that colour
    added: frequent colours get entries first, and no group of colours stays
    far from every entry while the palette has room. Deterministic.
    """
    channels = [np.ascontiguousarray(channel, dtype=np.int32) for channel in rgb.T]
    distance = np.full(len(rgb), 3 * 255, dtype=np.int32)
    near, part = np.empty_like(distance), np.empty_like(distance)

    def come_closer(colour) -> None:
        """distance = the smaller of itself and the distance to `colour`, in place
        (this runs `size` times: no temporary arrays)."""
        for number, (channel, value) in enumerate(zip(channels, colour, strict=True)):
            target = near if number == 0 else part
            np.subtract(channel, int(value), out=target)
            np.abs(target, out=target)
            if number:
                np.add(near, part, out=near)
        np.minimum(distance, near, out=distance)

    for entry in palette:
        come_closer(entry)
    weight = counts.astype(np.int64)
    score = np.empty(len(rgb), dtype=np.int64)
    chosen = []
    for _ in range(size):
        np.multiply(weight, distance, out=score)
        best = int(score.argmax())
        if score[best] == 0:
            break
        chosen.append(best)
        come_closer(rgb[best])
    return np.array(sorted(chosen), dtype=np.intp)


def _needing_entries(
    new: np.ndarray, counts: np.ndarray, see_through: np.ndarray, palette: np.ndarray
) -> np.ndarray:
    """Which of the `new` packed colours (unique, with their pixel `counts`) need an
    entry of their own: an opaque one unless an entry has its exact colour, and a
    partly transparent one (`see_through`) only when no entry, no opaque new colour
    and no more frequent one given an entry is within _SEE_THROUGH_NEAR of it in every
    channel. Deterministic."""
    from scipy.spatial import cKDTree  # imported on first use, as in _nearest

    needed = ~see_through
    rgb = _unpack(new).astype(np.float64)
    reach = _SEE_THROUGH_NEAR + 0.5  # whole-number channels: within reach is <= NEAR
    if len(palette) and needed.any():  # an opaque colour an entry already has exactly
        opaque = np.flatnonzero(needed)
        distance, _ = cKDTree(palette.astype(np.float64)).query(
            rgb[opaque], p=np.inf, distance_upper_bound=0.5)
        needed[opaque[np.isfinite(distance)]] = False
    candidates = np.flatnonzero(see_through)
    shown = np.concatenate([palette.astype(np.float64), rgb[needed]])
    if len(shown) and len(candidates):  # largest channel difference: Chebyshev (p = inf)
        distance, _ = cKDTree(shown).query(rgb[candidates], p=np.inf, distance_upper_bound=reach)
        candidates = candidates[np.isinf(distance)]
    # The most frequent first: each one given an entry covers those within reach.
    order = candidates[np.argsort(-counts[candidates], kind="stable")]
    if not len(order):
        return needed
    tree = cKDTree(rgb[order])
    covered = np.zeros(len(order), dtype=bool)
    for position in range(len(order)):
        if not covered[position]:
            needed[order[position]] = True
            covered[tree.query_ball_point(rgb[order[position]], r=reach, p=np.inf)] = True
    return needed


def _local_table(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A colour table of its own for a frame's changed pixels `colours`
    (packed): the table, their indices in it and how far each pixel is from
    its entry (sum of channel differences). Their exact colours when at most
    255, else 255 of them planned as for the global palette."""
    # Without _SEE_THROUGH: a colour partly transparent in some pixels is one entry.
    unique, inverse, counts = np.unique(
        colours & np.uint32(0x00FFFFFF), return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    rgb = _unpack(unique)
    if len(unique) <= _PALETTE_SIZE:
        return rgb, inverse.astype(np.uint8), np.zeros(len(colours), dtype=np.int32)
    table = rgb[_plan(rgb, counts, np.empty((0, 3), dtype=np.uint8), _PALETTE_SIZE)]
    index, error, _ = _nearest(rgb, table)
    return table, index[inverse], error[inverse]


def _pack(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Each pixel as one uint32, 0x00BBGGRR, _CLEAR where alpha is 0, plus
    _SEE_THROUGH where alpha is between 0 and 255; and where alpha is 0 (None if
    nowhere). Other pixels keep their colour (Matplotlib's are not premultiplied
    by alpha)."""
    if frame.shape[-1] == 3:
        frame = np.concatenate(
            [frame, np.full(frame.shape[:2] + (1,), 255, dtype=np.uint8)], axis=-1
        )
    # RGBA bytes read as little-endian uint32 are R | G << 8 | B << 16 | A << 24.
    words = np.ascontiguousarray(frame).view("<u4").reshape(frame.shape[:2])
    packed = words & np.uint32(0x00FFFFFF)
    packed[(words >= np.uint32(0x01000000)) & (words < np.uint32(0xFF000000))] |= _SEE_THROUGH
    clear = words < np.uint32(0x01000000)  # alpha 0
    if not clear.any():
        return packed, None
    packed[clear] = _CLEAR
    return packed, clear


def _unpack(packed: np.ndarray) -> np.ndarray:
    """Packed colours back to an (n, 3) uint8 array."""
    return np.stack([(packed >> shift) & 0xFF for shift in (0, 8, 16)], axis=-1).astype(np.uint8)
