"""The briefing eval: its topics file, its scorer (key facts, off-topic bullets, duplicates), the CLI and its gate."""

import json

import pytest
from conftest import KNOWLEDGE, REPO

from assistant.evaluation.briefings import (
    BriefingTopic,
    check_briefing_gate,
    duplicate_pairs,
    load_topics,
    on_topic,
    score_note,
)
from assistant.evaluation.metrics import normalise
from assistant.surfaces.cli import main

TOPICS = REPO / "evals" / "briefing_topics.jsonl"
ETA = BriefingTopic("eta", "Kenya's eTA", [["US$30"], ["72 hours"], ["12 December 2023"]], ["eTA", "visa"],
                    ["led by Mr. Khushal Khan"])


def test_topics_file_is_well_formed_and_every_fact_is_in_the_knowledge_base():
    topics = load_topics(TOPICS)
    assert len(topics) >= 8 and len({t.id for t in topics}) == len(topics)
    corpus = normalise(" ".join(p.read_text(encoding="utf-8") for p in KNOWLEDGE.rglob("*.md")))
    for topic in topics:
        assert 4 <= len(topic.key_facts) <= 8, topic.id
        for fact in topic.key_facts:
            assert any(normalise(p) in corpus for p in fact), (topic.id, fact)


def test_on_topic_is_judged_by_the_eval_files_facts_terms_and_markers():
    assert on_topic(ETA, "The eTA costs US$30.")
    assert on_topic(ETA, "Kenya ended the visa requirement.")
    assert not on_topic(ETA, "Kenya ended visas.")  # the file lists each form it counts
    assert not on_topic(ETA, "The BCOCC reports to the National Security Council.")
    assert not on_topic(ETA, "The delegation, led by Mr. Khushal Khan, studied visa-free entry.")
    assert on_topic(ETA, "The delegation, led by Mr. Khushal Khan, heard that processing is capped at 72 hours.")
    assert not on_topic(ETA, "The beta release")  # whole words only


def test_duplicates_by_token_jaccard_or_embedding_cosine():
    bullets = ["The eTA costs US$30 and takes 3 working days.", "The eTA costs US$30 and takes about 3 working days.",
               "The BCOCC reports to the National Security Council."]
    assert duplicate_pairs(bullets) == [(0, 1)]
    same_meaning = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    assert duplicate_pairs(bullets, same_meaning) == [(0, 1), (1, 2)]


def test_score_note_counts_facts_off_topic_bullets_and_empty_sections():
    scored = score_note(ETA, {"Background": ["The eTA costs US$30.", "The BCOCC meets often."], "Open questions": []})
    assert scored["key_fact_recall"] == pytest.approx(1 / 3) and scored["missing_facts"] == ["72 hours", "12 December 2023"]
    assert scored["off_topic"] == 1 and scored["off_topic_share"] == 0.5 and scored["empty_sections"] == ["Open questions"]


def test_the_briefing_gate_has_floors_and_ceilings():
    report = {"metrics": {"key_fact_recall": 0.7, "off_topic_share": 0.2, "duplicate_pairs": 1}}
    assert check_briefing_gate(report, {"minimums": {"key_fact_recall": 0.6}, "maximums": {"duplicate_pairs": 1}}) == []
    failures = check_briefing_gate(report, {"minimums": {"key_fact_recall": 0.8}, "maximums": {"off_topic_share": 0.1}})
    assert len(failures) == 2 and "below the gate's 0.8" in failures[0] and "above the gate's 0.1" in failures[1]


@pytest.mark.parametrize(("content", "message"), [("{oops", "not valid JSON"), ('{"topic": "x"}', "key_facts"),
                                                  ('{"topic": "x", "key_facts": [["a"]]}', "terms")])
def test_bad_topics_files_are_one_clear_error(tmp_path, capsys, content, message):
    topics = tmp_path / "topics.jsonl"
    topics.write_text(content)
    assert main(["eval", "--briefings", "--topics", str(topics)]) == 2
    assert message in capsys.readouterr().err


def test_briefing_eval_cli_writes_results_and_applies_the_gate(indexed_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    monkeypatch.chdir(REPO)
    topics = tmp_path / "topics.jsonl"
    topics.write_text("\n".join(TOPICS.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    gate = tmp_path / "gate.json"
    gate.write_text(json.dumps({"briefing": {"minimums": {"key_fact_recall": 1.01}}}))
    out = tmp_path / "run" / "briefings.jsonl"
    code = main(["eval", "--briefings", "--topics", str(topics), "--out", str(out), "--gate", str(gate)])
    printed = capsys.readouterr()
    assert code == 1 and "gate failed: briefing key-fact recall" in printed.err
    assert "| topic | key-fact recall |" in printed.out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["bcocc", "osbp-namanga"] and "## Sources" in lines[0]["note"]
    report = json.loads((tmp_path / "run" / "briefings-report.json").read_text())
    assert set(report["metrics"]) >= {"key_fact_recall", "off_topic_share", "duplicate_pairs"}


def test_the_gate_file_gates_the_briefing_notes_in_the_same_run():
    thresholds = json.loads((REPO / "evals" / "thresholds.json").read_text())
    briefing = thresholds["briefing"]
    assert briefing["minimums"]["key_fact_recall"] >= 0.8
    assert briefing["maximums"]["off_topic_share"] <= 0.1 and briefing["maximums"]["duplicate_pairs"] == 0
    assert "briefing eval --gate evals/thresholds.json" in (REPO / "Makefile").read_text().replace("$(BIN)/", "")
