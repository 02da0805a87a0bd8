"""The learned answer selector: LightGBM models trained on SQuAD 2.0 (see `make train` and the model card).

Stage 1 scores each candidate sentence for whether it holds the answer; stage 2
judges, from the best candidate and the spread of scores, whether to answer at all.
Its probability is mapped by a logistic fit made on the calibration articles, and
the operating threshold was chosen there too (`decision.json`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, decision_features

MODEL_DIR = Path(str(resources.files("assistant.answer") / "models"))
STAGE1 = "stage1.lgb.txt"
STAGE2 = "stage2.lgb.txt"
DECISION = "decision.json"


class SelectorUnavailable(RuntimeError):
    """The trained models are missing or do not match the features this code computes."""


@dataclass(frozen=True)
class Decision:
    best: int
    """Index of the best-scored candidate."""
    scores: np.ndarray
    """Stage-1 probability of each candidate holding the answer."""
    confidence: float
    """Calibrated probability that answering with the best candidate is right."""
    answer: bool
    """Whether the confidence reaches the operating threshold."""


class AnswerSelector:
    """Scores candidate sentences and decides answer-or-refuse with the trained models in `folder`."""

    def __init__(self, folder: Path = MODEL_DIR):
        import lightgbm as lgb

        try:
            self.stage1 = lgb.Booster(model_file=str(folder / STAGE1))
            self.stage2 = lgb.Booster(model_file=str(folder / STAGE2))
            settings = json.loads((folder / DECISION).read_text(encoding="utf-8"))
        except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
            raise SelectorUnavailable(f"the answer selector's models in {folder} cannot be read ({exc}); "
                                      "rebuild them with `make train`") from None
        if tuple(self.stage1.feature_name()) != SENTENCE_FEATURES or tuple(self.stage2.feature_name()) != DECISION_FEATURES:
            raise SelectorUnavailable(f"the models in {folder} were trained on other features; rebuild them with `make train`")
        self.slope, self.intercept = settings["calibration"]["slope"], settings["calibration"]["intercept"]
        self.threshold = settings["threshold"]

    def sentence_scores(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.stage1.predict(features, num_threads=1), dtype=np.float64)

    def raw_decision(self, scores: np.ndarray, features: np.ndarray) -> float:
        """Stage 2's uncalibrated probability that the best candidate answers."""
        return float(self.stage2.predict(decision_features(scores, features)[None, :], num_threads=1)[0])

    def calibrated(self, raw: float) -> float:
        return calibrate(raw, self.slope, self.intercept)

    def decide(self, features: np.ndarray) -> Decision:
        scores = self.sentence_scores(features)
        confidence = self.calibrated(self.raw_decision(scores, features))
        return Decision(int(np.argmax(scores)), scores, confidence, confidence >= self.threshold)


def calibrate(raw: float, slope: float, intercept: float) -> float:
    """A logistic map of stage 2's log-odds: 1 / (1 + exp(-(slope * logit(raw) + intercept)))."""
    raw = min(max(raw, 1e-6), 1 - 1e-6)
    return 1.0 / (1.0 + math.exp(-(slope * math.log(raw / (1 - raw)) + intercept)))


@lru_cache(maxsize=1)
def default_selector() -> AnswerSelector:
    """The selector shipped with the package, loaded once per process."""
    return AnswerSelector()
