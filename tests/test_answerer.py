"""The learned answerer (the default): its models, how it composes an answer, and why it refuses.

Real components throughout: the shipped LightGBM models, the real embedding model and the real
knowledge base index; composer and rule checks run on real features of hand-made passages (no fakes)."""

from __future__ import annotations

import json

import lightgbm as lgb
import numpy as np
import pytest
from langchain_core.documents import Document

from assistant.answer.citing import NOTHING_RELEVANT, quote, refusal
from assistant.answer.composer import allowed, compose
from assistant.answer.constraints import constraints_of
from assistant.answer.decision import another_subject, kind_absent, nothing_relevant
from assistant.answer.learned import LearnedAnswerer
from assistant.answer.selector import DECISION, MODEL_DIR, STAGE1, STAGE2, AnswerSelector, SelectorUnavailable
from assistant.answer.sentence_features import DECISION_FEATURES, SENTENCE_FEATURES, SentenceVectors, candidates
from tests.conftest import REPO, make_settings


def passage(text: str, chunk: str = "c1", title: str = "The Foreigners Act, 1946", section: str = "Section 14 — Penalty",
            source: str = "devdocs/docs/act.pdf") -> Document:
    return Document(page_content=text, metadata={"chunk_id": chunk, "source": source, "title": title,
                                                 "section": section, "page": 3})


def found_for(question: str, passages: list[Document], embeddings):
    vector = np.asarray(embeddings.embed_query(question), dtype=np.float32)
    return candidates(question, vector, passages, SentenceVectors(embeddings), lambda terms: {t: 1.0 for t in terms})


def test_models_trained_on_other_features_are_refused_with_a_clear_error(tmp_path):
    rows = np.random.default_rng(1).normal(size=(200, 3))
    model = lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(rows, rows[:, 0] > 0, feature_name=["a", "b", "c"])
    for name in (STAGE1, STAGE2):
        model.booster_.save_model(str(tmp_path / name))
    (tmp_path / DECISION).write_text(json.dumps({"threshold": 0.5, "low_confidence_below": 0.5,
                                                 "calibration": {"slope": 1, "intercept": 0}}))
    with pytest.raises(SelectorUnavailable, match="other features"):
        AnswerSelector(tmp_path)
    with pytest.raises(SelectorUnavailable, match="make train"):
        AnswerSelector(tmp_path / "missing")


def test_the_shipped_models_match_this_code_and_record_what_they_were_trained_on():
    from training.__main__ import _digest

    selector = AnswerSelector()
    assert tuple(selector.stage1.feature_name()) == SENTENCE_FEATURES
    assert tuple(selector.stage2.feature_name()) == DECISION_FEATURES
    assert 0.0 < selector.threshold <= selector.low_confidence_below < 1.0
    record = json.loads((MODEL_DIR / DECISION).read_text())["trained_on"]
    assert record["squad_split_sha256"] == _digest(REPO / "evals/squad_split.json"), "the split changed: run `make train`"
    assert record["indomain_sha256"] == _digest(REPO / "evals/indomain"), \
        "the in-domain questions or their split changed since the models were trained: run `make train`"
    assert record["seed"] == 13 and record["questions"]["indomain train"] > 300


def test_a_question_about_nothing_in_the_documents_is_refused_as_nothing_relevant(corpus_assistant):
    answer = corpus_assistant.ask("What is the boiling point of mercury in degrees Celsius?")
    assert answer.refused
    assert NOTHING_RELEVANT in answer.text and answer.closest is None
    assert answer.to_dict()["closest"] is None


def test_the_learned_answerer_is_the_default_and_answers_with_a_calibrated_confidence(corpus_assistant):
    assert isinstance(corpus_assistant.answerer, LearnedAnswerer)
    answer = corpus_assistant.ask("Who led the Pakistani government delegation to Kenya in January 2024?")
    assert not answer.refused and "Khushal Khan" in answer.text and answer.citations
    assert 0.0 < answer.confidence < 1.0


def test_an_embedded_answer_is_composed_whole_then_sent_a_verified_sentence_at_a_time(corpus_assistant):
    from assistant.answer.types import Answer, AnswerDelta
    from assistant.text.sentences import split_sentences

    question = "What does the Kenya Coast Guard Service do?"
    drafted = list(corpus_assistant.answerer.stream(question, corpus_assistant.retriever.invoke(question)))
    assert len(drafted) == 1 and isinstance(drafted[0], Answer)  # no drafts: the answerer composes it whole
    events = list(corpus_assistant.stream(question))
    deltas = [e.text for e in events if isinstance(e, AnswerDelta)]
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused and all(s.supported for s in answer.sentences)
    assert len(deltas) == len(answer.sentences) > 1 and "".join(deltas) == answer.text  # a sentence a delta
    assert [d.strip() for d in deltas] == split_sentences(answer.text)


