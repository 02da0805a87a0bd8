"""`briefing eval --realdocs`: the real documents indexed into a temporary state root, the questions
run through the same runner, and the report broken down by category, traps and page coverage.
Run here on a small stand-in folder with the real layout (docs/, extra/)."""

import json

from fpdf import FPDF

from assistant.surfaces.cli import main


def test_realdocs_eval_reports_categories_traps_and_page_coverage(tmp_path, monkeypatch, capsys):
    realdocs = tmp_path / "shared" / "realdocs"
    (realdocs / "docs").mkdir(parents=True)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "The Namanga One Stop Border Post opened to traffic in December 2017.")
    pdf.output(str(realdocs / "docs" / "posts.pdf"))
    (realdocs / "SOURCES.md").write_text("# Sources\n\nNot a document to index.\n", encoding="utf-8")
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
    assert report["indexed_chunks"] == 1  # SOURCES.md beside the folders is not indexed
    summary = report["realdocs"]["summary"]["current"]
    assert summary["category single"] == {"share": 1.0, "of": 1}
    assert summary["category trap"] == {"share": 1.0, "of": 1}
    assert summary["PDF citations with a page"]["share"] == 1.0
    assert report["configs"]["current"]["metrics"]["hit_at_k"] == 1.0
    assert "PDF citations with a page" in out.with_name("results-report.md").read_text(encoding="utf-8")
