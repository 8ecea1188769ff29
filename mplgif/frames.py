"""Where frames come from: a full draw per frame, blitting where it is
provably safe, and a verification switch that also draws in full and raises
on the first difference."""

from __future__ import annotations

import contextlib
import io

import matplotlib as mpl
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection, QuadMesh
from matplotlib.figure import SubFigure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.offsetbox import AnnotationBbox
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.table import Cell
from matplotlib.text import Annotation, Text
from matplotlib.ticker import NullLocator

__all__ = ["BlitMismatchError", "draw_frames"]


@contextlib.contextmanager
def _saving(canvas, flag: bool = True):
    """The canvas flagged as saving (or not) for the block, as savefig flags it: an
    Axes draws its children marked animated only while the canvas is saving."""
    saving, canvas._is_saving = canvas._is_saving, flag
    try:
        yield
    finally:
        canvas._is_saving = saving


@contextlib.contextmanager
def _stale_flags_kept(artists):
    """Every one of `artists` keeps its stale flag, whatever the block does."""
    stale = [(artist, artist._stale) for artist in artists]
    try:
        yield
    finally:
        for artist, flag in stale:
            artist._stale = flag


@contextlib.contextmanager
def _unanimated(artists):
    """`artists` (marked animated) unmarked for the block, unseen: no callback
    runs and no stale flag changes."""
    for artist in artists:
        artist._animated = False
    try:
        yield
    finally:
        for artist in artists:
            artist._animated = True


def _draw_order(fig) -> list:
    """Top-level artists in the order a full draw paints them (the figure's
    children by zorder; an Axes counts as one)."""
    children = [child for child in fig.get_children() if child is not fig.patch]
    return sorted(children, key=lambda artist: artist.get_zorder())


def _every_artist(fig) -> list:
    """Every artist below `fig` (a figure, or any artist), as
    ``fig.findobj(include_self=False)`` finds them, without its cost: an Axis
    is asked for the ticks it holds already, not for ``get_children()``, which
    locates the ticks of the current limits and makes any that are missing
    (ticks a figure with its axis off never draws; making them was most of the
    time of a small save). A tick not made yet is neither drawn nor animated;
    a tick made earlier that the current limits leave out is listed too, and
    watching it as well only ever makes the blitter more careful. Parts that an
    artist draws without listing them (:func:`_parts`) are included."""
    found, waiting = [], [fig]
    while waiting:
        parent = waiting.pop()
        if isinstance(parent, Axis) and type(parent).get_children is Axis.get_children:
            held = vars(parent)  # the tick lists, once made (see matplotlib.axis._LazyTickList)
            children = [parent.label, parent.offsetText,
                        *held.get("majorTicks", ()), *held.get("minorTicks", ())]
        else:
            children = parent.get_children()
        children = [*children, *_parts(parent)]
        found += children
        waiting += children
    return found


