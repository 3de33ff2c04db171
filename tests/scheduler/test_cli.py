"""``python -m scheduler solve`` via subprocess: exit codes, messages, files, flags."""

from __future__ import annotations

import json
import subprocess
import sys

from .helpers import REPO_ROOT, tiny, violations


def run(*args, cwd=REPO_ROOT):
    return subprocess.run([sys.executable, "-m", "scheduler", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write(tmp_path, data, name="inst.json"):
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_solve_to_stdout_exit_0(tmp_path):
    d = tiny()
    r = run("solve", write(tmp_path, d))
    assert r.returncode == 0, r.stderr
    sol = json.loads(r.stdout)
    assert sol["format"] == "speed-dating-solution/1" and sol["status"] == "OPTIMAL"
    assert violations(d, sol) == []
    assert "best" in r.stderr and "bound" in r.stderr  # progress lines


def test_output_file_and_flags_override_options(tmp_path):
    d = tiny()
    d["options"]["time_limit_s"] = 0.001  # would be far too short: the flag wins
    out = tmp_path / "sol.json"
    r = run("solve", write(tmp_path, d), "-o", out, "--time-limit", "20", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert json.loads(out.read_text())["status"] == "OPTIMAL"


def test_infeasible_exit_2_with_file_and_diagnosis(tmp_path):
    d = tiny()
    for i in range(5, 9):
        d["participants"].append({"id": f"p{i}"})
    out = tmp_path / "sol.json"
    r = run("solve", write(tmp_path, d), "-o", out)
    assert r.returncode == 2
    sol = json.loads(out.read_text())
    assert sol["status"] == "INFEASIBLE" and sol["diagnosis"]
    assert "round r1: 8 participants must be seated but the sessions hold 4" in r.stderr


def test_invalid_instance_exit_1_lists_every_error(tmp_path):
    d = tiny()
    d["participants"][2]["wishes"] = ["tapj"]
    d["options"]["bogus"] = 1
    r = run("solve", write(tmp_path, d))
    assert r.returncode == 1
    assert 'participants[2].wishes[0]: unknown project "tapj"' in r.stderr
    assert 'options.bogus: unknown option "bogus"' in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_json_and_missing_file_exit_1(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "speed-dating-instance/1",\n  "rooms": [1,,]}')
    r = run("solve", bad)
    assert r.returncode == 1
    assert "invalid JSON at line 2, column" in r.stderr and "Traceback" not in r.stderr
    r = run("solve", tmp_path / "nope.json")
    assert r.returncode == 1
    assert "cannot read the file" in r.stderr and "Traceback" not in r.stderr
