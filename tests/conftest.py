"""Shared fixtures: real model, real Chroma, all state under temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.embeddings import MiniLMEmbeddings
from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SEED_REPORT = "knowledge/visits/2024-01-pakistan-kenya-study-visit.md"


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """No test touches the real `.briefing/`: state goes to a temp dir unless a test says otherwise."""
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def make_settings(home: Path, knowledge: Path = KNOWLEDGE, **overrides) -> Settings:
    env = {"BRIEFING_HOME": str(home), "BRIEFING_KNOWLEDGE": str(knowledge)}
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
