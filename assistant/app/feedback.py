"""Thumbs up/down and comments, stored in the database with the answer they are about; the conversation export."""

from __future__ import annotations

import json

from sqlalchemy import insert, select

from assistant.database.connection import Database, now
from assistant.database.schema import feedback
from assistant.index.chunks import location
from assistant.text.markup import markdown_text

VOTES = ("up", "down", "comment")


def record_feedback(database: Database, answer: dict, vote: str, comment: str = "", user: str = "") -> dict:
    """Store a vote or comment with the answer it is about (its `ask --json` form); returns what was stored."""
    if vote not in VOTES:
        raise ValueError("vote must be up, down or comment")
    entry = {"time": now(), "vote": vote, "comment": comment.strip()[:2000], "answer": answer}
    with database.begin() as connection:
        connection.execute(insert(feedback).values(time=entry["time"], username=user, vote=vote,
                                                   comment=entry["comment"], answer=json.dumps(answer, ensure_ascii=False)))
    return entry


def feedback_entries(database: Database) -> list[dict]:
    """Every stored vote and comment, oldest first: time, user, vote, comment and the answer."""
    with database.connect() as connection:
        rows = connection.execute(select(feedback).order_by(feedback.c.id)).mappings()
        return [{"time": r["time"], "user": r["username"], "vote": r["vote"], "comment": r["comment"],
                 "answer": json.loads(r["answer"])} for r in rows]


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
