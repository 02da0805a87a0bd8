"""Several servers, one state, against the real parts: the topology of deploy/cluster.py (the README's "Running on
several servers"): PostgreSQL 15, `chroma run`, two `briefing serve` replicas and HAProxy with cookie affinity,
all started by that script from Debian's packages. Clients are gradio_client sessions and raw HTTP, on the
replicas directly or through the proxy."""

import os
import shutil
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import CancelledError
from pathlib import Path

import httpx
import pytest
from conftest import require, run_cluster
from gradio_client import Client, handle_file
from sqlalchemy import create_engine, select

from assistant.database.schema import answers, users

pytestmark = pytest.mark.slow
ADMIN, ADMIN_PASSWORD = "ada", "ada-admin-password"
QUESTIONS = ["Who chairs Kenya's BCOCC?", "What does the Kenya Coast Guard Service do?",
             "When was the Namanga One Stop Border Post officially launched?", "Which agencies sit on the BCOCC?"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The whole topology, with the first admin; yields what deploy/cluster.py says it started."""
    require(Path("/usr/lib/postgresql/15/bin/initdb").exists(), "PostgreSQL 15 is not installed (apt-get install postgresql)")
    require(shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin") is not None,
            "HAProxy is not installed (apt-get install haproxy)")
    folder = tmp_path_factory.mktemp("cluster")
    os.environ["BRIEFING_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    try:
        state = run_cluster("up", "--dir", str(folder), "--admin", ADMIN)
    finally:
        del os.environ["BRIEFING_ADMIN_PASSWORD"]
    state["a"], state["b"] = (r["url"] for r in state["replicas"])
    try:
        yield state
    finally:
        run_cluster("down", "--dir", str(folder))


def database(cluster):
    return create_engine(cluster["database_url"])


def client(url: str, name: str = ADMIN, password: str = ADMIN_PASSWORD) -> Client:
    return Client(url, auth=(name, password), verbose=False)


def test_a_user_added_through_a_logs_in_through_b(cluster):
    assert "saved" in client(cluster["a"]).predict("erin", "erin-password-1", "official", "reader", api_name="/set_user")
    answer, sources = client(cluster["b"], "erin", "erin-password-1").predict(QUESTIONS[0], [], [], api_name="/ask")
    assert "BCOCC" in answer or "BCOCC" in sources


def test_an_upload_on_a_is_answered_on_b_within_5_s(cluster, tmp_path):
    word = f"kestrel{uuid.uuid4().hex[:6]}"
    memo = tmp_path / "desk-memo.md"
    memo.write_text(f"# Desk memo\n\nThe {word} desk at the Namanga crossing opens on 3 June 2025.\n")
    status, *_ = client(cluster["a"]).predict([handle_file(str(memo))], None, api_name="/upload")
    assert "indexed as uploads/" in status, status
    uploaded, on_b = time.monotonic(), client(cluster["b"])
    while True:
        answer, sources = on_b.predict(f"When does the {word} desk open?", [], [], api_name="/ask")
        if "3 June 2025" in answer:
            break
        assert time.monotonic() - uploaded < 5, f"B did not answer from A's upload within 5 s: {answer}"
    assert time.monotonic() - uploaded < 5


def test_throttling_counts_across_both_servers(cluster):
    name = f"target{uuid.uuid4().hex[:6]}"
    client(cluster["a"]).predict(name, "the-right-password", "public", "reader", api_name="/set_user")
    codes = []
    for n in range(5):  # the account's budget (5), spent alternately on A and B
        url = cluster["a"] if n % 2 else cluster["b"]
        codes.append(httpx.post(f"{url}login", data={"username": name, "password": f"wrong-{n}"}).status_code)
    assert codes == [400] * 5
    for url in (cluster["a"], cluster["b"]):  # now both refuse, even the right password, without hashing it
        refused = httpx.post(f"{url}login", data={"username": name, "password": "the-right-password"})
        assert refused.status_code == 429 and "try again in" in refused.text


def test_audit_rows_from_both_servers_are_in_one_table(cluster):
    question = f"Who chairs Kenya's BCOCC? ({uuid.uuid4().hex[:6]})"
    for url in (cluster["a"], cluster["b"]):
        client(url).predict(question, [], [], api_name="/ask")
    with database(cluster).connect() as connection:
        servers = connection.execute(select(answers.c.server).where(answers.c.question == question)).scalars().all()
    assert sorted(servers) == ["replica-a", "replica-b"]


def test_eight_concurrent_user_edits_lose_none(cluster):
    sessions = [client(cluster["a" if n % 2 else "b"]) for n in range(8)]
    names = [f"official{uuid.uuid4().hex[:6]}" for _ in range(8)]
    barrier, results = threading.Barrier(8), {}

    def edit(n):
        barrier.wait()
        results[n] = sessions[n].predict(names[n], f"password-{n}-long", "official", "reader", api_name="/set_user")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all("saved" in results.get(n, "") for n in range(8)), results
    with database(cluster).connect() as connection:
        stored = set(connection.execute(select(users.c.name)).scalars())
    assert set(names) <= stored


class Session:
    """One official asking question after question through the proxy, noting what came back and when."""

    def __init__(self, url: str, number: int):
        self.client = client(url)
        self.number = number
        self.answered: list[tuple[float, str]] = []
        self.errors: list[tuple[float, str, BaseException]] = []
        """(time, the replica the session was on, the error)."""

    @property
    def replica(self) -> str:
        return self.client.cookies.get("BRIEFING_SERVER", "?")

    def run(self, until: float) -> None:
        n = self.number
        while time.monotonic() < until:
            question = f"{QUESTIONS[n % len(QUESTIONS)]} (session {self.number}, question {n})"
            n += len(QUESTIONS) + 1
            on = self.replica
            try:
                answer, _ = self.client.predict(question, [], [], api_name="/ask")
                assert answer
                self.answered.append((time.monotonic(), question))
            except Exception as exc:  # noqa: BLE001 - each failure is noted and checked below
                self.errors.append((time.monotonic(), on, exc))


def test_when_a_is_killed_during_a_16_session_load_b_answers_and_nothing_answered_goes_unaudited(cluster):
    sessions = [Session(cluster["proxy"]["url"], n) for n in range(16)]
    assert Counter(s.replica for s in sessions) == {"a": 8, "b": 8}  # the proxy spread them, and keeps them there
    on_a = [s for s in sessions if s.replica == "a"]
    started = time.monotonic()
    until = started + 20
    threads = [threading.Thread(target=s.run, args=(until,)) for s in sessions]
    for thread in threads:
        thread.start()
    time.sleep(6)
    pid = next(r["pid"] for r in cluster["replicas"] if r["name"] == "a")
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    for thread in threads:
        thread.join(120)

    errors = [(s, e) for s in sessions for e in s.errors]
    assert all(on == "a" for _, (_, on, _) in errors), "only sessions that were on A may see an error"
    # The error a client sees is its connection cut mid-answer (gradio_client: the job was cancelled), never a wrong
    # or empty answer.
    assert all(isinstance(e, (CancelledError, httpx.HTTPError)) for _, (_, _, e) in errors), errors
    assert all(killed - 1 <= at <= killed + 10 for _, (at, _, _) in errors), "errors only when A died, and promptly"
    assert all(len(s.errors) <= 1 for s in sessions), "a session loses at most the question A was answering"
    continued = {q for s in on_a for at, q in s.answered if at > killed + 2}
    for session in on_a:  # each continued, with the same log-in (its cookie still names A: the proxy sends it to B)
        assert [q for at, q in session.answered if at > killed + 2], f"session {session.number} did not continue"
    after = [q for s in sessions for at, q in s.answered if at > killed]
    assert len(after) >= 16, "B kept answering"

    asked = Counter(q for s in sessions for _, q in s.answered)
    with database(cluster).connect() as connection:
        recorded = Counter(connection.execute(select(answers.c.question).where(
            answers.c.question.in_(list(asked)))).scalars())
    missing = {q: n for q, n in asked.items() if recorded[q] < n}
    assert not missing, f"answered without an audit row: {missing}"
    with database(cluster).connect() as connection:
        servers = set(connection.execute(select(answers.c.server).where(answers.c.question.in_(continued))).scalars())
    assert servers == {"replica-b"}
