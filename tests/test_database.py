"""The shared state's database, on the embedded SQLite file and on a real PostgreSQL 15 server (started by
deploy/cluster.py): migrations, the one-time import of the files earlier versions kept, and the state several
servers share (users, log-in counters and sessions, feedback) used by two "servers" at once."""

import json
import os
import sqlite3
import stat
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import make_settings

from assistant.app.access import Levels, Users
from assistant.app.audit import AuditLog
from assistant.app.feedback import feedback_entries, record_feedback
from assistant.app.login_sessions import LoginSessions, shared_value
from assistant.app.state import open_state
from assistant.app.throttle import LoginThrottle, LoginThrottled
from assistant.database import migrate
from assistant.database.connection import DatabaseError, engine_for, open_database
from assistant.database.schema import metadata
from assistant.surfaces.cli import main

LEVELS = Levels(("public", "official", "restricted"))

# The audit file of earlier versions, as assistant/app/audit.py created it (before the database).
LEGACY_AUDIT_SCHEMA = """
CREATE TABLE answers (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL,
    clearance TEXT NOT NULL, question TEXT NOT NULL, history TEXT NOT NULL, standalone_query TEXT NOT NULL,
    filter TEXT NOT NULL, retrieved TEXT NOT NULL, mode TEXT NOT NULL, model TEXT NOT NULL,
    prompt_version TEXT NOT NULL, answer TEXT NOT NULL, refused INTEGER NOT NULL, citations TEXT NOT NULL,
    verification TEXT NOT NULL);
CREATE INDEX answers_user_time ON answers (user, time);
CREATE TABLE library_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, source TEXT NOT NULL, detail TEXT NOT NULL);
"""


def state(tmp_path, database_env, name="state"):
    return make_settings(tmp_path / name, **database_env)


