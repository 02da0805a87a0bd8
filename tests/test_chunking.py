"""Chunks fit the embedding window, keep their heading, and have stable ids."""

from conftest import KNOWLEDGE

from assistant.index.embeddings import WINDOW_WORD_PIECES
from assistant.ingest.chunking import Chunker
from assistant.ingest.documents import LoadedDocument, Section
from assistant.ingest.ingestor import discover
from assistant.ingest.loading import load_document


def make_document(text: str, heading: str = "Long section") -> LoadedDocument:
    return LoadedDocument("notes/long.md", "A long note", "2024-01-01", "governance", "public", "hash", [Section(heading, text)])


def test_every_chunk_of_the_corpus_fits_the_model_window(embeddings):
    chunker = Chunker(embeddings.count_word_pieces)
    files, _, _ = discover([KNOWLEDGE])
    assert len(files) >= 10
    total = 0
    for incoming in files:
        for chunk in chunker.split(load_document(incoming.path, incoming.source)):
            total += 1
            assert embeddings.count_word_pieces(chunk.embed_text) <= WINDOW_WORD_PIECES, (incoming.source, chunk.text[:80])
    assert total > 20


def test_over_long_text_is_split_and_each_piece_keeps_its_heading(embeddings):
    sentence = "The Border Management Committee at Namanga met again to review the joint controls. "
    run_on = "word " * 600  # one 'sentence' far beyond the window
    chunks = Chunker(embeddings.count_word_pieces).split(make_document(sentence * 40 + run_on))
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.embed_text.startswith("A long note — Long section\n")
        assert embeddings.count_word_pieces(chunk.embed_text) <= WINDOW_WORD_PIECES
    assert " ".join(c.text for c in chunks).split() == (sentence * 40 + run_on).split()


def test_chunk_ids_are_stable_and_unique(embeddings):
    chunker = Chunker(embeddings.count_word_pieces)
    text = "Same sentence again. " * 200
    first = [c.id for c in chunker.split(make_document(text))]
    second = [c.id for c in chunker.split(make_document(text))]
    assert first == second
    assert len(set(first)) == len(first)
    other_source = make_document(text)
    other_source.source = "notes/other.md"
    assert not set(first) & {c.id for c in chunker.split(other_source)}
