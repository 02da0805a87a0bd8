"""`briefing eval` end to end on the gold set, the CI gate, and the LLM judge over a local stub."""

import json
from dataclasses import replace

import pytest
from conftest import REPO, make_settings
from openai_stub import OpenAIStub

from assistant.answer.chain import PIPELINES
from assistant.answer.chat_model import chat_model
from assistant.answer.types import REFUSAL, Answer, Answerer, Citation
from assistant.evaluation.datasets import load_dataset
from assistant.evaluation.judge import LLMJudge, parse_score
from assistant.evaluation.runner import check_gate, run_eval
from assistant.surfaces.cli import main
from assistant.text.sentences import split_sentences

GOLD = REPO / "evals" / "gold.jsonl"
THRESHOLDS = REPO / "evals" / "thresholds.json"


def test_gold_set_is_well_formed_and_covers_the_required_kinds():
    items = load_dataset(GOLD)
    assert len(items) >= 60
    categories = [item.category for item in items]
    assert categories.count("follow-up") >= 8 and all(i.history for i in items if i.category == "follow-up")
    assert sum(1 for i in items if i.answerable is False) >= 12
    assert categories.count("trap") >= 3
    for item in items:
        assert item.answerable is not None and item.expected is not None and item.sources is not None
        if item.answerable:
            assert item.expected and item.sources and all((REPO / s).is_file() for s in item.sources), item.id


