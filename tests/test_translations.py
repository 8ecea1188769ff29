"""The Chinese edition is in step with the English one (tools/translations.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import translations  # noqa: E402
from navigation import MARKER, notebook_paths  # noqa: E402

ENGLISH = notebook_paths()
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ids = [path.stem for path in ENGLISH]


def pair(path: Path) -> tuple[Path, nbformat.NotebookNode, translations.Catalog]:
    english = nbformat.read(path, as_version=4)
    return path, english, translations.read_catalogue(translations.catalogue_path(path))


@pytest.mark.parametrize("path", ENGLISH, ids=ids)
def test_every_english_markdown_cell_has_a_current_translation(path):
    _, english, catalogue = pair(path)
    found = translations.problems(english, catalogue, path.stem)
    assert not found, (
        "Translate these cells in notebooks/zh-CN/*.po (python tools/translations.py updates "
        "the catalogues), then rebuild:\n\n" + "\n\n".join(map(str, found)))


@pytest.mark.parametrize("path", ENGLISH, ids=ids)
def test_translations_keep_the_code_links_headings_and_numbers(path):
    _, english, catalogue = pair(path)
    found = []
    for cell in filter(translations.translatable, english.cells):
        entry = catalogue.get(cell.source, context=cell.id)
        if entry is not None and entry.string:
            found += [f"cell {cell.id}: {problem}"
                      for problem in translations.mismatches(cell.source, entry.string)]
    assert not found, "\n".join(found)


def test_the_skeleton_check_catches_a_changed_number_code_or_link():
    english = "## Why\n\nSave `anim` at 20 ms, see [02](02-erase-redraw.ipynb)."
    good = "## 为什么\n\n以 20 毫秒保存 `anim`，见 [02](02-erase-redraw.ipynb)。"
    assert not translations.mismatches(english, good)
    for wrong in (good.replace("20", "30"), good.replace("`anim`", "`动画`"),
                  good.replace("02-erase", "03-erase"), "#" + good):
        assert translations.mismatches(english, wrong), wrong


def test_the_chinese_notebooks_are_what_the_tool_builds_from_the_committed_files():
    built = translations.build([pair(path) for path in ENGLISH])
    for path, notebook in built.items():
        assert path.is_file(), f"{path.name} is missing: run python tools/translations.py"
        assert path.read_text(encoding="utf-8") == translations.text_of(notebook), (
            f"notebooks/zh-CN/{path.name} is out of date: run python tools/translations.py")
    expected = {path.name for path in built} | {f"{p.stem}.po" for p in ENGLISH}
    assert {p.name for p in translations.FOLDER.iterdir()} == expected


@pytest.mark.parametrize("path", ENGLISH, ids=ids)
def test_code_and_outputs_are_the_english_ones_with_paths_one_folder_deeper(path):
    english = nbformat.read(path, as_version=4)
    chinese = nbformat.read(translations.translated_path(path), as_version=4)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]
    for ours, theirs in zip(chinese.cells, english.cells, strict=True):
        if ours.cell_type == "code":
            assert ours.source == translations.relocate(theirs.source)
            assert ours.outputs == translate_outputs(theirs.outputs)
            assert ours.execution_count == theirs.execution_count
            assert ours.metadata == theirs.metadata
        elif translations.translatable(theirs):
            assert CHINESE.search(ours.source), f"cell {ours.id} is not in Chinese"
    assert chinese.metadata == english.metadata


def translate_outputs(outputs):
    """The English outputs as the Chinese notebook must store them."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=outputs)])
    return translations.translate(notebook, translations.Catalog()).cells[0].outputs


def test_paths_out_of_the_notebooks_folder_gain_one_level():
    relocate = translations.relocate
    assert relocate('GIF = "../outputs/01.gif"') == 'GIF = "../../outputs/01.gif"'
    assert relocate('<img src="../outputs/a.gif">') == '<img src="../../outputs/a.gif">'
    assert relocate("[目录](../README.md#x)") == "[目录](../../README.zh-CN.md#x)"
    assert relocate("00-setup.ipynb, a/../b") == "00-setup.ipynb, a/../b"  # inside notebooks/


@pytest.mark.parametrize("path", ENGLISH, ids=ids)
def test_each_chinese_notebook_credits_the_article_and_links_both_ways(path):
    chinese = nbformat.read(translations.translated_path(path), as_version=4)
    header, footer = chinese.cells[0].source, chinese.cells[-1].source
    assert header.startswith(MARKER) and footer.startswith(MARKER)
    assert f"《{translations.ARTICLE}》" in header
    assert f"(../{path.name})" in header and "README.zh-CN.md" in header


def test_an_edited_english_cell_is_caught_with_its_id_and_both_texts(tmp_path):
    path, english, catalogue = pair(ENGLISH[1])
    edited = english
    cell = next(c for c in edited.cells if translations.translatable(c))
    chinese = catalogue.get(cell.source, context=cell.id).string
    old_english = cell.source
    cell.source = old_english.replace("sine", "cosine", 1) + "\n\nOne more sentence."
    (copy := tmp_path / path.name).write_text(translations.text_of(edited), encoding="utf-8")

    reread = nbformat.read(copy, as_version=4)
    (problem,) = translations.problems(reread, catalogue, path.stem)
    assert problem.cell == cell.id
    assert problem.english == cell.source and problem.chinese == chinese
    assert cell.id in str(problem) and "changed" in str(problem)

    # Updating the catalogue keeps the translation, marks it fuzzy and keeps the
    # earlier English for the translator; it still counts as not done.
    updated = translations.updated_catalogue(reread, catalogue, path.stem)
    entry = updated.get(cell.source, context=cell.id)
    assert entry.fuzzy and entry.string == chinese and list(entry.previous_id) == [old_english]
    (problem,) = translations.problems(reread, updated, path.stem)
    assert "fuzzy" in str(problem)
    written = tmp_path / "catalogue.po"
    translations.write_catalogue(updated, written)
    assert "#, fuzzy" in written.read_text(encoding="utf-8")
    assert translations.read_catalogue(written).get(cell.source, context=cell.id).fuzzy


def test_the_catalogues_round_trip_unchanged(tmp_path):
    # So the tool's rewriting of the catalogues changes nothing a translator wrote.
    for path in ENGLISH:
        catalogue_file = translations.catalogue_path(path)
        rewritten = tmp_path / catalogue_file.name
        translations.write_catalogue(translations.read_catalogue(catalogue_file), rewritten)
        assert rewritten.read_bytes() == catalogue_file.read_bytes(), catalogue_file.name


def test_the_chinese_readme_lists_every_chinese_notebook_by_its_title():
    readme = (ROOT / translations.README).read_text(encoding="utf-8")
    assert readme.startswith("# ") and "[English](README.md)" in readme.splitlines()[2]
    assert f"[中文]({translations.README})" in (ROOT / "README.md").read_text(encoding="utf-8")
    for path in ENGLISH:
        chinese = translations.translated_path(path)
        title = translations.title_of(nbformat.read(chinese, as_version=4), chinese)
        assert f"[{title}](notebooks/zh-CN/{path.name})" in readme, path.name
