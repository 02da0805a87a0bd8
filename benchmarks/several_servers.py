"""Several servers under load: answers per second and latency, in process, from one server, and from two replicas
behind the proxy, all on the topology of deploy/cluster.py (PostgreSQL, `chroma run`, two `briefing serve`,
HAProxy), on this machine.

    .venv/bin/python benchmarks/several_servers.py [--sessions 16] [--seconds 60]

1. In process: an `Assistant` configured as a replica (the same database, Chroma server and embedding backend)
   answers the gold set's standalone questions from 4 threads (a server answers 4 at once) for --seconds.
2. One server: --sessions concurrent sessions against replica A alone (B idle). Each session is one official's
   page: its own HTTP client, cookies and Gradio session, asking question after question through the server's
   queue as the browser does (`POST /gradio_api/queue/join`, the answer read from `GET /gradio_api/queue/data`).
   (gradio_client spends as much CPU per question as the server does, and on 2 cores the load generator would
   then measure itself. The page's *Use via API* route, `/gradio_api/call/ask`, opens a new Gradio session for
   every call, whose set-up, a copy of every component's config, cost the server about 6 ms more CPU a question
   than the browser's way, measured side by side: not how officials ask.)
3. Two replicas through the proxy: the same sessions through HAProxy, which spreads them over A and B.
Writes benchmarks/results/several-servers.{md,json}. Targets (issue 23): one server at least 75% of the in-process
rate; the proxy with two replicas at least 90% of the one-server rate, p95 at most 1 s, no error.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def questions() -> list[str]:
    items = [json.loads(line) for line in (REPO / "evals" / "gold.jsonl").read_text().splitlines() if line.strip()]
    return [item["question"] for item in items if "history" not in item]


def summary(latencies: list[float], errors: list[str], elapsed: float) -> dict:
    return {"answered": len(latencies), "errors": len(errors), "seconds": round(elapsed, 1),
            "questions_per_s": round(len(latencies) / elapsed, 2),
            "p50_s": round(float(np.percentile(latencies, 50)), 3) if latencies else None,
            "p95_s": round(float(np.percentile(latencies, 95)), 3) if latencies else None,
            "error_samples": errors[:3]}


def in_threads(work, count: int) -> float:
    """Run `work(0)` to `work(count - 1)` at once, each in its own thread; the seconds they took together."""
    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def in_process(state: dict, seconds: float, threads: int = 4) -> dict:
    from assistant.app.pipeline import Assistant
    from assistant.config.settings import Settings

    env = {"BRIEFING_HOME": str(Path(state["dir"]) / "replica-setup"), "BRIEFING_DATABASE_URL": state["database_url"],
           "BRIEFING_CHROMA_URL": state["chroma_url"], "BRIEFING_KNOWLEDGE": str(REPO / "knowledge")}
    assistant = Assistant.from_settings(Settings.from_env(env))
    asked = questions()
    for question in asked[:10]:
        assistant.ask(question)  # warm
    latencies, deadline = [], time.monotonic() + seconds

    def work(offset: int) -> None:
        n = offset
        while time.monotonic() < deadline:
            started = time.perf_counter()
            assistant.ask(asked[n % len(asked)])
            latencies.append(time.perf_counter() - started)
            n += threads

    elapsed = in_threads(work, threads)
    return summary(latencies, [], elapsed) | {"threads": threads}


class BrowserSession:
    """One official's page, asking through Gradio's queue as the browser does: one session, each question posted to
    `/gradio_api/queue/join` and its answer read from the session's stream, `/gradio_api/queue/data`."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=120)
        config = self.http.get("config")
        config.raise_for_status()
        self.fn_index = next(d["id"] for d in config.json()["dependencies"] if d.get("api_name") == "ask")
        self.session_hash = uuid.uuid4().hex[:11]

    def ask(self, question: str) -> str:
        """The answer's text (raises on an error message or a cut stream)."""
        joined = self.http.post("gradio_api/queue/join", json={
            "data": [question, [], []], "fn_index": self.fn_index, "session_hash": self.session_hash,
            "event_data": None, "trigger_id": None})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session_hash}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event_id and message["msg"] == "process_completed":
                    if not message.get("success"):
                        raise RuntimeError(str(message.get("output", {}).get("error")))
                    return message["output"]["data"][0]
        raise RuntimeError("the answer's stream ended without it")


