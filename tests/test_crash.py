"""Crash safety: `briefing ingest` killed hard (SIGKILL) at random points, then re-run, leaves a
consistent index: every document present once, in its current version, no orphans, and the
lexical index in step with the vector store."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import KNOWLEDGE, make_settings

from assistant.app.pipeline import Assistant
from assistant.index.lexical import LexicalIndex, fingerprint

pytestmark = pytest.mark.slow
BRIEFING = os.path.join(os.path.dirname(sys.executable), "briefing")


def write_corpus(docs: Path, version: int) -> None:
    """Twenty documents; each version changes some, deletes some and adds some."""
    originals = sorted(KNOWLEDGE.rglob("*.md"))
    for index in range(20):
        path = docs / f"doc-{index:02d}.md"
        if (index + version) % 7 == 0:
            path.unlink(missing_ok=True)
            continue
        text = originals[index % len(originals)].read_text(encoding="utf-8")
        if (index + version) % 3 == 0:
            text += f"\n\n## Revision {version}\n\nRevision {version} of document {index} added this sentence.\n"
        path.write_text(text, encoding="utf-8")


def ingest(cwd: Path, home: Path, kill_after: float | None) -> int | None:
    env = dict(os.environ, BRIEFING_HOME=str(home), TRANSFORMERS_VERBOSITY="error", BRIEFING_EMBEDDINGS="torch")
    process = subprocess.Popen([BRIEFING, "ingest", "docs"], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if kill_after is None:
        return process.wait(timeout=300)
    time.sleep(kill_after)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return None


def check_consistent(cwd: Path, home: Path, embeddings) -> set[str]:
    assistant = Assistant.from_settings(make_settings(home, cwd / "docs"), embeddings)
    stored = assistant.store.documents()
    on_disk = {f"docs/{p.name}": p for p in (cwd / "docs").glob("*.md")}
    assert set(stored) == set(on_disk), "a document is missing or an orphan remains"
    from assistant.ingest.documents import file_hash

    for source, path in on_disk.items():
        assert stored[source].is_current(file_hash(path.read_bytes())), f"{source} is stale or half-written"
    ids = assistant.store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == sum(d.chunk_count for d in stored.values())
    saved = LexicalIndex(home / "lexical" / "briefing")
    assert saved.load() and saved.fingerprint == fingerprint(ids), "lexical index out of step"
    return set(ids)


def test_sigkill_during_ingest_then_rerun_is_consistent(tmp_path, embeddings):
    docs = tmp_path / "docs"
    docs.mkdir()
    home = tmp_path / "state"
    rng = random.Random(20240122)
    for version in range(1, 5):
        write_corpus(docs, version)
        ingest(tmp_path, home, kill_after=rng.uniform(2.0, 9.0))
        assert ingest(tmp_path, home, kill_after=None) == 0
        ids = check_consistent(tmp_path, home, embeddings)
    clean = tmp_path / "clean-state"
    assert ingest(tmp_path, clean, kill_after=None) == 0
    assert check_consistent(tmp_path, clean, embeddings) == ids
