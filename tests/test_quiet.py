"""A newcomer sees clean output: no library warnings, debug lines or weight-loading bars from `briefing`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import KNOWLEDGE, REPO

BRIEFING = os.path.join(os.path.dirname(sys.executable), "briefing")
NOISE = ("Warning", "DEBUG", "Loading")


def ask(home, backend: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BRIEFING_", "HF_HUB_DISABLE", "TRANSFORMERS_", "PYTHONWARNINGS"))}
    env |= {"BRIEFING_HOME": str(home), "BRIEFING_KNOWLEDGE": str(KNOWLEDGE), "BRIEFING_EMBEDDINGS": backend,
            "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([BRIEFING, "ask", "--json", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Khushal Khan" in json.loads(run.stdout)["answer"]
    return run


def noisy_lines(stderr: str) -> list[str]:
    return [line for line in stderr.replace("\r", "\n").splitlines() if any(word in line for word in NOISE)]


@pytest.mark.slow
def test_ask_prints_no_library_noise_and_one_line_for_the_onnx_export(indexed_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    torch_run = ask(home, "torch")  # loads the weights with sentence-transformers on every start
    assert noisy_lines(torch_run.stderr) == [], torch_run.stderr

    # Switching to the default backend exports the ONNX model (tracer and quantizer advisories
    # before) and re-embeds the index (the BM25 rebuild logged a DEBUG line before).
    onnx_run = ask(home, "onnx-int8")
    assert noisy_lines(onnx_run.stderr) == [], onnx_run.stderr
    assert onnx_run.stderr.count("exporting the embedding model to ONNX") == 1, onnx_run.stderr


def test_our_messages_print_above_a_progress_bar(capsys):
    """While a bar is drawn, a message of ours clears the bar's line, stands on a line of its own, and the bar
    is drawn again below it (tqdm's logging redirect, as `briefing` runs every command)."""
    import logging

    from tqdm import tqdm

    from assistant.config import quiet

    quiet.configure()
    with quiet.progress_safe():
        with tqdm(total=2, desc="Indexing", file=sys.stderr) as bar:
            logging.getLogger("assistant.test").info("docs/act.pdf: pp. 3–5 not indexed")
            bar.update(2)
    lines = capsys.readouterr().err.split("\r")
    message = next(i for i, line in enumerate(lines) if "not indexed" in line)
    assert lines[message].strip() == "docs/act.pdf: pp. 3–5 not indexed"
    assert "Indexing" in lines[message - 2] and not lines[message - 1].strip()  # the bar, then wiped
    assert any("Indexing" in line for line in lines[message + 1:])  # and drawn again below
