"""Run a data set through one or more pipeline variants and write results, a report and a gate verdict.

Every item goes through the same chain as the UI and the CLI (`Assistant.ask`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from tqdm import tqdm

from assistant.answer.chain import PipelineConfig
from assistant.app.pipeline import Assistant
from assistant.config.parameters import parameters
from assistant.evaluation.datasets import EvalItem
from assistant.evaluation.metrics import ItemScore, aggregate, score
from assistant.index.embeddings import MODEL_NAME

METRIC_LABELS = {
    "items": "items",
    "hit_at_k": "retrieval hit@k (k = top_k)",
    "hit_at_5": "retrieval hit@5",
    "mrr": "retrieval MRR",
    "answer_accuracy": "answer accuracy",
    "citation_precision": "citation precision",
    "citation_recall": "citation recall",
    "refusal_precision": "refusal precision",
    "refusal_recall": "refusal recall",
    "refusal_rate": "refusal rate",
    "flagged_sentence_rate": "sentences flagged unsupported",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
}


@dataclass
class EvalRun:
    report: dict
    results_path: Path


def corpus_version(assistant: Assistant) -> str:
    """A short hash of every indexed document's content hash."""
    documents = assistant.store.documents()
    digest = hashlib.sha256()
    for source in sorted(documents):
        digest.update(f"{source}\0{','.join(sorted(documents[source].doc_hashes))}\n".encode())
    return digest.hexdigest()[:12]


def result_line(config: PipelineConfig, item: EvalItem, answer, latency_ms: float, item_score: ItemScore) -> dict:
    contract = answer.to_dict()
    return {
        "id": item.id,
        "config": config.name,
        "question": item.question,
        "answer": contract["answer"],
        "refused": contract["refused"],
        "citations": contract["citations"],
        "retrieved": answer.retrieved,
        "latency_ms": round(latency_ms, 1),
        "scores": {k: v for k, v in asdict(item_score).items() if k not in ("refused", "latency_ms")},
    }


def run_eval(assistant: Assistant, items: list[EvalItem], configs: list[PipelineConfig], dataset: Path,
             out: Path, progress: bool | None = None, llm_judge=None) -> EvalRun:
    out.parent.mkdir(parents=True, exist_ok=True)
    show = sys.stderr.isatty() if progress is None else progress
    report = {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "dataset_items": len(items),
        "corpus_version": corpus_version(assistant),
        "indexed_chunks": assistant.store.count(),
        "settings": {
            "embedding_model": MODEL_NAME,
            "top_k": assistant.settings.top_k,
            "refusal_threshold": assistant.settings.refusal_threshold,
            "answerer": assistant.answerer.name,
            "parameters_version": parameters()["version"],
        },
        "configs": {},
    }
    assistant = replace(assistant, audit=None)  # measurements are not officials' answers
    assistant.ask(items[0].question, items[0].history)  # warm-up: load the model before anything is timed
    with out.open("w", encoding="utf-8") as results:
        for config in configs:
            variant = assistant.with_pipeline(config)
            scores, answered = [], []
            for item in tqdm(items, desc=f"eval {config.name}", unit="q", disable=not show, file=sys.stderr):
                start = time.perf_counter()
                answer = variant.ask(item.question, item.history)
                latency_ms = (time.perf_counter() - start) * 1000
                item_score = score(item, answer, latency_ms)
                scores.append(item_score)
                answered.append((item, answer))
                results.write(json.dumps(result_line(config, item, answer, latency_ms, item_score), ensure_ascii=False) + "\n")
            metrics = aggregate(scores)
            report["configs"][config.name] = {"description": config.description, "metrics": metrics,
                                              "by_category": by_category(items, scores)}
            if llm_judge is not None:
                report["configs"][config.name]["llm_judged"] = llm_judge.judge(answered)
    report["llm_judged"] = (
        {"status": "ran", "model": llm_judge.model_name} if llm_judge is not None
        else {"status": "skipped", "reason": "no LLM configured (set OPENAI_BASE_URL or OPENAI_API_KEY, and BRIEFING_LLM_MODEL)"}
    )
    return EvalRun(report, out)


