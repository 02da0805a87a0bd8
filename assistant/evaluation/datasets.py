"""Evaluation data sets: JSONL lines with at least a `question`; richer gold fields are optional."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answer.inputs import validate_history


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    expected: list[list[str]] | None = None
    """Facts, each a list of acceptable phrasings; None when the data set gives none."""
    sources: list[str] | None = None
    answerable: bool | None = None
    category: str = ""


def _item(line_number: int, record: object) -> EvalItem:
    where = f"line {line_number}"
    if not isinstance(record, dict):
        raise ValueError(f"{where}: each line must be a JSON object")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"{where}: `question` must be a non-empty string")
    try:
        history = validate_history(record.get("history"))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    expected = record.get("expected")
    if expected is not None and not (
        isinstance(expected, list)
        and all(isinstance(fact, list) and fact and all(isinstance(p, str) and p for p in fact) for fact in expected)
    ):
        raise ValueError(f"{where}: `expected` must be a list of non-empty lists of phrasings")
    sources = record.get("sources")
    if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
        raise ValueError(f"{where}: `sources` must be a list of paths")
    answerable = record.get("answerable")
    if answerable is not None and not isinstance(answerable, bool):
        raise ValueError(f"{where}: `answerable` must be true or false")
    return EvalItem(
        id=str(record.get("id") or f"line-{line_number}"),
        question=question,
        history=history,
        expected=expected,
        sources=sources,
        answerable=answerable,
        category=str(record.get("category", "")),
    )


def load_dataset(path: Path) -> list[EvalItem]:
    """Read a JSONL data set; a bad line is a clear error naming its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read data set {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"data set {path} is not UTF-8 text") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number} is not valid JSON ({exc.msg})") from None
        items.append(_item(number, record))
    if not items:
        raise ValueError(f"data set {path} has no items")
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"data set {path} repeats ids: {', '.join(duplicates)}")
    return items