def served(url: str, sessions: int, seconds: float) -> dict:
    """`sessions` concurrent sessions asking question after question for `seconds`."""
    asked = questions()
    clients = [BrowserSession(url) for _ in range(sessions)]  # the proxy's cookie is set now
    for client in clients:
        client.ask(asked[0])  # warm
    latencies, errors, deadline = [], [], time.monotonic() + seconds

    def session(number: int) -> None:
        n = number * 7
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                if not clients[number].ask(asked[n % len(asked)]):
                    raise RuntimeError("empty answer")
                latencies.append(time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                errors.append(f"{exc.__class__.__name__}: {exc}")
            n += 1

    elapsed = in_threads(session, sessions)
    spread: dict[str, int] = {}
    for client in clients:
        replica = client.http.cookies.get("BRIEFING_SERVER", "direct")
        spread[replica] = spread.get(replica, 0) + 1
        client.http.close()
    return summary(latencies, errors, elapsed) | {"sessions": sessions, "spread": spread}


class OtherJobs:
    """The share of the machine's CPU that processes outside this benchmark (its own process, the topology's, and
    PostgreSQL's) used while it ran: another job on the machine shows here."""

    def __init__(self, state: dict):
        self.pids = [os.getpid()] + [part["pid"] for part in (state["chroma"], state["proxy"], *state["replicas"])]
        self.start = (time.monotonic(), self.busy(), self.ours())

    @staticmethod
    def busy() -> float:
        times = psutil.cpu_times()
        return times.user + times.nice + times.system + times.irq + times.softirq

    def ours(self) -> dict[int, float]:
        processes = [p for p in psutil.process_iter(["username"]) if p.info["username"] == "postgres"]
        processes += [psutil.Process(pid) for pid in self.pids if psutil.pid_exists(pid)]
        used = {}
        for process in processes:
            try:
                times = process.cpu_times()
                used[process.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
        return used

    def share(self) -> float:
        started, busy, ours = self.start
        now = self.ours()
        mine = sum(used - ours.get(pid, 0.0) for pid, used in now.items())
        return round(max(self.busy() - busy - mine, 0.0) / ((time.monotonic() - started) * psutil.cpu_count()), 3)


def cluster(*args: str) -> dict | None:
    result = subprocess.run([sys.executable, str(REPO / "deploy" / "cluster.py"), *args], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout) if args[0] == "up" else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="several-servers-"))
    print("starting the topology (deploy/cluster.py up) ...", file=sys.stderr)
    state = cluster("up", "--dir", str(folder))
    try:
        result: dict = {"cpu_cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
        others = OtherJobs(state)
        a_url = state["replicas"][0]["url"]
        print("one server ...", file=sys.stderr)
        result["one_server"] = served(a_url, args.sessions, args.seconds)
        print("two replicas through the proxy ...", file=sys.stderr)
        result["proxy_two_replicas"] = served(state["proxy"]["url"], args.sessions, args.seconds)
        print("in process ...", file=sys.stderr)
        result["in_process"] = in_process(state, args.seconds)
        result["other_jobs_cpu_share"] = others.share()
    finally:
        cluster("down", "--dir", str(folder))
    one, two, alone = result["one_server"], result["proxy_two_replicas"], result["in_process"]
    result["one_server_share_of_in_process"] = round(one["questions_per_s"] / alone["questions_per_s"], 3)
    result["proxy_share_of_one_server"] = round(two["questions_per_s"] / one["questions_per_s"], 3)
    result["targets"] = {
        "one server >= 75% of in-process": result["one_server_share_of_in_process"] >= 0.75,
        "proxy >= 90% of one server": result["proxy_share_of_one_server"] >= 0.90,
        "proxy p95 <= 1 s": two["p95_s"] is not None and two["p95_s"] <= 1.0,
        "proxy: no error": two["errors"] == 0,
    }
    write(result)
    print(json.dumps(result, indent=2))
    return 0 if all(result["targets"].values()) else 1


def write(result: dict) -> None:
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "several-servers.json").write_text(json.dumps(result, indent=2))
    rows = [("in process (4 threads)", result["in_process"]), ("one server, 16 sessions", result["one_server"]),
            ("two replicas through HAProxy, 16 sessions", result["proxy_two_replicas"])]
    lines = ["# Several servers under load", "", f"{result['cpu_cores']} cores; load average before: "
             f"{result['load_before']:.1f}; CPU used by other jobs during the run: {result['other_jobs_cpu_share']:.0%}", "", "| setup | questions/s | p50 s | p95 s | answered | errors |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {name} | {r['questions_per_s']} | {r['p50_s']} | {r['p95_s']} | {r['answered']} | {r['errors']} |"
              for name, r in rows]
    lines += ["", f"One server: {result['one_server_share_of_in_process']:.0%} of the in-process rate (target 75%);"
              f" two replicas through the proxy: {result['proxy_share_of_one_server']:.0%} of one server (target 90%).",
              "", "| target | met |", "|---|---|"]
    lines += [f"| {name} | {'yes' if met else '**no**'} |" for name, met in result["targets"].items()]
    (out / "several-servers.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
