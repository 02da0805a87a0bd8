"""Derive `[confidence] low_below`: the confidence under which an answer is marked "Low confidence: check the passage".

    python evals/low_confidence.py [evals/confidence-fit.json]

An answer is marked when, on the calibration questions, answers of its confidence are right less
often than not. The fit's reliability table gives, per confidence bin, the mean confidence and the
share of answers that held the answer; the bar is where that share first reaches one half, linear
between the means of the two bins around it. On `evals/confidence-fit.json` (1,828 SQuAD 2.0
calibration questions with a candidate: 33% right at a mean confidence of 0.30, 53% at 0.50) that
is 0.47. Rerun it on the fit of a new answerer and copy the printed value into
`assistant/config/parameters.toml` (and bump its version).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SHARE = 0.5
"""Answers right less often than this are marked for checking."""


def low_confidence_bar(reliability: list[dict], share: float = SHARE) -> float:
    """The confidence where the share of right answers first reaches `share`, interpolated between bin means."""
    points = sorted((row["mean_confidence"], row["share_right"]) for row in reliability if row["questions"])
    if not points or points[0][1] >= share:
        raise ValueError(f"no reliability bin is right less than {share:.0%} of the time: nothing to mark")
    for (c0, s0), (c1, s1) in zip(points, points[1:]):
        if s0 < share <= s1:
            return c0 + (share - s0) / (s1 - s0) * (c1 - c0)
    raise ValueError(f"no reliability bin reaches {share:.0%} right: every answer would be marked")


def main() -> None:
    fit = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "evals/confidence-fit.json").read_text(encoding="utf-8"))
    bar = low_confidence_bar(fit["reliability"])
    print(f"low_below = {bar:.2f}   # answers below this confidence were right less than {SHARE:.0%} of the time "
          f"({fit['with_candidate']} calibration questions)")


if __name__ == "__main__":
    main()
