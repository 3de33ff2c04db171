"""Set-up shared by ``run.py`` and ``run_tests.py``: a virtualenv with the requirements,
and the browser libraries (npm) that the app serves itself.

Only the standard library is used here, so that a fresh machine with nothing but
Python 3.11 and Node.js/npm can run the two README commands. Requirements are reinstalled
only when a requirements file changes (a hash is kept in the virtualenv); the npm packages
only when ``package-lock.json`` changes (a hash is kept in ``node_modules/``). Without npm
the app still runs: only the staff page's camera scanning and offline checks are missing,
and the set-up says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("EVENTAPP_VENV", ROOT / ".venv"))
VENV_PYTHON = VENV / "bin" / "python"
PACKAGE_JSON = ROOT / "package.json"
PACKAGE_LOCK = ROOT / "package-lock.json"
NODE_MODULES = ROOT / "node_modules"
NPM_STAMP = NODE_MODULES / ".eventapp-installed-lock"
VENDOR_DIR = ROOT / "eventapp" / "static" / "vendor"


def _requirements_digest(requirements: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("requirements*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(requirements.name.encode())
    return digest.hexdigest()


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _vendor_files() -> dict[str, str]:
    """``package.json``'s ``eventappVendor``: served path under static/vendor/ -> source
    under the project (the exact browser files, nothing else of node_modules is served)."""
    return json.loads(PACKAGE_JSON.read_text(encoding="utf-8")).get("eventappVendor", {})


def _npm_packages_installed() -> bool:
    """Run ``npm ci`` when package-lock.json changed; False (with the reason printed)
    when npm is missing or fails, so the caller goes on without the browser libraries."""
    digest = hashlib.sha256(PACKAGE_LOCK.read_bytes()).hexdigest()
    if NPM_STAMP.exists() and NPM_STAMP.read_text() == digest:
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("npm (Node.js) was not found: the staff page's camera scanning and offline "
              "badge checks are unavailable (install Node.js and npm, then run this again). "
              "The rest of the app works.", flush=True)
        return False
    print("Installing the browser libraries (npm ci: first run or package-lock.json "
          "changed) ...", flush=True)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT)
    if result.returncode != 0:
        print(f"npm ci failed (exit {result.returncode}): the staff page's camera scanning "
              "and offline badge checks are unavailable. The rest of the app works.",
              flush=True)
        return False
    NPM_STAMP.write_text(digest)
    return True


def ensure_browser_assets() -> bool:
    """Install the npm packages if needed and copy the served files into static/vendor/.

    Copied rather than served from node_modules so that production needs no Node.js
    (static/ is all that gunicorn or a front web server serves) and so that only the
    listed files are reachable. Returns whether every file is in place.
    """
    if not PACKAGE_LOCK.exists() or not _npm_packages_installed():
        return False
    missing = []
    for served, source in _vendor_files().items():
        source_path, target = ROOT / source, VENDOR_DIR / served
        if not source_path.exists():
            missing.append(source)
            continue
        if target.exists() and target.read_bytes() == source_path.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_path, target)
    if missing:
        print("Browser files missing after npm ci: " + ", ".join(missing) +
              " (the staff page's camera scanning is unavailable).", flush=True)
    return not missing


def ensure_venv(requirements: str) -> None:
    """Create/refresh the virtualenv and the browser libraries, then re-run the current
    script inside the virtualenv."""
    if _in_venv() and os.environ.get("EVENTAPP_BOOTSTRAPPED") == "1":
        return
    # npm ci and pip install mostly wait on downloads and disks: on a fresh clone they
    # run side by side (about a minute saved), each printing what it does.
    with ThreadPoolExecutor(max_workers=1) as npm:
        browser_assets = npm.submit(ensure_browser_assets)
        _ensure_requirements(requirements)
        browser_assets.result()
    env = dict(os.environ, EVENTAPP_BOOTSTRAPPED="1")
    script = str(Path(sys.argv[0]).resolve())
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), script, *sys.argv[1:]], env)


def _ensure_requirements(requirements: str) -> None:
    """Create the virtualenv if missing; install ``requirements`` when a requirements file
    changed since the last install."""
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
