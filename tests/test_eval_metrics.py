"""Scoring of single answers against gold items, on hand-built answers and real passages."""

from langchain_core.documents import Document

from assistant.answer.types import Answer, Citation
from assistant.evaluation.datasets import EvalItem
from assistant.evaluation.metrics import aggregate, fact_present, score

PASSAGE = Document(
    page_content="The Kenya Coast Guard Service was launched on 19 November 2018 (kcgs.go.ke).",
    metadata={"chunk_id": "c1", "source": "knowledge/governance/kenya-coast-guard-service.md", "title": "KCGS", "section": "Law"},
)
OTHER = Document(
    page_content="The Port of Mombasa handled 35.98 million tonnes of cargo in 2023.",
    metadata={"chunk_id": "c2", "source": "knowledge/governance/kenya-ports-authority-and-kilindini.md", "title": "KPA", "section": "Traffic"},
)
ITEM = EvalItem("date-kcgs", "When was the Kenya Coast Guard Service launched?", expected=[["19 November 2018"]],
                sources=["knowledge/governance/kenya-coast-guard-service.md"], answerable=True)


def answer(text: str, cited: list[Document], passages: list[Document], refused: bool = False) -> Answer:
    citations = [Citation.from_passage(n, p, p.page_content) for n, p in enumerate(cited, start=1)]
    return Answer(ITEM.question, text, refused, citations, passages)


def test_a_correct_cited_answer_scores_fully():
    s = score(ITEM, answer("The Kenya Coast Guard Service was launched on 19 November 2018 [1].", [PASSAGE], [OTHER, PASSAGE]), 12.0)
    assert (s.correct, s.backed, s.hit, s.reciprocal_rank) == (True, True, True, 0.5)
    assert s.citation_support == [True]


def test_a_citation_to_a_passage_that_does_not_say_it_is_unsupported():
    s = score(ITEM, answer("The Kenya Coast Guard Service was launched on 19 November 2018 [1].", [OTHER], [OTHER]), 5.0)
    assert s.correct is True  # the words are right ...
    assert s.backed is False and s.citation_support == [False]  # ... but the citation does not back them
    assert (s.hit, s.reciprocal_rank) == (False, 0.0)


def test_refusals_and_unanswerable_items():
    unanswerable = EvalItem("unans", "What is Kenya's GDP?", expected=[], sources=[], answerable=False)
    refused = score(unanswerable, answer("The documents do not answer this question.", [], [OTHER], refused=True), 3.0)
    wrongly_refused = score(ITEM, answer("The documents do not answer this question.", [], [PASSAGE], refused=True), 3.0)
    metrics = aggregate([refused, wrongly_refused])
    assert metrics["refusal_precision"] == 0.5 and metrics["refusal_recall"] == 1.0
    assert metrics["answer_accuracy"] == 0.0 and metrics["citation_precision"] is None


def test_items_with_only_a_question_are_scored_for_what_they_allow():
    bare = EvalItem("q", "Who led the delegation?")
    metrics = aggregate([score(bare, answer("Khushal Khan led it [1].", [PASSAGE], [PASSAGE]), 7.0)])
    assert metrics["answer_accuracy"] is None and metrics["hit_at_k"] is None and metrics["refusal_recall"] is None
    assert metrics["latency_p50_ms"] == 7.0 and metrics["refusal_rate"] == 0.0


def test_fact_matching_ignores_case_quotes_and_dashes():
    assert fact_present(["Foreigners' Security"], "Internal and Foreigners’ Security")
    assert fact_present(["22-26 January"], "held 22–26 January 2024")
    assert not fact_present(["KRA"], "the KPA chairs it")
