"""Bounded load test: N concurrent chat sessions against one `briefing serve` on loopback.

    .venv/bin/python benchmarks/load_test.py [--sessions 16] [--seconds 60] [--max-questions 2000]

Starts its own server over a fresh index of knowledge/ (in a temp state root), then runs
each session in its own thread with its own gradio_client: it asks questions from the
gold set in turn, for a fixed time, and stops by itself. Reports every question answered
or failed, latency p50/p95 and throughput, and writes benchmarks/results/load.{md,json}.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from gradio_client import Client
from serving import BRIEFING, REPO, start_server


def indexed_server(home: Path) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, BRIEFING_HOME=str(home), TRANSFORMERS_VERBOSITY="error")
    subprocess.run([BRIEFING, "ingest"], cwd=REPO, env=env, check=True, capture_output=True)
    return start_server(env)


def session(url: str, questions: list[str], offset: int, deadline: float, budget: threading.Semaphore,
            latencies: list, errors: list) -> None:
    client = Client(url, verbose=False)
    index = offset
    while time.monotonic() < deadline and budget.acquire(blocking=False):
        question = questions[index % len(questions)]
        index += 1
        start = time.perf_counter()
        try:
            answer, _ = client.predict(question, [], [], api_name="/ask")
            if not answer:
                raise RuntimeError("empty answer")
            latencies.append(time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{question!r}: {exc.__class__.__name__}: {exc}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-questions", type=int, default=2000)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in (REPO / "evals" / "gold.jsonl").read_text().splitlines()
                 if line.strip() and "history" not in json.loads(line)]
    with tempfile.TemporaryDirectory() as home:
        process, url = indexed_server(Path(home))
        try:
            latencies: list[float] = []
            errors: list[str] = []
            budget = threading.Semaphore(args.max_questions)
            started = time.monotonic()
            deadline = started + args.seconds
            threads = [threading.Thread(target=session, args=(url, questions, i * 7, deadline, budget, latencies, errors))
                       for i in range(args.sessions)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    result = {
        "sessions": args.sessions, "seconds": round(elapsed, 1), "answered": len(latencies), "errors": len(errors),
        "latency_p50_s": round(float(np.percentile(latencies, 50)), 3) if latencies else None,
        "latency_p95_s": round(float(np.percentile(latencies, 95)), 3) if latencies else None,
        "questions_per_s": round(len(latencies) / elapsed, 2), "cpu_cores": os.cpu_count(),
        "error_samples": errors[:5],
    }
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(result, indent=2))
    table = "\n".join(f"| {k} | {v} |" for k, v in result.items() if k != "error_samples")
    (out / "load.md").write_text(f"# Load test\n\n| measure | value |\n|---|---|\n{table}\n")
    print(json.dumps(result, indent=2))
    return 0 if not errors and latencies else 1


if __name__ == "__main__":
    raise SystemExit(main())
