"""The in-domain questions and their eval by stage: the data set's own rules (split by document, traps of
every kind), and the staged eval run through the real pipeline over the real knowledge index."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest

from assistant.evaluation.indomain import PARTS, check_indomain_gate, load_items, load_split, run_indomain, summarise
from tests.conftest import REPO

FOLDER = REPO / "evals" / "indomain"


def test_the_split_is_by_document_and_every_part_has_questions():
    split = load_split(FOLDER)
    documents = [doc for part in PARTS for doc in split[part]]
    assert len(documents) == len(set(documents)) >= 20, "a document is in one part only"
    items = {part: load_items(FOLDER, (part,)) for part in PARTS}
    for part, questions in items.items():
        assert {item.doc for item in questions} == set(split[part])
    assert sum(map(len, items.values())) >= 600


def test_the_questions_cover_every_kind_and_a_third_are_traps_of_every_kind():
    items = load_items(FOLDER)
    kinds = Counter(item.kind for item in items if item.answerable)
    assert set(kinds) == {"who", "number", "date", "definition", "section", "multi-part", "list", "table", "yes-no",
                          "paraphrase"}
    traps = Counter(item.trap for item in items if not item.answerable)
    assert set(traps) == {"absent", "near-miss", "unstated"} and sum(traps.values()) >= 0.3 * len(items)
    assert sum(1 for item in items if item.kind == "table" and item.doc.endswith("fia_annual_report_2023.pdf")) >= 40
    assert len({item.id for item in items}) == len(items)


def test_a_bad_question_line_is_a_clear_error_naming_it(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps({"train": ["a.md"], "calibration": [], "test": []}))
    (tmp_path / "a.jsonl").write_text('{"id": "a-1", "doc": "a.md", "question": "Q?"}\n')
    with pytest.raises(ValueError, match="a.jsonl:1"):
        load_items(tmp_path)


def _row(answerable: bool, recall=True, chosen=True, answered=True, trap=None):
    right = (answered and chosen) if answerable else not answered
    row = {"answerable": answerable, "kind": "who" if answerable else "who", "trap": trap, "right": right,
           "heuristic": right, "never_refuse": chosen if answerable else False, "always_refuse": not answerable}
    if answerable:
        row |= {"retrieval_recall": recall, "retrieval_recall_at_top": recall, "answer_in_chosen": chosen,
                "answered": answered}
    return row


def test_the_gate_fails_a_pipeline_that_never_refuses_or_always_refuses():
    gate = {"minimums": {"answerable_accuracy": 0.5, "traps_refused": 0.5, "retrieval_recall": 0.5}}
    good = [_row(True)] * 6 + [_row(True, chosen=False)] * 2 + [_row(False, answered=False, trap="absent")] * 3
    assert check_indomain_gate(summarise(good), gate) == []
    never = [_row(True)] * 6 + [_row(False, answered=True, trap="absent")] * 3
    assert any("traps refused" in f for f in check_indomain_gate(summarise(never), gate))
    always = [_row(True, answered=False)] * 6 + [_row(False, answered=False, trap="absent")] * 3
    assert any("answerable accuracy" in f for f in check_indomain_gate(summarise(always), gate))
    lost = [_row(True, recall=False, chosen=False, answered=False)] * 6 + [_row(False, answered=False, trap="absent")]
    assert any("retrieval recall" in f for f in check_indomain_gate(summarise(lost), gate))


def test_the_staged_eval_runs_through_the_pipeline_and_its_stages_agree(corpus_assistant, tmp_path):
    """Knowledge-note questions of the train documents, over the real knowledge index: every answer that holds
    the facts was chosen from passages that hold them, and the baselines are scored on the same passages."""
    items = [item for item in load_items(FOLDER, ("train",)) if item.doc.startswith("knowledge/")][:12]
    assert any(not item.answerable for item in items) and any(item.answerable for item in items)
    out = tmp_path / "indomain.jsonl"
    summary = run_indomain(replace(corpus_assistant, audit=None), items, out, progress=False)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(items)
    for row in rows:
        if row["answerable"]:
            assert not row["answer_in_chosen"] or row["retrieval_recall"]
            assert not row["right"] or (row["answer_in_chosen"] and row["answered"])
            assert row["never_refuse"] == row["answer_in_chosen"] and row["always_refuse"] is False
        else:
            assert row["right"] == row["refused"] and row["always_refuse"] is True and row["never_refuse"] is False
    overall = summary["overall"]
    assert overall["questions"] == len(items) and overall["always_refuse"]["traps_refused"] == 1.0
    assert overall["always_refuse"]["answerable_accuracy"] == 0.0
