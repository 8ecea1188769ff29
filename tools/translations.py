"""Build the Chinese edition of the notebooks from the English ones and a translation catalogue.

``notebooks/zh-CN/NN-name.po`` holds the translation of one notebook, in
gettext's PO format (the format translators' tools read: Poedit, Weblate,
msgmerge). Each entry is one markdown cell: ``msgctxt`` is the English cell's
id, ``msgid`` its English text, ``msgstr`` the Chinese. ``notebooks/zh-CN/
NN-name.ipynb`` is built from the English notebook and that catalogue: each
markdown cell becomes its translation, the navigation cells are generated in
Chinese, and the code cells and every stored output are copied from the English
notebook, so the Chinese notebooks never run on their own and cannot disagree
with the English ones. One thing changes in them: the Chinese notebooks sit one
folder deeper, so paths that lead out of ``notebooks/`` (``../outputs/``,
``../README.md``) gain a ``../``, in code, outputs and text alike, and the
contents link leads to README.zh-CN.md.

A catalogue keeps the English text it translates (the ``msgid``), so an
English cell edited after its translation is caught: ``--check`` names the
cell's id and shows the English and the Chinese. Updating marks such an entry
``fuzzy`` and keeps the earlier English as ``#| msgid`` for the translator.

    python tools/translations.py           # update the catalogues, then build the notebooks
    python tools/translations.py --check   # exit 1 if a translation is missing or stale,
                                           # or a built notebook is out of date
"""

from __future__ import annotations

import argparse
import copy
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from navigation import MARKER, notebook_paths, title_of  # noqa: E402

LANGUAGE = "zh-CN"
FOLDER = ROOT / "notebooks" / LANGUAGE
README = f"README.{LANGUAGE}.md"
ARTICLE = "一步一步教你用 Matplotlib 保存 GIF 动图"
CONTENTS = "[目录](../README.md#笔记本)"  # written for notebooks/, then relocated
CREDIT = (f"本系列按照文章《{ARTICLE}》的步骤编写，代码已改为今天的 NumPy、SciPy 和 "
          "Matplotlib。")
# A path that leaves notebooks/: "../outputs/x.gif", "../README.md"; not "../../x".
LEAVING = re.compile(r"(?<![\w./])\.\./")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")


def catalogue_path(english: Path) -> Path:
    return FOLDER / f"{english.stem}.po"


def translated_path(english: Path) -> Path:
    return FOLDER / english.name


def translatable(cell) -> bool:
    """Markdown cells but the navigation lines, which are generated."""
    return cell.cell_type == "markdown" and not cell.source.startswith(MARKER)


def relocate(text: str, deeper: bool = True) -> str:
    """A path written for notebooks/, made right for notebooks/zh-CN/ (or, with
    `deeper` false, for a Chinese notebook that stands in notebooks/ itself, as on
    the website): one more ../ and the Chinese README."""
    up = "../../" if deeper else "../"
    return LEAVING.sub(up, text).replace(f"{up}README.md", f"{up}{README}")


def read_catalogue(path: Path) -> Catalog:
    if not path.is_file():
        return Catalog(locale="zh_CN", domain=path.stem)
    with path.open("rb") as file:
        return read_po(file, locale="zh_CN", domain=path.stem)


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, omit_header=True, include_previous=True,
             sort_output=False)
    path.write_bytes(buffer.getvalue())


def updated_catalogue(english: nbformat.NotebookNode, old: Catalog, name: str) -> Catalog:
    """The catalogue for `english`: its cells in order, translations kept, changed English
    marked fuzzy (with the earlier English kept as the previous msgid)."""
    new = Catalog(locale="zh_CN", domain=name)
    for cell in filter(translatable, english.cells):
        entry = old.get(cell.source, context=cell.id)
        if entry is not None:
            new.add(cell.source, entry.string, context=cell.id, flags=entry.flags)
            continue
        earlier = next((m for m in old if m.id and m.context == cell.id), None)
        if earlier is None:
            new.add(cell.source, "", context=cell.id)
        else:
            new.add(cell.source, earlier.string, context=cell.id, flags={"fuzzy"},
                    previous_id=earlier.id)
    return new


@dataclass
class Problem:
    notebook: str
    cell: str
    english: str
    chinese: str
    why: str

    def __str__(self) -> str:
        return (f"{self.notebook}, cell {self.cell}: {self.why}\n"
                f"  English: {self.english!r}\n  Chinese: {self.chinese!r}")


def problems(english: nbformat.NotebookNode, catalogue: Catalog, name: str) -> list[Problem]:
    """Every English markdown cell without a current translation."""
    found = []
    for cell in filter(translatable, english.cells):
        entry = catalogue.get(cell.source, context=cell.id)
        if entry is None:
            earlier = next((m for m in catalogue if m.id and m.context == cell.id), None)
            if earlier is None:
                found.append(Problem(name, cell.id, cell.source, "", "no translation"))
            else:
                found.append(Problem(name, cell.id, cell.source, earlier.string,
                                     "the English text changed after it was translated "
                                     f"(it translated {earlier.id!r})"))
        elif not entry.string:
            found.append(Problem(name, cell.id, cell.source, "", "not translated yet"))
        elif entry.fuzzy:
            found.append(Problem(name, cell.id, cell.source, entry.string,
                                 "marked fuzzy: the English changed; check the translation, "
                                 "then remove the fuzzy flag"))
    return found


CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def skeleton(markdown: str) -> dict[str, list[str]]:
    """What a translation must keep from the English: code, link targets, heading
    levels, image sources, and every number outside code (sorted where order may change)."""
    prose = CODE_SPAN.sub(" ", markdown)
    headings = [line.split(" ", 1)[0] for line in markdown.splitlines()
                if re.match(r"#{1,6} ", line)]
    return {
        "code": sorted(match.group(2).strip() for match in CODE_SPAN.finditer(markdown)),
        "links": sorted(LINK_TARGET.findall(markdown)),
        "headings": headings,
        "images": sorted(re.findall(r"<img[^>]*src=\"([^\"]+)\"", markdown)),
        "numbers": sorted(NUMBER.findall(LINK_TARGET.sub("](", prose))),
    }


def mismatches(english: str, chinese: str) -> list[str]:
    """How `chinese` fails to keep the English skeleton (empty when it keeps it)."""
    ours, theirs = skeleton(chinese), skeleton(english)
    return [f"{key}: English has {theirs[key]}, Chinese has {ours[key]}"
            for key in theirs if ours[key] != theirs[key]]


def navigation_line(titles: list[tuple[Path, str]], index: int, deeper: bool) -> str:
    parts = []
    if index > 0:
        path, title = titles[index - 1]
        parts.append(f"< [{path.stem[:2]} · {title}]({path.name})")
    parts.append(relocate(CONTENTS, deeper))
    if index + 1 < len(titles):
        path, title = titles[index + 1]
        parts.append(f"[{path.stem[:2]} · {title}]({path.name}) >")
    return f"{MARKER}\n" + " | ".join(parts)


def translate(english: nbformat.NotebookNode, catalogue: Catalog,
              deeper: bool = True) -> nbformat.NotebookNode:
    """The Chinese notebook, navigation cells aside (see build)."""
    chinese = copy.deepcopy(english)
    for cell in chinese.cells:
        if translatable(cell):
            cell.source = relocate(catalogue.get(cell.source, context=cell.id).string, deeper)
        elif cell.cell_type == "code":
            cell.source = relocate(cell.source, deeper)
            for output in cell.get("outputs", []):
                if "text" in output:
                    output.text = relocate(output.text, deeper)
                for kind in TEXT_TYPES:
                    if kind in output.get("data", {}):
                        output.data[kind] = relocate(output.data[kind], deeper)
    return chinese


def build(pairs: list[tuple[Path, nbformat.NotebookNode, Catalog]], deeper: bool = True
          ) -> dict[Path, nbformat.NotebookNode]:
    """Chinese notebooks for (English path, English notebook, catalogue), all translated,
    keyed by where they belong: notebooks/zh-CN/, or with `deeper` false notebooks/
    (the website's layout, where each language has a notebooks/ folder of its own)."""
    chinese = {path: translate(notebook, catalogue, deeper)
               for path, notebook, catalogue in pairs}
    titles = [(path, title_of(notebook, path)) for path, notebook in chinese.items()]
    for index, (path, notebook) in enumerate(chinese.items()):
        line = navigation_line(titles, index, deeper)
        # The website has a language switch on every page instead of this link.
        english = f"英文原版：[English](../{path.name})" if deeper else ""
        notebook.cells[0].source = f"{line}\n\n{CREDIT}{english}"
        notebook.cells[-1].source = line
    return {(translated_path(path) if deeper else path): notebook
            for path, notebook in chinese.items()}


def text_of(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if anything is missing, stale or unbuilt")
    args = parser.parse_args(argv)
    FOLDER.mkdir(exist_ok=True)
    pairs, found = [], []
    for path in notebook_paths():
        english = nbformat.read(path, as_version=4)
        catalogue = read_catalogue(catalogue_path(path))
        if not args.check:
            catalogue = updated_catalogue(english, catalogue, path.stem)
            write_catalogue(catalogue, catalogue_path(path))
        found += problems(english, catalogue, path.stem)
        pairs.append((path, english, catalogue))
    if found:
        print(f"{len(found)} markdown cells need a translation in notebooks/{LANGUAGE}/*.po "
              "(msgstr, without the fuzzy flag):\n")
        print("\n\n".join(map(str, found)))
        return 1
    stale = []
    for path, notebook in build(pairs).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text_of(notebook):
            stale.append(path.name)
            if not args.check:
                path.write_text(text_of(notebook), encoding="utf-8")
    if args.check and stale:
        print(f"Out of date in notebooks/{LANGUAGE}/: {', '.join(stale)}. "
              "Run python tools/translations.py.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
