"""The learned answer selector (BRIEFING_ANSWERER=learned): its training helpers, its shipped models, and how answers refuse.

Real components throughout: the shipped LightGBM models, the real embedding model and
the real knowledge base index (no fakes)."""

from __future__ import annotations

import json

import lightgbm as lgb
import numpy as np
import pytest

from assistant.answer.citing import NOTHING_RELEVANT
from assistant.answer.selector import DECISION, MODEL_DIR, STAGE1, STAGE2, AnswerSelector, SelectorUnavailable
from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES
from assistant.evaluation.selector_training import build_part, choose_threshold, fit_calibration, sha256
from tests.conftest import REPO, SQUAD, make_settings, require

SPLIT = REPO / "evals" / "squad_split.json"


def test_training_refuses_to_read_the_validation_articles(tmp_path):
    with pytest.raises(ValueError, match="never 'validation'"):
        build_part(make_settings(tmp_path), SQUAD, SPLIT, "validation", progress=False)


def test_the_operating_point_is_the_lowest_threshold_as_accurate_as_the_best_within_one_standard_error():
    rng = np.random.default_rng(3)
    confidence = rng.uniform(size=4000)
    answerable = rng.uniform(size=4000) < 0.5
    right = answerable & (rng.uniform(size=4000) < confidence)  # higher confidence, more often right
    chosen = choose_threshold(confidence, answerable, right)
    best, margin = chosen["best_accuracy"], chosen["standard_error"]
    assert 0.005 < margin < 0.01
    assert best - margin <= chosen["chosen"]["accuracy"] <= best
    lower = round(chosen["chosen"]["threshold"] - 0.01, 3)
    from assistant.evaluation.selector_training import outcome_at
    assert outcome_at(confidence, answerable, right, lower)["accuracy"] < best - margin + 0.002


def test_calibration_recovers_a_known_logistic_map():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 20_000)
    logit = np.log(raw / (1 - raw))
    right = rng.uniform(size=raw.size) < 1 / (1 + np.exp(-(0.5 * logit - 1.0)))
    slope, intercept = fit_calibration(raw, right.astype(int))
    assert slope == pytest.approx(0.5, abs=0.05) and intercept == pytest.approx(-1.0, abs=0.08)


def test_models_trained_on_other_features_are_refused_with_a_clear_error(tmp_path):
    rows = np.random.default_rng(1).normal(size=(200, 3))
    model = lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(rows, rows[:, 0] > 0, feature_name=["a", "b", "c"])
    for name in (STAGE1, STAGE2):
        model.booster_.save_model(str(tmp_path / name))
    (tmp_path / DECISION).write_text(json.dumps({"threshold": 0.5, "calibration": {"slope": 1, "intercept": 0}}))
    with pytest.raises(SelectorUnavailable, match="other features"):
        AnswerSelector(tmp_path)
    with pytest.raises(SelectorUnavailable, match="make train"):
        AnswerSelector(tmp_path / "missing")


def test_the_shipped_models_match_this_code_and_record_their_training_data():
    selector = AnswerSelector()
    assert tuple(selector.stage1.feature_name()) == SENTENCE_FEATURES
    assert tuple(selector.stage2.feature_name()) == DECISION_FEATURES
    assert 0.0 < selector.threshold < 1.0
    record = json.loads((MODEL_DIR / DECISION).read_text())["trained_on"]
    assert record["split_sha256"] == sha256(SPLIT), "the split changed since the models were trained: run `make train`"
    assert record["seed"] == 13 and set(record["questions"]) == {"train", "calibration"}
    require(SQUAD.exists(), f"the SQuAD 2.0 data is not at {SQUAD}")
    assert record["data_sha256"] == sha256(SQUAD)


def test_a_question_about_nothing_in_the_documents_is_refused_as_nothing_relevant(corpus_assistant):
    answer = corpus_assistant.ask("What is the boiling point of mercury in degrees Celsius?")
    assert answer.refused
    assert NOTHING_RELEVANT in answer.text and answer.closest is None
    assert answer.to_dict()["closest"] is None


def test_ingest_stores_each_sentence_vector_with_its_passage(corpus_assistant, embeddings):
    """Answering reads sentence vectors from the index instead of embedding every sentence per question;
    the lexical index does not keep them."""
    from assistant.answer.sentence_features import stored_sentences
    from assistant.index.sentence_data import ENTITIES, VECTORS
    from assistant.text.sentences import split_sentences

    passages = corpus_assistant.retriever.invoke("Who chairs the BCOCC?")
    assert all(VECTORS in p.metadata for p in passages)
    sentences, vectors = stored_sentences(passages[0])
    assert sentences == split_sentences(passages[0].page_content)
    assert vectors.shape == (len(sentences), 384)
    question = np.asarray(embeddings.embed_query("Who chairs the BCOCC?"))
    assert "chair" in sentences[int(np.argmax(vectors @ question))].lower()
    kept = corpus_assistant.store.lexical._metadatas
    assert kept and not any(VECTORS in m or ENTITIES in m for m in kept)


def test_stored_vectors_that_do_not_match_the_sentences_are_ignored():
    from assistant.index.sentence_data import pack_vectors, unpack_vectors

    packed = pack_vectors(np.ones((3, 4)))
    assert unpack_vectors(packed, 3).shape == (3, 4)
    assert unpack_vectors(packed, 5) is None and unpack_vectors(packed, 0) is None


def test_the_learned_answerer_is_chosen_by_a_setting_and_answers_with_a_calibrated_confidence(indexed_home, embeddings):
    from assistant.answer.learned import LearnedAnswerer
    from assistant.app.pipeline import Assistant

    assistant = Assistant.from_settings(make_settings(indexed_home, BRIEFING_ANSWERER="learned"), embeddings)
    assert isinstance(assistant.answerer, LearnedAnswerer)
    answer = assistant.ask("Who led the Pakistani delegation to Kenya?")
    assert not answer.refused and "Khushal Khan" in answer.text and answer.citations
    assert 0.0 < answer.confidence < 1.0
    with pytest.raises(ValueError, match="BRIEFING_ANSWERER must be .heuristic. or .learned., got .oracle."):
        make_settings(indexed_home, BRIEFING_ANSWERER="oracle")


def test_a_refusal_names_the_closest_passage_with_its_page():
    from types import SimpleNamespace

    from langchain_core.documents import Document

    from assistant.answer.citing import refusal

    passage = Document(page_content="The Board shall consist of a Chairperson and six members.",
                       metadata={"chunk_id": "c1", "source": "docs/act.pdf", "title": "Data Protection Act",
                                 "section": "Section 18 — The Board", "page": 12})
    answer = refusal("How many members sit on Kenya's Board?", [passage],
                     SimpleNamespace(sentence=passage.page_content, passage=passage))
    assert answer.refused and "The closest passage found, Data Protection Act, Section 18 — The Board, p. 12," in answer.text
    assert answer.to_dict()["closest"]["page"] == 12 and answer.to_dict()["closest"]["source"] == "docs/act.pdf"
    plain = refusal("What is the boiling point of mercury?", [passage])
    assert NOTHING_RELEVANT in plain.text and plain.to_dict()["closest"] is None
