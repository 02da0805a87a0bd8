"""Shared fixtures: real model, real Chroma, all state under temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.app.pipeline import Assistant
from assistant.config.settings import Settings
from assistant.index.embeddings import MiniLMEmbeddings

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SEED_REPORT = "knowledge/visits/2024-01-pakistan-kenya-study-visit.md"
SHARED = REPO / os.environ.get("SHARED_DATA", "../shared")
"""The shared data beside the checkout (`../shared/`; `SHARED_DATA=FOLDER` points elsewhere, as in `make test`)."""
REALDOCS = SHARED / "realdocs"
"""Six real public documents and a DOCX excerpt."""
SQUAD = SHARED / "qa-data" / "squad2-dev-29.json"
DEVDOCS = SHARED / "devdocs" / "docs"
"""Eight real documents on the mission's own subject: Pakistani statutes, the FIA's annual report (tables), IOM briefs."""
DEVDOC_FILES = {
    "fia": "fia_annual_report_2023.pdf",
    "aap": "iom_aap_evaluation_brief.pdf",
    "meta": "iom_meta_evaluation_2020_2024_brief.pdf",
    "ata": "pk_anti_terrorism_act_1997.pdf",
    "customs": "pk_customs_act_1969.pdf",
    "exit": "pk_exit_from_pakistan_control_ordinance_1981.pdf",
    "foreigners": "pk_foreigners_act_1946.pdf",
    "trafficking": "pk_human_trafficking_ordinance_2002.pdf",
}
REALDOC_FILES = {
    "constitution": "docs/kenya_constitution_2010.pdf",
    "kenya_dpa": "docs/kenya_data_protection_act_2019.pdf",
    "india": "docs/india_dpdp_act_2023.pdf",
    "gdpr": "docs/eu_gdpr_2016_679.html",
    "overstayers": "docs/uk_applications_from_overstayers.pdf",
    "entering": "docs/uk_entering_the_uk.pdf",
    "docx": "extra/kenya_constitution_excerpt.docx",
}


def require(available: bool, what: str) -> None:
    """Skip a test when data or a tool it needs is missing here; under `CI=true`, fail it: CI runs everything."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what}, and CI=true: a missing prerequisite fails the run instead of skipping")
    pytest.skip(what)


@pytest.fixture
def tesseract():
    """Tesseract (Debian's tesseract-ocr, installed by `make test`) for the OCR tests."""
    from assistant.ingest import ocr

    require(ocr.ocr_available(), "Tesseract is not installed")


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """No test touches the real `.briefing/`: state goes to a temp dir unless a test says otherwise.

    Tests embed with the torch backend so that the shared, session-wide index and model are
    one backend; the ONNX backends (the default) have their own tests in test_onnx.py, and
    the eval gate in `make test` runs the default."""
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("BRIEFING_EMBEDDINGS", "torch")


@pytest.fixture(scope="session")
def embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def make_settings(home: Path, knowledge: Path = KNOWLEDGE, **overrides) -> Settings:
    env = {"BRIEFING_HOME": str(home), "BRIEFING_KNOWLEDGE": str(knowledge), "BRIEFING_EMBEDDINGS": "torch"}
    env.update({key: str(value) for key, value in overrides.items()})
    return Settings.from_env(env, cwd=REPO)


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory, embeddings) -> Path:
    """A state root holding the index of the real knowledge base, built once per session."""
    home = tmp_path_factory.mktemp("indexed")
    assistant = Assistant.from_settings(make_settings(home), embeddings)
    previous = os.getcwd()
    os.chdir(REPO)
    try:
        report = assistant.ingest(progress=False)
    finally:
        os.chdir(previous)
    assert report.ok and report.added, report.summary()
    return home


