"""The briefing eval: notes written on the topics of `evals/briefing_topics.jsonl`, scored for key facts,
off-topic bullets and duplicate bullets.

Each topic line holds `id`, `topic`, `key_facts` (each fact a list of alternative short phrasings, any
of which counts as present), `terms` (phrases that mark a sentence as being about the topic) and,
optionally, `off_topic_markers` (phrases of sentences that are not about it, whatever terms they share).

The judgement of what is on-topic is the eval file's, not the writer's: the writer drops sentences with
its own relevance score (`assistant.answer.relevance`), computed from the topic's wording alone, and
never sees these hand-written terms, facts or markers. So the off-topic share is not perfect by
construction.

- **key-fact recall**: the share of a topic's key facts with a phrasing in some bullet of the note
  (pooled over topics: facts found / facts listed; `macro` is the mean of the per-topic shares).
- **off-topic share**: the share of bullets that are off-topic. A bullet is on-topic when it holds one
  of the topic's key facts, or one of its terms and none of its off-topic markers. Phrases match
  case-insensitively, on word boundaries.
- **duplicates**: pairs of bullets of one note that say the same thing: token Jaccard ≥ 0.6 (lower-cased
  words and numbers, no stemming) or embedding cosine ≥ 0.9.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.config.parameters import parameters
from assistant.evaluation.metrics import fact_present, normalise
from assistant.evaluation.runner import corpus_version
from assistant.text.terms import tokens

JACCARD_DUPLICATE = 0.6
COSINE_DUPLICATE = 0.9
METRIC_LABELS = {
    "topics": "topics",
    "bullets": "bullets",
    "key_fact_recall": "key-fact recall",
    "key_fact_recall_macro": "key-fact recall (mean of topics)",
    "off_topic_share": "off-topic bullet share",
    "duplicate_pairs": "duplicate bullet pairs",
    "empty_sections": "empty sections",
    "latency_p50_ms": "latency p50 (ms)",
}


@dataclass(frozen=True)
class BriefingTopic:
    id: str
    topic: str
    key_facts: list[list[str]]
    terms: list[str]
    off_topic_markers: list[str] = field(default_factory=list)


def _phrases(value, where: str, name: str, required: bool = True) -> list[str]:
    if value is None and not required:
        return []
    if not (isinstance(value, list) and all(isinstance(p, str) and p.strip() for p in value) and (value or not required)):
        raise ValueError(f"{where}: `{name}` must be a {'non-empty ' if required else ''}list of phrases")
    return value


def load_topics(path: Path) -> list[BriefingTopic]:
    """Read the topics file; a bad line is one clear error naming its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read briefing topics {path}: {exc.strerror or exc}") from None
    topics = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("topic"), str) or not record["topic"].strip():
            raise ValueError(f"{where}: each line must be an object with a non-empty `topic`")
        facts = record.get("key_facts")
        if not (isinstance(facts, list) and facts):
            raise ValueError(f"{where}: `key_facts` must be a non-empty list of lists of phrasings")
        facts = [_phrases(fact, where, "key_facts") for fact in facts]
        topics.append(BriefingTopic(str(record.get("id") or f"line-{number}"), record["topic"], facts,
                                    _phrases(record.get("terms"), where, "terms"),
                                    _phrases(record.get("off_topic_markers"), where, "off_topic_markers", required=False)))
    if not topics:
        raise ValueError(f"briefing topics {path} has no topics")
    return topics


def _holds(phrase: str, text: str) -> bool:
    """`phrase` occurs in `text` as whole words (case-insensitive, quotes and dashes folded)."""
    return re.search(rf"(?<!\w){re.escape(normalise(phrase))}(?!\w)", normalise(text)) is not None


def on_topic(topic: BriefingTopic, bullet: str) -> bool:
    """The eval's own judgement: a key fact, or a topic term and no off-topic marker."""
    if any(fact_present(fact, bullet) for fact in topic.key_facts):
        return True
    return any(_holds(t, bullet) for t in topic.terms) and not any(_holds(m, bullet) for m in topic.off_topic_markers)


def jaccard(a: str, b: str) -> float:
    left, right = {w.lower() for w in tokens(a)}, {w.lower() for w in tokens(b)}
    return len(left & right) / len(left | right) if left and right else 0.0


def duplicate_pairs(bullets: list[str], vectors=None) -> list[tuple[int, int]]:
    """Index pairs of bullets that say the same thing (token Jaccard, or embedding cosine when vectors are given)."""
    pairs = []
    for i in range(len(bullets)):
        for j in range(i + 1, len(bullets)):
            same = jaccard(bullets[i], bullets[j]) >= JACCARD_DUPLICATE
            if not same and vectors is not None:
                same = float(np.dot(vectors[i], vectors[j])) >= COSINE_DUPLICATE
            if same:
                pairs.append((i, j))
    return pairs


