"""The ``MovieWriter`` glue: :class:`GifWriter`, registered with Matplotlib
as ``"mplgif"``.

Matplotlib's ``PillowWriter`` keeps every frame in memory and quantizes each
one separately at the end; ``ImageMagickWriter`` hands every frame to an
external program. This writer streams each frame into a
:class:`mplgif.encoding.GifStream` (one shared palette, changed rectangles
only) as it comes, and draws each frame once. It checks its arguments as
Matplotlib's own writers do, writes GIF files only, and follows the
temporary-file rule of :mod:`mplgif.files`.

It is registered with Matplotlib as ``"mplgif"``, so
``anim.save("out.gif", writer="mplgif", fps=25)`` works once :mod:`mplgif` is
imported; :func:`mplgif.save_gif` uses it by default, with frames from
:mod:`mplgif.frames`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import numbers
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib import animation
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .encoding import GifStream, _frame_end_cs, frame_delays_cs
from .files import PartialFile, check_folder, check_suffix, full_disk_error
from .frames import BlitMismatchError, _compare, draw_frames
from .inspecting import gif_info

__all__ = [
    "BlitMismatchError",
    "GifStream",
    "GifTimingWarning",
    "GifWriter",
    "draw_frames",
    "frame_delays_cs",
]


class GifTimingWarning(UserWarning):
    """The GIF could not store the frame delay that the frame rate asked for."""


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
