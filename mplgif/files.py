"""Where saved files go: the checks on a target path, and the one rule for
writing it safely.

The rule, followed by every save path in mplgif (:func:`mplgif.save_gif`
with each writer, ``anim.save(writer="mplgif")`` and
:func:`mplgif.save_frames`):

- the new file is written to a temporary file in the target's own folder
  (so the final rename stays on one file system and is atomic);
- when it is complete, it is checked, given the permissions of the file it
  replaces, and only then renamed over the target;
- on every other way out (an exception, ``KeyboardInterrupt``, a failing
  ``close()``, a failing rename, a check that fails, a failure while setting
  up) the temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn, TypeVar

T = TypeVar("T")

__all__ = ["PartialFile", "check_folder", "check_suffix", "full_disk_error"]

# Errors that mean "the disk (or the user's quota, or a size limit) is full".
_FULL = {errno.ENOSPC, errno.EFBIG} | ({errno.EDQUOT} if hasattr(errno, "EDQUOT") else set())


def check_suffix(path: str | os.PathLike[str], suffixes: tuple[str, ...], advice: str) -> Path:
    """`path` with ``~`` expanded, if it ends in one of `suffixes`; else a clear ValueError."""
    path = Path(path).expanduser()
    name = path.name.lower()
    if name in suffixes:  # ".gif" alone is a hidden file with no suffix at all
        raise ValueError(
            f"{str(path)!r} has no name before {path.name!r}; give the file a name, e.g. "
            f"{str(path.with_name('animation' + path.name))!r}."
        )
    if path.suffix.lower() not in suffixes:
        endings = (
            repr(suffixes[0]) if len(suffixes) == 1
            else f"{', '.join(suffixes[:-1])} or {suffixes[-1]}"
        )
        raise ValueError(f"{str(path)!r} does not end in {endings}; {advice}")
    return path


def check_folder(path: str | os.PathLike[str]) -> Path:
    """`path`, with ``~`` expanded, if it can be written: its folder exists and
    it is not itself a folder."""
    path = Path(path).expanduser()
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"{str(folder)!r} is a file, not a folder, so {path.name!r} cannot be saved in it."
        )
    if not folder.is_dir():
        raise FileNotFoundError(
            f"The folder {str(folder)!r} does not exist (resolved from "
            f"{os.getcwd()!r}). Create it first, e.g. "
            f"Path({str(folder)!r}).mkdir(parents=True), or fix the path."
        )
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give a file name, not a folder.")
    return path


class PartialFile:
    """A temporary file beside `target` that becomes `target` only when complete.

    Use it as a context manager, which creates the file on entry and removes
    it on exit unless :meth:`commit` replaced the target with it::

        with PartialFile(target) as partial:
            write_everything_to(partial.path)
            partial.commit(check=read_it_back)

    or call :meth:`create`, then :meth:`commit` or :meth:`abandon`, when the
    steps are spread over several methods (as in a ``MovieWriter``).

    Parameters
    ----------
    target : path-like
        The file to write. Its folder must exist.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.path: Path | None = None  # the temporary file, while it exists
        self._file: BinaryIO | None = None

    def __enter__(self) -> PartialFile:
        try:
            self.create()
            return self
        except BaseException as error:  # __exit__ will not run
            self.abandon(error)

    def __exit__(self, kind, error, traceback) -> None:
        if self.path is None:  # committed (or never created)
            return
        if error is None:
            self.discard()
        else:
            self.abandon(error)

    def create(self) -> Path:
        """Create the empty temporary file, with a name nothing else uses.

        Its name is fixed apart from random letters (ImageMagick reads
        characters such as ``%`` and ``[`` in file names as instructions, so
        the user's file name is not reused). It is created with mode 0o666
        less the umask, like any new file, so the result gets ordinary
        permissions.
        """
        folder = self.target.parent
        suffix = self.target.suffix.lower()
        try:
            for _ in range(100):
                # Known before it exists, so that a failure at any moment after
                # the file appears still removes it.
                self.path = folder / f".mplgif-{secrets.token_hex(6)}.partial{suffix}"
                try:
                    descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
                except FileExistsError:
                    self.path = None  # someone else's: leave it alone
                    continue
                except OSError as error:
                    self.path = None  # nothing was created
                    raise _cannot_create(error, folder, self.target) from error
                os.close(descriptor)
                return self.path
        except BaseException as error:
            self.abandon(error)
        raise FileExistsError(f"Could not find a free temporary file name in {str(folder)!r}.")

    def open(self) -> BinaryIO:
        """The temporary file, open for writing (closed by commit or discard)."""
        try:
            self._file = open(self.path, "wb")  # noqa: SIM115 (closed in commit or discard)
        except BaseException as error:
            self.abandon(error)
        return self._file

    def commit(self, check: Callable[[Path], T] | None = None) -> T | None:
        """Close the file, check it, and rename it over the target.

        Parameters
        ----------
        check : callable, optional
            Called with the temporary file's path before anything replaces
            the target; it raises if the file is not what was meant to be
            written. What it returns, commit returns.

        If any step fails, the temporary file is removed, the target is left
        as it was, and the error is raised.
        """
        try:
            if self._file is not None:
                file, self._file = self._file, None
                file.close()  # a full disk often shows only here, when the buffer is flushed
            checked = None if check is None else check(self.path)
            # Replacing a file keeps its permissions.
            with contextlib.suppress(FileNotFoundError):
                shutil.copymode(self.target, self.path)
            try:
                os.replace(self.path, self.target)
            except OSError as error:
                raise type(error)(
                    error.errno,
                    f"The new file was complete, but it could not replace "
                    f"{str(self.target)!r} ({error.strerror}); the old file is unchanged. "
                    "Check that you may replace that file (in a shared folder such as /tmp "
                    "only its owner may), or save under another name.",
                ) from error
        except BaseException as error:
            self.abandon(error)
        self.path = None
        return checked

    def abandon(self, error: BaseException) -> NoReturn:
        """Remove the temporary file, then raise `error` (explained, for a full disk)."""
        self.discard()
        better = full_disk_error(error, self.target)
        if better is not None:
            raise better from error
        raise error

    def discard(self) -> None:
        """Close and remove the temporary file, if it exists."""
        try:
            try:
                if self._file is not None:
                    file, self._file = self._file, None
                    # Its contents are being thrown away, so an error while
                    # flushing them does not matter; the error in flight says
                    # what went wrong.
                    with contextlib.suppress(OSError):
                        file.close()
            finally:
                self._remove()
        except BaseException:
            self._remove_again()  # interrupted while cleaning up: clean up, then stop
            raise

    def _remove(self) -> None:
        if self.path is None:
            return
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError:
            self._remove_again()  # a passing failure: if the second try works, all is well
            return
        self.path = None

    def _remove_again(self) -> None:
        path = self.path
        if path is None:
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise type(error)(
                error.errno,
                f"Could not remove the temporary file {str(path)!r} ({error.strerror}); "
                "delete it by hand.",
            ) from error
        self.path = None


def _cannot_create(error: OSError, folder: Path, target: Path) -> OSError:
    full = full_disk_error(error, target)
    if full is not None:
        return full
    return PermissionError(
        error.errno,
        f"Cannot write in the folder {str(folder)!r} ({error.strerror}). "
        "Save to a folder you can write to, or fix its permissions.",
    )


def full_disk_error(error: BaseException, target: Path) -> OSError | None:
    """A clearer error to raise instead of `error`, if it means the disk is full."""
    if not isinstance(error, OSError) or error.errno not in _FULL:
        return None
    if isinstance(error.strerror, str) and error.strerror.startswith("No space left to write"):
        return None  # explained already
    return OSError(
        error.errno,
        f"No space left to write {str(target)!r} ({error.strerror}). Free some space, or "
        "save to another disk; the old file, if any, is unchanged, and the partial one was "
        "removed.",
    )
