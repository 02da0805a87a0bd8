"""The SQuAD 2.0 harness of `briefing eval --squad`, end to end on a small SQuAD-format file made here:
the real pipeline indexes the articles of one part of a split and answers every question; the
no-answer-aware scores and both baselines come out of the same run."""

import json

import pytest
from conftest import make_settings

from assistant.evaluation.squad import best_bm25_sentence, load_part, outcome_scores, run_squad, squad_table
from assistant.surfaces.cli import main

ARTICLES = {
    "Lake_Naivasha": [
        ("Lake Naivasha is a freshwater lake in Kenya. It lies at an elevation of 1,884 metres. "
         "The lake is home to a large population of hippos and to many species of birds.",
         [("At what elevation does Lake Naivasha lie?", ["1,884 metres"]),
          ("At what elevation does Lake Victoria lie?", [])]),
    ],
    "Mombasa_Port": [
        ("The port of Mombasa is the largest port in East Africa. It handled 35.9 million tonnes of cargo in 2023. "
         "The Kenya Ports Authority manages the port.",
         [("Who manages the port of Mombasa?", ["The Kenya Ports Authority", "Kenya Ports Authority"]),
          ("Who founded the Kenya Ports Authority?", [])]),
    ],
    "Held_Out": [("A paragraph of an article in another part of the split.", [("What is held out?", ["another part"])])],
}


@pytest.fixture
def squad(tmp_path):
    data = {"data": [
        {"title": title, "paragraphs": [
            {"context": context, "qas": [
                {"id": f"{title}-{i}", "question": q, "answers": [{"text": a} for a in answers],
                 "is_impossible": not answers}
                for i, (q, answers) in enumerate(qas)]}
            for context, qas in paragraphs]}
        for title, paragraphs in ARTICLES.items()]}
    data_path, split_path = tmp_path / "squad.json", tmp_path / "split.json"
    data_path.write_text(json.dumps(data))
    split_path.write_text(json.dumps({"train": ["Held_Out"], "calibration": [],
                                      "validation": ["Lake_Naivasha", "Mombasa_Port"]}))
    return data_path, split_path


def test_a_part_holds_only_its_own_articles(squad):
    articles, questions = load_part(*squad, "validation")
    assert [a["title"] for a in articles] == ["Lake_Naivasha", "Mombasa_Port"]
    assert len(questions) == 4 and sum(q.answerable for q in questions) == 2
    with pytest.raises(ValueError, match="unknown part"):
        load_part(*squad, "test")


def test_scores_are_no_answer_aware():
    # (answerable, answered, holds a gold answer)
    result = outcome_scores([(True, True, True), (True, False, False), (False, False, False), (False, True, False)])
    assert result["accuracy"] == 0.5 and result["answerable_accuracy"] == 0.5
    assert result["precision_when_answering"] == 0.5 and result["unanswerable_refused"] == 0.5
    assert result["coverage"] == 0.5


def test_the_bm25_baseline_picks_the_sentence_sharing_the_rarest_words():
    from langchain_core.documents import Document

    passage = Document("The lake is fresh. It lies at an elevation of 1,884 metres. Birds live there.")
    assert "1,884" in best_bm25_sentence("At what elevation does the lake lie?", [passage])


def test_run_squad_scores_the_answerer_beside_both_baselines(squad, tmp_path):
    report = run_squad(make_settings(tmp_path / "state"), *squad, "validation", progress=False)
    assert report["questions"] == 4 and report["unanswerable"] == 2
    results = report["results"]
    assert results["always refuse"]["accuracy"] == 0.5 and results["always refuse"]["coverage"] == 0.0
    assert results["best BM25 sentence, never refuse"]["coverage"] == 1.0
    assert results["best BM25 sentence, never refuse"]["answerable_accuracy"] == 1.0
    embedded = results["embedded answerer"]
    assert embedded["answerable_accuracy"] == 1.0  # each plain question answered with its gold answer
    assert embedded["accuracy"] == (2 + 2 * embedded["unanswerable_refused"]) / 4  # the traps it refused count too
    table = squad_table(report)
    assert "| embedded answerer |" in table and "Lake_Naivasha" in table


def test_the_cli_writes_the_report(squad, tmp_path, monkeypatch, capsys):
    data_path, split_path = squad
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evals").mkdir()
    split_path.rename(tmp_path / "evals" / "squad_split.json")
    out = tmp_path / "run" / "results.jsonl"
    assert main(["eval", "--squad", "validation", "--squad-data", str(data_path), "--out", str(out)]) == 0
    report = json.loads((tmp_path / "run" / "squad-report.json").read_text())
    assert report["part"] == "validation" and "always refuse" in capsys.readouterr().out
