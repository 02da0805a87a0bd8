"""The ONNX Runtime embedding backend: exported once from the bundled weights, cached under the
state root; fp32 matches sentence-transformers, int8 stays close; switching backends re-embeds."""

import shutil

import numpy as np
import pytest
from conftest import KNOWLEDGE, make_settings

from assistant.app.pipeline import Assistant
from assistant.index.onnx_embeddings import OnnxEmbeddings

TEXTS = ["Who chairs Kenya's BCOCC?", "The Kenya Coast Guard Service was launched on 19 November 2018 (kcgs.go.ke).",
         "Namanga One Stop Border Post " * 80]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.mark.parametrize(("quantized", "closeness"), [(False, 0.9999), (True, 0.85)])
def test_onnx_vectors_match_the_torch_model(embeddings, onnx_cache, quantized, closeness):
    onnx = OnnxEmbeddings(onnx_cache, quantized=quantized)
    reference = np.array(embeddings.embed_documents(TEXTS))
    vectors = np.array(onnx.embed_documents(TEXTS))
    assert onnx.path.exists() and onnx.path.parent == onnx_cache
    assert vectors.shape == reference.shape and (vectors * reference).sum(axis=1).min() > closeness
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len(onnx.embed_query("Who led the delegation?")) == 384


def test_switching_backend_reembeds_every_document(tmp_path, monkeypatch, embeddings, onnx_cache):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KNOWLEDGE / "governance/kenya-bcocc.md", docs / "bcocc.md")
    monkeypatch.chdir(tmp_path)
    torch_assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs), embeddings)
    assert torch_assistant.ingest(progress=False).added == ["docs/bcocc.md"]
    onnx_assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs), OnnxEmbeddings(onnx_cache))
    assert onnx_assistant.ingest(progress=False).updated == ["docs/bcocc.md"]
    assert onnx_assistant.ingest(progress=False).unchanged == ["docs/bcocc.md"]
    assert "Principal Secretary" in onnx_assistant.ask("Who chairs Kenya's Border Control and Operations Coordination Committee?").text


def test_ask_re_embeds_an_index_built_with_another_backend(tmp_path, monkeypatch, capsys, embeddings, onnx_cache):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KNOWLEDGE / "governance/kenya-coast-guard-service.md", docs / "kcgs.md")
    monkeypatch.chdir(tmp_path)
    Assistant.from_settings(make_settings(tmp_path / "state", docs), embeddings).ingest(progress=False)
    shutil.copytree(onnx_cache, tmp_path / "state" / "models", dirs_exist_ok=True)  # reuse the export
    from assistant.surfaces.cli import main

    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_KNOWLEDGE", str(docs))
    monkeypatch.setenv("BRIEFING_EMBEDDINGS", "onnx-int8")
    assert main(["ask", "When was the Kenya Coast Guard Service launched?"]) == 0
    out, err = capsys.readouterr()
    assert "embedded with torch; re-embedding it with onnx-int8" in err and "19 November 2018" in out
