"""Notebook hygiene: what nbval cannot see, checked on the committed files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
GIF_REFERENCE = re.compile(r"\.\./outputs/([\w.-]+\.gif)")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def gifs_written_by(path: Path) -> list[str]:
    text = "\n".join(source(cell) for cell in code_cells(load(path)))
    return sorted(set(GIF_REFERENCE.findall(text)))


ids = [path.stem for path in NOTEBOOKS]


def test_the_series_is_numbered_without_gaps():
    assert len(NOTEBOOKS) >= 7
    assert [path.stem[:2] for path in NOTEBOOKS] == [f"{n:02d}" for n in range(len(NOTEBOOKS))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_code_cell_ran_once_in_order(path):
    # nbval never compares a cell whose execution_count is null.
    counts = [cell["execution_count"] for cell in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; re-run it with `make gifs`"
    )


def is_player(html: str) -> bool:
    """True for the HTML of ``anim.to_jshtml()``, a player with every frame embedded."""
    return "animation_" in html or "anim-state" in html


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_errors_and_no_players_are_stored(path):
    # A to_jshtml() player works only when its cell runs: stored, JupyterLab
    # shows it as a broken image (it does not run a stored notebook's scripts),
    # and it has random ids and version-dependent PNGs. Its cell is tagged
    # remove-output (make gifs stores nothing for it; the site build runs it and
    # shows it, without the icon font's link to the internet) and
    # nbval-ignore-output (nbval runs it without comparing).
    for cell in code_cells(load(path)):
        tags = cell.get("metadata", {}).get("tags", [])
        if "to_jshtml(" in source(cell):
            assert {"remove-output", "nbval-ignore-output"} <= set(tags), path.name
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{path.name}: a stored error"
            html = "".join(output.get("data", {}).get("text/html", []))
            assert not is_player(html), f"{path.name}: a stored player; run make gifs"
            assert "data:image/gif;base64" not in html, f"{path.name}: embedded GIF bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_stays_small(path):
    assert path.stat().st_size < 300_000, f"{path.name} is {path.stat().st_size} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_timing_or_run_metadata_is_stored(path):
    notebook = load(path)
    assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}
    for cell in notebook["cells"]:
        assert set(cell["metadata"]) <= {"tags"}, f"{path.name}: {cell['metadata']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_anatomy(path):
    text = "\n".join(
        source(cell) for cell in load(path)["cells"] if cell["cell_type"] == "markdown"
    )
    for heading in (
        "**What you'll do:**",
        "**What you'll learn:**",
        "**What you'll need:**",
        "## Summary",
        "## On your own",
        "**Exercise 1.**",
        "## Further reading",
    ):
        assert heading in text, f"{path.name} lacks {heading!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_silent_except_unless_reproducing_the_article(path):
    for cell in code_cells(load(path)):
        code = source(cell)
        if re.search(r"except\s*(Exception)?\s*:", code) and "pass" in code:
            assert "the article's silent except" in code, (
                f"{path.name}: an exception is swallowed silently"
            )


def test_every_output_gif_comes_from_a_notebook_and_is_in_the_readme():
    written = {name for path in NOTEBOOKS for name in gifs_written_by(path)}
    # (Not a hidden temporary file of a save in progress, in a parallel run.)
    on_disk = {path.name for path in (ROOT / "outputs").glob("*.gif")
               if not path.name.startswith(".")}
    assert on_disk == written, "outputs/ and the notebooks disagree"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in sorted(written):
        assert f"outputs/{name}" in readme, f"README does not show {name}"


def test_navigation_cells_are_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "navigation.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[+-]?\d+)?(?![\w.])")
# Numbers prose may quote without the notebook computing them: versions of a
# library, and section numbers of a book.
NOT_COMPUTED = re.compile(
    r"(?:Matplotlib|NumPy|SciPy|Pillow|Python|pytest|nbval)\s+\d+\.\d+(?:\.\d+)?"
    r"(?:\s*(?:,|and|or|to)\s*\d+\.\d+(?:\.\d+)?)*"
    r"|chapters?\s+\d+\.\d+(?:\s+and\s+\d+\.\d+)?",
    re.IGNORECASE,
)


def quoted_decimals(markdown: str) -> list[str]:
    """Decimal numbers in prose: not in code spans, link targets, versions or section numbers."""
    prose = re.sub(r"```.*?```|`[^`]*`", " ", markdown, flags=re.DOTALL)
    prose = re.sub(r"\]\([^)]*\)", "]", prose)
    prose = NOT_COMPUTED.sub(" ", prose)
    return DECIMAL.findall(prose)


def computed_numbers(notebook: dict) -> list[str]:
    """Every decimal the notebook's code writes or its stored outputs print."""
    parts = []
    for cell in code_cells(notebook):
        parts.append(source(cell))
        for output in cell["outputs"]:
            parts.append("".join(output.get("text", "")))
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/"):
                    parts.append("".join(value))
    return DECIMAL.findall("\n".join(parts))


def agrees(quoted: str, computed: list[str]) -> bool:
    """True if some computed number, rounded to the quoted number's decimals, is the quote."""
    decimals = len(quoted.split(".")[1].split("e")[0])
    if "e" in quoted:
        return quoted in computed
    return any(
        "e" not in number and round(float(number), decimals) == float(quoted)
        for number in computed
    )


def test_quoted_decimals_are_matched_by_a_rounding():
    assert quoted_decimals("cost 35.67, `x = 0.5`, Matplotlib 3.7, [a](b1.2)") == ["35.67"]
    assert quoted_decimals("NumPy 1.24 and 2.0 gave 1.5") == ["1.5"]
    assert agrees("0.1", ["0.104"]) and agrees("35.67", ["35.6700"])
    assert not agrees("0.2", ["0.104", "0.3"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_numbers_in_the_prose_come_from_the_notebook(path):
    notebook = load(path)
    computed = computed_numbers(notebook)
    markdown = "\n".join(
        source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )
    unmatched = [quoted for quoted in quoted_decimals(markdown) if not agrees(quoted, computed)]
    assert not unmatched, (
        f"{path.name}: the prose quotes {unmatched}, which no code cell writes and no output "
        "prints (to the quoted precision)"
    )
