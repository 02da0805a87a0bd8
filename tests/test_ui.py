"""The chat UI, served for real by `briefing serve` and driven through gradio_client."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from gradio_client import Client

from conftest import REPO

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(indexed_home):
    port = free_port()
    env = dict(os.environ, BRIEFING_HOME=str(indexed_home), TRANSFORMERS_VERBOSITY="error")
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "briefing"), "serve", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            if process.poll() is not None:
                pytest.fail(f"briefing serve exited early:\n{process.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("briefing serve did not come up in 180 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_ui_answers_with_citations_and_sources(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("Which border points did the delegation visit?", [], api_name="/chat")
    for place in ("Jomo Kenyatta International Airport", "Namanga", "Kilindini"):
        assert place in answer
    assert "[[1]](#source-1)" in answer
    assert "id='source-1'" in sources and "Pakistan delegation" in sources


def test_ui_refuses_out_of_scope_plainly(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("What is the capital of France?", [], api_name="/chat")
    assert answer.startswith("The documents in the knowledge base do not answer this question.")
    assert "Sources of the latest answer appear here" in sources


def test_ui_filter_by_document_kind(server_url):
    client = Client(server_url, verbose=False)
    answer, sources = client.predict("Who led the delegation?", ["visit-report"], api_name="/chat")
    assert "Khushal Khan" in answer
    assert "knowledge/visits/2024-01-pakistan-kenya-study-visit.md" in sources and "governance/" not in sources