def _parts(artist) -> list:
    """Artists that `artist` draws but does not list among its children: a text's
    box, an annotation's arrow, a table cell's text."""
    parts = []
    if isinstance(artist, Text) and artist.get_bbox_patch() is not None:
        parts.append(artist.get_bbox_patch())
    if isinstance(artist, Annotation) and artist.arrow_patch is not None:
        parts.append(artist.arrow_patch)
    if isinstance(artist, Cell):
        parts.append(artist.get_text())
    return parts


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
    """Redraw only what an update function returned (or, returning nothing,
    marked stale), over a saved background.

    Everything that a full draw would paint after the first returned artist
    (in its axes, and every axes and figure artist drawn after that axes) is
    repainted each frame, so stacking order, and so the pixels, match a full
    draw. Artists added or removed among those, or other artists returned,
    only change what is repainted. Anything else that changed (a different
    axes limit, an artist added, removed or changed in the background) makes
    that frame draw the background again, or the frame in full.
    """

    def __init__(self, fig, canvas) -> None:
        self.fig, self.canvas = fig, canvas
        self.overlay: list = []
        self.never: list = []  # the figure's own children marked animated: never drawn
        self.drawn_anyway: list = []  # marked animated in the background, drawn by a saving draw
        self.returned: frozenset = frozenset()
        self.background = None
        self.full_in_a_row = 0  # frames drawn in full since the last one blitted
        self.new_background = False  # whether the last frame had to draw it again
        # A draw the blitter did not make (an update function calling
        # fig.canvas.draw(), say) marks everything it drew up to date, hiding
        # what changed: the background is then drawn again.
        self._own = 0
        self._listener = canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        if not self._own:
            self.background = None

    @contextlib.contextmanager
    def own_draws(self):
        """Draws made inside this block are the blitter's own (or a check's)."""
        self._own += 1
        try:
            yield
        finally:
            self._own -= 1

    def _draw(self) -> None:
        """The background: a draw with the Agg canvas's own draw, which leaves out
        the artists marked animated (those repainted each frame), except those
        of an Axes marked animated by the user, which a saving draw paints."""
        with self.own_draws(), _unanimated(self.drawn_anyway):
            FigureCanvasAgg.draw(self.canvas)

    def _plan(self, returned: frozenset) -> tuple[list, list, list] | None:
        """Artists to repaint each frame, in paint order; the figure's own children
        marked animated, which a figure never draws (FuncAnimation(blit=True)
        marks what it returns), saving or not; and the artists marked animated
        in the background that a saving draw paints (an Axes' own), to be drawn
        into it. None if not blittable."""
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
                    if not top.get_visible():
                        return None  # a hidden Axes draws none of what it holds
                    overlay += inside[first:]
                    started = True
        top = self.fig.get_children()
        if any(isinstance(artist, SubFigure) for artist in overlay):
            # Matplotlib < 3.8 draws subfigures after everything else, marked animated
            # or not: repainting one would paint it twice.
            return None
        never = [artist for artist in top if artist.get_animated() and artist is not self.fig.patch
                 and not isinstance(artist, SubFigure)]
        overlay = [artist for artist in overlay if artist not in never]
        unseen = self._repainted(never)
        if not returned <= self._repainted(overlay) | unseen:
            return None  # deeper than we repaint (a tick label of the first axes, in a subfigure)
        whole = [artist for artist in overlay if artist in self.fig.axes]
        if any(_placed_from(ax, whole) for ax in self.fig.axes if ax not in whole):
            return None
        repainted = self._repainted(overlay) | unseen
        drawn_anyway = [artist for artist in _every_artist(self.fig)
                        if artist.get_animated() and artist not in repainted
                        and not _inside_any(artist, repainted)]
        axes = _all_axes(self.fig)
        if any(artist.axes not in axes or artist not in artist.axes.get_children()
               for artist in drawn_anyway):
            # Marked animated in the background, and not an Axes' own child: a saving
            # draw paints it (a legend's, say), or not (a subfigure's); not looked into.
            return None
        if any(isinstance(artist, (Axis, AxesImage)) for artist in overlay):
            # Repainting the axis (ticks, labels) each frame is most of a full
            # draw, so nothing is gained; and Matplotlib < 3.8 paints animated
            # images into the background anyway.
            return None
        return overlay, never, drawn_anyway

    def _repainted(self, overlay: list) -> set:
        """What painting `overlay` repaints: its artists and everything they hold
        (an Axes drawn after the first returned artist, another panel or a twin,
        is repainted whole; a legend, with its texts and lines)."""
        repainted = set(overlay)
        for artist in overlay:
            repainted.update(_every_artist(artist))  # what it holds: a legend's texts...
        return repainted

    def _snapshot(self) -> None:
        overlay = self._repainted(self.overlay) | self._repainted(self.never)
        self.watched = [
            artist
            for artist in _every_artist(self.fig)
            if artist not in overlay and not _inside_any(artist, overlay)
        ]
        # ax.bbox, not ax.get_position(): that applies the aspect and so marks
        # the Axes stale, which would hide real changes.
        self.limits = [(ax, ax.viewLim.frozen(), ax.bbox.frozen()) for ax in self.fig.axes]
        self.tree = self._tree()
        self.order = [artist.get_zorder() for artist in self.overlay]
        self.background_part = self._background_part(self.overlay)
        self.own_state = {ax: _own_state(ax) for ax in self.fig.axes}
        # Artists a draw leaves marked stale (empty or invisible ones, which draw
        # nothing): what would make them draw something is compared instead.
        self.stale_after_draw = {
            artist: _looks(artist) for artist in self.watched if artist.stale
        }
        # The axes in the background (not repainted each frame; a hidden one draws
        # nothing, and showing it marks it stale), whose transforms and tick labels
        # _hidden looks at; and the watched artists outside every Axis object (whose
        # ticks follow those transforms and tick labels).
        self.seen_axes = [ax for ax in _all_axes(self.fig)
                          if ax.get_visible() and ax not in overlay]
        self.axis_list = [axis for ax in self.seen_axes for axis in _axes_axis(ax)
                          if axis.get_visible()]
        ticks = {id(part) for ax in _all_axes(self.fig) for axis in _axes_axis(ax)
                 for part in [axis, *_every_artist(axis)]}
        self.placed = [artist for artist in self.watched if id(artist) not in ticks]
        self.hidden = self._hidden()

    def _tree(self) -> list:
        """Which artists the figure and each Axes hold: an artist added or removed
        (returned or not) changes it."""
        return [tuple(self.fig.axes)] + [
            tuple(container.get_children()) for container in (self.fig, *self.fig.axes)
        ]

    def _background_part(self, overlay: list) -> list:
        """Which artists the figure and each Axes hold, leaving out those that
        painting `overlay` repaints: what the background is drawn from."""
        skipped = set(overlay)
        return [tuple(self.fig.axes)] + [
            None if container in skipped
            else tuple(child for child in container.get_children() if child not in skipped)
            for container in (self.fig, *self.fig.axes)
        ]

    def _unchanged(self) -> bool:
        if self._tree() != self.tree:
            return False
        if [artist.get_zorder() for artist in self.overlay] != self.order:
            return False  # the paint order the background was planned for changed
        if not all(artist.get_animated() for artist in self.never):
            return False  # a figure's child no longer marked animated is drawn
        return self._background_unchanged(())

    def _background_unchanged(self, regrown) -> bool:
        """Would the background be drawn as it was? Limits, places, every artist
        in it (none marked stale but those a draw leaves so), and what changes
        unmarked. An Axes in `regrown` gained or lost artists only in the
        overlay, which marks it stale: that counts if its own state changed."""
        for ax, view, box in self.limits:
            if ax.viewLim.bounds != view.bounds or ax.bbox.bounds != box.bounds:
                return False
        for artist in self.watched:
            if artist.stale:
                if artist in regrown and _own_state(artist) == self.own_state[artist]:
                    continue
                looks = self.stale_after_draw.get(artist)
                if looks is None or _looks(artist) != looks:
                    return False
        return _same(self._hidden(), self.hidden)

    def _regrown(self, plan: tuple[list, list, list]) -> list | None:
        """For a frame whose update added or removed artists that are painted
        after its first returned one (a trail, a line erased and drawn again), or
        returned other artists, planned anew as `plan`: the Axes that gained or
        lost artists, if the background would be drawn from the same artists, as
        it was; else None (the background must be drawn again)."""
        overlay = plan[0]
        if plan[1:] != (self.never, self.drawn_anyway):
            return None
        if self._background_part(overlay) != self.background_part:
            return None
        kept = dict(zip((self.fig, *self.fig.axes), self.tree[1:], strict=True))
        regrown = [ax for ax in self.fig.axes
                   if ax not in overlay and tuple(ax.get_children()) != kept[ax]]
        if not self._background_unchanged(regrown):
            return None
        return regrown

    def _hidden(self) -> list:
        """What can change a full draw while marking no artist stale, so that the
        checks above cannot see it: a transform changed in place (a polar axes'
        theta offset, an Affine2D that several artists share), as where it puts a
        few points; tick labels from a formatter that reads outside state; where
        each legend goes (loc="best" follows the data); annotations, arrows and
        connection patches placed from other artists; a text's font properties
        changed in place. Looking marks nothing
        stale (an annotation's extent sets its transform, which would)."""
        with _stale_flags_kept([self.fig, *self.watched]):
            return self._look()

    def _look(self) -> list:
        renderer = self.canvas.get_renderer()
        transforms = {}
        for ax in self.seen_axes:
            for transform in (ax.transData, ax.transAxes, ax.get_xaxis_transform(),
                              ax.get_yaxis_transform()):
                transforms[id(transform)] = transform
        state = []
        for artist in self.placed:
            if not artist.get_visible():
                continue  # draws nothing; made visible, it is marked stale
            found = [artist.get_data_transform() if isinstance(artist, Patch)
                     else artist.get_transform()]
            if isinstance(artist, Collection):
                found.append(artist.get_offset_transform())
            transforms.update((id(transform), transform) for transform in found)
            state += _data_of(artist)
            if isinstance(artist, Text):  # its font, changed in place
                state.append(hash(artist.get_fontproperties()))
            if isinstance(artist, (Legend, Annotation, AnnotationBbox)):
                state.append(artist.get_window_extent(renderer).bounds)
            if isinstance(artist, Annotation) and artist.arrow_patch is not None:
                state.append(artist.arrow_patch.get_path().vertices.copy())
            elif isinstance(artist, FancyArrowPatch):
                state.append(artist.get_path().vertices.copy())
        state += [_probed(transform) for transform in transforms.values()]
        state.append([artist.get_animated() for artist in self.watched])
        for axis in self.axis_list:
            tickers = [(axis.major, axis.get_majorticklocs())]
            if not isinstance(axis.minor.locator, NullLocator):  # (the default)
                tickers.append((axis.minor, axis.get_minorticklocs()))
            for ticker, locations in tickers:
                formatter = ticker.formatter
                state += [np.array(locations, dtype=float), formatter.format_ticks(locations),
                          formatter.get_offset() if hasattr(formatter, "get_offset") else None]
        return state

    def _paint_overlay(self) -> None:
        renderer = self.canvas.get_renderer()
        # An Axes repainted whole draws its children marked animated (as
        # FuncAnimation(blit=True) marks what it returns), as a full draw under
        # savefig does.
        with _saving(self.canvas):
            self._place_titles(renderer)
            for artist in self.overlay:
                artist.draw(renderer)

    def _place_titles(self, renderer) -> None:
        """Place the titles repainted without their Axes as ``Axes.draw`` places
        them first: above a y offset text (``1e6``) they would overlap, which
        depends on their text. Without an offset text, where they go does not."""
        titled = [ax for ax in _all_axes(self.fig) if ax not in self.overlay and any(
            title in self.overlay for title in (ax.title, ax._left_title, ax._right_title))]
        if not titled or not any(ax.yaxis.offsetText.get_text() for ax in _all_axes(self.fig)):
            return
        # Measuring tick labels marks them stale: nothing the next frame looks at changes.
        with _stale_flags_kept([self.fig, *_every_artist(self.fig)]):
            for ax in titled:
                ax._update_title_position(renderer)

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
        self._set_animated(False)  # the old overlay, as it was before it was marked
        plan = self._plan(returned)
        if plan is None:
            return False
        regrown = None if self.background is None else self._regrown(plan)
        if regrown is not None:
            # Only what is repainted changed: the same background, a new overlay.
            self.overlay, self.returned = plan[0], returned
            self._set_animated(True)
            self.tree = self._tree()
            self.order = [artist.get_zorder() for artist in self.overlay]
            for ax in regrown:
                # Marked stale by the artists added or removed, as a draw would
                # leave it: up to date, so that a later change of its own shows.
                ax._stale = False
            self.canvas.restore_region(self.background)
            self._paint_overlay()
            return True
        # A background drawn again because something in it changed (not the first).
        self.new_background = self.background is not None
        (self.overlay, self.never, self.drawn_anyway), self.returned = plan, returned
        self._set_animated(True)
        self._draw()  # everything else: the background
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._paint_overlay()
        self._snapshot()
        return True

    def _changed(self) -> tuple:
        """For an update function that returns nothing (as it may without
        blit=True): the artists it changed, as their stale flags tell, among
        those a figure or an Axes paints itself (an artist a draw leaves stale
        because it draws nothing, hidden or an empty text, does not count).
        None found: the ones found last time. Which artists are repainted only
        decides how much is; everything else is checked as for returned ones."""
        found = []
        for top in _draw_order(self.fig):
            inside = _axes_order(top) if top in self.fig.axes else [top]
            found += [artist for artist in inside
                      if artist._stale and not _draws_nothing(artist)]
        return tuple(found) or tuple(self.returned)

    def next_frame(self, returned) -> bool:
        """Blit the frame the update function just made (it returned `returned`) if
        that is safe; False means 'draw it in full', and the blitter has stopped.
        After two frames in a row drawn in full, or blitted over a background
        drawn again because it changed, it stops trying: an animation that changes
        more than its artists every frame would pay for the checks on every frame."""
        self.new_background = False
        if returned is None or (isinstance(returned, (list, tuple)) and not returned):
            returned = self._changed()
        blitted = self.full_in_a_row < 2 and _artists(returned) and self.frame(returned)
        if blitted and not self.new_background:
            self.full_in_a_row = 0
        elif blitted:
            # A background drawn again is a full draw with the checks on top: counted.
            self.full_in_a_row += 1
        else:
            self.stop()
            self.full_in_a_row += 1
        return blitted

    def verify(self, index: int) -> None:
        """Draw the frame just blitted in full; raise on the first differing pixel."""
        blitted = np.asarray(self.canvas.buffer_rgba()).copy()
        with self.unseen():
            _full_draw(self.canvas)
        _compare(index, blitted, np.asarray(self.canvas.buffer_rgba()))

    @contextlib.contextmanager
    def unseen(self):
        """A full draw made inside this block, to check a frame, leaves no trace
        the next frame sees: the repainted artists lose their animated mark
        meanwhile, every artist keeps its stale flag, and the draw is the
        blitter's own."""
        with _stale_flags_kept([self.fig, *_every_artist(self.fig)]):
            self._set_animated(False)
            try:
                with self.own_draws():
                    yield
            finally:
                self._set_animated(True)

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

    def stop(self) -> None:
        """The next frame is drawn in full: no artist stays marked animated, and
        the next blitted frame draws its background again."""
        self.close()
        self.background = None

    def disconnect(self) -> None:
        """Stop watching the canvas's draws (when the save is over)."""
        self.close()
        self.canvas.mpl_disconnect(self._listener)


