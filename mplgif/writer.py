"""A streaming GIF writer: each frame is encoded as it comes, with one palette.

Matplotlib's ``PillowWriter`` keeps every frame in memory and quantizes each
one separately at the end; ``ImageMagickWriter`` hands every frame to an
external program. This writer instead

- keeps one palette for the whole GIF, growing it with the exact colours of
  each frame while there is room (figures rarely use more than a few hundred
  colours, and the background and line colours stay exact);
- encodes only the rectangle that changed since the previous frame, with
  Pillow's GIF encoder, and writes it to the file at once, so memory does not
  grow with the number of frames;
- gives a frame whose new colours the palette cannot represent closely its own
  local colour table, instead of shifting them to the nearest palette colour;
- stores delays in the 10 ms units GIF uses, rounding so that the total
  duration stays right when the frame rate does not divide 100.

It is registered with Matplotlib as ``"mplgif"``, so
``anim.save("out.gif", writer="mplgif", fps=25)`` works once :mod:`mplgif` is
imported; :func:`mplgif.save_gif` uses it by default.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import numbers
import struct
import warnings
from pathlib import Path
from typing import BinaryIO

import matplotlib as mpl
import numpy as np
from matplotlib import animation
from matplotlib import colors as mcolors
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import AxesImage
from PIL import GifImagePlugin, Image

from .files import PartialFile, check_folder, check_suffix, full_disk_error
from .inspecting import gif_info

__all__ = ["GifStream", "GifTimingWarning", "GifWriter", "frame_delays_cs"]


class GifTimingWarning(UserWarning):
    """The GIF could not store the frame delay that the frame rate asked for."""


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


class FailureAwareWriter:
    """Mixin: ``saving()`` tells ``finish()`` whether the frames failed.

    Matplotlib's ``saving()`` calls ``finish()`` in a ``finally`` clause, so a
    writer cannot otherwise tell a failed save from a complete one. A failure
    inside ``setup()`` is cleaned up by ``setup()`` itself (nothing else
    knows what it made); ``finish()`` runs only once ``setup()`` succeeded.
    """

    failed = False
    finishing = False  # True once every frame is in: an error now is the file's, not a frame's

    @contextlib.contextmanager
    def saving(self, fig, outfile, dpi, *args, **kwargs):
        self.failed = False
        self.finishing = False
        try:
            self.setup(fig, outfile, dpi, *args, **kwargs)
            with mpl.rc_context({"savefig.bbox": None}):
                try:
                    yield self
                except BaseException as error:
                    self.failed = True
                    self.finish()
                    better = full_disk_error(error, Path(outfile).expanduser())
                    if better is not None:
                        raise better from error
                    raise
                self.finishing = True
                self.finish()
        finally:
            # Whatever stopped the save, and wherever: nothing half-written stays.
            self.clean_up()

    def clean_up(self) -> None:
        """Remove whatever a save that did not complete left behind (nothing, by default)."""


def check_gif_fps(fps) -> float:
    """`fps` as a float, if a GIF can store a delay for it; else a clear error."""
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real):
        raise TypeError(f"fps must be a number of frames per second, not {fps!r}.")
    if not math.isfinite(fps) or fps <= 0:
        raise ValueError(
            f"fps must be a positive, finite number of frames per second; got {fps!r}."
        )
    if fps > 100:
        raise ValueError(
            f"fps={fps!r} asks for {1000 / fps:.1f} ms per frame, but GIF stores delays "
            "in 10 ms units, so 100 fps is the most a GIF can say (and browsers slow "
            "delays under 20 ms down). Use fps=50 or less."
        )
    if fps < 100 / 65535:
        raise ValueError(
            f"fps={fps:.3g} asks for {1 / fps:.3g} s per frame; a GIF frame lasts at most "
            "655.35 s. Use fps=0.002 or more."
        )
    return float(fps)


# Frames are refused above this size: one RGBA frame of 25 Mpx is 100 MB, and
# drawing, comparing and encoding it needs several such buffers.
MAX_SIDE_PX = 10_000
MAX_FRAME_PIXELS = 25_000_000


def check_dpi(fig, dpi) -> float:
    """`dpi` (the figure's own if None) as a float, if it gives frames of a size
    that can be drawn and saved; else a clear error saying how to fix it."""
    if dpi is None:
        dpi = fig.dpi
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real):
        raise TypeError(f"dpi must be a number of dots per inch, e.g. dpi=100, not {dpi!r}.")
    if not math.isfinite(dpi) or dpi <= 0:
        raise ValueError(f"dpi must be a positive, finite number of dots per inch; got {dpi!r}.")
    dpi = float(dpi)
    width_in, height_in = (float(size) for size in fig.get_size_inches())
    # Matplotlib's frames are int(inches * dpi) pixels a side.
    width, height = int(width_in * dpi), int(height_in * dpi)
    figure = f"this {width_in:g}x{height_in:g} inch figure"
    if width < 1 or height < 1:
        lowest = math.ceil(1 / min(width_in, height_in))
        raise ValueError(
            f"dpi={dpi:g} on {figure} gives frames of {width}x{height} pixels, too small to "
            f"draw. Use dpi={lowest} or more."
        )
    if max(width, height) > MAX_SIDE_PX or width * height > MAX_FRAME_PIXELS:
        highest = math.floor(
            min(
                MAX_SIDE_PX / width_in,
                MAX_SIDE_PX / height_in,
                math.sqrt(MAX_FRAME_PIXELS / (width_in * height_in)),
            )
        )
        raise ValueError(
            f"dpi={dpi:g} on {figure} asks for frames of {width}x{height} pixels "
            f"({width * height / 1e6:.3g} Mpx each); mplgif draws frames of at most "
            f"{MAX_SIDE_PX} pixels a side and {MAX_FRAME_PIXELS // 1_000_000} Mpx. Use "
            f"dpi={highest} or less, or a smaller figure (figsize in inches)."
        )
    return dpi


class GifWriter(FailureAwareWriter, animation.AbstractMovieWriter):
    """Matplotlib movie writer for streamed, palette-sharing GIFs.

    Use it as ``anim.save("out.gif", writer="mplgif", fps=25)`` or pass an
    instance: ``anim.save("out.gif", writer=GifWriter(fps=25, loop=0))``.
    The file is written to a temporary name beside the target and renamed
    when complete; if saving fails, the target is left as it was.

    Parameters
    ----------
    fps : float
        Frames per second. When ``100 / fps`` is not a whole number, frames
        alternate between the two nearest delays so that the animation keeps
        time (30 fps: 30, 40, 30 ms...).
    loop : int or None
        0 (the default) loops forever; n plays n + 1 times; None plays once.
    verify : bool
        Whenever a frame is taken from the draw Matplotlib just made instead
        of drawing it again, also draw it with ``savefig`` and raise
        :class:`BlitMismatchError` at the first pixel that differs.
    warn_timing : bool
        Warn (:class:`GifTimingWarning`) when frames get delays under 20 ms,
        which most browsers show for 100 ms (fps above 50).
    """

    def __init__(
        self,
        fps: float = 5,
        metadata=None,
        codec=None,
        bitrate=None,
        *,
        loop=0,
        warn_timing=True,
        verify=False,
    ):
        super().__init__(fps=check_gif_fps(fps), metadata=metadata, codec=codec, bitrate=bitrate)
        self.loop = loop
        self.warn_timing = warn_timing
        self.verify = verify
        self.delays_cs: list[int] = []

    @classmethod
    def isAvailable(cls) -> bool:  # noqa: N802 (Matplotlib's name)
        return True

    def setup(self, fig, outfile, dpi=None) -> None:
        example = str(Path(outfile).expanduser().with_suffix(".gif"))
        target = check_suffix(
            outfile,
            (".gif",),
            f"the mplgif writer writes GIF files only. Use e.g. {example!r}, or another "
            "writer (writer='ffmpeg' for .mp4, writer='pillow' for .webp or .png).",
        )
        target = check_folder(target)
        dpi = check_dpi(fig, dpi)
        super().setup(fig, target, dpi=dpi)
        self._target = target
        self.info = None
        self._partial = PartialFile(target)
        try:
            self._partial.create()
            width, height = self.frame_size
            self._stream = GifStream(self._partial.open(), width, height, loop=self.loop)
            self._drawn = False
            self._listener = fig.canvas.mpl_connect("draw_event", self._on_draw)
            self.delays_cs = []
            self._elapsed_cs = 0
        except BaseException as error:
            self._partial.abandon(error)  # finish() will not run: clean up here

    def _on_draw(self, event) -> None:
        self._drawn = True

    def _as_drawn(self, savefig_kwargs) -> bool:
        """Would savefig with these options give what the canvas drew?

        ``anim.save`` passes the figure's face colour composited onto white and
        ``transparent=False``; for an opaque figure that changes nothing.
        """
        if set(savefig_kwargs) - {"facecolor", "transparent"} or savefig_kwargs.get("transparent"):
            return False
        face = mcolors.to_rgba(self.fig.get_facecolor())
        if "facecolor" in savefig_kwargs:
            asked = mcolors.to_rgba(savefig_kwargs["facecolor"])
            return face[3] == 1 and np.allclose(asked, face)
        return mpl.rcParams["savefig.facecolor"] == "auto" and face[3] == 1

    def _frame_pixels(self, savefig_kwargs) -> np.ndarray:
        """The current frame's RGBA pixels, drawing the figure only if needed."""
        canvas = self.fig.canvas
        width, height = self.frame_size
        pixels = None
        if (
            self._drawn
            and not self.fig.stale  # nothing changed since that draw
            and self._as_drawn(savefig_kwargs)
            and isinstance(canvas, FigureCanvasAgg)
            and self.fig.dpi == self.dpi
            # A layout engine moves things again in savefig's draw.
            and self.fig.get_layout_engine() is None
        ):
            # Matplotlib has just drawn this frame to advance the animation;
            # drawing it again inside savefig would give the same pixels.
            pixels = np.asarray(canvas.buffer_rgba())
            if pixels.shape[:2] != (height, width):
                pixels = None
            elif self.verify:
                _compare(len(self.delays_cs), pixels.copy(), self._saved(savefig_kwargs))
        if pixels is None:
            pixels = self._saved(savefig_kwargs)
        # Only a draw after this point counts as the next frame's.
        self._drawn = False
        return pixels

    def _saved(self, savefig_kwargs) -> np.ndarray:
        """The frame as savefig draws it."""
        width, height = self.frame_size
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="rgba", dpi=self.dpi, **savefig_kwargs)
        return np.frombuffer(buffer.getbuffer(), dtype=np.uint8).reshape(height, width, 4)

    def grab_frame(self, **savefig_kwargs) -> None:
        # As Matplotlib's own writers: these would change the frame's size or format.
        if mpl.rcParams["savefig.bbox"] == "tight":
            raise ValueError(
                "rcParams['savefig.bbox'] must not be 'tight' while grabbing frames: it can "
                "change the frame size from frame to frame, which an animation cannot have."
            )
        for key in ("dpi", "bbox_inches", "format"):
            if key in savefig_kwargs:
                raise TypeError(f"grab_frame got an unexpected keyword argument {key!r}")
        self.add_frame(self._frame_pixels(savefig_kwargs))

    def add_frame(self, rgba: np.ndarray) -> None:
        """Append a frame given as pixels (used by :func:`mplgif.save_gif`)."""
        ends_cs = _frame_end_cs(len(self.delays_cs), self.fps)
        delay = ends_cs - self._elapsed_cs
        self._stream.add(rgba, delay)
        self.delays_cs.append(delay)
        self._elapsed_cs = ends_cs

    def finish(self) -> None:
        self.fig.canvas.mpl_disconnect(self._listener)
        if self.failed:  # the error in flight says why
            self._partial.discard()
            return
        try:
            self._stream.close()
        except BaseException as error:
            self._partial.abandon(error)
        self._partial.commit(check=self._check_written)
        if self.warn_timing:
            warning = timing_warning(self.fps, self.delays_cs)
            if warning:
                warnings.warn(warning, GifTimingWarning, stacklevel=3)

    def clean_up(self) -> None:
        partial = getattr(self, "_partial", None)  # None if setup() failed early
        if partial is not None:
            partial.discard()  # after a commit there is nothing left to remove

    def _check_written(self, path: Path) -> None:
        """Read the finished file back before it replaces the target."""
        info = gif_info(path, max_pixels=None)
        width, height = self.frame_size
        if (info.frames, info.width, info.height) != (self._stream.frames, width, height):
            raise RuntimeError(
                f"The GIF written for {str(self._target)!r} reads back as {info.frames} frames "
                f"of {info.width}x{info.height} pixels, not the {self._stream.frames} frames of "
                f"{width}x{height} written; the old file is unchanged. Please report this."
            )
        self.info = dataclasses.replace(info, path=self._target)

    @property
    def frames_grabbed(self) -> int:
        return len(self.delays_cs)


