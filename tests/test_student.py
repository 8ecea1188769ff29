"""The students' copy of the series (``make student``): no solutions, and it runs.

Each student notebook is executed top to bottom in a fresh kernel: every
exercise's check must then say "not yet", and no cell may fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from make_student import SOLUTION_TAG, write_student_copy  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def student_copy(tmp_path_factory) -> Path:
    into = tmp_path_factory.mktemp("student")
    write_student_copy(into)
    return into


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def checks(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code" and "check(\"Exercise" in c.source]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_has_three_or_four_exercises_each_with_a_solution(path):
    notebook = nbformat.read(path, as_version=4)
    statements = [
        c for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith("**Exercise")
    ]
    assert 3 <= len(statements) <= 4, f"{path.name}: {len(statements)} exercises"
    assert len(checks(notebook)) == len(statements), f"{path.name}: one check per exercise"
    solutions = [c for c in notebook.cells if SOLUTION_TAG in tags(c)]
    assert len(solutions) >= len(statements), f"{path.name}: a solution cell per exercise"
    # Every stored check says the solution is right (nbval keeps it so).
    for cell in checks(notebook):
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert printed.rstrip().endswith(": correct"), f"{path.name}: {printed!r}"


@pytest.mark.student
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_notebook_runs_to_the_end_with_every_check_open(path, student_copy):
    from nbclient import NotebookClient

    student = student_copy / "notebooks" / path.name
    notebook = nbformat.read(student, as_version=4)
    assert not [c for c in notebook.cells if SOLUTION_TAG in tags(c)], "a solution was left in"
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    os.environ.pop("MPLBACKEND", None)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(student.parent)}},
    ).execute()
    for cell in checks(notebook):
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert ": not yet" in printed and ": correct" not in printed, printed
