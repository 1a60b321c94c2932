"""The ``lintas`` command: Django's management command line with Lintas settings.

``lintas identify`` and ``lintas tokens`` are answered without configuring Django at all, so the identifier and
blind-token CLIs need no database.
"""

import os
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "identify":
        from lintas.identifiers.cli import main as identify_main

        sys.exit(identify_main(argv[2:]))
    if len(argv) > 1 and argv[1] == "tokens":
        from lintas.matching.tokens_cli import main as tokens_main

        sys.exit(tokens_main(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lintas.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
