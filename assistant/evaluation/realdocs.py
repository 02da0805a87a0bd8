"""The real-document eval: questions over six public documents (a constitution, two data-protection
acts, the GDPR, two Home Office guidance PDFs) and a DOCX excerpt, asked of an index of exactly
those documents.

The documents (`../shared/realdocs/docs` and `extra`) are indexed by the same pipeline into a
temporary state root, named as the data set names them ("realdocs/docs/....pdf"); every question
then goes through `run_eval`, as the gold set's do. Beside the usual metrics the report gives
accuracy by category, the traps refused, and how many citations carry their page (PDFs) or
their article (the GDPR).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from assistant.answer.chain import PipelineConfig
from assistant.app.pipeline import Assistant
from assistant.config.settings import Settings
from assistant.evaluation.datasets import EvalItem
from assistant.evaluation.runner import EvalRun, run_eval
from assistant.index.backends import make_embeddings

FOLDERS = ("docs", "extra")
"""The folders of the real-document set that are indexed (its SOURCES.md is not)."""
_ARTICLE = re.compile(r"^(Article \d+ — .+|Recital \d+|Preamble)$")


def build_index(settings: Settings, realdocs: Path, home: Path, progress: bool | None = None) -> Assistant:
    """An assistant over a fresh index of the real documents under `home`; a clear error when one fails."""
    folders = [realdocs / name for name in FOLDERS if (realdocs / name).is_dir()]
    if not folders:
        raise ValueError(f"no real documents at {realdocs} (expected {' and '.join(FOLDERS)} folders in it)")
    local = replace(settings, home=home, knowledge_dir=folders[0], collection="realdocs", chroma_url="")
    embeddings = make_embeddings(settings.embeddings, settings.home / "models")  # the user's exported model, reused
    assistant = replace(Assistant.from_settings(local, embeddings), audit=None)
    report = assistant.ingest(folders, progress, base=realdocs.parent)
    if not report.ok:
        raise ValueError(f"could not index the real documents: {report.failed[0][0]}: {report.failed[0][1]}")
    return assistant


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def summarise(results: Path, items: list[EvalItem]) -> dict:
    """Per configuration: accuracy by category, traps refused, and the citations' page and article coverage."""
    category = {item.id: item.category or "uncategorised" for item in items}
    answerable = {item.id: item.answerable for item in items}
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for line in results.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        tally = counts[row["config"]]
        right = row["refused"] if answerable[row["id"]] is False else bool(row["scores"].get("correct"))
        for key in (f"category {category[row['id']]}", "all questions"):
            tally[key][0] += right
            tally[key][1] += 1
        for cited in row["citations"]:
            if cited["source"].lower().endswith(".pdf"):
                tally["PDF citations with a page"][0] += bool(cited.get("page"))
                tally["PDF citations with a page"][1] += 1
            if "gdpr" in cited["source"]:
                tally["GDPR citations naming the article"][0] += bool(_ARTICLE.match(cited.get("section", "")))
                tally["GDPR citations naming the article"][1] += 1
    return {config: {key: {"share": _share(*value), "of": value[1]} for key, value in sorted(tally.items())}
            for config, tally in counts.items()}


def summary_table(summary: dict) -> str:
    """The summary as Markdown: one row per measure, one column per configuration.

    Answerable categories count an answer holding every expected fact; traps and unanswerable
    questions count a refusal."""
    names = list(summary)
    keys = sorted({key for config in summary.values() for key in config})
    lines = ["| measure (n) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key in keys:
        cells = []
        for name in names:
            cell = summary[name].get(key)
            cells.append("n/a" if not cell or cell["share"] is None else f"{cell['share']:.3f} ({cell['of']})")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_realdocs(settings: Settings, realdocs: Path, items: list[EvalItem], configs: list[PipelineConfig],
                 dataset: Path, out: Path, progress: bool | None = None) -> EvalRun:
    """Index the real documents in a temporary state root, run the questions, and add the summary to the report."""
    with tempfile.TemporaryDirectory(prefix="briefing-realdocs-") as folder:
        assistant = build_index(settings, realdocs, Path(folder) / "state", progress)
        run = run_eval(assistant, items, configs, dataset, out, progress)
    summary = summarise(out, items)
    run.report["realdocs"] = {"folder": str(realdocs), "summary": summary}
    run.report["tables"] = [summary_table(summary)]
    return run
