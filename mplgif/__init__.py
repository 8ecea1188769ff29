"""Helpers for the mplgif notebook series.

Importing this package changes no backend and no rcParams. It registers one
movie writer with Matplotlib, ``"mplgif"`` (see :mod:`mplgif.writer`), so that
``anim.save(path, writer="mplgif", fps=...)`` works.

- :func:`save_gif` saves an animation as a GIF, checked first and written
  atomically; :func:`find_imagemagick` tells whether a real ImageMagick is here.
- :func:`save_frames` saves the same frames as animated WebP or APNG.
- :func:`gif_info` reads a GIF's frames, delays and looping back from disk;
  :func:`show_gif` displays it in a notebook by reference.
"""

from .inspecting import GifInfo, gif_info, show_gif
from .saving import (
    GifTimingWarning,
    ImageMagick,
    ImageMagickNotFoundError,
    find_imagemagick,
    save_frames,
    save_gif,
)
from .writer import GifWriter

__all__ = [
    "GifInfo",
    "GifWriter",
    "GifTimingWarning",
    "ImageMagick",
    "ImageMagickNotFoundError",
    "find_imagemagick",
    "gif_info",
    "save_frames",
    "save_gif",
    "show_gif",
]
__version__ = "0.1.0"
