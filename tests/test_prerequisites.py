"""Missing shared data or a missing tool: a skip on a developer's machine, a failure under `CI=true`, for the
tests (conftest.require) and for the SQuAD gate of `make test` alike."""

import os
import shutil
import subprocess

import pytest
from conftest import REPO, require


def test_a_missing_prerequisite_skips_here_and_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the data is not here"):
        require(False, "the data is not here")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: a missing prerequisite fails the run"):
        require(False, "the data is not here")
    require(True, "present")  # nothing happens when it is there


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")  # it runs `make test` itself
@pytest.mark.parametrize(("ci", "code", "said"), [("", 0, "SQuAD gate skipped"), ("true", 2, "CI=true requires it")])
def test_the_squad_gate_without_its_data_skips_here_and_fails_under_ci(tmp_path, ci, code, said):
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "MAKEFLAGS", "MAKELEVEL")}
    run = subprocess.run(["make", "--no-print-directory", "squad-gate", f"SQUAD={tmp_path / 'absent.json'}"],
                         cwd=REPO, env=env | ({"CI": ci} if ci else {}), capture_output=True, text=True, timeout=60)
    assert run.returncode == code and said in run.stdout + run.stderr