@pytest.fixture(scope="session")
def corpus_assistant(indexed_home, embeddings) -> Assistant:
    return Assistant.from_settings(make_settings(indexed_home), embeddings)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`) on loopback, for the server-mode runs of the store tests."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = os.path.join(os.path.dirname(sys.executable), "chroma")
    process = subprocess.Popen([chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("chroma run did not come up") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(params=["embedded", "server"])
def backend(request) -> dict:
    """Settings for the embedded store, or for a fresh collection on the real Chroma server."""
    if request.param == "embedded":
        return {}
    import uuid

    return {"BRIEFING_CHROMA_URL": request.getfixturevalue("chroma_server"),
            "BRIEFING_COLLECTION": f"test-{uuid.uuid4().hex[:12]}"}


@pytest.fixture(scope="session")
def realdocs():
    """name -> `LoadedDocument` for the six real documents and the DOCX excerpt, loaded once."""
    from assistant.ingest.loading import load_document

    require(REALDOCS.is_dir(), f"the real documents are not at {REALDOCS} (../shared/realdocs, or SHARED_DATA)")
    return {name: load_document(REALDOCS / path, f"realdocs/{path}") for name, path in REALDOC_FILES.items()}


@pytest.fixture(scope="session")
def devdocs():
    """name -> `LoadedDocument` for the eight development documents, loaded once."""
    from assistant.ingest.loading import load_document

    require(DEVDOCS.is_dir(), f"the development documents are not at {DEVDOCS} (../shared/devdocs, or SHARED_DATA)")
    return {name: load_document(DEVDOCS / path, f"devdocs/{path}") for name, path in DEVDOC_FILES.items()}


@pytest.fixture(scope="session")
def devdoc_chunks(devdocs, embeddings):
    """name -> the chunks the index stores for that development document."""
    from assistant.ingest.chunking import Chunker

    chunker = Chunker(embeddings.count_word_pieces, embedder=embeddings.backend)
    return {name: chunker.split(document) for name, document in devdocs.items()}


@pytest.fixture(scope="session")
def realdoc_chunks(realdocs, embeddings):
    """name -> the chunks the index stores for that document (the real chunker and model tokenizer)."""
    from assistant.ingest.chunking import Chunker

    chunker = Chunker(embeddings.count_word_pieces, embedder=embeddings.backend)
    return {name: chunker.split(document) for name, document in realdocs.items()}


def users_in(home: Path, levels=("public", "official", "restricted")):
    """The users of the state root `home` (its database)."""
    from assistant.app.access import Levels, Users
    from assistant.app.state import open_state

    return Users(open_state(make_settings(home)), Levels(levels))


def audit_in(home: Path):
    """The audit log of the state root `home` (its database)."""
    from assistant.app.audit import AuditLog
    from assistant.app.state import open_state

    return AuditLog(open_state(make_settings(home)))


def run_cluster(*args: str) -> dict | None:
    """Run deploy/cluster.py (the README's several-server script) with this virtual environment's Python; `up`
    returns what it started."""
    import json
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(REPO / "deploy" / "cluster.py"), *args], capture_output=True,
                            text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"deploy/cluster.py {' '.join(args)} failed: {result.stderr[-3000:]}")
    return json.loads(result.stdout) if args[0] == "up" else None


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A real PostgreSQL 15 server (Debian's), started by deploy/cluster.py; yields its database URL."""
    require(Path("/usr/lib/postgresql/15/bin/initdb").exists(), "PostgreSQL 15 is not installed (apt-get install postgresql)")
    folder = tmp_path_factory.mktemp("postgres")
    state = run_cluster("up", "--dir", str(folder), "--parts", "postgres")
    try:
        yield state["database_url"]
    finally:
        run_cluster("down", "--dir", str(folder))


def fresh_postgres_database(server_url: str) -> str:
    """A new, empty database on the PostgreSQL server of `server_url`; returns its URL."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request) -> dict:
    """Settings for the embedded SQLite database (under the test's state root), or for a fresh database on the real
    PostgreSQL server, already migrated."""
    if request.param == "sqlite":
        return {}
    url = fresh_postgres_database(request.getfixturevalue("postgres"))
    from assistant.database.connection import upgrade_database

    upgrade_database(make_settings(Path("/nonexistent"), BRIEFING_DATABASE_URL=url))
    return {"BRIEFING_DATABASE_URL": url}
