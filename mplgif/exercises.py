"""A tiny self-check for the notebooks' exercises.

Each exercise in the series ends with a cell like::

    check("Exercise 1", lambda: ...)

where the function asserts what a solution must satisfy, with a hint as the
assertion's message. :func:`check` prints ``correct`` or ``not yet`` and never
raises, so a notebook whose exercises are still open runs to the end.
:func:`frames_of` gives such a function the pictures an animation saves, so it
can check what a GIF shows, not only how many frames it has;
:func:`after_each_frame` lets it look at the artists themselves after each frame
(a line's data and colour, a title), which a small picture shows only roughly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

T = TypeVar("T")

__all__ = ["after_each_frame", "check", "frames_of"]


def check(exercise: str, test: Callable[[], object]) -> None:
    """Run `test` and print whether `exercise` is solved.

    Parameters
    ----------
    exercise : str
        The name printed before the verdict, e.g. ``"Exercise 2"``.
    test : callable
        Takes no arguments and raises ``AssertionError`` (with a hint as its
        message) when the answer is not right yet.

    Notes
    -----
    The verdict is printed, not returned: a notebook cell shows what its last
    line returns, and "correct" followed by ``True`` would say it twice.

    An unfinished starter often fails before any assertion, for instance by
    doing arithmetic on its ``None`` placeholder. Any such exception also means
    "not yet": it is printed with its type, and the notebook goes on.

    Examples
    --------
    >>> answer = None
    >>> def test():
    ...     assert answer is not None, "Set `answer`."
    ...     assert answer == 101, "Count the sine from init too."
    >>> check("Exercise 1", test)
    Exercise 1: not yet. Set `answer`.
    >>> answer = 100
    >>> check("Exercise 1", test)
    Exercise 1: not yet. Count the sine from init too.
    >>> check("Exercise 1", lambda: None + 1)
    Exercise 1: not yet (TypeError: unsupported operand type(s) for +: 'NoneType' and 'int')
    >>> answer = 101
    >>> check("Exercise 1", test)
    Exercise 1: correct
    """
    try:
        test()
    except AssertionError as error:
        hint = f" {error}" if str(error) else ""
        print(f"{exercise}: not yet.{hint}")
        return
    except Exception as error:  # an unfinished answer: say so, and let the notebook go on
        print(f"{exercise}: not yet ({type(error).__name__}: {error})")
        return
    print(f"{exercise}: correct")


def frames_of(anim) -> list[np.ndarray]:
    """The pixels of every frame `anim` saves, drawn in full as ``anim.save`` draws them.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
        The animation to draw. Its update function runs once per frame, as when
        saving.

    Returns
    -------
    list of numpy.ndarray
        One height x width x 4 (RGBA) array per frame.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    >>> ax.set_xlim(-0.5, 1.5)
    (-0.5, 1.5)
    >>> (dot,) = ax.plot([0], [0], "o")
    >>> back = FuncAnimation(fig, lambda x: dot.set_xdata([x]), frames=[0, 1, 0])
    >>> first, second, third = frames_of(back)
    >>> first.shape, bool((first == third).all()), bool((first == second).all())
    ((20, 20, 4), True, False)
    >>> plt.close(fig)
    """
    return [frame.copy() for frame in _drawn(anim, "frames_of draws a FuncAnimation")]


def after_each_frame(anim, read: Callable[[Figure], T]) -> list[T]:
    """What ``read(figure)`` returns after each frame `anim` saves is drawn.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation or ArtistAnimation
        The animation. A FuncAnimation is drawn as :func:`frames_of` draws it. An
        ArtistAnimation has no update function: for each frame, its artists are
        shown and those of the other frames hidden, as Matplotlib does to draw
        that frame, and are left as they were at the end.
    read : callable
        Takes the animation's figure and returns what to keep of that frame;
        it should copy what the next frame may change.

    Returns
    -------
    list
        What `read` returned, one item per frame.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    >>> (line,) = ax.plot([0, 1], [0, 0])
    >>> rise = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=3)
    >>> after_each_frame(rise, lambda figure: list(figure.axes[0].lines[0].get_ydata()))
    [[0, 0], [0, 1], [0, 2]]
    >>> from matplotlib.animation import ArtistAnimation
    >>> dots = [ax.plot([k], [k], "o") for k in range(3)]  # each plot: a list of one line
    >>> shown = ArtistAnimation(fig, dots)
    >>> after_each_frame(shown, lambda figure: [line.get_visible() for line in ax.lines[1:]])
    [[True, False, False], [False, True, False], [False, False, True]]
    >>> plt.close(fig)
    """
    from matplotlib.animation import ArtistAnimation

    if isinstance(anim, ArtistAnimation):
        return list(_each_artist_frame(anim, read))
    frames = _drawn(anim, "after_each_frame draws a FuncAnimation or an ArtistAnimation")
    return [read(anim._fig) for _ in frames]


def _each_artist_frame(anim, read):
    """Yield ``read(figure)`` with each frame of an ArtistAnimation shown alone."""
    frames = [list(frame) for frame in anim._framedata]
    anim._draw_was_started = True  # it is being looked at: no "deleted without rendering"
    everything = {artist: artist.get_visible() for frame in frames for artist in frame}
    try:
        for frame in frames:
            for artist in everything:
                artist.set_visible(False)
            for artist in frame:
                artist.set_visible(True)
            yield read(anim._fig)
    finally:
        for artist, visible in everything.items():
            artist.set_visible(visible)


def _drawn(anim, accepted: str):
    """A generator drawing each frame of `anim` in full and yielding its pixels (one
    buffer, reused); a TypeError saying `accepted` if it cannot draw `anim`."""
    from .frames import draw_frames

    frames = draw_frames(anim, blit=False)
    if frames is None:
        raise TypeError(f"{accepted}, not a {type(anim).__name__}.")
    return frames
