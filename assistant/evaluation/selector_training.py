"""Train the answer selector on the SQuAD 2.0 articles of the fixed split (`make train`).

Each part's articles are indexed by the product's own pipeline into a temporary state
root; every question is retrieved by the product's retriever and its candidate
sentences described by the product's features, so training sees exactly what serving
sees. Stage 1 (LightGBM) learns which sentence holds the answer, on the answerable
training questions; stage 2 learns answer-or-refuse from out-of-fold stage-1 scores
(folds by article). On the calibration articles a logistic map of stage 2's log-odds
is fitted and the operating threshold chosen; the validation articles are never read
here. Seeded; single-threaded, so a rerun gives the same models.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import time
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.answer.selector import DECISION, MODEL_DIR, STAGE1, STAGE2, calibrate
from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, SentenceVectors, candidates, decision_features
from assistant.config.settings import Settings
from assistant.evaluation.squad import holds_answer, indexed_articles, load_part

SEED = 13
TRAIN_PARTS = ("train", "calibration")
"""The parts training reads; validation is kept out."""
LIGHTGBM = dict(n_estimators=300, learning_rate=0.05, num_leaves=31, min_child_samples=20, subsample=0.8,
                subsample_freq=1, colsample_bytree=0.8, random_state=SEED, n_jobs=1, verbose=-1, deterministic=True)


@dataclass
class QuestionRows:
    """One question's candidate features and labels (a candidate is right when it holds a gold answer)."""

    article: str
    answerable: bool
    features: np.ndarray
    labels: np.ndarray


def build_part(settings: Settings, data_path: Path, split_path: Path, part: str, progress: bool = True) -> list[QuestionRows]:
    """Index the part's articles and describe every question's candidates, as serving would."""
    if part not in TRAIN_PARTS:
        raise ValueError(f"training reads only {', '.join(TRAIN_PARTS)}, never {part!r}")
    articles, questions = load_part(data_path, split_path, part)
    rows = []
    with indexed_articles(settings, articles, progress) as assistant:
        vectors = SentenceVectors(assistant.embeddings)
        for q in tqdm(questions, desc=f"features: {part}", unit="question", disable=not progress):
            passages = assistant.retriever.invoke(q.question)
            vector = np.asarray(assistant.embeddings.embed_query(q.question), dtype=np.float32)
            found = candidates(q.question, vector, passages, vectors, assistant.store.idf)
            if not found.sentences:
                continue
            labels = np.array([holds_answer(s, q.answers) for s in found.sentences], dtype=np.int8)
            rows.append(QuestionRows(q.article, q.answerable, found.features, labels))
    return rows


def _cached_part(settings: Settings, data_path: Path, split_path: Path, part: str, progress: bool) -> list[QuestionRows]:
    """The part's rows, from the state root's cache when the data, the split and the feature code are unchanged."""
    package = Path(__file__).parents[1]
    code = b"".join((package / name).read_bytes() for name in
                    ("answer/sentence_features.py", "index/sentence_data.py", "text/entities.py"))
    key = hashlib.sha256(b"\0".join([data_path.read_bytes(), split_path.read_bytes(), code,
                                      settings.embeddings.encode(), part.encode()])).hexdigest()[:16]
    cache = settings.home / "training-cache" / f"{part}-{key}.pkl"
    if cache.exists():
        return [QuestionRows(*fields) for fields in pickle.loads(cache.read_bytes())]
    rows = build_part(settings, data_path, split_path, part, progress)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps([astuple(row) for row in rows]))  # plain tuples: loadable from any entry point
    return rows


def _lightgbm():
    import lightgbm as lgb

    return lgb.LGBMClassifier(**LIGHTGBM)


def _fit(features: np.ndarray, labels: np.ndarray, names: tuple[str, ...]):
    return _lightgbm().fit(features, labels, feature_name=list(names))


