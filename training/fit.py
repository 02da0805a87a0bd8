"""Fit the answer models: stage 1 (which sentence holds the answer), stage 2 (is answering with the composed
answer right), the logistic calibration of stage 2 and the operating threshold.

Stage 1 learns from the answerable training questions; stage 2 from every training question (traps
included), described by out-of-fold stage-1 scores (folds by document or article, so a question is never
scored by a model that saw its document). The calibration documents fit the logistic map and choose the
threshold; nothing here reads a test document or a validation article.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.answer.composer import allowed, compose
from assistant.answer.questions import analyse
from assistant.answer.selector import calibrate
from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, decision_features
from training.rows import QuestionRows

SEED = 13
LIGHTGBM = dict(n_estimators=300, learning_rate=0.05, num_leaves=31, min_child_samples=20, subsample=0.8,
                subsample_freq=1, colsample_bytree=0.8, random_state=SEED, n_jobs=1, verbose=-1, deterministic=True)


def _classifier():
    import lightgbm as lgb

    return lgb.LGBMClassifier(**LIGHTGBM)


def weights(rows: list[QuestionRows], indomain_weight: float) -> np.ndarray:
    """Per question: in-domain questions count `indomain_weight` times a SQuAD question."""
    return np.array([indomain_weight if r.source == "indomain" else 1.0 for r in rows])


def fit_stage1(rows: list[QuestionRows], indomain_weight: float):
    answerable = [r for r in rows if r.answerable and r.labels.any()]
    w = weights(answerable, indomain_weight)
    return _classifier().fit(np.vstack([r.found.features for r in answerable]),
                             np.concatenate([r.labels for r in answerable]),
                             sample_weight=np.concatenate([[wi] * len(r.labels) for wi, r in zip(w, answerable)]),
                             feature_name=list(SENTENCE_FEATURES))


def stage1_scores(model, row: QuestionRows) -> np.ndarray:
    """Stage-1 scores of the sentences an answer may quote (the others zero), as the answerer computes them."""
    return model.predict_proba(row.found.features)[:, 1] * allowed(row.found)


def out_of_fold(rows: list[QuestionRows], indomain_weight: float, folds: int = 5) -> list[np.ndarray]:
    """Each question's stage-1 scores from a model that never saw its document or article."""
    groups = sorted({(r.source, r.group) for r in rows})
    scores: list[np.ndarray | None] = [None] * len(rows)
    for fold in range(folds):
        held = set(groups[fold::folds])
        model = fit_stage1([r for r in rows if (r.source, r.group) not in held], indomain_weight)
        for i, row in enumerate(rows):
            if (row.source, row.group) in held:
                scores[i] = stage1_scores(model, row)
    return scores  # type: ignore[return-value]


@dataclass
class Composed:
    """What the answerer would answer: the composed sentences, whether they hold every fact, and stage 2's
    features."""

    indices: list[int]
    right: bool
    features: np.ndarray


def composed(row: QuestionRows, scores: np.ndarray) -> Composed | None:
    if not scores.any():
        return None
    best = int(np.argmax(scores))
    indices = compose(row.found, scores, best, analyse(row.question).wants_list)
    return Composed(indices, row.covers(indices), decision_features(scores, row.found))


def decision_rows(rows: list[QuestionRows], scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Stage-2 features and labels of the questions that have a candidate, and which rows they are."""
    features, labels, kept = [], [], []
    for i, (row, s) in enumerate(zip(rows, scores)):
        made = composed(row, s)
        if made is not None:
            features.append(made.features)
            labels.append(made.right)
            kept.append(i)
    return np.vstack(features), np.array(labels, dtype=int), kept


def fit_stage2(rows: list[QuestionRows], scores: list[np.ndarray], indomain_weight: float):
    features, labels, kept = decision_rows(rows, scores)
    w = weights([rows[i] for i in kept], indomain_weight)
    return _classifier().fit(features, labels, sample_weight=w, feature_name=list(DECISION_FEATURES))


def fit_calibration(raw: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Logistic regression of `right` on stage 2's log-odds (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logit = np.log(clipped / (1 - clipped))[:, None]
    model = LogisticRegression(C=1e6, max_iter=1000).fit(logit, right)
    return float(model.coef_[0][0]), float(model.intercept_[0])


@dataclass
class Outcomes:
    """Per question of a part: answerable, the composed answer holds every fact, calibrated confidence."""

    answerable: np.ndarray
    right: np.ndarray
    confidence: np.ndarray

    def at(self, threshold: float) -> dict:
        """No-answer-aware figures when answering exactly the questions whose confidence reaches `threshold`."""
        answered = self.confidence >= threshold
        hits = int((answered & self.right & self.answerable).sum())
        traps_refused = int((~answered & ~self.answerable).sum())
        answerable = max(int(self.answerable.sum()), 1)
        return {"threshold": round(float(threshold), 4),
                "accuracy": round((hits + traps_refused) / len(self.right), 4),
                "answerable_accuracy": round(hits / answerable, 4),
                "traps_refused": round(traps_refused / max(int((~self.answerable).sum()), 1), 4),
                "precision_when_answering": round(hits / max(int(answered.sum()), 1), 4),
                "coverage": round(float(answered.mean()), 4)}


def outcomes(rows: list[QuestionRows], stage1, stage2, slope: float, intercept: float) -> Outcomes:
    answerable, right, confidence = [], [], []
    for row in rows:
        made = composed(row, stage1_scores(stage1, row))
        answerable.append(row.answerable)
        right.append(made is not None and made.right)
        raw = 0.0 if made is None else float(stage2.predict_proba(made.features[None, :])[0, 1])
        confidence.append(calibrate(raw, slope, intercept) if made is not None else 0.0)
    return Outcomes(np.array(answerable), np.array(right), np.array(confidence))


def choose_threshold(result: Outcomes) -> dict:
    """Of the thresholds whose no-answer-aware accuracy on the calibration documents is within one standard
    error of the best (the data cannot tell them apart), the lowest: it answers the most."""
    points = [result.at(t) for t in np.unique(np.round(result.confidence, 3))]
    top = max(p["accuracy"] for p in points)
    standard_error = math.sqrt(top * (1 - top) / len(result.right))
    chosen = min((p for p in points if p["accuracy"] >= top - standard_error), key=lambda p: p["threshold"])
    return {"chosen": chosen, "best_accuracy": top, "standard_error": round(standard_error, 4)}


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - right[inside].mean())
    return round(float(total), 4)
