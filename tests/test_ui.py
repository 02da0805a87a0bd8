"""The web app, served for real by `briefing serve` and driven through gradio_client: every endpoint."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import docx
import pytest
from conftest import REPO
from gradio_client import Client, handle_file

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, cwd: Path = REPO, **extra_env: str):
    """`briefing serve` on a free loopback port (with `extra_env` set); returns (process, url) once it answers."""
    port = free_port()
    env = dict(os.environ, BRIEFING_HOME=str(home), TRANSFORMERS_VERBOSITY="error", BRIEFING_EMBEDDINGS="torch")
    env.update(extra_env)
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "briefing"), "serve", "--port", str(port)],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"briefing serve exited early:\n{process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("briefing serve did not come up in 180 s")


@contextmanager
def serving(home: Path, cwd: Path = REPO, **extra_env: str):
    """`start_server`, stopped on exit; yields (process, url)."""
    process, url = start_server(home, cwd, **extra_env)
    try:
        yield process, url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def server_over_copy(indexed_home: Path, tmp_path_factory):
    """A server over a private copy of the indexed corpus (uploads and removals must not leak into other tests)."""
    home = tmp_path_factory.mktemp("served-home")
    shutil.copytree(indexed_home, home, dirs_exist_ok=True)
    with serving(home) as (_, url):
        yield url


@pytest.fixture(scope="module")
def server_url(indexed_home, tmp_path_factory):
    with server_over_copy(indexed_home, tmp_path_factory) as url:
        yield url


def test_ask_answers_with_citation_links_and_marked_passages(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("Which border points did the Pakistani delegation visit in Kenya?", [], [], api_name="/ask")
    for place in ("Jomo Kenyatta International Airport", "Namanga", "Kilindini"):
        assert place in answer
    assert "[[1]](#source-1)" in answer
    assert "id='source-1'" in sources and "Pakistan delegation" in sources
    assert "<mark>" in sources and "public" in sources and "2024-01-26" in sources


def test_ask_refuses_out_of_scope_plainly(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("What is the capital of France?", [], [], api_name="/ask")
    assert answer.startswith("The documents in the knowledge base do not answer this question.")
    assert "Sources of the latest answer appear here" in sources


def test_ask_filters_by_kind_and_document(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("Who led the Pakistani government delegation on the January 2024 study visit to Kenya?",
                                     ["visit-report"], [], api_name="/ask")
    assert "Khushal Khan" in answer and "governance/" not in sources
    answer, sources = client.predict("Who chairs Kenya's Border Control and Operations Coordination Committee?", [],
                                     ["knowledge/governance/kenya-bcocc.md"], api_name="/ask")
    assert "knowledge/governance/kenya-bcocc.md" in sources and "visits/" not in sources


def test_library_lists_uploads_and_removes(server_url, tmp_path):
    client = Client(server_url, verbose=False)
    rows = client.predict(api_name="/list_documents")
    assert len(rows) == 11 and {"visit-report", "governance", "visit-summary"} <= {r[1] for r in rows}

    report = tmp_path / "mombasa-notes.docx"
    document = docx.Document()
    document.add_heading("Mombasa port notes", level=1)
    document.add_paragraph("The quokka inspection desk at Kilindini opened in March 2025.")
    document.save(str(report))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    status, table, *_ = client.predict([handle_file(str(report)), handle_file(str(broken))], api_name="/upload")
    assert "mombasa-notes.docx**: indexed" in status and "broken.pdf**: not a readable PDF" in status
    sources = [row[-1] for row in table["data"]]
    uploaded = next(s for s in sources if s.endswith("mombasa-notes.docx"))
    assert not any(s.endswith("broken.pdf") for s in sources)

    answer, _ = client.predict("When did the quokka inspection desk at Kilindini open?", [], [], api_name="/ask")
    assert "March 2025" in answer

    status, table, *_ = client.predict(uploaded, api_name="/remove_document")
    assert status.startswith(f"Removed {uploaded}")
    assert uploaded not in [row[-1] for row in table["data"]]
    answer, _ = client.predict("When did the quokka inspection desk at Kilindini open?", [], [], api_name="/ask")
    assert "March 2025" not in answer


def test_brief_returns_a_note_and_a_docx_whose_bullets_all_cite(server_url, tmp_path):
    client = Client(server_url, verbose=False, download_files=str(tmp_path))
    note, md_file, docx_file = client.predict("Kenya's BCOCC", [], api_name="/brief")
    for section in ("Background", "Key findings", "Practices observed", "Points for adaptation", "Open questions"):
        assert f"## {section}" in note
    bullets = [p.text for p in docx.Document(docx_file).paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) >= 5 and all("[" in b and "]" in b for b in bullets)
    assert Path(md_file).read_text(encoding="utf-8").strip() == note.strip()


def test_compare_endpoint_sets_two_topics_side_by_side_with_downloads(server_url, tmp_path):
    client = Client(server_url, verbose=False, download_files=str(tmp_path))
    note, md_file, docx_file = client.predict("Kenya's BCOCC", "Pakistan's IBMS coordination", [], "one-page",
                                              api_name="/compare")
    assert "| | Kenya's BCOCC | Pakistan's IBMS coordination |" in note
    assert all(f"| **{section}** |" in note for section in ("Background", "Key findings", "Practices observed",
                                                             "Points for adaptation", "Open questions"))
    assert "## Sources" in note and "\n1. " in note
    assert Path(md_file).read_text(encoding="utf-8").strip() == note.strip()
    table = docx.Document(docx_file).tables[0]
    assert [c.text for c in table.rows[0].cells][1:] == ["Kenya's BCOCC", "Pakistan's IBMS coordination"]
    short, *_ = client.predict("Kenya's BCOCC", [], "one-page", api_name="/brief")
    assert all(section.count("\n- ") <= 2 for section in short.split("## ")[1:6])
    with pytest.raises(Exception, match="two topics"):
        client.predict("Kenya's BCOCC", "", [], "standard", api_name="/compare")
