"""Calibrate the extractive answerer's refusal threshold on half of the gold set, check it on the other half.

    python evals/calibrate.py [--dataset evals/gold.jsonl]

Items are split by position (odd lines calibrate, even lines check) so the figures
printed for the check half were not used to choose the parameters. The objective is
the share of items handled right: answerable ones answered with every expected fact,
unanswerable ones refused. Uses the index under BRIEFING_HOME (built if missing).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from assistant.app.pipeline import Assistant
from assistant.config.settings import Settings
from assistant.evaluation.datasets import load_dataset
from assistant.evaluation.metrics import score
from assistant.index.embeddings import MiniLMEmbeddings


class CachedEmbeddings(MiniLMEmbeddings):
    """Same model; each distinct text is embedded once, so a grid search costs little."""

    def __init__(self):
        super().__init__()
        self._cache: dict[str, list[float]] = {}

    def embed_documents(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        self._cache.update(zip(missing, super().embed_documents(missing)))
        return [self._cache[t] for t in texts]

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def handled_right(assistant: Assistant, items) -> float:
    right = 0
    for item in items:
        answer = assistant.ask(item.question, item.history)
        result = score(item, answer, 0.0)
        right += bool(result.correct) if item.answerable else answer.refused
    return right / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="evals/gold.jsonl")
    args = parser.parse_args()
    items = [i for i in load_dataset(Path(args.dataset)) if i.answerable is not None]
    calibrate, check = items[0::2], items[1::2]
    assistant = Assistant.from_settings(Settings.from_env(), CachedEmbeddings())
    assistant.ensure_index(progress=False)
    answerer = assistant.answerer
    current = (answerer.threshold, answerer.min_coverage, answerer.similarity_weight)
    grid = itertools.product([0.40, 0.44, 0.48, 0.50, 0.52, 0.56, 0.60], [0.34, 0.4, 0.5, 0.6], [0.5, 0.6, 0.7])
    results = []
    for threshold, min_coverage, weight in grid:
        answerer.threshold, answerer.min_coverage, answerer.similarity_weight = threshold, min_coverage, weight
        results.append((handled_right(assistant, calibrate), threshold, min_coverage, weight))
    results.sort(reverse=True)
    print("calibration half: best settings (share handled right, threshold, min_coverage, similarity_weight)")
    for row in results[:5]:
        print("  %.3f  %.2f  %.2f  %.1f" % row)
    for label, params in (("current", current), ("best", results[0][1:])):
        answerer.threshold, answerer.min_coverage, answerer.similarity_weight = params
        print(f"check half, {label} {params}: {handled_right(assistant, check):.3f} handled right "
              f"(calibration half {handled_right(assistant, calibrate):.3f})")


if __name__ == "__main__":
    main()