def timing_warning(fps: float, delays_cs: list[int]) -> str:
    """What to tell the user about the delays stored, or "" if the GIF plays right.

    Only delays under 20 ms play wrong (browsers slow them down). Delays that
    alternate (30 fps: 30, 40, 30 ms...) keep the animation in step, and are
    right.
    """
    if delays_cs and min(delays_cs) < 2:
        return (
            f"fps={fps:g} gives frames of less than 20 ms. Most browsers show frames of "
            "less than 20 ms for 100 ms, so this GIF will play slowly there; use fps=50 or "
            "less."
        )
    return ""


animation.writers.register("mplgif")(GifWriter)


# -- Drawing the frames ourselves, with blitting where it is safe -------------


def _draw_order(fig) -> list:
    """Top-level artists in the order a full draw paints them (the figure's
    children by zorder; an Axes counts as one)."""
    children = [child for child in fig.get_children() if child is not fig.patch]
    return sorted(children, key=lambda artist: artist.get_zorder())


def _axes_order(ax) -> list:
    """The children of `ax` in the order ``Axes.draw`` paints them."""
    children = ax.get_children()
    children.remove(ax.patch)
    if not (ax.axison and ax._frameon):
        children = [child for child in children if child not in ax.spines.values()]
    if not ax.axison:
        children = [child for child in children if child not in (ax.xaxis, ax.yaxis)]
    children = sorted(children, key=lambda artist: artist.get_zorder())
    return ([ax.patch] if ax.axison and ax._frameon else []) + children


