"""Build the website of the series with Sphinx and MyST-NB (``make site``).

The committed notebooks are shown with their stored outputs. Only a notebook
with a cell tagged ``remove-output`` (a ``to_jshtml()`` player, which git does
not store) runs, up to that cell and in a temporary folder, so that its page
shows a player that works. site/ (configuration and index page), README.md,
the notebooks and outputs/ are copied into a temporary folder, Sphinx builds there, and the
pages, with outputs/ beside them, replace build/site/html. The Chinese edition
(README.zh-CN.md, site/index.zh-CN.md and the notebooks of notebooks/zh-CN/)
is built the same way into build/site/html/zh-CN, and every page of either
language links to the same page in the other::

    python tools/build_site.py                   # then open build/site/html/index.html
    python tools/build_site.py --out DIR         # somewhere else

The "Launch on Binder" links need the repository's public GitHub address
(Binder builds its ``environment.yml``): set ``MPLGIF_REPOSITORY=owner/name``,
or the script reads it from a GitHub ``origin`` remote. Any Sphinx warning
(a broken link, a missing include) fails the build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks  # noqa: E402
import translations  # noqa: E402
from navigation import notebook_paths  # noqa: E402
from run_notebooks import LIVE, is_live  # noqa: E402


class SiteError(RuntimeError):
    """The site cannot be built as asked; the message says why and what to do."""


MARKER = ".mplgif-site"  # written into every build, so only a build of this site is replaced
GITHUB = re.compile(r"github\.com[:/](?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def git(*args: str) -> str:
    """A git command's output in ROOT, or "" where git or the repository is missing."""
    if shutil.which("git") is None:
        return ""
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def github_repository() -> str:
    """owner/name from MPLGIF_REPOSITORY or the origin remote, or "" if neither is on GitHub."""
    given = os.environ.get("MPLGIF_REPOSITORY", "").strip()
    if given:
        match = GITHUB.search(given) or re.fullmatch(r"[\w.-]+/[\w.-]+", given)
        if match is None:
            raise SiteError(
                f"MPLGIF_REPOSITORY={given!r} is not a GitHub repository: "
                "give it as owner/name or https://github.com/owner/name."
            )
        return match.group("repo") if match.re is GITHUB else given.removesuffix(".git")
    match = GITHUB.search(git("remote", "get-url", "origin"))
    return match.group("repo") if match else ""


def check_binder_environment() -> None:
    """Binder builds environment.yml; it must install requirements.txt, the one list."""
    environment = ROOT / "environment.yml"
    if not environment.is_file() or "-r requirements.txt" not in environment.read_text():
        raise SiteError(
            f"{environment} is missing or does not install '-r requirements.txt': "
            "Binder would build a different environment from the one the notebooks are tested in."
        )