def _stage1(rows: list[QuestionRows]):
    answerable = [r for r in rows if r.answerable]
    return _fit(np.vstack([r.features for r in answerable]), np.concatenate([r.labels for r in answerable]),
                SENTENCE_FEATURES)


def _scores(model, rows: list[QuestionRows]) -> list[np.ndarray]:
    return [model.predict_proba(r.features)[:, 1] for r in rows]


def _decision_rows(rows: list[QuestionRows], scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stage-2 features, and whether answering with the best candidate is right."""
    features = np.vstack([decision_features(s, r.features) for r, s in zip(rows, scores)])
    right = np.array([r.answerable and bool(r.labels[int(np.argmax(s))]) for r, s in zip(rows, scores)], dtype=int)
    return features, right


def out_of_fold_scores(rows: list[QuestionRows], folds: int = 5) -> list[np.ndarray]:
    """Stage-1 scores of each training question from a model that never saw its article."""
    articles = sorted({r.article for r in rows})
    scores: list[np.ndarray | None] = [None] * len(rows)
    for fold in range(folds):
        held = set(articles[fold::folds])
        model = _stage1([r for r in rows if r.article not in held])
        for i, row in enumerate(rows):
            if row.article in held:
                scores[i] = model.predict_proba(row.features)[:, 1]
    return scores  # type: ignore[return-value]


def fit_calibration(raw: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Logistic regression of `right` on stage 2's log-odds (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logit = np.log(clipped / (1 - clipped))[:, None]
    model = LogisticRegression(C=1e6, max_iter=1000).fit(logit, right)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def outcome_at(confidence: np.ndarray, answerable: np.ndarray, right: np.ndarray, threshold: float) -> dict:
    """No-answer-aware figures when answering exactly the questions whose confidence reaches `threshold`."""
    answered = confidence >= threshold
    hits = int((answered & right).sum())
    traps_refused = int((~answered & ~answerable).sum())
    return {
        "threshold": round(float(threshold), 4),
        "accuracy": round((hits + traps_refused) / len(right), 4),
        "answerable_accuracy": round(hits / max(int(answerable.sum()), 1), 4),
        "precision_when_answering": round(hits / max(int(answered.sum()), 1), 4),
        "coverage": round(float(answered.mean()), 4),
    }


def choose_threshold(confidence: np.ndarray, answerable: np.ndarray, right: np.ndarray) -> dict:
    """The operating point on the calibration articles, with the precision–coverage curve beside it: of the
    thresholds whose no-answer-aware accuracy is within one standard error of the best (the data cannot tell
    them apart), the lowest, which answers the most questions."""
    grid = np.unique(np.round(confidence, 3))
    points = [outcome_at(confidence, answerable, right, t) for t in grid]
    top = max(p["accuracy"] for p in points)
    standard_error = math.sqrt(top * (1 - top) / len(right))
    best = min((p for p in points if p["accuracy"] >= top - standard_error), key=lambda p: p["threshold"])
    curve = [outcome_at(confidence, answerable, right, float(np.quantile(confidence, 1 - c)))
             for c in (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)]
    reaching = [p for p in points if p["precision_when_answering"] >= 0.85 and p["coverage"] > 0]
    return {"chosen": best, "best_accuracy": top, "standard_error": round(standard_error, 4), "curve": curve, "precision_0.85": min(reaching, key=lambda p: p["threshold"]) if reaching else None}


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - right[inside].mean())
    return round(float(total), 4)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Fitted:
    """Both stages trained on some articles, calibrated and given an operating point on the calibration articles."""

    stage1: object
    stage2: object
    slope: float
    intercept: float
    confidence: np.ndarray
    right: np.ndarray
    calibration_scores: list[np.ndarray]
    operating: dict


def fit(train_rows: list[QuestionRows], calibration_rows: list[QuestionRows]) -> Fitted:
    stage1 = _stage1(train_rows)
    stage2 = _fit(*_decision_rows(train_rows, out_of_fold_scores(train_rows)), DECISION_FEATURES)
    calibration_scores = _scores(stage1, calibration_rows)
    features, right = _decision_rows(calibration_rows, calibration_scores)
    raw = stage2.predict_proba(features)[:, 1]
    slope, intercept = fit_calibration(raw, right)
    confidence = np.array([calibrate(r, slope, intercept) for r in raw])
    answerable = np.array([r.answerable for r in calibration_rows])
    return Fitted(stage1, stage2, slope, intercept, confidence, right, calibration_scores,
                  choose_threshold(confidence, answerable, right.astype(bool)))


def learning_curve(train_rows: list[QuestionRows], calibration_rows: list[QuestionRows], full: Fitted) -> list[dict]:
    """Best no-answer-aware accuracy on the calibration articles (threshold chosen there: an upper bound)
    when training on the first quarter, half and all of the training articles (`full`, already trained
    on all of them): whether more data of this kind would close the gap to the targets."""
    articles = sorted({r.article for r in train_rows})
    points = []
    for share in (0.25, 0.5, 1.0):
        kept = set(articles[:max(5, round(share * len(articles)))])
        rows = [r for r in train_rows if r.article in kept]
        fitted = full if len(kept) == len(articles) else fit(rows, calibration_rows)
        points.append({"articles": len(kept), "questions": len(rows), "best_accuracy": round(fitted.operating["best_accuracy"], 4),
                       "precision_at_30%_coverage": fitted.operating["curve"][2]["precision_when_answering"]})
    return points


def train(settings: Settings, data_path: Path, split_path: Path, out: Path = MODEL_DIR, progress: bool = True) -> dict:
    """Build both parts' features, train both stages, calibrate, and write the models and their report to `out`."""
    started = time.time()
    built = {part: _cached_part(settings, data_path, split_path, part, progress) for part in TRAIN_PARTS}
    built_s = time.time() - started
    train_rows, calibration_rows = built["train"], built["calibration"]
    fitted = fit(train_rows, calibration_rows)
    operating = fitted.operating
    out.mkdir(parents=True, exist_ok=True)
    fitted.stage1.booster_.save_model(str(out / STAGE1))
    fitted.stage2.booster_.save_model(str(out / STAGE2))
    report = {
        "threshold": operating["chosen"]["threshold"],
        "calibration": {"slope": round(fitted.slope, 6), "intercept": round(fitted.intercept, 6)},
        "trained_on": {
            "data": str(data_path), "data_sha256": sha256(data_path), "split": str(split_path),
            "split_sha256": sha256(split_path), "embeddings": settings.embeddings, "seed": SEED, "lightgbm": LIGHTGBM,
            "questions": {part: len(rows) for part, rows in built.items()},
            "candidates": {part: int(sum(len(r.labels) for r in rows)) for part, rows in built.items()},
        },
        "calibration_articles": {
            "operating_point": operating["chosen"],
            "precision_0.85_point": operating["precision_0.85"],
            "precision_coverage": operating["curve"],
            "ranking_accuracy": round(float(np.mean([bool(r.labels[int(np.argmax(s))]) for r, s in
                                                      zip(calibration_rows, fitted.calibration_scores) if r.answerable])), 4),
            "expected_calibration_error": expected_calibration_error(fitted.confidence, fitted.right),
            "learning_curve": learning_curve(train_rows, calibration_rows, fitted),
        },
        "seconds": {"features": round(built_s, 1), "total": round(time.time() - started, 1)},
    }
    (out / DECISION).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the answer selector on the SQuAD 2.0 split (not validation).")
    parser.add_argument("--data", type=Path, default=Path("../shared/qa-data/squad2-dev-29.json"))
    parser.add_argument("--split", type=Path, default=Path("evals/squad_split.json"))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    report = train(Settings.from_env(), args.data, args.split, args.out)
    print(json.dumps({k: report[k] for k in ("threshold", "calibration_articles", "seconds")}, indent=2))
    print(f"models written to {args.out}")


if __name__ == "__main__":
    main()
