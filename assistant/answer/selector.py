"""The trained answer models (`make train`, see the model card): stage 1 scores each candidate sentence
for whether it holds the answer; stage 2 judges, from the composed answer's best sentence and the spread
of scores, whether answering is right. Stage 2's probability is mapped by a logistic fit made on the
calibration documents, where the operating threshold was chosen too (`decision.json`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, Candidates, decision_features

MODEL_DIR = Path(str(resources.files("assistant.answer") / "models"))
STAGE1 = "stage1.lgb.txt"
STAGE2 = "stage2.lgb.txt"
DECISION = "decision.json"


class SelectorUnavailable(RuntimeError):
    """The trained models are missing or do not match the features this code computes."""


def logistic(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def calibrate(raw: float, slope: float, intercept: float) -> float:
    """A logistic map of stage 2's log-odds: logistic(slope * logit(raw) + intercept)."""
    raw = min(max(raw, 1e-6), 1 - 1e-6)
    return logistic(slope * np.log(raw / (1 - raw)) + intercept)


class AnswerSelector:
    """Scores candidate sentences and the confidence of answering, with the trained models in `folder`."""

    def __init__(self, folder: Path = MODEL_DIR):
        import lightgbm as lgb

        try:
            self.stage1 = lgb.Booster(model_file=str(folder / STAGE1))
            self.stage2 = lgb.Booster(model_file=str(folder / STAGE2))
            settings = json.loads((folder / DECISION).read_text(encoding="utf-8"))
            self.slope, self.intercept = settings["calibration"]["slope"], settings["calibration"]["intercept"]
            self.threshold = float(settings["threshold"])
            self.low_confidence_below = float(settings["low_confidence_below"])
        except (OSError, ValueError, KeyError, lgb.basic.LightGBMError) as exc:
            raise SelectorUnavailable(f"the answer selector's models in {folder} cannot be read ({exc}); "
                                      "rebuild them with `make train`") from None
        if tuple(self.stage1.feature_name()) != SENTENCE_FEATURES or tuple(self.stage2.feature_name()) != DECISION_FEATURES:
            raise SelectorUnavailable(f"the models in {folder} were trained on other features; rebuild them with `make train`")

    def sentence_scores(self, features: np.ndarray) -> np.ndarray:
        """Stage 1: each candidate's probability of holding the answer."""
        return np.asarray(self.stage1.predict(features, num_threads=1), dtype=np.float64)

    def confidence(self, scores: np.ndarray, found: Candidates) -> float:
        """Stage 2, calibrated: the probability that answering with the best candidate is right."""
        raw = float(self.stage2.predict(decision_features(scores, found)[None, :], num_threads=1)[0])
        return calibrate(raw, self.slope, self.intercept)


@lru_cache(maxsize=1)
def default_selector() -> AnswerSelector:
    """The selector shipped with the package, loaded once per process."""
    return AnswerSelector()
