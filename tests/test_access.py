"""Classification and access: a user cleared for `public` learns nothing from a `restricted`
document by any route (answer, citation, retrieval, briefing, library, suggestion, eval, UI)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KNOWLEDGE, make_settings, users_in
from gradio_client import Client
from test_ui import serving

from assistant.answer.chain import PIPELINES
from assistant.answer.suggestions import suggest_followups
from assistant.app.access import AccessError, Levels
from assistant.app.library import Library
from assistant.app.pipeline import Assistant
from assistant.index.filters import NO_FILTER, cleared
from assistant.surfaces.cli import main

SECRET = "zebrafinch"
RESTRICTED = (
    "---\ntitle: \"Namanga security annex\"\ndate: 2024-02-01\nkind: governance\nclassification: restricted\n---\n"
    "# Namanga security annex\n\n## Zebrafinch protocol\n\n"
    f"The {SECRET} protocol for joint patrols at the Namanga One Stop Border Post was agreed on 3 March 2024.\n"
)
LEVELS = Levels(("public", "official", "restricted"))


def index_namanga_and_annex(root: Path, folder: str, embeddings=None, **overrides) -> Path:
    """`root/<folder>` holding the public Namanga note and the restricted annex, indexed into `root/state`."""
    docs = root / folder
    docs.mkdir()
    shutil.copy(KNOWLEDGE / "governance/namanga-one-stop-border-post.md", docs / "namanga.md")
    (docs / "annex.md").write_text(RESTRICTED, encoding="utf-8")
    previous = os.getcwd()
    os.chdir(root)
    try:
        Assistant.from_settings(make_settings(root / "state", docs, **overrides), embeddings).ingest(progress=False)
    finally:
        os.chdir(previous)
    return docs


@pytest.fixture(scope="module")
def secure_home(tmp_path_factory, embeddings):
    root = tmp_path_factory.mktemp("secure")
    index_namanga_and_annex(root, "docs", embeddings)
    users = users_in(root / "state")
    users.add("alice", "public-pass-1", "public")
    users.add("bob", "restricted-pass-1", "restricted")
    return root / "state"


def as_user(home, embeddings, clearance):
    return Assistant.from_settings(make_settings(home), embeddings).for_clearance(clearance)


QUESTION = "What was agreed for joint patrols at the Namanga One Stop Border Post in March 2024?"


def leaks(value) -> bool:
    """Whether anything of the restricted annex shows in `value` (its name, its code word, its date)."""
    text = json.dumps(value, default=str).lower()
    return any(marker in text for marker in (SECRET, "annex", "3 march 2024"))


def test_levels_and_users(tmp_path):
    assert LEVELS.visible_to("official") == ("public", "official") and LEVELS.visible_to("restricted") is None
    assert LEVELS.highest_of(["public", "restricted", "official"]) == "restricted"
    users = users_in(tmp_path / "state")
    users.add("carol", "a-long-password", "official")
    assert users.authenticate("carol", "a-long-password") and not users.authenticate("carol", "wrong-password")
    assert not users.authenticate("nobody", "a-long-password")
    assert users.clearance("carol") == "official" and users.role("carol") == "reader"
    stored = b"".join(p.read_bytes() for p in (tmp_path / "state").glob("briefing.sqlite3*"))
    assert b"a-long-password" not in stored and b"carol" in stored
    with pytest.raises(AccessError, match="unknown classification"):
        users.add("dave", "a-long-password", "secret")
    with pytest.raises(AccessError, match="at least 8"):
        users.add("dave", "short", "public")


def test_public_user_learns_nothing_from_the_restricted_document(secure_home, embeddings):
    alice = as_user(secure_home, embeddings, "public")
    answer = alice.ask(QUESTION)
    assert not leaks(answer.to_dict()) and not leaks([p.page_content for p in answer.passages])
    for retrieval in ("dense", "current"):  # the vector store and the lexical index alike
        variant = alice.with_pipeline(PIPELINES[retrieval])
        passages = variant.retriever.invoke(f"{SECRET} {QUESTION}", search_filter=cleared(NO_FILTER, alice.visible))
        assert not leaks([p.page_content for p in passages])
    note = alice.brief("joint patrols at Namanga")
    assert not leaks(note.to_markdown())
    library = Library(alice)
    assert not leaks(library.rows())
    with pytest.raises(ValueError) as hidden:
        library.remove("docs/annex.md")
    with pytest.raises(ValueError) as missing:
        library.remove("docs/nothing.md")
    assert str(hidden.value).replace("annex", "nothing") == str(missing.value)
    assert not leaks(suggest_followups(alice.ask("When was the Namanga One Stop Border Post launched?"), alice.store))


def test_restricted_user_sees_it_and_the_answer_carries_its_classification(secure_home, embeddings):
    bob = as_user(secure_home, embeddings, "restricted")
    answer = bob.ask(QUESTION)
    assert "3 March 2024" in answer.text and answer.classification == "restricted"
    note = bob.brief("joint patrols at Namanga")
    assert "Classification: RESTRICTED" in note.to_markdown()


def test_cli_routes_honour_clearance(secure_home, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("BRIEFING_HOME", str(secure_home))
    question = QUESTION
    assert main(["ask", "--json", "--clearance", "public", question]) == 0
    assert not leaks(json.loads(capsys.readouterr().out))
    dataset = tmp_path / "q.jsonl"
    dataset.write_text(json.dumps({"question": question}) + "\n")
    out = tmp_path / "r.jsonl"
    assert main(["eval", "--dataset", str(dataset), "--config", "current", "--clearance", "public", "--out", str(out)]) == 0
    capsys.readouterr()
    assert not leaks(out.read_text())
    assert main(["brief", "--docs", "docs/annex.md", "--clearance", "public", "--out", str(tmp_path / "n.md")]) == 2
    assert "not in the index" in capsys.readouterr().err
    assert main(["ask", "--json", question]) == 0  # the local operator has the highest clearance
    assert "3 March 2024" in json.loads(capsys.readouterr().out)["answer"]


def test_users_add_reads_the_password_from_stdin(tmp_path):
    env = dict(os.environ, BRIEFING_HOME=str(tmp_path))
    briefing = os.path.join(os.path.dirname(sys.executable), "briefing")
    run = subprocess.run([briefing, "users", "add", "erin", "--clearance", "official"], input="erin-password\n",
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert users_in(tmp_path).authenticate("erin", "erin-password")
    bad = subprocess.run([briefing, "users", "add", "erin", "--clearance", "top-secret"], input="erin-password\n",
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown classification level" in bad.stderr


@pytest.mark.slow
def test_ui_log_in_and_clearance(secure_home, tmp_path_factory):
    with serving(secure_home, cwd=secure_home.parent) as (_, url):
        alice = Client(url, auth=("alice", "public-pass-1"), verbose=False)
        answer, sources = alice.predict(QUESTION, [], [], api_name="/ask")
        assert not leaks([answer, sources])
        assert not leaks(alice.predict(api_name="/list_documents"))
        bob = Client(url, auth=("bob", "restricted-pass-1"), verbose=False)
        answer, sources = bob.predict(QUESTION, [], [], api_name="/ask")
        assert "3 March 2024" in answer and "RESTRICTED" in sources
        with pytest.raises(Exception):
            Client(url, auth=("alice", "wrong-password"), verbose=False)