@pytest.fixture
def gold_sample(tmp_path):
    """A slice of the gold set with both kinds of item: the whole set runs once, as `make test`'s gate."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    sample = tmp_path / "gold-sample.jsonl"
    sample.write_text("\n".join(lines[:8] + [l for l in lines if '"answerable": false' in l][:4]) + "\n", encoding="utf-8")
    return sample


def test_eval_writes_results_and_reports(indexed_home, monkeypatch, tmp_path, capsys, gold_sample):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    monkeypatch.chdir(REPO)
    out = tmp_path / "run" / "results.jsonl"
    code = main(["eval", "--dataset", str(gold_sample), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "| metric | dense | hybrid | current |" in printed.out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3 * len(load_dataset(gold_sample))
    assert set(lines[0]) >= {"id", "question", "answer", "refused", "citations", "retrieved", "latency_ms"}
    report = json.loads((tmp_path / "run" / "results-report.json").read_text())
    assert report["corpus_version"] and report["llm_judged"]["status"] == "skipped"
    assert "skipped" in (tmp_path / "run" / "results-report.md").read_text()


class _Wrapping(Answerer):
    """A broken answerer built around the real one (the pipeline's own): the rest of the pipeline is untouched."""

    def __init__(self, real: Answerer):
        self.real = real
        self.name = f"{type(self).__name__} around {real.name}"


class RefuseEverything(_Wrapping):
    def stream(self, question, passages):
        yield Answer(question, REFUSAL, True, passages=passages)


class NeverRefuse(_Wrapping):
    """The real answer when it answers; when it would refuse, the first sentence of the best passage, cited."""

    def stream(self, question, passages):
        answer = self.real.answer(question, passages)
        if not answer.refused or not passages:
            yield answer
            return
        sentence = split_sentences(passages[0].page_content)[0]
        yield Answer(question, f"{sentence} [1]", False, [Citation.from_passage(1, passages[0], sentence)], passages)


class WrongCitation(_Wrapping):
    """The real answer with each citation moved to another retrieved passage, one that does not hold the quote."""

    def stream(self, question, passages):
        answer = self.real.answer(question, passages)
        moved = []
        for citation in answer.citations:
            other = next((p for p in passages if citation.quote not in p.page_content), None)
            moved.append(citation if other is None else Citation.from_passage(citation.n, other, citation.quote))
        yield replace(answer, citations=moved)


@pytest.fixture(scope="module")
def gold_set():
    """The whole gold set (94 items): the gate's floors are two items below its figures, so a slice of it can
    fall below them by chance."""
    return load_dataset(GOLD)


def gate_failures(assistant, items, tmp_path) -> list[str]:
    """The Q&A gate of evals/thresholds.json (its overall minimums)."""
    gate = {"minimums": json.loads(THRESHOLDS.read_text())["minimums"]}
    run = run_eval(assistant, items, [PIPELINES["current"]], GOLD, tmp_path / "results.jsonl", progress=False)
    return check_gate(run.report, gate)


def test_the_real_pipeline_passes_the_gate(corpus_assistant, gold_set, tmp_path):
    assert gate_failures(corpus_assistant, gold_set, tmp_path) == []


@pytest.mark.parametrize(("broken", "failing"), [
    (RefuseEverything, ["answer accuracy", "citation recall"]),
    (NeverRefuse, ["refusal recall"]),
    (WrongCitation, ["answer accuracy", "citation recall"]),
])
def test_a_broken_pipeline_fails_the_gate(corpus_assistant, gold_set, tmp_path, broken, failing):
    """Refusing everything, never refusing, or citing the wrong passage: each must not get through CI."""
    assistant = replace(corpus_assistant, answerer=broken(corpus_assistant.answerer))
    failures = gate_failures(assistant, gold_set, tmp_path)
    assert all(any(failure.startswith(f"{metric} of current") for failure in failures) for metric in failing), failures


def test_eval_accepts_a_data_set_of_bare_questions(indexed_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    dataset = tmp_path / "bare.jsonl"
    dataset.write_text('{"question": "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"}\n{"question": "What is the capital of France?"}\n')
    assert main(["eval", "--dataset", str(dataset), "--config", "current", "--out", str(tmp_path / "r.jsonl"), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["configs"]["current"]["metrics"]
    assert metrics["items"] == 2 and metrics["refusal_rate"] == 0.5 and metrics["answer_accuracy"] is None


@pytest.mark.parametrize(("content", "message"), [("{oops", "line 1 is not valid JSON"), ('{"id": 1}', "question")])
def test_bad_data_sets_are_one_clear_error(tmp_path, capsys, content, message):
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text(content)
    assert main(["eval", "--dataset", str(dataset)]) == 2
    assert message in capsys.readouterr().err


def test_llm_judge_grades_through_a_real_openai_client(corpus_assistant, tmp_path):
    """Fake at the HTTP boundary only: no LLM is reachable here, so a local OpenAI-compatible
    stub scripts the judge's replies; the real ChatOpenAI client and prompts are used."""
    items = load_dataset(GOLD)[:2]
    answered = [(item, corpus_assistant.ask(item.question, item.history)) for item in items]
    def reply(body):
        prompt = body["messages"][0]["content"]
        return '{"score": 0.9, "reason": "supported"}' if "Passages:" in prompt else '{"score": 1.0, "reason": "direct"}'

    with OpenAIStub(reply) as stub:
        settings = make_settings(tmp_path, BRIEFING_LLM_MODEL="judge-model", OPENAI_BASE_URL=stub.base_url,
                                 OPENAI_API_KEY="sk-test-secret")
        result = LLMJudge(chat_model(settings), settings.llm_model).judge(answered)
    graded = [a for _, a in answered if not a.refused]
    assert result["judged"] == len(graded) > 0
    assert result["faithfulness"] == pytest.approx(0.9) and result["answer_relevance"] == pytest.approx(1.0)
    first = stub.requests[0]
    assert first["path"] == "/v1/chat/completions" and first["body"]["model"] == "judge-model"
    assert "Passages:" in first["body"]["messages"][0]["content"]
    assert "sk-test-secret" not in repr(settings)


def test_judge_reply_parsing():
    assert parse_score('Sure. {"score": 0.75, "reason": "x"}') == 0.75
    assert parse_score('{"score": 7}') == 1.0
    assert parse_score("no json here") is None
