"""Sentence vectors stored at ingest: pooled from the passage's own pass through the real model
(torch and ONNX), placed by character span, with a fallback for sentences the window cut off."""

import numpy as np
import pytest

from assistant.index.chunks import Chunk
from assistant.index.onnx_embeddings import OnnxEmbeddings
from assistant.index.sentence_data import VECTORS, embed_with_sentences, sentence_spans, unpack_vectors
from assistant.text.sentences import split_sentences

PASSAGE = ("The Border Control and Operations Coordination Committee brings the border agencies together. "
           "It is chaired by the Principal Secretary of the State Department for Internal Security. "
           "The Kenya Coast Guard Service was launched on 19 November 2018. "
           "Namanga is a one stop border post shared with Tanzania.")
HEADER = "Kenya's border agencies — Coordination"


def chunk_of(text: str, header: str = HEADER) -> Chunk:
    return Chunk("c1", text, f"{header}\n{text}", {"source": "notes.md"})


@pytest.fixture(scope="module", params=["torch", "onnx-int8"])
def backend(request, embeddings, tmp_path_factory):
    return embeddings if request.param == "torch" else OnnxEmbeddings(tmp_path_factory.mktemp("models"), quantized=True)


def test_passage_vectors_from_the_shared_pass_are_the_models_own(backend):
    texts = [chunk_of(PASSAGE).embed_text, "Who chairs the BCOCC?"]
    vectors, _ = backend.embed_with_spans(texts, [[], []])
    assert np.allclose(vectors, np.asarray(backend.embed_documents(texts)), atol=1e-4)


def test_pooled_sentence_vectors_point_questions_at_the_sentence_that_answers(backend):
    """A sentence's vector is pooled from its word pieces as read in its passage; a question still
    finds the sentence that answers it among its neighbours."""
    chunk = chunk_of(PASSAGE)
    sentences = split_sentences(chunk.text)
    annotated, passage_vectors = embed_with_sentences([chunk], backend)
    stored = unpack_vectors(annotated[0].metadata[VECTORS], len(sentences))
    assert stored.shape == (4, 384) and len(passage_vectors) == 1
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-2)
    questions = {"What does the Border Control and Operations Coordination Committee do?": 0,
                 "When was the Kenya Coast Guard Service launched?": 2,
                 "Which country shares the Namanga border post?": 3}
    vectors = np.asarray(backend.embed_documents(list(questions)))
    assert list(np.argmax(vectors @ stored.T, axis=1)) == list(questions.values())


def test_spans_skip_the_heading_and_survive_lost_whitespace():
    chunk = chunk_of("- First point here.\n- Second   point\nthere.")
    sentences = split_sentences(chunk.text)
    spans = sentence_spans(chunk, sentences)
    assert sentences == ["First point here.", "Second point there."]
    assert [chunk.embed_text[a:b] for a, b in spans] == ["First point here.", "Second   point\nthere."]


def test_sentences_the_window_cut_off_are_embedded_on_their_own(embeddings):
    """Past the model's 256 word pieces a sentence, whole or in part, is not in the pass: it is embedded alone."""
    filler = "The committee met again to review the border posts and the agencies that staff them. " * 30
    chunk = chunk_of(filler + "Namanga is a one stop border post shared with Tanzania.")
    sentences = split_sentences(chunk.text)
    annotated, _ = embed_with_sentences([chunk], embeddings)
    stored = unpack_vectors(annotated[0].metadata[VECTORS], len(sentences))
    encoding = embeddings._batch_tokenizer.encode(chunk.embed_text)
    read_to = max(end for end, special in zip((o[1] for o in encoding.offsets), encoding.special_tokens_mask) if not special)
    spans = sentence_spans(chunk, sentences)
    cut = [k for k, (_, end) in enumerate(spans) if end > read_to]
    assert cut and cut[0] < len(sentences) - 1 and spans[cut[0]][0] < read_to  # one straddles the edge
    alone = np.asarray(embeddings.embed_documents([sentences[k] for k in cut]))
    assert np.allclose(stored[cut], alone, atol=2e-3)  # float16 storage
    assert not np.allclose(stored[0], np.asarray(embeddings.embed_documents([sentences[0]]))[0], atol=2e-3)
