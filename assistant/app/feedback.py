"""Thumbs up/down and comments, stored with the answer they are about (JSON lines under the state root)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from assistant.index.chunks import location
from assistant.text.markup import markdown_text

_LOCK = threading.Lock()


def record_feedback(home: Path, answer: dict, vote: str, comment: str = "") -> dict:
    if vote not in ("up", "down", "comment"):
        raise ValueError("vote must be up, down or comment")
    entry = {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "vote": vote,
        "comment": comment.strip()[:2000],
        "answer": answer,
    }
    home.mkdir(parents=True, exist_ok=True)
    with _LOCK, (home / "feedback.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def conversation_markdown(answers: list[dict]) -> str:
    """The conversation as Markdown: each question, its answer, and the passages it cites; the documents' (and the
    user's) text escaped, so that it reads as typed wherever the file is opened."""
    lines = ["# Conversation with the study-visit briefing assistant", ""]
    labels = [turn.get("classification", "") for turn in answers if turn.get("classification")]
    if labels:
        lines += [f"Classifications of the cited sources: {', '.join(sorted(set(labels)))}. "
                  "Handle this export at the highest of them.", ""]
    for turn in answers:
        label = f" [{turn['classification'].upper()}]" if turn.get("classification") else ""
        lines += [f"## Q: {markdown_text(turn['question'])}{label}", "", markdown_text(turn["answer"]), ""]
        for c in turn.get("citations", []):
            where = location(c.get("section", ""), c.get("page"), c.get("page_end"))
            where = f", {where}" if where else ""
            lines.append("- " + markdown_text(f"[{c['n']}] {c['title']}{where} ({c['source']}): \"{c['quote']}\""))
        lines.append("")
    return "\n".join(lines)
