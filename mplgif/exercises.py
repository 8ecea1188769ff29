"""A tiny self-check for the notebooks' exercises.

Each exercise in the series ends with a cell like::

    check("Exercise 1", lambda: ...)

where the function asserts what a solution must satisfy, with a hint as the
assertion's message. :func:`check` prints ``correct`` or ``not yet`` and never
raises, so a notebook whose exercises are still open runs to the end.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["check"]


def check(exercise: str, test: Callable[[], object]) -> bool:
    """Run `test` and print whether `exercise` is solved; return True if it is.

    Parameters
    ----------
    exercise : str
        The name printed before the verdict, e.g. ``"Exercise 2"``.
    test : callable
        Takes no arguments and raises ``AssertionError`` (with a hint as its
        message) when the answer is not right yet.

    Returns
    -------
    bool
        True when `test` returned without raising.

    Notes
    -----
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
    False
    >>> answer = 100
    >>> check("Exercise 1", test)
    Exercise 1: not yet. Count the sine from init too.
    False
    >>> check("Exercise 1", lambda: None + 1)
    Exercise 1: not yet (TypeError: unsupported operand type(s) for +: 'NoneType' and 'int')
    False
    >>> answer = 101
    >>> check("Exercise 1", test)
    Exercise 1: correct
    True
    """
    try:
        test()
    except AssertionError as error:
        hint = f" {error}" if str(error) else ""
        print(f"{exercise}: not yet.{hint}")
        return False
    except Exception as error:  # an unfinished answer: say so, and let the notebook go on
        print(f"{exercise}: not yet ({type(error).__name__}: {error})")
        return False
    print(f"{exercise}: correct")
    return True
