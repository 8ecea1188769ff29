"""Write the navigation lines at the top and bottom of every notebook.

Each notebook's first and last cells are markdown cells that start with the
marker below; this script rewrites them from the file names and titles, so
they are never edited by hand. Run it after adding or renaming a notebook::

    python tools/navigation.py          # rewrite
    python tools/navigation.py --check  # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

MARKER = "<!--NAVIGATION-->"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CONTENTS = "[Contents](../README.md#the-notebooks)"


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """The series' notebooks, in order (their names start with two digits)."""
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


def title_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The text of the notebook's first level-one heading."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    raise ValueError(f"{path.name} has no '# Title' heading in a markdown cell.")


def navigation_line(previous: tuple[Path, str] | None, following: tuple[Path, str] | None) -> str:
    parts = []
    if previous is not None:
        parts.append(f"< [{previous[0].stem[:2]} · {previous[1]}]({previous[0].name})")
    parts.append(CONTENTS)
    if following is not None:
        parts.append(f"[{following[0].stem[:2]} · {following[1]}]({following[0].name}) >")
    return f"{MARKER}\n" + " | ".join(parts)


def updated(paths: list[Path]) -> dict[Path, nbformat.NotebookNode]:
    """Every notebook with its navigation cells as they should be."""
    notebooks = {path: nbformat.read(path, as_version=4) for path in paths}
    titles = [(path, title_of(nb, path)) for path, nb in notebooks.items()]
    for index, (path, _) in enumerate(titles):
        notebook = notebooks[path]
        previous = titles[index - 1] if index > 0 else None
        following = titles[index + 1] if index + 1 < len(titles) else None
        line = navigation_line(previous, following)
        for position in (0, -1):
            cell = notebook.cells[position]
            if cell.cell_type != "markdown" or not cell.source.startswith(MARKER):
                raise ValueError(
                    f"{path.name}: the {'first' if position == 0 else 'last'} cell must be "
                    f"a markdown cell starting with {MARKER} (the script fills in the rest)."
                )
            cell.source = line
    return notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for path, notebook in updated(notebook_paths()).items():
        text = nbformat.writes(notebook) + "\n"
        if path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(
            "Navigation out of date in: " + ", ".join(stale) + ". Run python tools/navigation.py."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