def _placed_from(ax, whole: list) -> bool:
    """Does a full draw place something of `ax` (not repainted whole) by an Axes
    in `whole` (repainted whole, so its tick labels may change unseen)? Its
    title, above a twin's or an aligned axes' top tick labels, and its axis
    labels, aligned with other axes' (``fig.align_labels``)."""
    if not whole:
        return False
    groups = getattr(ax.figure, "_align_label_groups", {})
    if any(title.get_text() for title in (ax.title, ax._left_title, ax._right_title)):
        near = {*ax.child_axes, *ax._twinned_axes.get_siblings(ax)}
        if "title" in groups:
            near.update(groups["title"].get_siblings(ax))
        if any(other in whole and (other.xaxis.get_ticks_position() in ("top", "unknown")
                                   or other.xaxis.get_label_position() == "top")
               for other in near):
            return True
    aligned = {other for name in ("x", "y") if name in groups
               for other in groups[name].get_siblings(ax)}
    return any(other in whole for other in aligned if other is not ax)


# Points that _Blitter._hidden passes through each transform, to see whether it moved.
_PROBE = np.array([[0.25, 0.75], [1.5, -0.5], [-2.0, 3.0]])


def _data_of(artist) -> list:
    """Copies of the arrays an artist draws from that can be changed in place,
    unseen (``scatter.get_offsets()[...] = ...``, a path's vertices, an image's
    or a mesh's values)."""
    data = []
    if isinstance(artist, Patch) and not isinstance(artist, FancyArrowPatch):
        data.append(artist.get_path().vertices)
    if isinstance(artist, Collection):
        data.append(artist.get_offsets())
        if not isinstance(artist, QuadMesh):  # a mesh's paths are made from its coordinates
            data += [path.vertices for path in artist.get_paths()]
        else:
            data.append(artist.get_coordinates())
    if isinstance(artist, (Collection, AxesImage)) and artist.get_array() is not None:
        data.append(artist.get_array())
    copies = []
    for array in data:
        copies.append(np.array(np.ma.getdata(array)))  # dtype kept: an image stays small
        if np.ma.is_masked(array):
            copies.append(np.ma.getmaskarray(array).copy())
    return copies