class _Blitter:
    """Redraw only what an update function returned, over a saved background.

    Everything that a full draw would paint after the first returned artist
    (in its axes, and every axes and figure artist drawn after that axes) is
    repainted each frame, so stacking order, and so the pixels, match a full
    draw. Anything else that changed (a different axes limit, a new artist, an
    artist that was not returned) makes that frame a full draw.
    """

    def __init__(self, fig, canvas) -> None:
        self.fig, self.canvas = fig, canvas
        self.overlay: list = []
        self.returned: frozenset = frozenset()
        self.background = None

    def _plan(self, returned: frozenset) -> list | None:
        """Artists to repaint each frame, in paint order; None if not blittable."""
        overlay, started = [], False
        for top in _draw_order(self.fig):
            if started:
                overlay.append(top)
                continue
            if top in returned:
                overlay.append(top)
                started = True
            elif hasattr(top, "get_children") and top in self.fig.axes:
                inside = _axes_order(top)
                first = next((i for i, child in enumerate(inside) if child in returned), None)
                if first is not None:
                    overlay += inside[first:]
                    started = True
        placed = set(overlay)
        if any(artist not in placed for artist in returned):
            return None  # nested deeper than we repaint (a tick label, a subfigure's artist)
        if any(isinstance(artist, (Axis, AxesImage)) for artist in overlay):
            # Repainting the axis (ticks, labels) each frame is most of a full
            # draw, so nothing is gained; and Matplotlib < 3.8 paints animated
            # images into the background anyway.
            return None
        return overlay

    def _snapshot(self) -> None:
        overlay = set(self.overlay)
        self.watched = [
            artist
            for artist in self.fig.findobj(include_self=False)
            if artist not in overlay and not _inside_any(artist, overlay)
        ]
        # ax.bbox, not ax.get_position(): that applies the aspect and so marks
        # the Axes stale, which would hide real changes.
        self.limits = [(ax, ax.viewLim.frozen(), ax.bbox.frozen()) for ax in self.fig.axes]
        self.tree = self._tree()
        self.stale_after_draw = {
            artist: artist.get_visible() for artist in self.watched if artist.stale
        }

    def _tree(self) -> list:
        """Which artists the figure and each Axes hold: an artist added or removed
        (returned or not) changes it."""
        return [tuple(self.fig.axes)] + [
            tuple(container.get_children()) for container in (self.fig, *self.fig.axes)
        ]

    def _unchanged(self) -> bool:
        if self._tree() != self.tree:
            return False
        for ax, view, box in self.limits:
            if ax.viewLim.bounds != view.bounds or ax.bbox.bounds != box.bounds:
                return False
        for artist in self.watched:
            if artist.stale:
                visible = self.stale_after_draw.get(artist)
                if visible is None or artist.get_visible() != visible:
                    return False
        return True

    def _paint_overlay(self) -> None:
        renderer = self.canvas.get_renderer()
        for artist in self.overlay:
            artist.draw(renderer)

    def frame(self, returned) -> bool:
        """Paint the frame the update function just made; False means 'draw it in full'."""
        returned = frozenset(returned)
        if any(ax.name == "3d" for ax in self.fig.axes):
            # 3D axes project their artists only inside Axes3D.draw, and a new
            # view (view_init) marks nothing stale: always draw in full.
            return False
        if self.background is not None and returned == self.returned and self._unchanged():
            self.canvas.restore_region(self.background)
            self._paint_overlay()
            return True
        plan = self._plan(returned)
        if plan is None:
            return False
        self._set_animated(False)
        self.overlay, self.returned = plan, returned
        self._set_animated(True)
        self.canvas.draw()  # everything else: the background
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._paint_overlay()
        self._snapshot()
        return True

    def verify(self, index: int) -> None:
        """Draw the frame just blitted in full; raise on the first differing pixel."""
        blitted = np.asarray(self.canvas.buffer_rgba()).copy()
        self._set_animated(False)
        try:
            self.canvas.draw()
        finally:
            self._set_animated(True)
        _compare(index, blitted, np.asarray(self.canvas.buffer_rgba()))

    def _set_animated(self, value: bool) -> None:
        for artist in self.overlay:
            if value:
                artist._mplgif_was_animated = artist.get_animated()
                artist.set_animated(True)
            else:
                artist.set_animated(getattr(artist, "_mplgif_was_animated", False))

    def close(self) -> None:
        self._set_animated(False)
        self.overlay = []


