"""Compare the GIF writers over tests/corpus/, case by case, side by side.

    python benchmarks/corpus_bench.py            # every corpus case, 3 repeats (make bench)
    python benchmarks/corpus_bench.py --dpi 100 --frames 20   # larger: 240x180, 20 frames
    python benchmarks/corpus_bench.py --repeats 1 sine_returned many_lines_many_hues

Writers, each saving a fresh copy of the same animation at 10 fps:

- ``pillow``: ``anim.save(path, writer="pillow")``, Matplotlib's PillowWriter;
- ``ffmpeg``: ``anim.save(path, writer="ffmpeg")`` to a ``.gif`` (FFmpeg's own
  GIF output, with the palette filters Matplotlib adds), when FFmpeg is here;
- ``mplgif-save``: ``anim.save(path, writer="mplgif")``, Matplotlib drives;
- ``mplgif``: ``mplgif.save_gif(anim, path, fps=10)``, free to blit.

Times are medians over repeats run interleaved in this one process (each
repeat runs every writer once, in turn), building the animation outside the
timed part. Error is the mean absolute difference (0-255) between each
decoded frame and a full draw of it, as a GIF can show it (transparent where
alpha is 0, else opaque); "far" is the largest number of pixels in one frame
that are more than 40 off in some channel, or transparent where they should
not be, or the other way round. The corpus cases are
small (96x72 pixels, 6 frames), to keep the tests quick; ``--dpi`` and
``--frames`` save them larger and longer, closer to what users save (make
bench runs both), where the fixed cost of starting a save counts for less.
This is a measurement script, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402
from PIL import Image, ImageSequence  # noqa: E402

import mplgif  # noqa: E402
from mplgif.frames import draw_frames  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import corpus  # noqa: E402
from corpus import CASES  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine  # noqa: E402

FPS = 10
WRITERS = ["pillow", "ffmpeg", "mplgif-save", "mplgif"]


def save(writer: str, name: str, path: Path) -> float:
    """Seconds `writer` takes to save a fresh copy of corpus case `name`."""
    fig, anim = CASES[name]()
    start = time.perf_counter()
    if writer == "mplgif":
        mplgif.save_gif(anim, path, fps=FPS)
    else:
        anim.save(path, writer="mplgif" if writer == "mplgif-save" else writer, fps=FPS)
    took = time.perf_counter() - start
    plt.close(fig)
    return took


def full_draws(name: str) -> list[np.ndarray]:
    """Each frame drawn in full, as a GIF can show it: the reference."""
    fig, anim = CASES[name]()
    frames = draw_frames(anim, None, blit=False)
    drawn = []
    if frames is None:  # ArtistAnimation: drawn as anim.save draws it
        anim._init_draw()
        for data in anim.new_saved_frame_seq():
            anim._draw_next_frame(data, blit=False)
            fig.canvas.draw()
            drawn.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    else:
        drawn = [pixels.copy() for pixels in frames]
    plt.close(fig)
    return [corpus.as_a_gif_shows(rgba) for rgba in drawn]


def decoded(path: Path, count: int) -> list[np.ndarray]:
    """The GIF's frames, one per drawn frame (merged frames repeated by their delay)."""
    frames = []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            pixels = corpus.as_a_gif_shows(np.asarray(frame.convert("RGBA")))
            frames += [pixels] * max(1, round(frame.info.get("duration", 0) * FPS / 1000))
    return frames[:count]


def fidelity(reference: list[np.ndarray], path: Path) -> tuple[float, int]:
    frames = decoded(path, len(reference))
    errors = [corpus.off_by(want, got) for want, got in zip(reference, frames, strict=False)]
    return (
        float(np.mean([error.mean() for error in errors])),
        max(int((error.max(axis=-1) > 40).sum()) for error in errors),
    )


def run(names: list[str], repeats: int) -> list[dict]:
    writers = [w for w in WRITERS if w != "ffmpeg" or animation.writers.is_available("ffmpeg")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            times: dict[str, list[float]] = {writer: [] for writer in writers}
            for _ in range(repeats):
                for writer in writers:
                    times[writer].append(save(writer, name, Path(folder) / f"{writer}.gif"))
            reference = full_draws(name)
            for writer in writers:
                path = Path(folder) / f"{writer}.gif"
                error, far = fidelity(reference, path)
                rows.append({
                    "case": name, "writer": writer, "seconds": statistics.median(times[writer]),
                    "bytes": path.stat().st_size, "error": error, "far": far,
                })
    return rows


def table(rows: list[dict]) -> str:
    by = {(row["case"], row["writer"]): row for row in rows}
    cases = sorted({row["case"] for row in rows})
    writers = [w for w in WRITERS if (cases[0], w) in by]
    lines = [
        "| case | " + " | ".join(f"{w} ms, bytes, error, far" for w in writers)
        + " | mplgif speed-up, bytes vs pillow |",
        "|---|" + "---|" * (len(writers) + 1),
    ]
    speedups, writer_speedups = [], []
    smaller = 0
    for case in cases:
        cells = []
        for writer in writers:
            row = by[(case, writer)]
            cells.append(
                f"{1000 * row['seconds']:.0f}, {row['bytes']}, {row['error']:.2f}, {row['far']}"
            )
        pillow, ours = by[(case, "pillow")], by[(case, "mplgif")]
        speedup = pillow["seconds"] / ours["seconds"]
        speedups.append(speedup)
        if (case, "mplgif-save") in by:
            writer_speedups.append(pillow["seconds"] / by[(case, "mplgif-save")]["seconds"])
        smaller += ours["bytes"] <= pillow["bytes"]
        cells.append(f"{speedup:.2f}x, {ours['bytes'] / pillow['bytes']:.2f}")
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    geometric = math.exp(statistics.mean(math.log(s) for s in speedups))
    lines.append("")
    lines.append(
        f"save_gif vs PillowWriter: {geometric:.2f}x faster (geometric mean over "
        f"{len(cases)} cases, slowest case {min(speedups):.2f}x); bytes at most "
        f"PillowWriter's in {smaller} of {len(cases)} cases."
    )
    if writer_speedups:
        lines.append(
            f"anim.save(writer='mplgif') vs PillowWriter: "
            f"{math.exp(statistics.mean(map(math.log, writer_speedups))):.2f}x faster "
            f"(geometric mean), slowest case {min(writer_speedups):.2f}x."
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="corpus case names (default: all)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=corpus.DPI,
                        help=f"dots per inch of the corpus figures (default {corpus.DPI})")
    parser.add_argument("--frames", type=int, default=corpus.FRAMES,
                        help=f"frames per animation (default {corpus.FRAMES})")
    arguments = parser.parse_args()
    corpus.DPI, corpus.FRAMES = arguments.dpi, arguments.frames
    names = arguments.cases or sorted(CASES)
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown corpus cases: {', '.join(unknown)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. Matplotlib's notes on transparent frames
        rows = run(names, arguments.repeats)
    width, height = (round(inches * corpus.DPI) for inches in corpus.SIZE)
    print(f"Machine: {machine()}")
    print(f"Corpus: {width}x{height} pixels (dpi {corpus.DPI}), {corpus.FRAMES} frames\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