def _probed(transform):
    """Where `transform` puts _PROBE; for a transform that refuses those points (a
    function scale defined for some values only), an object equal to nothing, so
    that the frame is drawn in full."""
    with np.errstate(all="ignore"):
        try:
            return transform.transform(_PROBE)
        except (ValueError, TypeError, ArithmeticError):  # outside its domain
            return object()


def _all_axes(fig) -> list:
    """Every Axes of `fig`, with those held by another (an inset, a secondary axis)."""
    found, waiting = [], list(fig.axes)
    while waiting:
        ax = waiting.pop(0)
        found.append(ax)
        waiting += getattr(ax, "child_axes", [])
    return found


def _axes_axis(ax) -> list:
    """The Axis objects (x, y, a polar axes' theta and r...) of `ax`."""
    return [child for child in ax.get_children() if isinstance(child, Axis)]


def _same(first: list, second: list) -> bool:
    """Are two lists of _Blitter._hidden the same (arrays compared by value)?"""
    return len(first) == len(second) and all(
        (isinstance(b, np.ndarray) and a.shape == b.shape
         and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        if isinstance(a, np.ndarray) else a == b
        for a, b in zip(first, second, strict=True))


def _own_state(ax) -> tuple:
    """What an Axes' own draw reads, besides its children, its limits and its
    place (checked apart): shown or not, axis and frame on or off, what is
    rasterized, its filter and locator, its order among the figure's, and how
    its aspect places it."""
    return (ax.get_visible(), ax.axison, ax.get_frame_on(), ax.get_rasterization_zorder(),
            ax.get_rasterized(), ax.get_agg_filter(), ax.get_axes_locator(), ax.get_zorder(),
            ax.get_animated(),
            # What apply_aspect reads in the draw to place it (its box changes only then;
            # get_position() would apply it, and mark it stale).
            ax.get_aspect(), ax.get_adjustable(), ax.get_anchor(), ax.get_box_aspect(),
            ax._originalPosition.frozen().bounds)


def _draws_nothing(artist) -> bool:
    """Is `artist` hidden, or an empty text (which a draw leaves stale)?"""
    return not artist.get_visible() or (isinstance(artist, Text) and not artist.get_text())


def _looks(artist) -> tuple:
    """What decides whether an artist that a draw leaves stale draws anything."""
    return (artist.get_visible(), artist.get_text() if isinstance(artist, Text) else None)


def _inside_any(artist, containers: set) -> bool:
    parent = getattr(artist, "axes", None)
    if not isinstance(parent, Artist):  # None, or a subfigure's list of Axes
        return False
    return parent in containers and parent is not artist


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
    changed (or returns nothing: then the artists it marked stale count) are
    blitted: the unchanging background is drawn once and only those artists,
    and whatever a full draw paints after them (any axes drawn later,
    repainted whole), are repainted. When anything else changed (an axes
    limit, an artist not returned, an artist added or removed below them),
    the background is drawn again for that frame. Animations that cannot gain
    from blitting (returned artists drawn below the axis lines or images, in
    the first axes that holds a returned artist; a background that changes
    every frame) are drawn in full, each frame once. A figure whose draws
    change what its next draw shows (a layout engine, category axes, a
    draw_event handler), or whose savefig
    settings change the picture, is drawn as anim.save draws it: the draw that
    advances the animation (with rendering switched off), then savefig. The
    pixels are those anim.save hands a writer either way; the same buffer is
    reused, so copy a frame to keep it.

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
    return _frames(anim, dpi, blit, verify)


def _frames(anim, dpi, blit, verify=False):
    fig = anim._fig
    original_canvas, original_dpi = fig.canvas, fig.dpi
    blitter, waiting = None, []
    try:  # from here on, whatever stops the save, the figure is given back as it was
        canvas = FigureCanvasAgg(fig)
        if dpi is not None:
            fig.set_dpi(dpi)
        blitter = _Blitter(fig, canvas)
        # An animation starts its own timer, and calls its init function, on the
        # first draw_event; anim.save prevents that by flagging the canvas as
        # saving, which would also paint animated artists into our background.
        # So take those handlers off while we draw, and put them back after.
        waiting = _hold_first_draws(canvas)
        # What anim.save does before savefig: draw_idle, which draws at once on the
        # figure's own canvas if that is an Agg one (not a window's, nor the canvas of
        # a closed figure on Matplotlib 3.11, which does not draw).
        idle_draws = _draws_at_once(original_canvas)
        # A savefig.* setting that changes the picture (a face colour, transparency),
        # or Matplotlib 3.7's own face colour for anim.save: every frame is drawn by
        # savefig, as anim.save's.
        options = _anim_save_options(fig)
        restyled = not _savefig_as_drawn(fig, options)
        # As anim.save: the init function (or the first frame), then each frame
        # through FuncAnimation's own _draw_frame, which with blit=True marks what
        # the update returns as animated; a full draw is made as savefig makes it.
        anim._init_draw()
        for index, framedata in enumerate(anim.new_saved_frame_seq()):
            anim._draw_frame(framedata)
            exact = _draws_change_what_follows(fig, canvas)
            if exact or restyled:
                # Drawn exactly as anim.save draws it: where a draw can move what the
                # next one shows, each draw it makes counts.
                blitter.stop()
                if exact and idle_draws:
                    _draw_unseen(canvas)  # what anim.save's draw_idle changes
                _draw_as_savefig(canvas, options)
            elif blit and blitter.next_frame(anim._drawn_artists):
                if verify:
                    blitter.verify(index)
            else:
                _full_draw(canvas)
            yield np.asarray(canvas.buffer_rgba())
    finally:
        if waiting:
            _release_first_draws(canvas, waiting)
        if blitter is not None:
            blitter.disconnect()
        fig.set_dpi(original_dpi)
        fig.set_canvas(original_canvas)


def _full_draw(canvas) -> None:
    """Draw the figure in full as savefig draws it: with the canvas flagged as
    saving, so that the artists of an Axes marked animated are drawn too (a
    figure's own children marked animated never are)."""
    with _saving(canvas):
        FigureCanvasAgg.draw(canvas)


def _draw_unseen(canvas) -> None:
    """Draw with rendering switched off, as savefig's layout pass does: whatever a
    draw changes (the layout, tick labels, categories, what draw_event handlers
    do) changes, and no pixel is painted (which saves little where the time goes
    into text layout). In place of a draw whose pixels the next draw paints over."""
    renderer = canvas.get_renderer()
    with _saving(canvas), getattr(renderer, "_draw_disabled", contextlib.nullcontext)():
        canvas.figure.draw(renderer)


def _draw_as_savefig(canvas, options: dict) -> None:
    """Draw as savefig does (with a layout engine, a pass that lays the figure out
    first), by calling it with `options`: the pixels are left in the canvas."""
    canvas.figure.savefig(io.BytesIO(), format="rgba", dpi=canvas.figure.dpi,
                          bbox_inches=None, **options)


def _anim_save_options(fig) -> dict:
    """The savefig options anim.save gives a GIF writer's grab_frame: none, except on
    Matplotlib 3.7, which paints the figure's face colour onto white and turns
    transparency off for every writer (later versions, for writers that cannot
    keep transparency, as PillowWriter can)."""
    from matplotlib.animation import AbstractMovieWriter

    if hasattr(AbstractMovieWriter, "_supports_transparency"):  # Matplotlib 3.8 and later
        return {}
    facecolor = mpl.rcParams["savefig.facecolor"]
    if isinstance(facecolor, str) and facecolor == "auto":
        facecolor = fig.get_facecolor()
    red, green, blue, alpha = mcolors.to_rgba(facecolor)
    return {"facecolor": alpha * np.array([red, green, blue]) + 1 - alpha, "transparent": False}


def _savefig_as_drawn(fig, savefig_kwargs: dict) -> bool:
    """Would savefig with these options give what the canvas drew?

    Read as savefig reads them: ``transparent=None`` is
    ``rcParams["savefig.transparent"]``, and a face colour of None is
    ``rcParams["savefig.facecolor"]``, whose default "auto" is the figure's
    own. Matplotlib 3.7's ``anim.save`` (and later ones, for a writer that
    does not support transparency) passes the figure's face colour
    composited onto white and ``transparent=False``; for an opaque figure
    that changes nothing.
    """
    if set(savefig_kwargs) - {"facecolor", "transparent"}:
        return False
    transparent = savefig_kwargs.get("transparent")
    if transparent is None:
        transparent = mpl.rcParams["savefig.transparent"]
    if transparent:
        return False
    if mpl.rcParams["savefig.edgecolor"] != "auto":  # savefig would paint the edge
        return False
    asked = savefig_kwargs.get("facecolor")
    if asked is None:
        asked = mpl.rcParams["savefig.facecolor"]
    if isinstance(asked, str) and asked == "auto":
        return True
    # Setting the face colour it already has changes nothing.
    return np.allclose(mcolors.to_rgba(asked), mcolors.to_rgba(fig.get_facecolor()))


def _stateless(converter) -> bool:
    """Is `converter` one whose conversion changes nothing (dates, decimals, pandas'
    times), unlike categories, which a draw adds to the axis?"""
    module = type(converter).__module__
    return module in ("matplotlib.dates", "matplotlib.units") or module.startswith("pandas.")


def _draws_at_once(canvas) -> bool:
    """Does ``canvas.draw_idle()`` draw the figure at once (an Agg canvas, such as
    pyplot's without a window, or Jupyter's before it closes the figure)?"""
    kind = type(canvas)
    return kind.draw_idle is FigureCanvasBase.draw_idle and kind.draw is not FigureCanvasBase.draw


def _draws_change_what_follows(fig, canvas) -> bool:
    """Can drawing `fig` change what its next draw shows, so that a frame must be
    drawn as often as anim.save draws it? A layout engine (constrained layout
    settles over several passes), an axis with units other than dates (categories
    are added as they are drawn), or a draw_event handler of the user's (one that
    sets a title from the limits, say)."""
    if fig.get_layout_engine() is not None:
        return True
    for ax in _all_axes(fig):
        for axis in _axes_axis(ax):
            converter = axis.get_converter() if hasattr(axis, "get_converter") else axis.converter
            if converter is not None and not _stateless(converter):
                return True
    from matplotlib.animation import Animation

    for reference in canvas.callbacks.callbacks.get("draw_event", {}).values():
        if not isinstance(getattr(reference(), "__self__", None), (_Blitter, Animation)):
            return True
    return False


def _hold_first_draws(canvas) -> list:
    """Take off the handlers with which animations on the canvas's figure wait for
    its first draw (to start their timer and call their init function), and
    return those animations: the one being saved, and any other made on the same
    figure and never shown (an earlier try in a notebook, say), which would
    otherwise run its own init or first frame in the middle of this save. Saving
    with anim.save flags the canvas instead, which would also paint animated
    artists into a blitted background."""
    from matplotlib.animation import Animation

    held = []
    for handler, reference in list(canvas.callbacks.callbacks.get("draw_event", {}).items()):
        method = reference()
        anim = getattr(method, "__self__", None)
        if isinstance(anim, Animation) and getattr(method, "__name__", None) == "_start":
            canvas.mpl_disconnect(handler)
            held.append(anim)
    return held


def _release_first_draws(canvas, held: list) -> None:
    """Put back the handlers :func:`_hold_first_draws` took off."""
    for anim in held:
        anim._first_draw_id = canvas.mpl_connect("draw_event", anim._start)


def _artists(returned) -> bool:
    """Did the update function return a list or tuple of artists? (Anything else,
    a generator say, is not looked into: Matplotlib itself iterates what the
    update returns only when blitting.)"""
    from matplotlib.artist import Artist

    if not isinstance(returned, (list, tuple)):
        return False
    return bool(returned) and all(isinstance(item, Artist) for item in returned)
