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


HELD_OUT = REPO / json.loads((REPO / "evals" / "thresholds.json").read_text())["briefing"]["topics"]


@pytest.mark.parametrize("path", [TOPICS, HELD_OUT], ids=["tuning", "held-out"])
def test_topics_file_is_well_formed_and_every_fact_is_in_the_knowledge_base(path):
    topics = load_topics(path)
    assert len(topics) >= 6 and len({t.id for t in topics}) == len(topics)
    corpus = normalise(" ".join(p.read_text(encoding="utf-8") for p in KNOWLEDGE.rglob("*.md")))
    for topic in topics:
        assert 4 <= len(topic.key_facts) <= 8, topic.id
        for fact in topic.key_facts:
            assert any(normalise(p) in corpus for p in fact), (topic.id, fact)


def test_the_gate_is_on_topics_the_writer_was_not_tuned_on():
    tuning, held_out = load_topics(TOPICS), load_topics(HELD_OUT)
    assert HELD_OUT != TOPICS and not {t.id for t in tuning} & {t.id for t in held_out}
    assert not {normalise(t.topic) for t in tuning} & {normalise(t.topic) for t in held_out}


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


def test_briefing_eval_cli_writes_results_and_reports(indexed_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    monkeypatch.chdir(REPO)
    topics = tmp_path / "topics.jsonl"
    topics.write_text("\n".join(TOPICS.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    out = tmp_path / "run" / "briefings.jsonl"
    assert main(["eval", "--briefings", "--topics", str(topics), "--out", str(out)]) == 0
    assert "| topic | key-fact recall |" in capsys.readouterr().out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["bcocc", "osbp-namanga"] and "## Sources" in lines[0]["note"]
    report = json.loads((tmp_path / "run" / "briefings-report.json").read_text())
    assert set(report["metrics"]) >= {"key_fact_recall", "off_topic_share", "duplicate_pairs"}


def test_one_gate_run_gates_the_answers_and_the_briefing_notes_on_the_gates_own_topics(indexed_home, monkeypatch,
                                                                                     tmp_path, capsys):
    """`briefing eval --gate FILE` (what `make test` runs) scores the Q&A items, then writes notes on the topics
    the `briefing` section names, whatever --topics says: a recall floor at the measured figure passes, one key
    fact above it fails."""
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    monkeypatch.chdir(REPO)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join((REPO / "evals" / "gold.jsonl").read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    held_out = tmp_path / "held-out.jsonl"
    held_out.write_text(TOPICS.read_text(encoding="utf-8").splitlines()[2] + "\n", encoding="utf-8")  # coast-guard
    assert main(["eval", "--briefings", "--topics", str(held_out), "--out", str(tmp_path / "measure" / "b.jsonl")]) == 0
    measured = json.loads((tmp_path / "measure" / "b-report.json").read_text())["metrics"]["key_fact_recall"]
    facts = len(load_topics(held_out)[0].key_facts)
    for floor, code, verdict in [(measured, 0, "gate passed"), (measured + 1 / facts, 1, "gate failed: briefing key-fact")]:
        gate = tmp_path / "gate.json"
        gate.write_text(json.dumps({"minimums": {"answer_accuracy": 0.0},
                                    "briefing": {"topics": str(held_out), "minimums": {"key_fact_recall": floor}}}))
        capsys.readouterr()
        assert main(["eval", "--dataset", str(gold), "--config", "current", "--out", str(tmp_path / "run" / "r.jsonl"),
                     "--gate", str(gate)]) == code
        printed = capsys.readouterr()
        assert verdict in printed.err and "| answer accuracy |" in printed.out and "| coast-guard |" in printed.out
