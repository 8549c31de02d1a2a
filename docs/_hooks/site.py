"""MkDocs hooks for the documentation site (mkdocs.yml `hooks:`).

1. Pages that are files at the repository root (CONTRIBUTING.md, SECURITY.md, CHANGELOG.md,
   bench/README.md) appear on the site from one source: a stub page holds only
   ``<!-- include: PATH -->`` and gets the file's text, its links rewritten from repository
   paths (``docs/architecture.md``) to site paths (``architecture.md``).
2. Screenshots come from the browser tests (``test-artifacts/screenshots/``, written by
   ``make test``), not from the repository: each one a page shows is copied into the site as
   ``assets/screenshots/NAME.png``. Where the browser tests have not run, the image becomes
   a line saying so, so ``mkdocs build --strict`` passes on a machine without Chromium.
"""

import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
INCLUDE = re.compile(r"<!-- include: (\S+) -->")
SHOT = re.compile(r"!\[([^\]]*)\]\((?:\.\./)*assets/screenshots/([\w.-]+\.png)\)")
#: Repository paths → site paths, for the included root files.
SITE_PATHS = {
    "docs/": "",
    "bench/README.md": "benchmarks.md",
    "CONTRIBUTING.md": "contributing.md",
    "SECURITY.md": "security-policy.md",
    "CHANGELOG.md": "changelog.md",
    "LICENSE": "license.md",
}


def _site_link(match: re.Match) -> str:
    text, target, anchor = match.group(1), match.group(2), match.group(3) or ""
    for repo_path, site_path in SITE_PATHS.items():
        if repo_path.endswith("/") and target.startswith(repo_path):
            return f"[{text}]({site_path}{target[len(repo_path) :]}{anchor})"
        if target == repo_path:
            return f"[{text}]({site_path}{anchor})"
    return match.group(0)


def on_files(files, config):
    if SCREENSHOTS.is_dir():
        for path in sorted(SCREENSHOTS.glob("*.png")):
            files.append(
                File.generated(config, f"assets/screenshots/{path.name}", abs_src_path=str(path))
            )
    return files


def on_page_markdown(markdown, page, config, files):
    def include(match: re.Match) -> str:
        text = (ROOT / match.group(1)).read_text(encoding="utf-8")
        # Level-1 heading of the file stays; links to repository paths become site links.
        return re.sub(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)", _site_link, text)

    markdown = INCLUDE.sub(include, markdown)

    def shot(match: re.Match) -> str:
        alt, name = match.group(1), match.group(2)
        if (SCREENSHOTS / name).is_file():
            return match.group(0)
        return f"*(Screenshot “{alt}” — `{name}` — appears once the browser tests have run.)*"

    return SHOT.sub(shot, markdown)
