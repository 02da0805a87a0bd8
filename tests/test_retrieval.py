"""Hybrid retrieval, the lexical index kept in step with Chroma, and metadata filters."""

import shutil

import numpy as np
import pytest
from conftest import KNOWLEDGE, make_settings

from assistant.answer.questions import focus_of, split_compound
from assistant.app.pipeline import Assistant
from assistant.index.chunks import Chunk
from assistant.index.filters import SearchFilter
from assistant.index.lexical import fingerprint
from assistant.index.store import KnowledgeStore


@pytest.fixture
def small(tmp_path, monkeypatch, embeddings, backend):
    """Two documents indexed in the embedded store or on a real Chroma server."""
    docs = tmp_path / "docs"
    (docs / "visits").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "governance/kenya-bcocc.md", docs / "kenya-bcocc.md")
    shutil.copy(KNOWLEDGE / "visits/2024-01-pakistan-kenya-study-visit.md", docs / "visits" / "seed.md")
    monkeypatch.chdir(tmp_path)
    assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs, **backend), embeddings)
    assistant.ingest(progress=False)
    return assistant, docs


def lexical_ids(assistant):
    assistant.store.lexical.load()
    return assistant.store.lexical.fingerprint


def collection_fingerprint(assistant):
    return fingerprint(assistant.store.collection.get(include=[])["ids"])


def test_lexical_index_follows_every_ingest_update_and_delete(small):
    assistant, docs = small
    assert lexical_ids(assistant) == collection_fingerprint(assistant)
    path = docs / "kenya-bcocc.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## Zebra crossings\n\nThe BCOCC discussed zebraquokka signs.\n", encoding="utf-8")
    assistant.ingest(progress=False)
    assert lexical_ids(assistant) == collection_fingerprint(assistant)
    hits = assistant.store.lexical_search("zebraquokka", 5)
    assert hits and "zebraquokka" in assistant.store.get_chunks([hits[0].id])[hits[0].id][0]
    path.unlink()
    assistant.ingest(progress=False, prune=True)
    assert lexical_ids(assistant) == collection_fingerprint(assistant)
    assert assistant.store.lexical_search("zebraquokka", 5) == []


def test_a_lost_lexical_index_is_rebuilt_from_the_collection(small):
    assistant, _ = small
    shutil.rmtree(assistant.store.lexical.folder)
    fresh = Assistant.from_settings(assistant.settings, assistant.embeddings)  # same backend, same collection
    assert fresh.store.lexical_search("Khushal Khan", 3)
    assert lexical_ids(fresh) == collection_fingerprint(fresh)


def test_hybrid_finds_a_rare_exact_term_and_fuses_both_rankings(small):
    assistant, _ = small
    passages = assistant.retriever.invoke("Kennedy Nyaiyo")
    assert "Kennedy Nyaiyo" in passages[0].page_content
    assert all(p.metadata["score"] > 0 for p in passages)


@pytest.mark.parametrize("retrieval", ["dense", "hybrid"])
def test_filters_apply_in_the_store_and_the_lexical_index(small, retrieval):
    from assistant.answer.chain import PIPELINES

    assistant, _ = small
    variant = assistant.with_pipeline(PIPELINES["dense" if retrieval == "dense" else "current"])
    only_reports = SearchFilter(kinds=("visit-report",))
    passages = variant.retriever.invoke("Who chairs the BCOCC?", search_filter=only_reports)
    assert passages and {p.metadata["kind"] for p in passages} == {"visit-report"}
    # The seed report is dated 2024-01-22/2024-01-26, the BCOCC note 2014-12-19/2024-01-26: a filter finds the
    # documents whose dates overlap it.
    def sources(**dates):
        return {p.metadata["source"] for p in variant.retriever.invoke("BCOCC", search_filter=SearchFilter(**dates))}
    january = {"date_from": "2024-01", "date_to": "2024-01"}
    assert sources(kinds=("visit-report",), **january) == {"docs/visits/seed.md"}
    assert sources(kinds=("governance",), **january) == {"docs/kenya-bcocc.md"}
    assert sources(date_to="2020") == {"docs/kenya-bcocc.md"}
    assert sources(date_from="2024-02") == set()
    nothing = SearchFilter(sources=("no/such.md",))
    assert variant.retriever.invoke("BCOCC", search_filter=nothing) == []


def test_filtered_question_through_the_whole_chain(small):
    assistant, _ = small
    answer = assistant.ask("Who led the delegation?", search_filter=SearchFilter(kinds=("governance",)))
    assert {p.metadata["kind"] for p in answer.passages} == {"governance"}
    assert all(c.source == "docs/kenya-bcocc.md" for c in answer.citations)


def test_bad_filter_dates_are_clear_errors():
    with pytest.raises(ValueError, match="start date"):
        SearchFilter(date_from="January")


def test_focus_and_compound_questions():
    assert focus_of("What was Kenya's GDP in 2023?") == "gdp"
    assert focus_of("Which body runs the seaport?") is None
    assert split_compound("Who chairs the Council, and who chairs the BCOCC?") == ["Who chairs the Council?", "who chairs the BCOCC?"]
    assert split_compound("Who led the delegation?") == ["Who led the delegation?"]


def test_every_build_of_the_same_passages_gives_the_same_exact_neighbours(tmp_path):
    """Chroma builds its HNSW graph differently each time, even from the same vectors in the same order, so a
    narrow graph search returns other neighbours from another build (at Chroma's default breadth, most of these
    queries did). The store searches broadly enough (`ef_search`) that two builds return the exact nearest
    passages: training, the evals and every server see the same retrieval. Random vectors are the hard case."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 384)).astype(np.float32)
    queries = rng.normal(size=(40, 384)).astype(np.float32)
    chunks = [Chunk(id=f"c{i}", text=f"passage {i}", embed_text="", metadata={"source": "random.md"})
              for i in range(len(vectors))]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = [[f"c{i}" for i in row] for row in np.argsort(-(queries @ unit.T), axis=1)[:, :20]]

    def nearest(home):
        store = KnowledgeStore.open(make_settings(home, tmp_path))
        store.replace_document("random.md", chunks, vectors.tolist())
        return [[hit.id for hit in store.search(query.tolist(), 20)] for query in queries]

    first, second = nearest(tmp_path / "a"), nearest(tmp_path / "b")
    assert first == exact
    assert second == exact
