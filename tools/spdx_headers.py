"""Put the SPDX licence line at the top of every Python file under src/ (and manage.py).

    python tools/spdx_headers.py          # add the line where it is missing
    python tools/spdx_headers.py --check  # list files without it; exit 1 if any

The line goes first, or after a shebang line; a file that has it is left alone, so the
script can run again after new modules land.
"""

import sys
from pathlib import Path

LINE = "# SPDX-License-Identifier: AGPL-3.0-or-later\n"
ROOT = Path(__file__).resolve().parents[1]


def files() -> list[Path]:
    return sorted([*ROOT.joinpath("src").rglob("*.py"), ROOT / "manage.py"])


def main() -> int:
    check = "--check" in sys.argv[1:]
    missing = []
    for path in files():
        text = path.read_text(encoding="utf-8")
        if LINE in text.splitlines(keepends=True)[:3]:
            continue
        missing.append(path)
        if check:
            continue
        if text.startswith("#!"):
            shebang, _, rest = text.partition("\n")
            text = f"{shebang}\n{LINE}{rest}"
        else:
            text = LINE + text
        path.write_text(text, encoding="utf-8")
    for path in missing:
        print(("missing: " if check else "added: ") + str(path.relative_to(ROOT)))
    return 1 if check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
