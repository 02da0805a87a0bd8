"""`briefing eval --realdocs`: the real documents indexed into a temporary state root, the questions
run through the same runner, and the report broken down by category, traps and page coverage.
Run here on a small stand-in folder with the real layout (docs/, extra/)."""

import json

import pytest
from fpdf import FPDF

from assistant.surfaces.cli import main


def pdf_of(path, text: str) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


@pytest.fixture
def realdocs(tmp_path):
    """A stand-in for ../shared/realdocs: two PDFs (the answer's, and one that is not) and a note beside them."""
    folder = tmp_path / "shared" / "realdocs"
    (folder / "docs").mkdir(parents=True)
    pdf_of(folder / "docs" / "posts.pdf", "The Namanga One Stop Border Post opened to traffic in December 2017.")
    pdf_of(folder / "docs" / "port.pdf", "The Port of Mombasa handled 35.98 million tonnes of cargo in 2023.")
    (folder / "SOURCES.md").write_text("# Sources\n\nNot a document to index.\n", encoding="utf-8")
    return folder


def test_realdocs_eval_reports_categories_traps_and_page_coverage(realdocs, tmp_path, monkeypatch, capsys):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in [
        {"id": "open", "category": "single", "question": "When did the Namanga One Stop Border Post open to traffic?",
         "expected": [["December 2017"]], "sources": ["realdocs/docs/posts.pdf"], "answerable": True},
        {"id": "trap", "category": "trap", "question": "What is the capital of France?", "expected": [],
         "sources": [], "answerable": False},
    ]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "results" / "results.jsonl"
    assert main(["eval", "--realdocs", "--realdocs-data", str(realdocs), "--dataset", str(questions),
                 "--config", "current", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| category single (1) |" not in printed and "| category trap |" in printed
    report = json.loads(out.with_name("results-report.json").read_text(encoding="utf-8"))
    assert report["indexed_chunks"] == 2  # SOURCES.md beside the folders is not indexed
    summary = report["realdocs"]["summary"]["current"]
    assert summary["category single"] == {"share": 1.0, "of": 1}
    assert summary["category trap"] == {"share": 1.0, "of": 1}
    assert summary["PDF citations with a page"]["share"] == 1.0
    assert report["configs"]["current"]["metrics"]["mrr"] == 1.0  # the answer's document ranked above the other
    assert "PDF citations with a page" in out.with_name("results-report.md").read_text(encoding="utf-8")


QUESTIONS = [  # one the documents answer; one they do not (labelled answerable, so it counts against accuracy)
    {"id": "open", "category": "single", "question": "When did the Namanga One Stop Border Post open to traffic?",
     "expected": [["December 2017"]], "sources": ["realdocs/docs/posts.pdf"], "answerable": True},
    {"id": "founded", "category": "single", "question": "In which year was the Port of Mombasa founded?",
     "expected": [["1896"]], "sources": ["realdocs/docs/port.pdf"], "answerable": True},
]


@pytest.mark.parametrize(("floor", "code", "verdict"), [(0.5, 0, "gate passed"), (1.0, 1, "gate failed: answer accuracy")])
def test_the_realdocs_gate_applies_the_files_realdocs_section(realdocs, tmp_path, monkeypatch, capsys, floor, code,
                                                              verdict):
    """`--realdocs --gate` reads the `realdocs` floors (the briefing section, about knowledge/, is not run): one
    of the two questions can be answered, so a floor at 0.5 passes and one at 1.0 fails."""
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    gate = tmp_path / "gate.json"
    gate.write_text(json.dumps({"minimums": {"answer_accuracy": 0.0}, "briefing": {"minimums": {"key_fact_recall": 0.9}},
                                "realdocs": {"minimums": {"answer_accuracy": floor}}}))
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "--realdocs", "--realdocs-data", str(realdocs), "--dataset", str(questions),
                 "--config", "current", "--out", str(tmp_path / "run" / "results.jsonl"), "--gate", str(gate)]) == code
    printed = capsys.readouterr()
    assert verdict in printed.err and "key-fact recall" not in printed.out + printed.err


def test_a_gate_file_without_a_realdocs_section_is_one_clear_error(realdocs, tmp_path, capsys):
    gate = tmp_path / "gate.json"
    gate.write_text(json.dumps({"minimums": {"answer_accuracy": 0.5}}))
    assert main(["eval", "--realdocs", "--realdocs-data", str(realdocs), "--gate", str(gate)]) == 2
    assert "have no `realdocs` section" in capsys.readouterr().err
