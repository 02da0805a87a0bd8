"""Provenance: every answer is recorded, listed and replayed; no secret enters a record or a log."""

import json
import logging
import shutil

from conftest import KNOWLEDGE, audit_in, make_settings
from openai_stub import OpenAIStub

from assistant.app.pipeline import Assistant
from assistant.surfaces.cli import main


def test_answers_are_recorded_listed_and_replayed(tmp_path, monkeypatch, embeddings, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KNOWLEDGE / "governance/kenya-coast-guard-service.md", docs / "kcgs.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_KNOWLEDGE", str(docs))
    history = [{"role": "user", "content": "What is the Kenya Coast Guard Service?"}]
    assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs), embeddings)
    assistant.ingest(progress=False)
    answer = assistant.ask("When was it launched?", history)
    record = audit_in(tmp_path / "state").list()[0]
    assert record.question == "When was it launched?" and record.history == history
    assert "Kenya Coast Guard Service" in record.standalone_query and record.user == "local"
    assert record.answer == answer.text and record.mode == "extractive" and record.prompt_version == "extractive"
    assert {r["chunk_id"] for r in record.retrieved} == set(answer.retrieved)
    assert all(r["doc_hash"] for r in record.retrieved)
    assert record.verification == answer.to_dict()["sentences"] and record.citations == answer.to_dict()["citations"]

    assert main(["audit", "--user", "local"]) == 0
    assert f"#{record.id}" in capsys.readouterr().out
    assert main(["replay", str(record.id)]) == 0
    assert "no change" in capsys.readouterr().out

    path = docs / "kcgs.md"
    path.write_text(path.read_text().replace("19 November 2018", "20 November 2018"))
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assert main(["replay", str(record.id)]) == 0
    out = capsys.readouterr().out
    assert "answer changed" in out and "20 November 2018" in out and "document changed since: docs/kcgs.md" in out
    assert main(["replay", "999"]) == 2


def test_no_secret_in_records_or_logs(indexed_home, monkeypatch, tmp_path, capsys, caplog):
    secret = "sk-live-SECRET-4242-do-not-log"
    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    caplog.set_level(logging.DEBUG)
    with OpenAIStub(["The delegation was led by Khushal Khan [1]."]) as stub:
        monkeypatch.setenv("BRIEFING_HOME", str(home))
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", secret)
        monkeypatch.setenv("BRIEFING_LLM_MODEL", "stub-model")
        assert main(["ask", "--json", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"]) == 0
        asked = capsys.readouterr()
        assert main(["audit", "--json"]) == 0
    listed = capsys.readouterr()
    out, err = asked.out + listed.out, asked.err + listed.err
    records = json.loads(listed.out)
    assert records and records[0]["model"] == "stub-model" and records[0]["prompt_version"] != "extractive"
    database = b"".join(p.read_bytes() for p in home.glob("briefing.sqlite3*")).decode("latin-1")
    assert "stub-model" in database  # the record is in these bytes
    for place in (out, err, caplog.text, database):
        assert secret not in place
    assert secret not in repr(make_settings(home, OPENAI_API_KEY=secret))
