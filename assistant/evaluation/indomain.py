"""The in-domain questions (`evals/indomain/`): labelled questions about real laws, reports,
evaluations and the knowledge notes, split by document into train, calibration and test.

The whole corpus (the knowledge folder, ../shared/realdocs and ../shared/devdocs) is indexed by
the product's own pipeline into one state root, so that every question is asked of every
document, as an official's would be; sources are named as the question files name them
(`knowledge/...`, `realdocs/docs/...`, `devdocs/docs/...`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer.citing import quote
from assistant.answer.learned import LearnedAnswerer, Response
from assistant.answer.questions import asks_for
from assistant.answer.types import Answer
from assistant.app.pipeline import Assistant
from assistant.config.parameters import parameters
from assistant.config.settings import Settings
from assistant.evaluation.baseline import ExtractiveAnswerer
from assistant.evaluation.datasets import EvalItem
from assistant.evaluation.metrics import fact_present
from assistant.index.backends import make_embeddings

PARTS = ("train", "calibration", "test")
SHARED_FOLDERS = ("realdocs/docs", "realdocs/extra", "devdocs/docs")
"""The folders of ../shared indexed beside the knowledge folder."""


@dataclass(frozen=True)
class InDomainItem(EvalItem):
    doc: str = ""
    kind: str = ""
    """What is asked: who, number, date, definition, section, multi-part, list, table, yes-no, paraphrase."""
    trap: str | None = None
    """For an unanswerable question: absent, near-miss or unstated."""


def load_split(folder: Path) -> dict[str, list[str]]:
    """The documents of each part (`split.json`)."""
    try:
        split = json.loads((folder / "split.json").read_text(encoding="utf-8"))
        return {part: list(split[part]) for part in PARTS}
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot read the in-domain split {folder / 'split.json'}: {exc}") from None


def load_items(folder: Path, parts: tuple[str, ...] = PARTS) -> list[InDomainItem]:
    """The questions about the documents of `parts`, in file order (a clear error naming a bad line)."""
    split = load_split(folder)
    wanted = {doc: part for part in parts for doc in split[part]}
    items = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                doc, answerable = record["doc"], bool(record["answerable"])
                if doc not in wanted:
                    continue
                items.append(InDomainItem(
                    id=record["id"], question=record["question"], expected=record.get("expected") or None,
                    sources=[doc], answerable=answerable, category=record["kind"] if answerable else "trap",
                    doc=doc, kind=record["kind"], trap=None if answerable else record["trap"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: not an in-domain question ({exc})") from None
    if not items:
        raise ValueError(f"no questions about the {'/'.join(parts)} documents in {folder}")
    return items


def corpus_folders(knowledge: Path, shared: Path) -> list[tuple[Path, Path]]:
    """(folder, what its sources are named relative to) for every folder of the corpus."""
    missing = [name for name in SHARED_FOLDERS if not (shared / name).is_dir()]
    if missing:
        raise ValueError(f"the in-domain corpus needs {', '.join(str(shared / m) for m in missing)}")
    return [(knowledge, knowledge.parent)] + [(shared / name, shared) for name in SHARED_FOLDERS]


def corpus_assistant(settings: Settings, knowledge: Path, shared: Path, home: Path,
                     progress: bool | None = None) -> Assistant:
    """An assistant over the whole corpus indexed under `home` (incremental: a rerun re-reads only what
    changed); a clear error when a document cannot be indexed."""
    local = replace(settings, home=home, knowledge_dir=knowledge, collection="indomain", chroma_url="", llm_model="")
    embeddings = make_embeddings(settings.embeddings, settings.home / "models")  # the user's exported model, reused
    assistant = replace(Assistant.from_settings(local, embeddings), audit=None)
    for folder, base in corpus_folders(knowledge, shared):
        report = assistant.ingest([folder], progress, base=base)
        if not report.ok:
            raise ValueError(f"could not index {report.failed[0][0]}: {report.failed[0][1]}")
    return assistant


STAGES = ("retrieval_recall", "answer_in_chosen", "answered", "answer_accuracy", "trap_refused")


def _passage_text(passages: list[Document]) -> str:
    return " ".join(f"{p.metadata.get('title', '')} {p.metadata.get('section', '')} {p.page_content}" for p in passages)


def _all_present(item: InDomainItem, text: str) -> bool:
    return all(fact_present(fact, text) for fact in item.expected or [])


def judge(item: InDomainItem, answer: Answer, response: Response, heuristic: Answer, top: int) -> dict:
    """One question's outcome at every stage, and the baselines' on the same passages."""
    row = {"id": item.id, "doc": item.doc, "kind": item.kind, "trap": item.trap, "answerable": bool(item.answerable),
           "refused": answer.refused, "verdict": response.verdict, "confidence": response.confidence,
           "answer": answer.text}
    composed, _ = quote(response.quotes, answer.passages, name_sections=asks_for(item.question) == "section")
    heuristic_right = (not heuristic.refused and _all_present(item, heuristic.text)) if item.answerable else heuristic.refused
    if item.answerable:
        row |= {
            "retrieval_recall": _all_present(item, _passage_text(answer.passages)),
            "retrieval_recall_at_top": _all_present(item, _passage_text(answer.passages[:top])),
            "answer_in_chosen": _all_present(item, composed),
            "answered": not answer.refused,
            "right": not answer.refused and _all_present(item, answer.text),
            "never_refuse": _all_present(item, composed),
            "always_refuse": False,
        }
    else:
        row |= {"right": answer.refused, "never_refuse": False, "always_refuse": True}
    row["heuristic"] = heuristic_right
    return row


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def summarise(rows: list[dict]) -> dict:
    """Stage figures and each answerer's accuracy, overall, by question kind and by trap kind."""
    answerable = [r for r in rows if r["answerable"]]
    traps = [r for r in rows if not r["answerable"]]

    def figures(group: list[dict]) -> dict:
        able = [r for r in group if r["answerable"]]
        unable = [r for r in group if not r["answerable"]]
        result = {"questions": len(group), "answerable": len(able), "traps": len(unable)}
        for name in ("right", "heuristic", "never_refuse", "always_refuse"):
            result[name] = {"accuracy": _mean([r[name] for r in group]),
                            "answerable_accuracy": _mean([r[name] for r in able]),
                            "traps_refused": _mean([r[name] for r in unable])}
        return result

    overall = figures(rows)
    overall["stages"] = {
        "retrieval_recall": _mean([r["retrieval_recall"] for r in answerable]),
        "retrieval_recall_at_top": _mean([r["retrieval_recall_at_top"] for r in answerable]),
        "answer_in_chosen": _mean([r["answer_in_chosen"] for r in answerable]),
        "answer_in_chosen_when_retrieved": _mean([r["answer_in_chosen"] for r in answerable if r["retrieval_recall"]]),
        "answered_when_chosen": _mean([r["answered"] for r in answerable if r["answer_in_chosen"]]),
        "traps_refused": _mean([r["right"] for r in traps]),
        "absent_traps_refused": _mean([r["right"] for r in traps if r["trap"] == "absent"]),
    }
    kinds = sorted({r["kind"] for r in answerable})
    trap_kinds = sorted({r["trap"] for r in traps})
    return {"overall": overall,
            "by_kind": {kind: figures([r for r in answerable if r["kind"] == kind]) for kind in kinds},
            "by_trap": {kind: figures([r for r in traps if r["trap"] == kind]) for kind in trap_kinds}}


