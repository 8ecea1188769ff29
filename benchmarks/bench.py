"""Compare GIF writers on speed, size, memory and fidelity, side by side.

    python benchmarks/bench.py              # every workload, 3 repeats (make bench)
    python benchmarks/bench.py --quick      # one small workload, 1 repeat

Workloads: the article's sine animation (cosine and a moving sine, 640x480,
20 ms per frame) at 100 and 500 frames and at dpi 200, and the finished
regression animation of notebook 05. Writers:

- ``pillow``: ``anim.save(path, writer="pillow")``, Matplotlib's PillowWriter;
- ``imagemagick``: ``anim.save(path, writer="imagemagick")`` with a real
  ImageMagick, when one is installed (skipped for the two largest workloads,
  where one run takes minutes and may exhaust ImageMagick's cache);
- ``imageio``: every frame drawn into a list, then ``imageio.v3.imwrite``;
- ``mplgif-save``: ``anim.save(path, writer="mplgif")``, Matplotlib drives;
- ``mplgif``: ``mplgif.save_gif(anim, path, fps=...)``, free to blit.

Times are medians over repeats run interleaved in this one process (each
repeat runs every writer once, in turn). Peak memory is the peak resident
set size of a fresh Python process that builds the animation and saves it
once, less that of one that only builds it (the memory saving costs). Error is the mean absolute
difference, on a 0-255 scale, between each decoded GIF frame and Matplotlib's
Agg render of the same frame. Ratios are against PillowWriter (speed-up: its
time over the writer's). ImageMagick's memory is its own process's, which is
not counted. This is a measurement script, not a test: nothing here passes or
fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import imageio.v3 as iio  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from PIL import Image, ImageSequence  # noqa: E402

import mplgif  # noqa: E402
from mplgif.plots import animate_training  # noqa: E402
from mplgif.regression import make_data, train  # noqa: E402
from mplgif.writer import draw_frames  # noqa: E402

WORKLOADS = {
    "sine-100": {"frames": 100, "dpi": 100},
    "sine-500": {"frames": 500, "dpi": 100},
    "sine-100-dpi200": {"frames": 100, "dpi": 200},
    "regression": {},
}
WRITERS = ["pillow", "imagemagick", "imageio", "mplgif-save", "mplgif"]
SLOW_FOR_IMAGEMAGICK = {"sine-500", "sine-100-dpi200"}


def build(workload: str):
    """A fresh animation for `workload`, and its frames per second."""
    if workload == "regression":
        x, y = make_data()
        trace = train(x, y, learning_rate=0.001, epochs=500, display_step=40)
        return animate_training(trace, x, y, interval_ms=100), 10
    settings = WORKLOADS[workload]
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=settings["dpi"])
    x = np.arange(0, 2 * np.pi, 0.01)
    ax.plot(x, np.cos(x))
    (line,) = ax.plot(x, np.sin(x))

    def init():
        line.set_ydata(np.sin(x))
        return (line,)

    def animate(frame):
        line.set_ydata(np.sin(x + frame / 10))
        return (line,)

    anim = FuncAnimation(fig, animate, frames=settings["frames"], init_func=init, interval=20)
    return anim, 50


def save(writer: str, anim, path: Path, fps: float) -> None:
    if writer in ("pillow", "imagemagick", "mplgif-save"):
        name = "mplgif" if writer == "mplgif-save" else writer
        if writer == "imagemagick":
            found = mplgif.find_imagemagick()
            with matplotlib.rc_context({"animation.convert_path": found.path}):
                anim.save(path, writer=name, fps=fps)
        else:
            anim.save(path, writer=name, fps=fps)
    elif writer == "imageio":
        frames = [pixels[..., :3].copy() for pixels in draw_frames(anim, blit=False)]
        iio.imwrite(path, frames, extension=".gif", duration=1000 / fps, loop=0)
    elif writer == "mplgif":
        mplgif.save_gif(anim, path, fps=fps)
    else:
        raise ValueError(f"unknown writer {writer!r}")


def mean_error(workload: str, path: Path) -> float:
    """Mean absolute error of the decoded GIF against the Agg render, frame by frame."""
    anim, _ = build(workload)
    errors = []
    with Image.open(path) as gif:
        decoded = ImageSequence.Iterator(gif)
        for reference, frame in zip(draw_frames(anim, blit=False), decoded, strict=False):
            got = np.asarray(frame.convert("RGB"), dtype=np.int16)
            errors.append(float(np.abs(got - reference[..., :3]).mean()))
    plt.close("all")
    return statistics.fmean(errors)


def peak_memory_mb(workload: str, writer: str | None) -> float:
    """Peak RSS in MB of a fresh process that builds and (if `writer`) saves."""
    with tempfile.TemporaryDirectory() as folder:
        answer = subprocess.run(
            [sys.executable, __file__, "--one", workload, writer or "none", folder],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(answer.stdout)["peak_mb"]


def one(workload: str, writer: str, folder: str) -> None:
    anim, fps = build(workload)
    if writer != "none":
        save(writer, anim, Path(folder) / "out.gif", fps)
    print(json.dumps({"peak_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    # Linux: VmHWM starts afresh in a new program, while ru_maxrss carries over
    # the parent's peak across fork and exec.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux, bytes on macOS


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {module.__version__}"
        for name, module in [("matplotlib", matplotlib), ("numpy", np), ("Pillow", Image)]
    )
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {versions}"


def run(workloads: list[str], repeats: int, memory: bool) -> list[dict]:
    have_imagemagick = mplgif.find_imagemagick() is not None
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for workload in workloads:
            writers = [
                writer
                for writer in WRITERS
                if writer != "imagemagick"
                or (have_imagemagick and workload not in SLOW_FOR_IMAGEMAGICK)
            ]
            seconds = {writer: [] for writer in writers}
            for _ in range(repeats):
                for writer in writers:  # interleaved: machine load hits all alike
                    anim, fps = build(workload)
                    path = Path(folder) / f"{workload}-{writer}.gif"
                    start = time.perf_counter()
                    save(writer, anim, path, fps)
                    seconds[writer].append(time.perf_counter() - start)
                    plt.close("all")
            baseline = peak_memory_mb(workload, None) if memory else float("nan")
            for writer in writers:
                path = Path(folder) / f"{workload}-{writer}.gif"
                peak = peak_memory_mb(workload, writer) if memory else float("nan")
                rows.append(
                    {
                        "workload": workload,
                        "writer": writer,
                        "seconds": statistics.median(seconds[writer]),
                        "bytes": path.stat().st_size,
                        "peak_mb": peak,
                        "memory_mb": peak - baseline,
                        "error": mean_error(workload, path),
                        "frames": mplgif.gif_info(path).frames,
                    }
                )
                print(f"  {workload:16} {writer:12} done", file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| workload | writer | time s | speed-up | bytes | × Pillow | memory MB | × Pillow "
        "| error (0-255) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    pillow = {row["workload"]: row for row in rows if row["writer"] == "pillow"}
    for row in rows:
        base = pillow[row["workload"]]
        speed = base["seconds"] / row["seconds"]
        lines.append(
            f"| {row['workload']} | {row['writer']} | {row['seconds']:.2f} | "
            f"{speed:.1f}x | {row['bytes'] / 1000:.0f} kB | "
            f"{row['bytes'] / base['bytes']:.2f} | {row['memory_mb']:.0f} | "
            f"{row['memory_mb'] / max(base['memory_mb'], 1):.2f} | {row['error']:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sine-100 only, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument(
        "--one", nargs=3, metavar=("WORKLOAD", "WRITER", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        one(*args.one)
        return 0
    workloads = ["sine-100"] if args.quick else list(WORKLOADS)
    repeats = 1 if args.quick else args.repeats
    rows = run(workloads, repeats, memory=not args.no_memory)
    print(f"Machine: {machine()}\n")
    print(table(rows))
    for writer in ("mplgif", "mplgif-save", "pillow"):
        peak = {row["workload"]: row["peak_mb"] for row in rows if row["writer"] == writer}
        if "sine-100" in peak and "sine-500" in peak:
            print(
                f"\n{writer}: peak memory of the whole process at 500 frames is "
                f"{peak['sine-500'] / peak['sine-100']:.2f}x that at 100 frames "
                f"({peak['sine-500']:.0f} MB against {peak['sine-100']:.0f} MB)"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