def score_note(topic: BriefingTopic, sections: dict[str, list[str]], embeddings=None) -> dict:
    """One note's scores; `sections` maps section name to its bullets' texts (without citation markers)."""
    bullets = [(name, text) for name, texts in sections.items() for text in texts]
    texts = [text for _, text in bullets]
    found = [fact for fact in topic.key_facts if any(fact_present(fact, t) for t in texts)]
    missing = [fact[0] for fact in topic.key_facts if fact not in found]
    off = [f"{name}: {text}" for name, text in bullets if not on_topic(topic, text)]
    vectors = None
    if embeddings is not None and texts:
        vectors = np.asarray(embeddings.embed_documents(texts))
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    duplicates = [[texts[i], texts[j]] for i, j in duplicate_pairs(texts, vectors)]
    return {
        "id": topic.id,
        "topic": topic.topic,
        "bullets": len(texts),
        "key_facts": len(topic.key_facts),
        "key_facts_found": len(found),
        "key_fact_recall": len(found) / len(topic.key_facts),
        "missing_facts": missing,
        "off_topic": len(off),
        "off_topic_share": len(off) / len(texts) if texts else 0.0,
        "off_topic_bullets": off,
        "duplicate_pairs": len(duplicates),
        "duplicates": duplicates,
        "empty_sections": [name for name, texts in sections.items() if not texts],
    }


def aggregate(scores: list[dict]) -> dict:
    bullets = sum(s["bullets"] for s in scores)
    latencies = [s["latency_ms"] for s in scores if "latency_ms" in s]
    return {
        "topics": len(scores),
        "bullets": bullets,
        "key_fact_recall": sum(s["key_facts_found"] for s in scores) / sum(s["key_facts"] for s in scores),
        "key_fact_recall_macro": float(np.mean([s["key_fact_recall"] for s in scores])),
        "off_topic_share": sum(s["off_topic"] for s in scores) / bullets if bullets else 0.0,
        "duplicate_pairs": sum(s["duplicate_pairs"] for s in scores),
        "empty_sections": sum(len(s["empty_sections"]) for s in scores),
        "latency_p50_ms": float(np.percentile(latencies, 50)) if latencies else None,
    }


def run_briefing_eval(assistant, topics: list[BriefingTopic], dataset: Path, out: Path, length: str = "standard",
                      progress: bool | None = None) -> dict:
    """Write a note per topic with `assistant.brief`, score it, and write one result line per topic to `out`."""
    show = sys.stderr.isatty() if progress is None else progress
    out.parent.mkdir(parents=True, exist_ok=True)
    assistant.ensure_index()
    scores = []
    with out.open("w", encoding="utf-8") as results:
        for topic in tqdm(topics, desc="briefing eval", unit="topic", disable=not show, file=sys.stderr):
            start = time.perf_counter()
            note = assistant.brief(topic.topic, length=length)
            latency_ms = (time.perf_counter() - start) * 1000
            sections = {name: [b.plain for b in bullets] for name, bullets in note.sections.items()}
            scored = score_note(topic, sections, assistant.embeddings) | {"latency_ms": round(latency_ms, 1),
                                                                          "mode": note.mode, "note": note.to_markdown()}
            scores.append(scored)
            results.write(json.dumps(scored, ensure_ascii=False) + "\n")
    return {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "length": length,
        "mode": assistant.mode,
        "corpus_version": corpus_version(assistant),
        "parameters_version": parameters()["version"],
        "metrics": aggregate(scores),
        "topics": [{k: s[k] for k in ("id", "key_fact_recall", "missing_facts", "bullets", "off_topic",
                                      "off_topic_bullets", "duplicate_pairs", "duplicates", "empty_sections")}
                   for s in scores],
    }


def _cell(value) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def briefing_table(report: dict) -> str:
    """Per topic and overall, as Markdown."""
    lines = ["| topic | key-fact recall | off-topic bullets | duplicate pairs | missing facts |", "|---|---|---|---|---|"]
    for t in report["topics"]:
        lines.append(f"| {t['id']} | {t['key_fact_recall']:.3f} | {t['off_topic']}/{t['bullets']} | {t['duplicate_pairs']} | "
                     f"{'; '.join(t['missing_facts']) or '-'} |")
    m = report["metrics"]
    lines.append(f"| **all** | **{m['key_fact_recall']:.3f}** | **{m['off_topic_share']:.1%}** | **{m['duplicate_pairs']}** | |")
    return "\n".join(lines)


def write_briefing_report(report: dict, out: Path) -> tuple[Path, Path]:
    md_path = out.with_name(out.stem + "-report.md")
    json_path = out.with_name(out.stem + "-report.json")
    md_path.write_text(
        f"# Briefing eval\n\n- created: {report['created']}\n- topics: `{report['dataset']}`\n- length: {report['length']}, "
        f"mode: {report['mode']}\n- corpus version: `{report['corpus_version']}`, parameters version "
        f"{report['parameters_version']}\n\n{briefing_table(report)}\n", encoding="utf-8")
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return md_path, json_path


def check_briefing_gate(report: dict, thresholds: dict) -> list[str]:
    """Every floor (`minimums`) or ceiling (`maximums`) the report breaks, as readable lines."""
    metrics = report["metrics"]
    failures = []
    for key, minimum in thresholds.get("minimums", {}).items():
        value = metrics.get(key)
        if value is None or value < minimum:
            failures.append(f"briefing {METRIC_LABELS.get(key, key)} is {_cell(value)}, below the gate's {minimum}")
    for key, maximum in thresholds.get("maximums", {}).items():
        value = metrics.get(key)
        if value is None or value > maximum:
            failures.append(f"briefing {METRIC_LABELS.get(key, key)} is {_cell(value)}, above the gate's {maximum}")
    return failures