def run_indomain(assistant: Assistant, items: list[InDomainItem], out: Path, progress: bool | None = None,
                 top: int = 3) -> dict:
    """Ask every question through the whole pipeline; judge each stage; write one result line per question
    and return the summary (see `summarise`). `top`: the first passages, for recall at a smaller k."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    embedded = assistant.answerer.embedded
    if not isinstance(embedded, LearnedAnswerer):
        raise ValueError("the in-domain eval judges the learned answerer's stages; no learned answerer is configured")
    heuristic = ExtractiveAnswerer(assistant.embeddings)
    rows = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as results:
        for item in tqdm(items, desc="in-domain eval", unit="q", disable=not show, file=sys.stderr):
            answer = assistant.ask(item.question)
            response = embedded.respond(item.question, answer.passages)
            row = judge(item, answer, response, heuristic.compose(item.question, answer.passages), top)
            rows.append(row)
            results.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = summarise(rows)
    summary["settings"] = {"passages": assistant.settings.top_k, "top": top, "answerer": embedded.name,
                           "threshold": embedded.threshold, "parameters_version": parameters()["version"]}
    return summary


def summary_table(summary: dict) -> str:
    """The summary as Markdown: the stages, then accuracy by answerer, by question kind and by trap kind."""
    stages = summary["overall"]["stages"]
    lines = ["| stage | figure |", "|---|---|"] + [f"| {k.replace('_', ' ')} | {_fmt(v)} |" for k, v in stages.items()]
    names = (("right", "learned (default)"), ("heuristic", "heuristic"), ("never_refuse", "never refuse"),
             ("always_refuse", "always refuse"))
    lines += ["", "| group (answerable / traps) | " + " | ".join(label for _, label in names) + " |",
              "|---|" + "---|" * len(names)]
    groups = [("all questions", summary["overall"])] + [(f"kind: {k}", v) for k, v in summary["by_kind"].items()] + \
             [(f"trap: {k}", v) for k, v in summary["by_trap"].items()]
    for label, figures in groups:
        lines.append(f"| {label} ({figures['answerable']} / {figures['traps']}) | " +
                     " | ".join(_cell(figures[name]) for name, _ in names) + " |")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _cell(figures: dict) -> str:
    """"accuracy (answerable / traps refused)"."""
    return f"{_fmt(figures['accuracy'])} ({_fmt(figures['answerable_accuracy'])} / {_fmt(figures['traps_refused'])})"


def check_indomain_gate(summary: dict, thresholds: dict) -> list[str]:
    """Every minimum of `thresholds` (`minimums`: stage or answer figures of the learned answerer) the summary
    breaks, as readable lines."""
    overall = summary["overall"]
    figures = overall["stages"] | {"answerable_accuracy": overall["right"]["answerable_accuracy"],
                                   "accuracy": overall["right"]["accuracy"]}
    failures = []
    for key, minimum in thresholds.get("minimums", {}).items():
        value = figures.get(key)
        if value is None or value < minimum:
            failures.append(f"in-domain {key.replace('_', ' ')} is {_fmt(value)}, below the gate's {minimum}")
    return failures
