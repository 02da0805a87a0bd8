"""Train the answer models: `python -m training [--squad-data FILE] [--shared DIR] [--home DIR]` (`make train`).

Reads the in-domain questions of the train and calibration documents and the SQuAD 2.0 train and
calibration articles; never a test document or a validation article. Seeded and single-threaded,
so a rerun from the same rows gives the same models. Writes the models and `decision.json` (the
operating point, the calibration, and the figures on the calibration documents) to the package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from assistant.answer.selector import DECISION, MODEL_DIR, STAGE1, STAGE2
from assistant.answer.sentence_features import SentenceVectors
from assistant.config.settings import Settings
from assistant.index.backends import make_embeddings
from training.fit import (LIGHTGBM, SEED, choose_threshold, decided, expected_calibration_error, fit_calibration_of,
                          fit_stage1, fit_stage2, out_of_fold, out_of_fold_decisions, outcomes, with_final_models)
from training.rows import ROOT, describe, retrieved

INDOMAIN_WEIGHT = 4.0
"""An in-domain question weighs this many SQuAD questions (there are about 15 times fewer of them)."""


def _digest(path: Path) -> str:
    files = sorted(p for p in path.glob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def rows_of(settings: Settings, source: str, part: str, passages: int, shared: Path, squad: Path, home: Path,
            progress: bool) -> list:
    """The training rows of one part of one source: retrieval (cached), then the product's features."""
    items = retrieved(settings, source, part, passages, shared, squad, home, progress)
    embeddings = make_embeddings(settings.embeddings, settings.home / "models")
    return describe(items, SentenceVectors(embeddings), progress)


def train(settings: Settings, squad: Path, shared: Path, home: Path, out: Path, passages: int,
          indomain_weight: float = INDOMAIN_WEIGHT, progress: bool = True) -> dict:
    """Train both stages on the train documents, SQuAD's train articles and the generated tables; fit the
    calibration on the calibration documents' questions together with the train documents' questions as scored
    out of fold (by models that never saw their document); choose the threshold there and on SQuAD's calibration
    articles, each counting alike; write the models and `decision.json`."""
    started = time.time()
    parts = [(source, part) for source in ("indomain", "squad") for part in ("train", "calibration")] + [("tables", "train")]
    rows = {(source, part): rows_of(settings, source, part, passages, shared, squad, home, progress)
            for source, part in parts}
    built = time.time() - started
    train_rows = rows["indomain", "train"] + rows["squad", "train"] + rows["tables", "train"]
    stage1 = fit_stage1(train_rows, indomain_weight)
    oof1 = out_of_fold(train_rows, indomain_weight)
    stage2 = fit_stage2(train_rows, oof1, indomain_weight)
    indomain = [i for i, r in enumerate(train_rows) if r.source == "indomain"]
    oof2 = out_of_fold_decisions(train_rows, oof1, indomain_weight)
    held_out = decided([train_rows[i] for i in indomain], [oof1[i] for i in indomain], [oof2[i] for i in indomain])
    calibration = with_final_models(rows["indomain", "calibration"], stage1, stage2)
    slope, intercept = fit_calibration_of(held_out + calibration)
    pooled = outcomes(held_out + calibration, slope, intercept)
    squad_result = outcomes(with_final_models(rows["squad", "calibration"], stage1, stage2), slope, intercept)
    operating = choose_threshold([pooled, squad_result])
    threshold = operating["threshold"]
    on_calibration = outcomes(calibration, slope, intercept)
    answered = ~pooled.ruled_out
    out.mkdir(parents=True, exist_ok=True)
    stage1.booster_.save_model(str(out / STAGE1))
    stage2.booster_.save_model(str(out / STAGE2))
    report = {
        "threshold": threshold,
        "low_confidence_below": round(max(threshold, 0.5), 4),
        "calibration": {"slope": round(slope, 6), "intercept": round(intercept, 6)},
        "trained_on": {
            "indomain": "evals/indomain (train documents)", "indomain_sha256": _digest(ROOT / "evals/indomain"),
            "squad": str(squad), "squad_sha256": _digest(squad), "squad_split_sha256": _digest(ROOT / "evals/squad_split.json"),
            "embeddings": settings.embeddings, "passages": passages, "seed": SEED, "lightgbm": LIGHTGBM,
            "indomain_weight": indomain_weight,
            "questions": {f"{source} {part}": len(r) for (source, part), r in rows.items()},
        },
        "calibration_and_train_documents_out_of_fold": {
            "questions": len(pooled.right), "operating_point": operating["chosen"],
            "best_expected_accuracy_with_squad_calibration": operating["best_expected_accuracy"],
            "rules_only": pooled.at(0.0), "always_refuse": pooled.at(1.01),
            "expected_calibration_error": expected_calibration_error(pooled.confidence[answered], pooled.right[answered]),
        },
        "calibration_documents": {"questions": len(on_calibration.right), "at_operating_point": on_calibration.at(threshold),
                                  "rules_only": on_calibration.at(0.0)},
        "squad_calibration_articles": {"at_operating_point": squad_result.at(threshold),
                                       "rules_only": squad_result.at(0.0)},
        "seconds": {"rows": round(built, 1), "total": round(time.time() - started, 1)},
    }
    (out / DECISION).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the answer models (never on test documents or validation articles).")
    parser.add_argument("--squad-data", type=Path, default=ROOT.parent / "shared/qa-data/squad2-dev-29.json")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--home", type=Path, help="where the indexes and feature rows are cached "
                        "(default: $BRIEFING_HOME/training)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--passages", type=int, help="passages the selector chooses among (default: BRIEFING_TOP_K)")
    parser.add_argument("--indomain-weight", type=float, default=INDOMAIN_WEIGHT)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    report = train(settings, args.squad_data, args.shared, args.home or settings.home / "training", args.out,
                   args.passages or settings.top_k, args.indomain_weight)
    print(json.dumps({k: report[k] for k in ("threshold", "calibration_and_train_documents_out_of_fold",
                                              "calibration_documents", "squad_calibration_articles", "seconds")}, indent=2))
    print(f"models written to {args.out}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