def _inside_any(artist, containers: set) -> bool:
    parent = getattr(artist, "axes", None)
    return parent is not None and parent in containers and parent is not artist


class BlitMismatchError(AssertionError):
    """With verification on, a blitted frame differed from a full draw of it."""


def _compare(index: int, fast: np.ndarray, full: np.ndarray) -> None:
    """Raise BlitMismatchError at the first pixel where `fast` is not `full`."""
    different = (fast != full).any(axis=-1)
    if different.any():
        rows, columns = np.nonzero(different)
        raise BlitMismatchError(
            f"Frame {index}: the blitted frame differs from a full draw in "
            f"{int(different.sum())} pixels (rows {rows.min()}-{rows.max()}, columns "
            f"{columns.min()}-{columns.max()}); first at row {rows[0]}, column "
            f"{columns[0]}: {fast[rows[0], columns[0]].tolist()} instead of "
            f"{full[rows[0], columns[0]].tolist()}."
        )


def draw_frames(anim, dpi: float | None = None, *, blit: bool = True, verify: bool = False):
    """Yield the RGBA pixels of each frame of a FuncAnimation, drawing each once.

    With ``blit=True``, frames whose update function returns the artists it
    changed are blitted: the unchanging background is drawn once and only
    those artists (and whatever paints over them) are repainted. When anything
    else changed (an axes limit, an artist not returned), the background is
    drawn again for that frame. Animations that cannot gain from blitting
    (figures with a layout engine, returned artists drawn below the axis
    lines, images, artists the update does not return) are drawn in full,
    each frame once. The pixels are those of a full draw either way; the
    same buffer is reused, so copy a frame to keep it.

    With ``verify=True``, every blitted frame is also drawn in full and
    compared, pixel for pixel; the first difference raises
    :class:`BlitMismatchError`. That proves the fast path against the slow
    one (the tests run a corpus of awkward animations this way); it costs
    the time blitting saves.

    Returns None (instead of a generator) for animations this cannot drive;
    save those with ``anim.save``.
    """
    func = getattr(anim, "_func", None)
    if func is None or not hasattr(anim, "new_saved_frame_seq"):
        return None
    return _frames(anim, func, dpi, blit, verify)


