"""Set-up shared by ``run.py`` and ``run_tests.py``: a virtualenv with the requirements.

Only the standard library is used here, so that a fresh machine with nothing but
Python 3.11 can run the two README commands. Requirements are reinstalled only when a
requirements file changes (a hash is kept in the virtualenv).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("EVENTAPP_VENV", ROOT / ".venv"))
VENV_PYTHON = VENV / "bin" / "python"


def _requirements_digest(requirements: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("requirements*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(requirements.name.encode())
    return digest.hexdigest()


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv(requirements: str) -> None:
    """Create/refresh the virtualenv, then re-run the current script inside it."""
    if _in_venv() and os.environ.get("EVENTAPP_BOOTSTRAPPED") == "1":
        return
    requirements_file = ROOT / requirements
    if not VENV_PYTHON.exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{requirements_file.stem}"
    digest = _requirements_digest(requirements_file)
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"Installing {requirements} (first run or changed requirements) ...", flush=True)
        subprocess.run(
            [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q",
             "-r", str(requirements_file)],
            check=True,
        )
        stamp.write_text(digest)
    env = dict(os.environ, EVENTAPP_BOOTSTRAPPED="1")
    script = str(Path(sys.argv[0]).resolve())
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), script, *sys.argv[1:]], env)
