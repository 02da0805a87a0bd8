"""The chain over the real knowledge base: cited answers, plain refusals, follow-ups."""

import pytest
from conftest import SEED_REPORT

from assistant.answer.followups import standalone_query
from assistant.answer.types import REFUSAL, Answer, AnswerDelta
from assistant.text.sentences import split_sentences


def test_who_led_the_delegation_cites_the_seed_report(corpus_assistant):
    answer = corpus_assistant.ask("Who led the Pakistani government delegation on the January 2024 study visit to Kenya?")
    assert not answer.refused
    assert "Khushal Khan" in answer.text
    assert SEED_REPORT in {c.source for c in answer.citations}
    assert "[1]" in answer.text


def test_border_points_answer_names_all_three_with_citations(corpus_assistant):
    answer = corpus_assistant.ask("Which border points did the Pakistani delegation visit in Kenya?")
    assert not answer.refused
    for place in ("Jomo Kenyatta International Airport", "Namanga", "Kilindini"):
        assert place in answer.text
    assert answer.citations


def test_every_answer_sentence_carries_a_citation_that_quotes_its_passage(corpus_assistant):
    answer = corpus_assistant.ask("When was the Kenya Coast Guard Service launched?")
    assert "19 November 2018" in answer.text
    numbers = {c.n for c in answer.citations}
    for sentence in answer.text.split("]. "):
        assert any(f"[{n}" in sentence for n in numbers), sentence
    passages = {p.metadata["chunk_id"]: " ".join(p.page_content.split()) for p in answer.passages}
    for citation in answer.citations:
        for quoted in split_sentences(citation.quote):
            assert quoted in passages[citation.chunk_id]


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "What was the score of the 2022 football World Cup final?"],
)
def test_out_of_scope_questions_are_refused(corpus_assistant, question):
    answer = corpus_assistant.ask(question)
    assert answer.refused
    assert answer.text.startswith(REFUSAL)
    assert answer.citations == []


def test_stream_yields_text_then_the_final_answer(corpus_assistant):
    events = list(corpus_assistant.stream("Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"))
    assert isinstance(events[-1], Answer)
    deltas = [e.text for e in events if isinstance(e, AnswerDelta)]
    assert deltas and "".join(deltas) == events[-1].text and "Khushal Khan" in events[-1].text


def test_follow_up_carries_the_subject_of_the_earlier_turn(corpus_assistant):
    history = [
        {"role": "user", "content": "What is the mandate of the Kenya Coast Guard Service?"},
        {"role": "assistant", "content": "Maritime security, safety and protection of maritime resources."},
    ]
    assert "Kenya Coast Guard Service" in standalone_query("When was it launched?", history)
    answer = corpus_assistant.ask("When was it launched?", history)
    assert answer.question == "When was it launched?"
    assert "2018" in answer.text and not answer.refused


def test_standalone_questions_are_left_alone():
    history = [{"role": "user", "content": "Who chairs the BCOCC?"}]
    assert standalone_query("Which border points did the Pakistani delegation visit in Kenya?", history) == (
        "Which border points did the Pakistani delegation visit in Kenya?"
    )


def test_bad_history_and_empty_question_are_clear_errors(corpus_assistant):
    with pytest.raises(ValueError, match="history item 0"):
        corpus_assistant.ask("Who led the Pakistani government delegation on the January 2024 study visit to Kenya?", [{"role": "user"}])
    with pytest.raises(ValueError, match="empty"):
        corpus_assistant.ask("   ")


def test_answers_below_the_calibrated_bar_are_marked_low_confidence(corpus_assistant):
    """The bar is the answer models' `low_confidence_below` (decision.json: below it, the calibrated probability that
    the answer is right is under one half); the chain marks each answer by it, and the mark travels in `to_dict()`.
    Among these questions the answerer is sure of some and unsure of others."""
    bar = corpus_assistant.answerer.low_confidence_below
    questions = ("Who led the Pakistani government delegation on the January 2024 study visit to Kenya?",
                 "Which border points did the Pakistani delegation visit in Kenya?",
                 "Who chairs Kenya's Border Control and Operations Coordination Committee?",
                 "When was the Kenya Coast Guard Service launched?",
                 "When was the Namanga One Stop Border Post officially launched?")
    answers = [corpus_assistant.ask(question) for question in questions]
    for answer in answers:
        assert answer.low_confidence == (not answer.refused and answer.confidence < bar), (answer.question, answer.confidence)
        assert answer.to_dict()["low_confidence"] is answer.low_confidence
    assert {answer.low_confidence for answer in answers} == {True, False}
