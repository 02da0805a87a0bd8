"""LLM-judged eval metrics (faithfulness, answer relevance); used only when an LLM is configured."""

from __future__ import annotations

import json
import re

from assistant.answer.prompts import render
from assistant.answer.types import Answer
from assistant.evaluation.datasets import EvalItem

_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_score(reply: str) -> float | None:
    """The `score` of the judge's JSON reply, clipped to [0, 1]; None when the reply has none."""
    match = _JSON_OBJECT.search(reply)
    if not match:
        return None
    try:
        value = float(json.loads(match.group(0))["score"])
    except (ValueError, KeyError, TypeError):
        return None
    return min(1.0, max(0.0, value))


class LLMJudge:
    """Grades answered items with a chat model; refused answers are not graded."""

    def __init__(self, model, model_name: str):
        self.model = model
        self.model_name = model_name

    def _ask(self, prompt: str) -> float | None:
        reply = self.model.invoke(prompt)
        return parse_score(reply.content if hasattr(reply, "content") else str(reply))

    def judge(self, answered: list[tuple[EvalItem, Answer]]) -> dict:
        faithfulness, relevance, failures = [], [], 0
        for item, answer in answered:
            if answer.refused:
                continue
            chunks = {p.metadata["chunk_id"]: p.page_content for p in answer.passages}
            passages = [{"n": c.n, "text": chunks.get(c.chunk_id, c.quote)} for c in answer.citations]
            try:
                scores = (
                    self._ask(render("judge_faithfulness", passages=passages, answer=answer.text)),
                    self._ask(render("judge_relevance", question=item.question, answer=answer.text)),
                )
            except Exception:  # noqa: BLE001 - an unreachable judge must not sink the eval; it is counted
                failures += 1
                continue
            if scores[0] is not None:
                faithfulness.append(scores[0])
            if scores[1] is not None:
                relevance.append(scores[1])
            failures += scores.count(None)
        return {
            "faithfulness": sum(faithfulness) / len(faithfulness) if faithfulness else None,
            "answer_relevance": sum(relevance) / len(relevance) if relevance else None,
            "judged": len(faithfulness),
            "judge_failures": failures,
        }
