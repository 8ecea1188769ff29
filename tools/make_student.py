"""Write the students' copy of the series: every notebook without its solutions.

Cells tagged ``solution`` are removed with nbconvert's TagRemovePreprocessor
and all outputs are cleared, so students run each notebook themselves; every
exercise keeps its starter cell and its self-check, which then says "not yet".
The copy is laid out like the repository, so the notebooks' relative paths
(``../outputs/``, ``../requirements.txt``) work there too::

    python tools/make_student.py                 # into build/student/
    python tools/make_student.py --into DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without solution cells and without outputs."""
    resources: dict = {}
    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG})
    notebook, resources = remover.preprocess(notebook, resources)
    notebook, _ = ClearOutputPreprocessor().preprocess(notebook, resources)
    return notebook


def write_student_copy(into: Path) -> list[Path]:
    """Write the student notebooks under `into`/notebooks; return their paths."""
    target = into.resolve()
    inside_repository = target == ROOT or ROOT in target.parents
    if inside_repository and (ROOT / "build") not in [target, *target.parents]:
        # Never write over the repository's own notebooks/ or outputs/.
        raise ValueError(f"Refusing to write a student copy into {into}: use a folder in build/.")
    shutil.rmtree(into / "notebooks", ignore_errors=True)
    (into / "notebooks").mkdir(parents=True)
    (into / "outputs").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "requirements.txt", into / "requirements.txt")
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        notebook = student_version(nbformat.read(path, as_version=4))
        target = into / "notebooks" / path.name
        target.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    for path in write_student_copy(args.into):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
