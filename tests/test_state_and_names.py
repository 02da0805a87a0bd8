"""What users never see and others never read: the names documents are shown by (no server paths), and a
state root private to the account that runs the assistant (fast; the served app is checked in test_security)."""

import os
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer.types import Answer, Citation
from assistant.app.private_state import keep_private
from assistant.app.source_names import SourceNames

NAMES = SourceNames(home=Path("/srv/briefing-state"), knowledge_dir=Path("/opt/app/knowledge"), cwd=Path("/opt/app"))


def test_documents_are_shown_without_server_paths_and_found_again_by_that_name():
    assert NAMES.shown("/srv/briefing-state/uploads/3f2a1c9d8e7b/plan.md") == "uploads/3f2a1c9d8e7b/plan.md"
    assert NAMES.shown("knowledge/visits/report.md") == "knowledge/visits/report.md"
    assert NAMES.shown("/opt/app/knowledge/visits/report.md") == "knowledge/visits/report.md"
    assert NAMES.shown("notes/extra.md") == "notes/extra.md"
    elsewhere = [NAMES.shown("/home/omar/a/report.pdf"), NAMES.shown("/home/omar/b/report.pdf")]
    assert all(name.startswith("report.pdf #") for name in elsewhere) and elsewhere[0] != elsewhere[1]
    sources = ["/srv/briefing-state/uploads/3f2a1c9d8e7b/plan.md", "/home/omar/b/report.pdf"]
    assert NAMES.source_of("uploads/3f2a1c9d8e7b/plan.md", sources) == sources[0]
    assert NAMES.source_of(elsewhere[1], sources) == sources[1] and NAMES.source_of("plan.md", sources) is None
    passage = Document("The plan.", metadata={"source": sources[0], "chunk_id": "c1"})
    answer = NAMES.answer(Answer("Q?", "The plan [1].", False, [Citation.from_passage(1, passage, "The plan.")], [passage]))
    assert answer.citations[0].source == answer.passages[0].metadata["source"] == "uploads/3f2a1c9d8e7b/plan.md"
    assert passage.metadata["source"] == sources[0]  # the index's own passage is left as it was


def test_the_state_root_is_made_private_and_stays_private(tmp_path):
    root = tmp_path / "state"
    (root / "uploads" / "ab12").mkdir(parents=True)
    (root / "audit.sqlite3").write_text("")
    (root / "uploads" / "ab12" / "plan.md").write_text("plan")
    os.chmod(root / "audit.sqlite3", 0o644)
    os.chmod(root / "uploads", 0o755)
    previous = os.umask(0o022)
    try:
        keep_private(root)
        (root / "feedback.jsonl").write_text("{}")
        (root / "uploads" / "cd34").mkdir()
    finally:
        os.umask(previous)
    modes = {p.relative_to(root).as_posix(): p.stat().st_mode & 0o777 for p in [root, *root.rglob("*")]}
    assert modes == {".": 0o700, "uploads": 0o700, "uploads/ab12": 0o700, "uploads/ab12/plan.md": 0o600,
                     "audit.sqlite3": 0o600, "feedback.jsonl": 0o600, "uploads/cd34": 0o700}
