"""Fit the answer models: stage 1 (which sentence holds the answer), stage 2 (is answering with the composed
answer right), the logistic calibration of stage 2 and the operating threshold.

Stage 1 learns from the answerable training questions. Stage 2 learns to tell a composed answer that holds
every gold fact from one given to a trap, on the training questions no rule refuses (`decision.ruled_out`),
described by out-of-fold stage-1 scores (folds by document or article, so a question is never scored by a
model that saw its document); an answerable question whose composed answer misses a fact is wrong whether
answered or refused, so it teaches the decision nothing and is left out. The calibration documents fit the
logistic map (the probability that an answer given is right) and choose the threshold; nothing here reads a
test document or a validation article.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answer.composer import allowed, compose
from assistant.answer.decision import ruled_out
from assistant.answer.questions import analyse
from assistant.answer.selector import calibrate
from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, decision_features
from training.rows import QuestionRows

SEED = 13
TRAP_SHARE = 0.2
"""How the operating point weighs a trap refused against a question answered: as officials' own questions mix them
(the gold set has 19 unanswerable of 94, the real-document set 12 of 54). The answerer refuses only for a reason:
the rules name another year, country or Act, or an absent figure; stage 2's threshold is the third reason, nothing
relevant found, and weighing traps as officials meet them keeps it from refusing answers it retrieved."""
LIGHTGBM = dict(n_estimators=300, learning_rate=0.05, num_leaves=31, min_child_samples=20, subsample=0.8,
                subsample_freq=1, colsample_bytree=0.8, random_state=SEED, n_jobs=1, verbose=-1, deterministic=True)


def _classifier():
    import lightgbm as lgb

    return lgb.LGBMClassifier(**LIGHTGBM)


def weights(rows: list[QuestionRows], indomain_weight: float) -> np.ndarray:
    """Per question: in-domain questions (and the generated tables') count `indomain_weight` times a SQuAD question."""
    return np.array([1.0 if r.source == "squad" else indomain_weight for r in rows])


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
    """What the answerer would answer: the composed sentences, whether they hold every fact, whether a rule
    refuses them, and stage 2's features."""

    indices: list[int]
    right: bool
    ruled_out: bool
    features: np.ndarray


def composed(row: QuestionRows, scores: np.ndarray) -> Composed | None:
    if not scores.any():
        return None
    best = int(np.argmax(scores))
    indices = compose(row.found, scores, best, analyse(row.question).wants_list)
    return Composed(indices, row.covers(indices), ruled_out(row.found, best, indices, float(scores[best])) is not None,
                    decision_features(scores, row.found))


def decision_rows(rows: list[QuestionRows], scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Stage 2's training rows: features and labels (the composed answer holds every fact) of the questions that
    have a candidate, that no rule refuses, and that are traps or composed right, and which rows they are."""
    features, labels, kept = [], [], []
    for i, (row, s) in enumerate(zip(rows, scores)):
        made = composed(row, s)
        if made is None or made.ruled_out or (row.answerable and not made.right):
            continue
        features.append(made.features)
        labels.append(made.right)
        kept.append(i)
    return np.vstack(features), np.array(labels, dtype=int), kept


def fit_stage2(rows: list[QuestionRows], scores: list[np.ndarray], indomain_weight: float):
    features, labels, kept = decision_rows(rows, scores)
    w = weights([rows[i] for i in kept], indomain_weight)
    return _classifier().fit(features, labels, sample_weight=w, feature_name=list(DECISION_FEATURES))


def out_of_fold_decisions(rows: list[QuestionRows], scores: list[np.ndarray], indomain_weight: float,
                          folds: int = 5) -> list[float | None]:
    """Each question's stage-2 probability (None when it has no candidate) from a model that never saw its
    document or article, on its out-of-fold stage-1 scores."""
    groups = sorted({(r.source, r.group) for r in rows})
    result: list[float | None] = [None] * len(rows)
    for fold in range(folds):
        held = set(groups[fold::folds])
        inside = [i for i, r in enumerate(rows) if (r.source, r.group) not in held]
        model = fit_stage2([rows[i] for i in inside], [scores[i] for i in inside], indomain_weight)
        for i, row in enumerate(rows):
            if (row.source, row.group) in held:
                made = composed(row, scores[i])
                result[i] = None if made is None else float(model.predict_proba(made.features[None, :])[0, 1])
    return result


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

    ruled_out: np.ndarray

    def at(self, threshold: float) -> dict:
        """No-answer-aware figures when answering the questions no rule refuses whose confidence reaches
        `threshold`."""
        answered = (self.confidence >= threshold) & ~self.ruled_out
        hits = int((answered & self.right & self.answerable).sum())
        traps_refused = int((~answered & ~self.answerable).sum())
        answerable = max(int(self.answerable.sum()), 1)
        return {"threshold": round(float(threshold), 4),
                "accuracy": round((hits + traps_refused) / len(self.right), 4),
                "answerable_accuracy": round(hits / answerable, 4),
                "traps_refused": round(traps_refused / max(int((~self.answerable).sum()), 1), 4),
                "precision_when_answering": round(hits / max(int(answered.sum()), 1), 4),
                "coverage": round(float(answered.mean()), 4),
                "expected_accuracy": round((1 - TRAP_SHARE) * hits / answerable
                                           + TRAP_SHARE * traps_refused / max(int((~self.answerable).sum()), 1), 4)}


@dataclass
class Decided:
    """One question as the decision sees it: answerable, the composed answer right, a rule refuses it, and
    stage 2's uncalibrated probability (None without a candidate)."""

    answerable: bool
    right: bool
    ruled_out: bool
    raw: float | None


def decided(rows: list[QuestionRows], scores: list[np.ndarray], raws: list[float | None]) -> list[Decided]:
    result = []
    for row, s, raw in zip(rows, scores, raws):
        made = composed(row, s)
        result.append(Decided(row.answerable, made is not None and made.right, made is None or made.ruled_out,
                              None if made is None else raw))
    return result


def with_final_models(rows: list[QuestionRows], stage1, stage2) -> list[Decided]:
    scores = [stage1_scores(stage1, r) for r in rows]
    raws = []
    for row, s in zip(rows, scores):
        made = composed(row, s)
        raws.append(None if made is None else float(stage2.predict_proba(made.features[None, :])[0, 1]))
    return decided(rows, scores, raws)


def fit_calibration_of(points: list[Decided]) -> tuple[float, float]:
    """The logistic map of stage 2 to the probability that an answer given is right, on the questions no rule
    refuses."""
    usable = [p for p in points if not p.ruled_out and p.raw is not None]
    return fit_calibration(np.array([p.raw for p in usable]), np.array([p.right for p in usable], dtype=int))


def outcomes(points: list[Decided], slope: float, intercept: float) -> Outcomes:
    confidence = [0.0 if p.raw is None else calibrate(p.raw, slope, intercept) for p in points]
    return Outcomes(np.array([p.answerable for p in points]), np.array([p.right for p in points]),
                    np.array(confidence), np.array([p.ruled_out for p in points]))


def choose_threshold(results: list[Outcomes]) -> dict:
    """The threshold whose expected accuracy (answerable accuracy and traps refused, weighed by `TRAP_SHARE`),
    averaged over `results` (each calibration set counts alike, however many questions it has), is the best."""
    grid = np.unique(np.round(np.concatenate([r.confidence for r in results]), 3))
    mean = {t: float(np.mean([r.at(t)["expected_accuracy"] for r in results])) for t in grid}
    threshold = max(mean, key=mean.get)
    return {"chosen": results[0].at(threshold), "threshold": round(float(threshold), 4),
            "best_expected_accuracy": round(mean[threshold], 4)}


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - right[inside].mean())
    return round(float(total), 4)
