"""Warm full-answer latency of the default (learned) answerer at 10,000 chunks of real text, beside the earlier
heuristic answerer on the same passages, in the same run on the same index.

    .venv/bin/python benchmarks/answer_latency.py [--chunks 10000] [--questions 200]

The index holds only real, human-written text: the 29 SQuAD 2.0 articles (CC BY-SA 4.0),
the knowledge base, the real public documents of ../shared/realdocs, and then Debian's package copyright files (licences and copyright
notices, distinct files only) until it reaches `--chunks`. Questions: SQuAD 2.0 validation
questions spread over the five validation articles, then the gold set's. Each is asked
once through `Assistant.ask` (retrieval, answer, verification), after one warm-up question;
no answer is asked twice, so no cache of a previous answer helps. Writes
benchmarks/results/answer-latency.{json,md}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SQUAD = REPO.parent / "shared" / "qa-data" / "squad2-dev-29.json"
DEBIAN_DOCS = Path("/usr/share/doc")
REALDOCS = [folder for folder in (REPO.parent / "shared" / "realdocs" / "docs", REPO.parent / "shared" / "realdocs" / "extra")
            if folder.is_dir()]


def build_corpus(folder: Path) -> None:
    """SQuAD articles and the knowledge base; the filler comes later, file by file, until the target is reached."""
    from assistant.evaluation.squad import load_part, write_corpus

    data = json.loads(SQUAD.read_text(encoding="utf-8"))
    titles = [a["title"] for a in data["data"]]
    folder.mkdir(parents=True, exist_ok=True)
    split = folder / "all-articles.json"
    split.write_text(json.dumps({"train": titles, "calibration": [], "validation": []}))
    articles, _ = load_part(SQUAD, split, "train")
    write_corpus(articles, folder / "squad")


def copyright_files() -> list[Path]:
    """Debian's copyright files, one per distinct content, in a fixed order."""
    seen, files = set(), []
    for path in sorted(DEBIAN_DOCS.glob("*/copyright")):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
        if digest not in seen and path.stat().st_size > 500:
            seen.add(digest)
            files.append(path)
    return files


def fill(assistant, folder: Path, target: int, words_per_chunk: int = 200) -> int:
    """Ingest copyright files (as text documents, in one ingest) until the index holds about `target` chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for path in copyright_files():
        if assistant.store.count() + words / words_per_chunk >= target:
            break
        text = path.read_text(encoding="utf-8", errors="replace")
        (folder / f"{path.parent.name}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    assistant.ingest([folder], progress=False)
    return assistant.store.count()


def questions(count: int) -> list[str]:
    from assistant.evaluation.squad import load_part, spread

    _, validation = load_part(SQUAD, REPO / "evals" / "squad_split.json", "validation")
    gold = [json.loads(line)["question"] for line in (REPO / "evals" / "gold.jsonl").read_text().splitlines()
            if line.strip() and "history" not in json.loads(line)]
    return [q.question for q in spread(validation, count)] + gold


def timed(assistant, asked: list[str]) -> dict:
    assistant.ask("warm-up: who wrote this?")
    samples = []
    for question in asked:
        start = time.perf_counter()
        assistant.ask(question)
        samples.append(time.perf_counter() - start)
    p50, p95 = (float(np.percentile(samples, q) * 1000) for q in (50, 95))
    return {"questions": len(samples), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=200, help="SQuAD validation questions (the gold set's follow)")
    args = parser.parse_args()
    from assistant.app.pipeline import Assistant
    from assistant.config.settings import Settings
    from assistant.evaluation.baseline import ExtractiveAnswerer

    with tempfile.TemporaryDirectory(prefix="briefing-latency-") as temp:
        root = Path(temp)
        build_corpus(root / "corpus")
        env = dict(os.environ, BRIEFING_HOME=str(root / "state"), BRIEFING_KNOWLEDGE=str(REPO / "knowledge"))
        assistant = replace(Assistant.from_settings(Settings.from_env(env, cwd=REPO)), audit=None)
        started = time.perf_counter()
        assistant.ingest([REPO / "knowledge", root / "corpus" / "squad", *REALDOCS], progress=False)
        chunks = fill(assistant, root / "corpus" / "copyright", args.chunks)
        ingest_s = time.perf_counter() - started
        print(f"index: {chunks} chunks of real text in {ingest_s:.0f} s", file=sys.stderr)
        asked = questions(args.questions)
        heuristic = replace(assistant, answerer=ExtractiveAnswerer(assistant.embeddings))
        results = {
            "chunks": chunks, "ingest_s": round(ingest_s, 1), "backend": assistant.embeddings.backend,
            "cores": os.cpu_count(), "passages": assistant.settings.top_k,
            "learned answerer (default)": timed(assistant, asked),
            "heuristic answerer (the earlier default, same passages)": timed(heuristic, asked),
        }
    results["p95_ratio_default_to_heuristic"] = round(
        results["learned answerer (default)"]["p95_ms"]
        / results["heuristic answerer (the earlier default, same passages)"]["p95_ms"], 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "answer-latency.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = [f"| {name} | {r['questions']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |"
            for name, r in results.items() if isinstance(r, dict)]
    table = "\n".join(["| answerer | questions | p50 ms | p95 ms |", "|---|---|---|---|", *rows])
    (RESULTS / "answer-latency.md").write_text(
        f"# Warm full-answer latency at {chunks} chunks of real text ({results['backend']}, {results['cores']} cores)\n\n"
        f"{table}\n\nTarget: p95 of the default answerer ≤ 60 ms. Command: `.venv/bin/python benchmarks/answer_latency.py`\n")
    print(table)


if __name__ == "__main__":
    main()
