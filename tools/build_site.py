"""Build the website of the series with Sphinx and MyST-NB (``make site``).

The committed notebooks are shown with their stored outputs; nothing is
executed. The pages, with outputs/ beside them, go to build/site/html::

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from navigation import notebook_paths  # noqa: E402

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
            raise SystemExit(
                f"MPLGIF_REPOSITORY={given!r} is not a GitHub repository: "
                "give it as owner/name or https://github.com/owner/name."
            )
        return match.group("repo") if match.re is GITHUB else given
    match = GITHUB.search(git("remote", "get-url", "origin"))
    return match.group("repo") if match else ""


def check_binder_environment() -> None:
    """Binder builds environment.yml; it must install requirements.txt, the one list."""
    environment = ROOT / "environment.yml"
    if not environment.is_file() or "-r requirements.txt" not in environment.read_text():
        raise SystemExit(
            f"{environment} is missing or does not install '-r requirements.txt': "
            "Binder would build a different environment from the one the notebooks are tested in."
        )


def stage(source: Path) -> None:
    """Copy what Sphinx reads into one folder: conf, index, README, notebooks, outputs."""
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT / "site", source, ignore=shutil.ignore_patterns("requirements.txt"))
    shutil.copy2(ROOT / "README.md", source / "README.md")
    (source / "notebooks").mkdir()
    for path in notebook_paths():
        shutil.copy2(path, source / "notebooks" / path.name)
    shutil.copytree(ROOT / "outputs", source / "outputs")


def build(out: Path, repository: str, branch: str) -> None:
    check_binder_environment()
    source = out.parent / "src"
    stage(source)
    if out.exists():
        shutil.rmtree(out)
    environment = dict(os.environ, MPLGIF_REPOSITORY=repository, MPLGIF_BRANCH=branch)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
               "-d", str(out.parent / "doctrees"), str(source), str(out)]
    if subprocess.run(command, env=environment).returncode != 0:
        raise SystemExit("Sphinx reported the problems above; the site was not built.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site" / "html",
                        help="folder for the pages (default: build/site/html)")
    args = parser.parse_args(argv)
    repository = github_repository()
    branch = os.environ.get("MPLGIF_BRANCH") or git("rev-parse", "--abbrev-ref", "HEAD")
    if branch in ("", "HEAD"):  # no git, or a detached checkout
        branch = "main"
    build(args.out.resolve(), repository, branch)
    print(f"Site written to {args.out / 'index.html'}")
    if not repository:
        print("No Binder links: set MPLGIF_REPOSITORY=owner/name (the repository on GitHub) "
              "to add them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
