"""Calibrate the embedded answerer's confidence on the SQuAD 2.0 calibration articles, never on validation.

    python evals/calibrate_confidence.py [--data ../shared/qa-data/squad2-dev-29.json] [--out evals/confidence-fit.json]

1. Runs the calibration part of `evals/squad_split.json` through the pipeline with the refusal threshold
   at 0, so every question with a candidate sentence is answered by its best candidate.
2. Fits P(the best candidate answers the question | its score) by logistic regression (seeded: it is
   deterministic Newton steps from zero).
3. Prints the precision-coverage curve over score thresholds and the reliability of the fit, and writes
   the fit with the curve to --out. Copy `slope` and `intercept` into `[confidence]` of
   `assistant/config/parameters.toml` (and bump its version).

Data: SQuAD 2.0 (Rajpurkar, Jia and Liang, 2018), CC BY-SA 4.0; the fit and `evals/confidence-fit.json`
are derived from it and keep that attribution.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.config.settings import Settings
from assistant.evaluation.squad import run_squad


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 50) -> tuple[float, float]:
    """(slope, intercept) of P(y | x) by Newton's method on the log-likelihood (a small ridge keeps it finite)."""
    design = np.column_stack([x, np.ones_like(x)])
    weights = np.zeros(2)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (y - p) - 1e-6 * weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        weights += np.linalg.solve(hessian, gradient)
    return float(weights[0]), float(weights[1])


def curve(support: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> list[dict]:
    """For each score threshold: coverage, precision when answering, and no-answer-aware accuracy."""
    rows = []
    for threshold in np.round(np.arange(0.30, 0.86, 0.05), 2):
        answered = support >= threshold
        hits = (answered & right).sum()
        refused_traps = (~answered & ~answerable).sum()
        rows.append({"threshold": float(threshold), "coverage": float(answered.mean()),
                     "precision": float(hits / max(answered.sum(), 1)),
                     "accuracy": float((hits + refused_traps) / len(support))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/qa-data/squad2-dev-29.json")
    parser.add_argument("--out", default="evals/confidence-fit.json")
    args = parser.parse_args()
    settings = replace(Settings.from_env(), refusal_threshold=0.0)
    report = run_squad(settings, Path(args.data), Path("evals/squad_split.json"), "calibration")
    points = [p for p in report["points"] if p["support"] is not None]
    support = np.array([p["support"] for p in points])
    answerable = np.array([p["answerable"] for p in points])
    right = np.array([p["answerable"] and p["answered"] and p["holds_answer"] for p in points])
    slope, intercept = fit_logistic(support, right.astype(float))
    predicted = 1 / (1 + np.exp(-(slope * support + intercept)))
    bins = np.clip((predicted * 5).astype(int), 0, 4)
    reliability = [{"bin": f"{b / 5:.1f}-{(b + 1) / 5:.1f}", "questions": int((bins == b).sum()),
                    "mean_confidence": float(predicted[bins == b].mean()), "share_right": float(right[bins == b].mean())}
                   for b in range(5) if (bins == b).any()]
    result = {"part": "calibration", "articles": report["articles"], "questions": report["questions"],
              "with_candidate": len(points), "slope": slope, "intercept": intercept,
              "reliability": reliability, "curve": curve(support, right, answerable)}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
