# SPDX-License-Identifier: AGPL-3.0-or-later
"""`gonghui …` (or `python -m gonghui …`): Django's manage.py for an installed instance."""

import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from gonghui import __version__

        print(__version__)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