def by_category(items: list[EvalItem], scores: list[ItemScore]) -> dict[str, dict]:
    """Per category: how many items, and the share handled right (answerable: a correct answer; not
    answerable: a refusal)."""
    groups: dict[str, list[bool]] = {}
    for item, item_score in zip(items, scores):
        right = item_score.refused if item.answerable is False else bool(item_score.correct)
        groups.setdefault(item.category or "uncategorised", []).append(right)
    return {name: {"items": len(rights), "accuracy": round(sum(rights) / len(rights), 4)}
            for name, rights in sorted(groups.items())}


def _cell(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if value >= 10 else f"{value:.3f}"


def metrics_table(report: dict) -> str:
    """The configurations side by side, one metric a row (Markdown)."""
    names = list(report["configs"])
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in METRIC_LABELS.items():
        lines.append(f"| {label} | " + " | ".join(_cell(report["configs"][n]["metrics"][key]) for n in names) + " |")
    judged = [n for n in names if "llm_judged" in report["configs"][n]]
    for key in ("faithfulness", "answer_relevance"):
        if judged:
            lines.append(f"| {key.replace('_', ' ')} (LLM-judged) | " + " | ".join(
                _cell(report["configs"][n].get("llm_judged", {}).get(key)) for n in names) + " |")
    return "\n".join(lines)


def category_table(report: dict) -> str:
    """Accuracy per question category (answerable: correct answer; not answerable: refused), per configuration."""
    names = list(report["configs"])
    categories = sorted({c for n in names for c in report["configs"][n].get("by_category", {})})
    lines = ["| category (items) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for category in categories:
        cells = [report["configs"][n]["by_category"].get(category, {}) for n in names]
        count = next((c["items"] for c in cells if c), 0)
        lines.append(f"| {category} ({count}) | " + " | ".join(_cell(c.get("accuracy")) for c in cells) + " |")
    return "\n".join(lines)


def markdown_report(report: dict) -> str:
    settings = ", ".join(f"{k} = {v}" for k, v in report["settings"].items())
    configs = "\n".join(f"- **{name}**: {c['description']}" for name, c in report["configs"].items())
    judged = report["llm_judged"]
    judged_line = (f"LLM-judged metrics: ran with {judged['model']}." if judged["status"] == "ran"
                   else f"LLM-judged metrics (faithfulness, answer relevance): skipped, {judged['reason']}.")
    return (
        f"# Evaluation report\n\n"
        f"- created: {report['created']}\n- data set: `{report['dataset']}` ({report['dataset_items']} items)\n"
        f"- corpus version: `{report['corpus_version']}` ({report['indexed_chunks']} chunks)\n- settings: {settings}\n\n"
        f"Configurations:\n{configs}\n\n{metrics_table(report)}\n\n{category_table(report)}\n\n{judged_line}\n"
        + "".join(f"\n{table}\n" for table in report.get("tables", []))
    )


def write_report(run: EvalRun) -> tuple[Path, Path]:
    md_path = run.results_path.with_name(run.results_path.stem + "-report.md")
    json_path = run.results_path.with_name(run.results_path.stem + "-report.json")
    md_path.write_text(markdown_report(run.report), encoding="utf-8")
    json_path.write_text(json.dumps(run.report, indent=2), encoding="utf-8")
    return md_path, json_path


def check_gate(report: dict, thresholds: dict) -> list[str]:
    """Every threshold the report breaks, as readable lines (empty when the gate passes)."""
    name = thresholds.get("config", "current")
    if name not in report["configs"]:
        return [f"the gate's configuration {name!r} was not evaluated"]
    metrics = report["configs"][name]["metrics"]
    failures = []
    for key, minimum in thresholds.get("minimums", {}).items():
        value = metrics.get(key)
        if value is None or value < minimum:
            failures.append(f"{METRIC_LABELS.get(key, key)} of {name} is {_cell(value)}, below the gate's {minimum}")
    categories = report["configs"][name].get("by_category", {})
    for category, minimum in thresholds.get("category_minimums", {}).items():
        value = categories.get(category, {}).get("accuracy")
        if value is None or value < minimum:
            failures.append(f"accuracy on {category!r} questions of {name} is {_cell(value)}, below the gate's {minimum}")
    return failures
