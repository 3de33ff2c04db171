#!/usr/bin/env python3
"""Keep the French catalogue in step with the code.

    .venv/bin/python scripts/i18n.py update    # extract messages, merge into fr/messages.po
    .venv/bin/python scripts/i18n.py compile   # write messages.mo after translating

Message ids are the English texts; French is the default interface language, English the
fallback (no catalogue needed).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eventapp" / "translations"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT,
                   check=True)


def update() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        pot = str(Path(scratch) / "messages.pot")
        _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                 "--no-location", "--sort-output", "-o", pot, ".")
        _pybabel("update", "-i", pot, "-d", str(TRANSLATIONS), "-l", "fr",
                 "--no-fuzzy-matching", "--ignore-obsolete")


def compile_catalogue() -> None:
    _pybabel("compile", "-d", str(TRANSLATIONS), "-l", "fr")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogue()
    else:
        sys.exit(__doc__)