# The player's stylesheet for its button icons (Font Awesome), from the internet: the
# site makes no outside requests, and the theme's own Font Awesome draws those icons.
FONT_AWESOME = re.compile(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">\s*')


def live_outputs(outputs: Path = ROOT / "outputs") -> dict[tuple[str, str], list]:
    """Fresh outputs of the cells tagged remove-output, by (notebook name, cell id).

    A to_jshtml() player works only where its cell ran, so the notebooks store
    none (tools/run_notebooks.py); the site shows one that works. Each notebook
    that has such a cell runs, up to its last one, in a temporary folder, with a
    copy of outputs/ beside it for any GIF it writes.
    """
    live = {}
    for path in notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        last = max((index for index, cell in enumerate(notebook.cells) if is_live(cell)),
                   default=None)
        if last is None:
            continue
        with tempfile.TemporaryDirectory(prefix="mplgif-live-") as work:
            shutil.copytree(outputs, Path(work) / "outputs")
            (Path(work) / "notebooks").mkdir()
            try:
                run_notebooks.run(notebook, Path(work) / "notebooks", cells=last + 1)
            except CellExecutionError as error:
                raise SiteError(f"{path.name} failed while running up to its player cell "
                                f"(to show the player on the site):\n{error}") from error
        for cell in filter(is_live, notebook.cells):
            for output in cell.outputs:
                html = output.get("data", {}).get("text/html")
                if html is not None:
                    output["data"]["text/html"] = FONT_AWESOME.sub("", "".join(html))
            live[path.name, cell.id] = cell.outputs
    return live


def show_live(name: str, notebook, live: dict[tuple[str, str], list]) -> None:
    """Give `notebook`'s cells tagged remove-output their fresh outputs, shown."""
    for cell in filter(is_live, notebook.cells):
        cell.outputs = live[name, cell.id]
        cell.metadata["tags"] = [tag for tag in cell.metadata["tags"] if tag != LIVE]


def stage(source: Path, language: str = "en", outputs: Path = ROOT / "outputs",
          live: dict[tuple[str, str], list] | None = None) -> None:
    """Copy what Sphinx reads into one folder: conf, index, README, notebooks, outputs.

    For the Chinese site (language "zh-CN"): its index and README, and the Chinese
    notebooks as tools/translations.py builds them for a notebooks/ folder of their own.
    The cells tagged remove-output show `live` outputs (see live_outputs) if given.
    """
    live = live or {}
    chinese = language == translations.LANGUAGE
    shutil.copytree(ROOT / "site", source,
                    ignore=shutil.ignore_patterns("requirements.txt", "index*.md"))
    shutil.copy2(ROOT / "site" / ("index.zh-CN.md" if chinese else "index.md"),
                 source / "index.md")
    readme = (ROOT / (translations.README if chinese else "README.md")).read_text(encoding="utf-8")
    # The Chinese README links notebooks/zh-CN/; on the site they are its notebooks/.
    (source / "README.md").write_text(readme.replace("notebooks/zh-CN/", "notebooks/"),
                                      encoding="utf-8")
    (source / "notebooks").mkdir()
    if chinese:
        pairs = [(path, nbformat.read(path, as_version=4),
                  translations.read_catalogue(translations.catalogue_path(path)))
                 for path in notebook_paths()]
        notebooks = translations.build(pairs, deeper=False).items()
    else:
        notebooks = [(path, nbformat.read(path, as_version=4)) for path in notebook_paths()]
    for path, notebook in notebooks:
        if live:
            show_live(path.name, notebook, live)
        (source / "notebooks" / path.name).write_text(translations.text_of(notebook),
                                                      encoding="utf-8")
    shutil.copytree(outputs, source / "outputs")


def check_output_folder(out: Path) -> None:
    """Only a new or empty folder, or an earlier build of this site, may become the site."""
    if ROOT.is_relative_to(out):
        raise SiteError(f"--out {out} would replace the repository itself; choose a new folder.")
    if out.is_relative_to(ROOT) and not out.is_relative_to(ROOT / "build"):
        raise SiteError(f"--out {out} is inside the repository: use a folder under "
                        f"{ROOT / 'build'} (git ignores it) or outside the repository.")
    if out.exists() and not out.is_dir():
        raise SiteError(f"--out {out} is a file; choose a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(
            f"--out {out} holds files that are not an earlier build of this site (no {MARKER}); "
            "choose an empty or new folder."
        )


def build(out: Path, repository: str, branch: str, outputs: Path = ROOT / "outputs") -> None:
    """Build the site in a temporary folder, then put it at out (replacing an earlier build).

    The GIFs come from `outputs` (the repository's outputs/ unless told). A failed
    build leaves out as it was.
    """
    out = out.resolve()
    check_output_folder(out)
    check_binder_environment()
    live = live_outputs(outputs)
    with tempfile.TemporaryDirectory(prefix="mplgif-site-") as work:
        html = Path(work) / "html"
        # English at the top, Chinese in zh-CN/: each page's language switch
        # links to the same page name in the other folder.
        for language, folder in (("en", html), (translations.LANGUAGE, html / "zh-CN")):
            source = Path(work) / f"src-{language}"
            stage(source, language, outputs, live)
            environment = dict(os.environ, MPLGIF_REPOSITORY=repository, MPLGIF_BRANCH=branch,
                               MPLGIF_LANGUAGE=language)
            command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
                       "-D", f"language={language.replace('-', '_')}",
                       "-d", str(Path(work) / f"doctrees-{language}"), str(source), str(folder)]
            if subprocess.run(command, env=environment).returncode != 0:
                raise SiteError(f"Sphinx reported the problems above; the site ({language}) "
                                "was not built.")
        (html / MARKER).write_text("Built by tools/build_site.py; replaced by the next build.\n")
        replace_folder(html, out)


def replace_folder(new: Path, out: Path) -> None:
    """Copy new beside out, then swap them with renames, so out is never half-written."""
    incoming, outgoing = out.with_name(out.name + ".new"), out.with_name(out.name + ".old")
    try:
        for leftover in (incoming, outgoing):  # from a build that was killed midway
            if leftover.is_dir() and (leftover / MARKER).is_file():
                shutil.rmtree(leftover)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(new, incoming)
        if out.exists():
            out.rename(outgoing)
        incoming.rename(out)
        if outgoing.exists():
            shutil.rmtree(outgoing)
    except OSError as error:
        raise SiteError(f"could not write the site to {out}: {error}") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site" / "html",
                        help="folder for the pages (default: build/site/html)")
    args = parser.parse_args(argv)
    branch = os.environ.get("MPLGIF_BRANCH") or git("rev-parse", "--abbrev-ref", "HEAD")
    if branch in ("", "HEAD"):  # no git, or a detached checkout
        branch = "main"
    try:
        repository = github_repository()
        build(args.out, repository, branch)
    except SiteError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    print(f"Site written to {args.out / 'index.html'}")
    if repository:
        print(f"Binder links launch https://github.com/{repository}/tree/{branch} "
              "(push that branch for them to work; set MPLGIF_BRANCH for another).")
    else:
        print("No Binder links: set MPLGIF_REPOSITORY=owner/name (the repository on GitHub) "
              "to add them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