def _frames(anim, func, dpi, blit, verify=False):
    fig = anim._fig
    args = getattr(anim, "_args", None) or ()
    init = getattr(anim, "_init_func", None)
    original_canvas, original_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)
    if dpi is not None:
        fig.set_dpi(dpi)
    blitter = _Blitter(fig, canvas)
    full_in_a_row = 0
    blit = blit and fig.get_layout_engine() is None  # layouts move things between draws
    # Saving draws animated artists too (FuncAnimation(blit=True) marks them);
    # so do we, by clearing the flag for the duration.
    animated = [artist for artist in fig.findobj() if artist.get_animated()]
    for artist in animated:
        artist.set_animated(False)
    # The animation starts its own timer, and calls its init function, on the
    # first draw_event; anim.save prevents that by flagging the canvas as
    # saving, which would also paint animated artists into our background.
    # So take that one handler off while we draw, and put it back after.
    first_draw = getattr(anim, "_first_draw_id", None)
    waiting = first_draw is not None and first_draw in canvas.callbacks.callbacks.get(
        "draw_event", {}
    )
    if waiting:
        canvas.mpl_disconnect(first_draw)
    anim._draw_was_started = True  # it is being rendered: no "deleted without rendering"
    try:
        if init is not None:
            init()
        else:  # as FuncAnimation does: draw the first frame as the initial state
            for first in anim.new_frame_seq():
                func(first, *args)
                break
        for index, framedata in enumerate(anim.new_saved_frame_seq()):
            returned = func(framedata, *args)
            blitted = False
            if blit and full_in_a_row < 2 and _artists(returned):
                blitted = blitter.frame(returned)
            if not blitted:
                blitter.close()
                blitter.background = None
                canvas.draw()
                full_in_a_row += 1
            else:
                full_in_a_row = 0
                if verify:
                    blitter.verify(index)
            yield np.asarray(canvas.buffer_rgba())
    finally:
        if waiting:
            anim._first_draw_id = canvas.mpl_connect("draw_event", anim._start)
        blitter.close()
        for artist in animated:
            artist.set_animated(True)
        fig.set_dpi(original_dpi)
        fig.set_canvas(original_canvas)


def _artists(returned) -> bool:
    from matplotlib.artist import Artist

    try:
        items = list(returned)
    except TypeError:
        return False
    return bool(items) and all(isinstance(item, Artist) for item in items)