def test_the_migrations_build_exactly_the_declared_schema(tmp_path, database_env):
    database = open_state(state(tmp_path, database_env))
    assert migrate.current(database.engine) == migrate.head()
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_the_embedded_database_is_private_and_made_on_first_use(tmp_path):
    settings = make_settings(tmp_path / "state")
    assert not settings.database_file.exists()
    open_state(settings)
    for path in settings.home.glob("briefing.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE(settings.home.stat().st_mode) == 0o700


def test_a_server_database_is_migrated_only_by_db_upgrade(postgres, monkeypatch, capsys, tmp_path):
    from conftest import fresh_postgres_database

    url = fresh_postgres_database(postgres)
    settings = make_settings(tmp_path / "state", BRIEFING_DATABASE_URL=url)
    with pytest.raises(DatabaseError, match=r"has no schema yet.*run `briefing db upgrade`") as refused:
        open_database(settings)
    assert url.split("@")[0].split(":")[-1] not in str(refused.value)  # the password is never shown
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert f"schema created at revision {migrate.head()}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "already at revision" in capsys.readouterr().out
    assert open_database(settings).shown_url.endswith(url.rsplit("@", 1)[1])


def test_an_unreachable_database_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_DATABASE_URL", "postgresql+psycopg://briefing:hunter2-secret@127.0.0.1:9/briefing")
    assert main(["users", "add", "x", "--clearance", "public"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefing: error: cannot use the database postgresql+psycopg://briefing:***@127.0.0.1:9")
    assert "hunter2" not in err and len(err.strip().splitlines()) == 1


def write_legacy_files(home):
    """A state root as earlier versions left it: users.json, audit.sqlite3 and feedback.jsonl with real content."""
    from assistant.app.access import ITERATIONS, _hash  # the hashing the old users file stored

    home.mkdir(parents=True)
    users = {}
    for name, password, clearance, role in (("amina", "amina-password", "official", "editor"),
                                            ("omar", "omar-password", "restricted", None)):
        salt = os.urandom(16)
        users[name] = {"salt": salt.hex(), "hash": _hash(password, salt, ITERATIONS), "iterations": ITERATIONS,
                       "clearance": clearance} | ({"role": role} if role else {})
    (home / "users.json").write_text(json.dumps(users, indent=2))
    audit = sqlite3.connect(home / "audit.sqlite3")
    audit.executescript(LEGACY_AUDIT_SCHEMA)
    answers = []
    for n in range(1, 6):
        row = (f"2026-11-2{n}T10:00:00+00:00", "amina" if n % 2 else "omar", "official", f"Question {n} about Namanga?",
               json.dumps([{"role": "user", "content": f"earlier {n}"}]), f"standalone {n}",
               json.dumps({"kinds": ["governance"], "sources": [], "date_from": None, "date_to": None}),
               json.dumps([{"chunk_id": f"c{n}", "source": "knowledge/a.md", "doc_hash": f"h{n}"}]), "extractive", "",
               "extractive", f"Answer {n} [1].", n % 2,
               json.dumps([{"n": 1, "source": "knowledge/a.md", "title": "A", "section": "", "quote": f"q{n}",
                            "chunk_id": f"c{n}", "page": None, "supported": True}]),
               json.dumps([{"text": f"Answer {n}", "citations": [1], "supported": True}]))
        audit.execute("INSERT INTO answers (time, user, clearance, question, history, standalone_query, filter,"
                      " retrieved, mode, model, prompt_version, answer, refused, citations, verification)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        answers.append(row)
    changes = [("2026-11-20T09:00:00+00:00", "amina", "upload", "uploads/ab12/r.pdf", "r.pdf; official; 12 passages"),
               ("2026-11-21T09:00:00+00:00", "amina", "remove", "uploads/ab12/r.pdf", "12 passages")]
    audit.executemany("INSERT INTO library_changes (time, user, action, source, detail) VALUES (?, ?, ?, ?, ?)",
                      changes)
    audit.commit()
    audit.close()
    votes = [{"time": "2026-11-22T10:00:00+00:00", "vote": "down", "comment": "Needs his title",
              "answer": {"question": "Who led the delegation?", "answer": "Khushal Khan [1].", "citations": []}},
             {"time": "2026-11-23T10:00:00+00:00", "vote": "up", "comment": "", "answer": {"question": "Q2"}}]
    lines = [json.dumps(v) for v in votes] + ["{half a line, cut off by a full disk"]
    (home / "feedback.jsonl").write_text("\n".join(lines) + "\n")
    return users, answers, changes, votes


def test_the_files_of_earlier_versions_are_imported_once_with_nothing_lost(tmp_path, database_env):
    settings = state(tmp_path, database_env)
    users, answers, changes, votes = write_legacy_files(settings.home)
    database = open_state(settings)

    imported = Users(database, LEVELS)
    assert imported.authenticate("amina", "amina-password") and imported.authenticate("omar", "omar-password")
    assert imported.profile("amina") == ("official", "editor") and imported.profile("omar") == ("restricted", "reader")
    audit = AuditLog(database)
    records = sorted(audit.list(limit=100), key=lambda r: r.id)
    assert len(records) == len(answers)
    for record, row in zip(records, answers):
        assert (record.time, record.user, record.clearance, record.question, json.dumps(record.history),
                record.standalone_query, json.dumps(record.filter), json.dumps(record.retrieved), record.mode,
                record.model, record.prompt_version, record.answer, int(record.refused), json.dumps(record.citations),
                json.dumps(record.verification)) == row
    assert [(c.time, c.user, c.action, c.source, c.detail) for c in reversed(audit.changes())] == changes
    stored = feedback_entries(database)
    assert [{k: e[k] for k in ("time", "vote", "comment", "answer")} for e in stored[:2]] == votes
    assert stored[2]["comment"] == "{half a line, cut off by a full disk"  # even an unreadable line is kept
    for name in ("users.json", "audit.sqlite3", "feedback.jsonl"):
        assert not (settings.home / name).exists() and (settings.home / f"{name}.imported").exists()

    # Once: opening again imports nothing, and the same file put back is not imported twice.
    (settings.home / "feedback.jsonl.imported").rename(settings.home / "feedback.jsonl")
    open_state(settings)
    assert len(feedback_entries(database)) == 3 and len(audit.list()) == len(answers)
    assert (settings.home / "feedback.jsonl.imported").exists()


def test_a_user_the_database_already_has_is_kept_and_named(tmp_path, database_env, caplog):
    settings = state(tmp_path, database_env)
    write_legacy_files(settings.home)
    (settings.home / "audit.sqlite3").unlink()
    (settings.home / "feedback.jsonl").unlink()
    database = open_database(settings)
    Users(database, LEVELS).add("omar", "a-newer-password", "public", "admin")
    open_state(settings)
    assert Users(database, LEVELS).authenticate("omar", "a-newer-password")
    assert "user omar of users.json not imported: the database already has a user omar" in caplog.text


def test_a_corrupt_legacy_file_stops_with_a_clear_error_and_imports_nothing_of_it(tmp_path):
    settings = make_settings(tmp_path / "state")
    settings.home.mkdir()
    (settings.home / "users.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"cannot import .*users.json into the database.*repair or move the file"):
        open_state(settings)
    assert (settings.home / "users.json").exists()


def test_concurrent_user_edits_from_two_servers_lose_none(tmp_path, database_env):
    """Eight admins on two servers (two engines on one database) save eight users at once."""
    first = open_state(state(tmp_path, database_env))
    second = type(first)(engine_for(first.engine.url.render_as_string(hide_password=False)))
    servers = [Users(first, LEVELS), Users(second, LEVELS)]
    barrier = threading.Barrier(8)
    errors = []

    def edit(n):
        try:
            barrier.wait()
            servers[n % 2].add(f"official{n}", f"password-{n}-long", "official", "reader")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert servers[0].names() == [f"official{n}" for n in range(8)]
    assert all(servers[1].authenticate(f"official{n}", f"password-{n}-long") for n in range(8))


def test_log_in_failures_count_across_servers(tmp_path, database_env):
    database = open_state(state(tmp_path, database_env))
    clock = [1000.0]
    a = LoginThrottle(database, max_failures=3, lockout_s=30, clock=lambda: clock[0])
    b = LoginThrottle(database, max_failures=3, lockout_s=30, clock=lambda: clock[0])
    a.failed("alice", "10.0.0.7")
    b.failed("alice", "10.0.0.7")
    a.check("alice", "10.0.0.7")
    b.failed("alice", "10.0.0.7")  # the third failure, on the other server
    with pytest.raises(LoginThrottled, match="try again in 30 seconds"):
        a.check("alice", "10.0.0.7")
    b.check("alice", "10.0.0.9")  # another address: the official at their own desk is not locked out
    clock[0] += 31
    a.check("alice", "10.0.0.7")
    a.failed("ALICE", "10.0.0.7")  # one more doubles the wait
    with pytest.raises(LoginThrottled, match="try again in 60 seconds"):
        b.check("alice", "10.0.0.7")
    b.succeeded("alice", "10.0.0.7")
    a.check("alice", "10.0.0.7")
    for n in range(12):  # the address's own budget: four times an account's, whatever accounts it tries
        a.check(f"user{n}", "10.0.0.8")
        (a if n % 2 else b).failed(f"user{n}", "10.0.0.8")
    with pytest.raises(LoginThrottled):
        b.check("someone-else", "10.0.0.8")


def test_log_in_sessions_are_shared_and_expire(tmp_path, database_env):
    database = open_state(state(tmp_path, database_env))
    clock = [1000.0]
    on_a, on_b = LoginSessions(database, hours=1, clock=lambda: clock[0]), LoginSessions(database, clock=lambda: clock[0])
    on_a["token-1"] = "alice"
    assert on_b.get("token-1") == "alice" and "token-1" in list(on_b) and len(on_b) == 1
    del on_b["token-1"]
    assert on_a.get("token-1") is None
    on_a["token-2"] = "bob"
    clock[0] += 3601
    assert on_a.get("token-2") is None and len(on_a) == 0
    assert shared_value(database, "cookie") == shared_value(database, "cookie", make=lambda: "other")


def test_feedback_from_any_server_lands_in_one_table(tmp_path, database_env):
    database = open_state(state(tmp_path, database_env))
    answer = {"question": "Who led the delegation?", "answer": "Khushal Khan [1].", "citations": []}
    record_feedback(database, answer, "down", "  Needs his title ", user="amina")
    record_feedback(database, answer, "up", user="omar")
    with pytest.raises(ValueError):
        record_feedback(database, answer, "maybe")
    stored = feedback_entries(database)
    assert [(e["user"], e["vote"], e["comment"], e["answer"]) for e in stored] == [
        ("amina", "down", "Needs his title", answer), ("omar", "up", "", answer)]