def test_a_list_lead_in_brings_its_items_and_a_sentence_about_the_sources_is_not_quoted(embeddings):
    lines = ("No source found states who funded the study visit.\n\nThe functions of the Board are to:\n\n"
             "- register data controllers;\n- hear complaints;\n- advise the Minister.\n\nThe Board meets quarterly.")
    found = found_for("What are the functions of the Board?", [passage(lines, section="Section 8 — Functions")], embeddings)
    assert not allowed(found)[0], "a sentence about the sources is quoted only for a question about the sources"
    lead = next(i for i, s in enumerate(found.sentences) if s.startswith("The functions"))
    scores = np.zeros(len(found.sentences))
    scores[lead] = 0.9
    chosen = [found.sentences[i] for i in compose(found, scores, lead, wants_list=True)]
    assert chosen[:4] == ["The functions of the Board are to:", "register data controllers;", "hear complaints;",
                          "advise the Minister."]
    statute = found_for("Which officers may arrest?", [passage("(1) An officer may arrest. (2) The following may act— "
                                                               "(a) a police officer. (b) a customs officer. (3) Bail.")],
                        embeddings)
    lead = next(i for i, s in enumerate(statute.sentences) if s.startswith("(2)"))
    scores = np.zeros(len(statute.sentences))
    scores[lead] = 0.9
    items = [statute.sentences[i][:3] for i in compose(statute, scores, lead, wants_list=False)]
    assert items[:2] == ["(2)", "(b)"] and "(3)" not in items
    sources = found_for("Which source says who funded the study visit?", [passage(lines)], embeddings)
    assert allowed(sources).all()


def test_a_which_section_answer_names_the_section_it_quotes():
    cited = passage("Any person who contravenes this Act shall be punished with imprisonment for three years.")
    item = type("Quote", (), {"sentence": cited.page_content, "passage": cited})
    text, citations = quote([item], [cited], name_sections=True)
    assert text.startswith("Section 14 — Penalty: Any person who contravenes") and text.endswith("[1].")
    assert quote([item], [cited])[0].startswith("Any person")


def test_a_passage_about_another_act_year_or_country_breaks_the_question_s_constraints(embeddings):
    question = "Under the Foreigners Act, 1946, what is the penalty for overstaying a visa?"
    customs = passage("Whoever smuggles goods shall be punished with imprisonment for six years.", title="The Customs Act, 1969",
                      section="Section 156 — Punishments")
    found = found_for(question, [customs], embeddings)
    mismatch = another_subject(found, 0)
    assert mismatch is not None and mismatch.kind == "instrument" and "Customs Act" in mismatch.found
    own = found_for(question, [passage("Any foreigner who overstays shall be punished with imprisonment for three years.")],
                    embeddings)
    assert another_subject(own, 0) is None
    years = constraints_of("How many cases did the FIA register in 2022?")
    assert years.years == {"2022"} and years.check("Cases registered in 2023: 2540.", "FIA Annual Report 2023")[0].found == "2023"
    kenya = constraints_of("Who chairs Pakistan's border committee?").check("Kenya's BCOCC is chaired by the PS.", "Kenya BCOCC")
    assert kenya[0].kind == "country" and kenya[0].found == "Kenya"


def test_a_question_for_a_figure_is_refused_when_no_chosen_sentence_holds_one(embeddings):
    text = "The Data Commissioner shall prescribe thresholds required for mandatory registration."
    found = found_for("Above what number of data subjects must a controller register, and how many days does it have?",
                      [passage(text)], embeddings)
    assert kind_absent(found, [0])
    stated = found_for("How many days does a controller have to register?",
                       [passage("A controller shall register within fourteen days.")], embeddings)
    assert not kind_absent(stated, [0])


def test_nothing_relevant_when_no_passage_holds_any_of_the_question_s_terms_whatever_stage_1_says(embeddings):
    """Stage 1 ranks sentences against each other: among two unrelated ones its best may score high."""
    port = passage("The Port of Mombasa handled 35.98 million tonnes of cargo in 2023.")
    unrelated = found_for("What is the capital of France?", [port], embeddings)
    assert nothing_relevant(unrelated, 0, score=0.99)
    related = found_for("How much cargo did the Port of Mombasa handle in 2023?", [port], embeddings)
    assert not nothing_relevant(related, 0, score=0.99) and not nothing_relevant(related, 0, score=0.1)


