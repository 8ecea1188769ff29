"""The ``MovieWriter`` glue: :class:`GifWriter`, registered with Matplotlib
as ``"mplgif"``.

Matplotlib's ``PillowWriter`` keeps every frame in memory and quantizes each
one separately at the end; ``ImageMagickWriter`` hands every frame to an
external program. This writer streams each frame into a
:class:`mplgif.encoding.GifStream` (one shared palette, changed rectangles
only) as it comes, and draws each frame once: it silences the draw
``anim.save`` makes to advance the animation, and blits a ``FuncAnimation``
where :mod:`mplgif.frames` can prove that safe. (A figure whose draws change
what its next draw shows, such as one with a layout engine, it draws exactly
as Matplotlib's writers do: that draw too, then ``savefig``.) It checks its arguments as
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
from functools import partial
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib import animation
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .encoding import GifStream, _frame_end_cs, frame_delays_cs
from .files import PartialFile, check_folder, check_suffix, full_disk_error
from .frames import (
    BlitMismatchError,
    _Blitter,
    _compare,
    _draw_unseen,
    _draws_at_once,
    _draws_change_what_follows,
    _full_draw,
    _hold_first_draws,
    _release_first_draws,
    _savefig_as_drawn,
    _saving,
    draw_frames,
)
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
    blit : bool
        Under ``anim.save``, blit the frames of a ``FuncAnimation`` where that
        is provably safe, as :func:`mplgif.save_gif` does (see
        :mod:`mplgif.frames`); False draws every frame in full.
    verify : bool
        Whenever a frame is not drawn by ``savefig`` itself (blitted, or read
        from the canvas after a full draw), also draw it with ``savefig`` and
        raise :class:`BlitMismatchError` at the first pixel that differs.
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
        blit=True,
        verify=False,
    ):
        super().__init__(fps=check_gif_fps(fps), metadata=metadata, codec=codec, bitrate=bitrate)
        self.loop = loop
        self.warn_timing = warn_timing
        self.blit = blit
        self.verify = verify
        self.delays_cs: list[int] = []

    @classmethod
    def isAvailable(cls) -> bool:  # noqa: N802 (Matplotlib's name)
        return True

    def _supports_transparency(self) -> bool:
        # Matplotlib's name (3.8 and later): anim.save then leaves a transparent
        # figure transparent, as for PillowWriter, instead of painting it onto white.
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
        self._stream = None
        try:
            self._partial.create()
            width, height = self.frame_size
            self._stream = GifStream(self._partial.open(), width, height, loop=self.loop)
            self.delays_cs = []
            self._elapsed_cs = 0
            self._take_over_drawing(fig)
        except BaseException as error:
            try:
                self._give_back_drawing()
            finally:
                self._drop_stream()
                self._partial.abandon(error)  # finish() will not run: clean up here

    def _take_over_drawing(self, fig) -> None:
        """Draw every frame exactly once, in ``grab_frame``: silence the canvas's
        ``draw_idle`` while saving (``anim.save`` calls it to advance the
        animation, and the frame would then be drawn twice), unless a draw can
        change what the next one shows."""
        self._blitter, self._anim, self._held_first_draws = None, None, []
        self._looked_for_animation = False
        self._own_draw_idle = None
        self._plain_canvas = None
        if type(fig.canvas) is FigureCanvasBase:
            # A figure made with Figure(), not pyplot: its canvas cannot draw, so
            # every frame would be drawn by savefig. Lend it one that can.
            self._plain_canvas = fig.canvas
            FigureCanvasAgg(fig)
        self._canvas = canvas = fig.canvas
        self._own_draw_idle = vars(canvas).get("draw_idle")
        idle_draws = self._plain_canvas is None and _draws_at_once(canvas)
        canvas.draw_idle = partial(self._advance, canvas, idle_draws)

    def _advance(self, canvas, idle_draws: bool, *args, **kwargs) -> None:
        """In place of ``canvas.draw_idle`` while saving (``anim.save`` calls it to
        advance the animation). Nothing, the writer drawing the frame, unless that
        would draw at once and a draw can move what the next one shows (a layout
        engine, categories, a draw_event handler; looked at on every call): then
        every draw anim.save makes counts, as with Matplotlib's own writers, and
        this one is made with rendering switched off, which changes the same (its
        pixels were painted over by savefig's anyway)."""
        if idle_draws and _draws_change_what_follows(self.fig, canvas):
            if isinstance(canvas, FigureCanvasAgg):
                _draw_unseen(canvas)
            else:
                canvas.draw()  # a vector backend's canvas draws without rendering

    def _start_blitting(self) -> None:
        """At the first frame: blit if one FuncAnimation drives the figure."""
        self._looked_for_animation = True
        canvas = self._canvas
        anim = _only_animation(self.fig)
        if not self.blit or anim is None or not isinstance(canvas, FigureCanvasAgg):
            return
        # A FuncAnimation starts its timer on the first draw made while the
        # canvas is not saving, which blitting's background draw is: take that
        # handler off while saving, and put it back after.
        self._held_first_draws = _hold_first_draws(canvas)
        self._anim, self._blitter = anim, _Blitter(self.fig, canvas)

    def _give_back_drawing(self) -> None:
        """Undo :meth:`_take_over_drawing`, however far it got (safe to call again)."""
        canvas, self._canvas = getattr(self, "_canvas", None), None
        if canvas is not None:
            if self._blitter is not None:
                self._blitter.disconnect()
            if self._own_draw_idle is None:
                vars(canvas).pop("draw_idle", None)
            else:
                canvas.draw_idle = self._own_draw_idle
            _release_first_draws(canvas, self._held_first_draws)
            self._held_first_draws = []
        plain, self._plain_canvas = getattr(self, "_plain_canvas", None), None
        if plain is not None:
            self.fig.set_canvas(plain)

    def _frame_pixels(self, savefig_kwargs) -> np.ndarray:
        """The current frame's RGBA pixels, drawn once: blitted where that is
        safe, else drawn in full on the canvas, else by ``savefig``."""
        canvas = self.fig.canvas
        width, height = self.frame_size
        if not (
            _savefig_as_drawn(self.fig, savefig_kwargs)
            and isinstance(canvas, FigureCanvasAgg)
            and self.fig.dpi == self.dpi
            # A layout engine (or categories, a draw_event handler) moves things
            # again in savefig's draw.
            and not _draws_change_what_follows(self.fig, canvas)
            and canvas.get_width_height(physical=True) == (width, height)
        ):
            self._stop_blitting()
            return self._saved(savefig_kwargs)
        blitted = self._blitted()
        if not blitted:
            # As savefig draws: with the Agg canvas's own draw (a subclass's may
            # need the figure manager anim.save takes away), and artists marked
            # animated drawn too (anim.save marks the canvas saving already; a
            # loop of grab_frame calls does not).
            _full_draw(canvas)
        pixels = np.asarray(canvas.buffer_rgba())
        if self.verify:
            pixels = pixels.copy()  # savefig draws into the same buffer
            # savefig sets the face colour and back, marking the figure stale: a
            # blitter must not see that (_Blitter.unseen).
            with self._blitter.unseen() if self._blitter else contextlib.nullcontext():
                full = self._saved(savefig_kwargs)
            _compare(len(self.delays_cs), pixels, full)
        return pixels

    def _stop_blitting(self) -> None:
        """The next frame is drawn in full (see _Blitter.stop)."""
        if self._blitter is not None:
            self._blitter.stop()

    def _blitted(self) -> bool:
        """Blit the frame the animation just made, if that is safe; False means
        'draw it in full'."""
        if not self._looked_for_animation:
            self._start_blitting()
        blitter = self._blitter
        if blitter is None:
            return False
        returned = getattr(self._anim, "_drawn_artists", None)
        canvas = self.fig.canvas
        # Blitting draws the background without the artists it repaints
        # (marked animated), which a saving canvas would draw. (The blitter also
        # draws in full where another artist is marked animated: _Blitter._plan.)
        with _saving(canvas, False):
            return blitter.next_frame(returned)

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
        self._give_back_drawing()
        if self.failed:  # the error in flight says why (clean_up closes the encoder)
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

    def _drop_stream(self) -> None:
        """Close the encoder's temporary file of a save that will not finish (after a
        finished one, there is nothing left to close)."""
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.discard()
            self._stream = None

    def clean_up(self) -> None:
        try:
            try:
                self._give_back_drawing()
            finally:
                self._drop_stream()
        finally:
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


def _only_animation(fig):
    """The FuncAnimation driving `fig`, if it is the only animation whose event
    handlers are connected to its canvas (the one being saved); else None."""
    found = set()
    for handlers in fig.canvas.callbacks.callbacks.values():
        for reference in list(handlers.values()):
            owner = getattr(reference(), "__self__", None)
            if isinstance(owner, animation.Animation):
                found.add(owner)
    if len(found) != 1:
        return None
    (anim,) = found
    return anim if isinstance(anim, animation.FuncAnimation) and anim._fig is fig else None


animation.writers.register("mplgif")(GifWriter)
