"""The `briefing` command line, in process and as the installed console script."""

import json
import os
import subprocess
import sys

from conftest import REPO, SEED_REPORT

from assistant.surfaces.cli import main

CONTRACT_KEYS = {"question", "answer", "refused", "citations"}
CITATION_KEYS = {"n", "source", "title", "section", "quote", "chunk_id"}


def test_ask_json_contract(indexed_home, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    monkeypatch.chdir(REPO)
    assert main(["ask", "--json", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert CONTRACT_KEYS <= set(result)  # the original contract; later fields are additions
    assert result["question"] == "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"
    assert result["refused"] is False and "Khushal Khan" in result["answer"]
    assert result["citations"] and all(CITATION_KEYS <= set(c) for c in result["citations"])
    assert all(c["page"] is None for c in result["citations"])  # Markdown has no pages; PDFs: test_citations.py
    assert result["mode"] == "extractive"
    assert result["sentences"] and all(s["citations"] for s in result["sentences"])
    assert [c["n"] for c in result["citations"]] == list(range(1, len(result["citations"]) + 1))
    assert SEED_REPORT in {c["source"] for c in result["citations"]}
    assert 0.0 < result["confidence"] < 1.0


def test_ask_json_refusal(indexed_home, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    assert main(["ask", "--json", "What is the capital of France?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["refused"] is True and result["citations"] == []
    assert "Nothing relevant to it was found." in result["answer"] and result["closest"] is None


def test_confidence_is_a_logistic_map_of_stage_two_rising_with_its_probability():
    from assistant.answer.selector import calibrate

    values = [calibrate(raw, 0.8, -0.3) for raw in (0.05, 0.3, 0.6, 0.95)]
    assert all(0.0 < v < 1.0 for v in values) and values == sorted(values)
    assert calibrate(0.5, 1.0, 0.0) == 0.5 and calibrate(0.5, 1.0, 1.0) > 0.5


def test_ask_with_history_file(indexed_home, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "Tell me about the Kenya Coast Guard Service."}]))
    assert main(["ask", "--json", "--history", str(history), "When was it launched?"]) == 0
    assert "2018" in json.loads(capsys.readouterr().out)["answer"]


def test_bad_history_file_is_one_clear_line(monkeypatch, capsys, tmp_path):
    history = tmp_path / "history.json"
    history.write_text("{not json")
    assert main(["ask", "--history", str(history), "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefing: error: history file") and "Traceback" not in err


def test_ask_builds_the_index_first_when_there_is_none(tmp_path):
    """Runs the installed console script as a user would, from a fresh state root."""
    env = dict(os.environ, BRIEFING_HOME=str(tmp_path / "fresh"), TRANSFORMERS_VERBOSITY="error")
    run = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "briefing"), "ask", "--json", "Which border points did the Pakistani delegation visit in Kenya?"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "No index yet" in run.stderr and "added" in run.stderr
    result = json.loads(run.stdout)
    assert "Namanga" in result["answer"] and result["citations"]


def test_ask_filters_by_kind_and_date(indexed_home, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    assert main(["ask", "--json", "--kind", "visit-report", "--since", "2024-01", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["citations"] and {c["source"] for c in result["citations"]} == {SEED_REPORT}
    assert main(["ask", "--since", "last week", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 2
    assert "start date" in capsys.readouterr().err


def test_bad_or_unreachable_chroma_server_is_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("BRIEFING_CHROMA_URL", "chroma.example:8000")
    assert main(["ask", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 2
    assert "BRIEFING_CHROMA_URL must look like http://host:8000" in capsys.readouterr().err
    monkeypatch.setenv("BRIEFING_CHROMA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    assert main(["ask", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 2
    assert "cannot reach the Chroma server at http://127.0.0.1:9" in capsys.readouterr().err