def test_refusals_say_why_and_name_the_closest_passage_with_its_page():
    from types import SimpleNamespace

    from assistant.answer.constraints import Mismatch

    cited = passage("The Board shall consist of a Chairperson and six members.", source="docs/act.pdf",
                    title="Data Protection Act", section="Section 18 — The Board")
    closest = SimpleNamespace(sentence=cited.page_content, passage=cited)
    unstated = refusal("How much is a Board member paid?", [cited], "not stated", closest)
    assert unstated.refused and "The closest passage found, Data Protection Act, Section 18 — The Board, p. 3, does not state it." in unstated.text
    assert unstated.to_dict()["closest"]["page"] == 3 and unstated.to_dict()["closest"]["source"] == "docs/act.pdf"
    another = refusal("Under the Foreigners Act, ...?", [cited], "about another", closest,
                      Mismatch("instrument", "Foreigners Act", "Data Protection Act"))
    assert "is about Data Protection Act, not Foreigners Act." in another.text
    plain = refusal("What is the boiling point of mercury?", [cited])
    assert NOTHING_RELEVANT in plain.text and plain.to_dict()["closest"] is None


def test_training_never_reads_test_documents_or_validation_articles(tmp_path):
    from pathlib import Path

    from training.rows import retrieved

    for source, part in (("indomain", "test"), ("squad", "validation")):
        with pytest.raises(ValueError, match=f"never '{part}'"):
            retrieved(make_settings(tmp_path), source, part, 10, Path("unused"), Path("unused"), tmp_path, False)


def test_the_operating_point_is_the_most_accurate_threshold_over_the_calibration_sets_counted_alike():
    from training.fit import Outcomes, choose_threshold

    rng = np.random.default_rng(3)
    confidence = rng.uniform(size=4000)
    answerable = rng.uniform(size=4000) < 0.6
    right = answerable & (rng.uniform(size=4000) < 0.3 + 0.7 * confidence)
    result = Outcomes(answerable, right, np.where(answerable, confidence, confidence * 0.6), np.zeros(4000, bool))
    grid = np.unique(np.round(result.confidence, 3))
    chosen = choose_threshold([result])
    assert chosen["best_expected_accuracy"] == pytest.approx(max(result.at(t)["expected_accuracy"] for t in grid), abs=1e-4)
    other = Outcomes(answerable[:400], right[:400], confidence[:400] ** 2, np.zeros(400, bool))  # a second, smaller set
    both = choose_threshold([result, other])
    grid = np.unique(np.round(np.concatenate([result.confidence, other.confidence]), 3))
    assert both["best_expected_accuracy"] == pytest.approx(max(
        (result.at(t)["expected_accuracy"] + other.at(t)["expected_accuracy"]) / 2 for t in grid), abs=1e-4)


def test_calibration_recovers_a_known_logistic_map():
    from training.fit import fit_calibration

    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 20_000)
    logit = np.log(raw / (1 - raw))
    right = rng.uniform(size=raw.size) < 1 / (1 + np.exp(-(0.5 * logit - 1.0)))
    slope, intercept = fit_calibration(raw, right.astype(int))
    assert slope == pytest.approx(0.5, abs=0.05) and intercept == pytest.approx(-1.0, abs=0.08)


def test_ingest_stores_each_sentence_vector_with_its_passage(corpus_assistant, embeddings):
    """Answering reads sentence vectors from the index instead of embedding every sentence per question;
    the lexical index does not keep them."""
    from assistant.answer.sentence_features import stored_sentences
    from assistant.index.sentence_data import VECTORS
    from assistant.text.sentences import split_sentences

    passages = corpus_assistant.retriever.invoke("Who chairs the BCOCC?")
    assert all(VECTORS in p.metadata for p in passages)
    sentences, vectors = stored_sentences(passages[0])
    assert sentences == split_sentences(passages[0].page_content)
    assert vectors.shape == (len(sentences), 384)
    question = np.asarray(embeddings.embed_query("Who chairs the BCOCC?"))
    assert "chair" in sentences[int(np.argmax(vectors @ question))].lower()
    kept = corpus_assistant.store.lexical.metadatas
    assert kept and not any(VECTORS in m for m in kept)


def test_stored_vectors_that_do_not_match_the_sentences_are_ignored():
    from assistant.index.sentence_data import pack_vectors, unpack_vectors

    packed = pack_vectors(np.ones((3, 4)))
    assert unpack_vectors(packed, 3).shape == (3, 4)
    assert unpack_vectors(packed, 5) is None and unpack_vectors(packed, 0) is None


def test_a_sentence_that_runs_on_brings_its_proviso(embeddings):
    text = ("The Board may suspend a licence for thirty days. Provided that the holder is heard first. "
            "The Board meets quarterly.")
    found = found_for("For how long may the Board suspend a licence?", [passage(text)], embeddings)
    scores = np.zeros(len(found.sentences))
    scores[0] = 0.9
    assert [found.sentences[i] for i in compose(found, scores, 0, wants_list=False)] == found.sentences[:2]
