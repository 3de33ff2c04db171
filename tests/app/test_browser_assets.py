"""The set-up's npm half (bootstrap.ensure_browser_assets): the browser libraries the
app serves itself, and what happens on a machine without npm."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

import pytest

import bootstrap

CHECKIN_STATIC = bootstrap.ROOT / "eventapp" / "static" / "checkin"


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Stamp and vendor folder in tmp_path, so the real installation is never touched."""
    monkeypatch.setattr(bootstrap, "NPM_STAMP", tmp_path / "stamp")
    monkeypatch.setattr(bootstrap, "VENDOR_DIR", tmp_path / "vendor")
    return tmp_path


def test_without_npm_the_set_up_says_what_is_missing_and_goes_on(isolated, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    assert bootstrap.ensure_browser_assets() is False
    out = capsys.readouterr().out
    assert "npm (Node.js) was not found" in out
    assert "camera scanning" in out and "The rest of the app works." in out
    assert not (isolated / "vendor").exists()


def test_a_failing_npm_ci_is_reported_and_not_stamped(isolated, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: "/usr/bin/npm")
    calls = []

    def fake_run(args, cwd):
        calls.append(args)
        return subprocess.CompletedProcess(args, 1)

    monkeypatch.setattr(bootstrap.subprocess, "run", fake_run)
    assert bootstrap.ensure_browser_assets() is False
    assert calls == [["/usr/bin/npm", "ci", "--no-audit", "--no-fund"]]
    assert "npm ci failed (exit 1)" in capsys.readouterr().out
    assert not (isolated / "stamp").exists()


def test_an_unchanged_lock_file_skips_npm_and_copies_the_listed_files(isolated, monkeypatch):
    if not (bootstrap.NODE_MODULES / "jsqr").exists():
        pytest.skip("node_modules not installed (npm missing on this machine)")
    digest = hashlib.sha256(bootstrap.PACKAGE_LOCK.read_bytes()).hexdigest()
    (isolated / "stamp").write_text(digest)
    monkeypatch.setattr(bootstrap.subprocess, "run",
                        lambda *a, **k: pytest.fail("npm ci ran with an unchanged lock file"))
    assert bootstrap.ensure_browser_assets() is True
    for served, source in bootstrap._vendor_files().items():
        copied = isolated / "vendor" / served
        assert copied.read_bytes() == (bootstrap.ROOT / source).read_bytes()
    assert sorted(p.name for p in (isolated / "vendor").rglob("*") if p.is_file()) == sorted(
        served.rsplit("/", 1)[-1] for served in bootstrap._vendor_files())


def test_every_vendor_file_the_modules_load_is_copied_by_the_set_up():
    listed = set(bootstrap._vendor_files())
    loaded = set()
    for script in CHECKIN_STATIC.glob("*.js"):
        loaded |= set(re.findall(r"\.\./vendor/([\w./-]+\.js)", script.read_text()))
    assert loaded, "the check-in modules load nothing from vendor/"
    assert loaded <= listed, f"not copied by bootstrap: {sorted(loaded - listed)}"


def test_the_lock_file_pins_exact_versions_from_package_json():
    package = json.loads(bootstrap.PACKAGE_JSON.read_text())
    lock = json.loads(bootstrap.PACKAGE_LOCK.read_text())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
