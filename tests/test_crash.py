"""Crash safety: `briefing ingest` killed hard (SIGKILL) inside a write, then re-run, leaves a consistent index:
every document present once, in its current version, no orphans, and the lexical index in step with the vector
store.

Each kill lands inside a write, and the test proves it: the ingest runs under tests/crash_ingest.py, which stops
at a chosen write (half of a batch of new passages written to Chroma, half of a batch of stale ones removed, or
the BM25 index between moving the old one aside and moving the new one in) and waits there; the test kills it
only once it says it is inside that write, and checks that the index it left is half-written (inconsistent)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KNOWLEDGE, REPO, make_settings

from assistant.app.pipeline import Assistant
from assistant.index.lexical import LexicalIndex, fingerprint

pytestmark = pytest.mark.slow
BRIEFING = os.path.join(os.path.dirname(sys.executable), "briefing")
CRASH_INGEST = REPO / "tests" / "crash_ingest.py"
# (version of the corpus, the write to stop in, which one of its kind)
KILLS = [(1, "upsert", 3), (2, "delete", 1), (3, "lexical", 1)]


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


def environment(home: Path) -> dict:
    return dict(os.environ, BRIEFING_HOME=str(home), TRANSFORMERS_VERBOSITY="error", BRIEFING_EMBEDDINGS="torch")


def ingest(cwd: Path, home: Path) -> int:
    return subprocess.run([BRIEFING, "ingest", "--prune", "docs"], cwd=cwd, env=environment(home), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=300).returncode


def ingest_killed_inside(cwd: Path, home: Path, point: str, which: int) -> None:
    """Run the ingest until it is inside the chosen write, then SIGKILL it there."""
    process = subprocess.Popen([sys.executable, str(CRASH_INGEST), point, str(which), "ingest", "--prune", "docs"], cwd=cwd,
                               env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        said = process.stdout.readline()  # blocks until the write is reached (or the process ends without it)
        assert said.strip() == "inside the write", f"the ingest never reached write {which} of kind {point}"
        os.killpg(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


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


def test_sigkill_inside_a_write_then_rerun_is_consistent(tmp_path, embeddings):
    docs = tmp_path / "docs"
    docs.mkdir()
    home = tmp_path / "state"
    for version, point, which in KILLS:
        write_corpus(docs, version)
        ingest_killed_inside(tmp_path, home, point, which)
        with pytest.raises(AssertionError):  # the kill left a write half done
            check_consistent(tmp_path, home, embeddings)
        assert ingest(tmp_path, home) == 0
        ids = check_consistent(tmp_path, home, embeddings)
    clean = tmp_path / "clean-state"
    assert ingest(tmp_path, clean) == 0
    assert check_consistent(tmp_path, clean, embeddings) == ids
