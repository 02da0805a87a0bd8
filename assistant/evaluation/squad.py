"""SQuAD 2.0 articles as an honest, no-answer-aware eval on text nobody here wrote.

The articles of one part of the fixed split (`evals/squad_split.json`: train, calibration,
validation; chosen once by article, never by question) become Markdown documents, one
section per paragraph, indexed by the same pipeline into a temporary state root. Every
question goes through `Assistant.ask`, as an official's would. An answerable question is
right when it is answered and the answer contains a gold answer (case-insensitive); an
unanswerable one (half of them: crowd-written traps) when it is refused.

Beside the embedded answerer, in the same run and on the same retrieval: always refuse, the
best BM25 sentence of the retrieved passages (never refusing), and the earlier heuristic
answerer (a baseline kept in `assistant.evaluation.baseline`).
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from assistant.app.pipeline import Assistant
from assistant.config.settings import Settings
from assistant.index.backends import make_embeddings
from assistant.evaluation.baseline import ExtractiveAnswerer
from assistant.evaluation.metrics import normalise
from assistant.index.lexical import lexical_tokens
from assistant.text.sentences import split_sentences

PARTS = ("train", "calibration", "validation")


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    """Every annotator's answer; empty for an unanswerable question."""
    article: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_part(data_path: Path, split_path: Path, part: str) -> tuple[list[dict], list[SquadQuestion]]:
    """The articles of one part of the split and their questions, in file order."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; the split has {', '.join(PARTS)}")
    try:
        titles = set(json.loads(split_path.read_text(encoding="utf-8"))[part])
        data = json.loads(data_path.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot read the SQuAD data {data_path} or its split {split_path}: {exc}") from None
    articles = [article for article in data if article["title"] in titles]
    questions = [
        SquadQuestion(qa["id"], qa["question"], tuple(a["text"] for a in qa.get("answers", [])), article["title"])
        for article in articles for paragraph in article["paragraphs"] for qa in paragraph["qas"]
    ]
    return articles, questions


def write_corpus(articles: list[dict], folder: Path) -> None:
    """One Markdown document per article, one section per paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        title = article["title"].replace("_", " ")
        sections = [f"## Paragraph {n}\n\n{p['context']}" for n, p in enumerate(article["paragraphs"], start=1)]
        front = f'---\ntitle: "{title}"\nkind: squad-article\nsource: "SQuAD 2.0 (CC BY-SA 4.0), Wikipedia"\n---\n'
        (folder / f"{article['title']}.md").write_text(front + f"# {title}\n\n" + "\n\n".join(sections) + "\n",
                                                     encoding="utf-8")


@contextmanager
def indexed_files(settings: Settings, write: Callable[[Path], object], name: str, progress: bool = False
                  ) -> Iterator[Assistant]:
    """An embedded-mode assistant over the files `write(folder)` writes, indexed into a temporary state root
    (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix=f"briefing-{name}-") as folder:
        corpus = Path(folder) / "files"
        write(corpus)
        local = replace(settings, home=Path(folder) / "state", knowledge_dir=corpus, collection=name, llm_model="",
                        chroma_url="")
        # the embedding model (and its one-time ONNX export) is shared with the main state root
        embeddings = make_embeddings(settings.embeddings, settings.home / "models")
        assistant = replace(Assistant.from_settings(local, embeddings), audit=None)
        report = assistant.ingest(progress=progress)
        if not report.ok:
            raise ValueError(f"could not index the {name} files: {report.failed[0]}")
        yield assistant


def indexed_articles(settings: Settings, articles: list[dict], progress: bool = False):
    """An embedded-mode assistant over SQuAD `articles`, indexed into a temporary state root (removed afterwards)."""
    return indexed_files(settings, lambda folder: write_corpus(articles, folder), "squad", progress)


def best_bm25_sentence(question: str, passages) -> str:
    """The sentence of `passages` with the highest BM25 score for `question` (k1 1.5, b 0.75, over those sentences)."""
    sentences = [s for p in passages for s in split_sentences(p.page_content)]
    if not sentences:
        return ""
    docs = [lexical_tokens(s) for s in sentences]
    average = sum(map(len, docs)) / len(docs) or 1.0
    frequency = Counter(term for doc in docs for term in set(doc))
    query = set(lexical_tokens(question))

    def bm25(doc: list[str]) -> float:
        counts = Counter(doc)
        return sum(
            math.log(1 + (len(docs) - frequency[t] + 0.5) / (frequency[t] + 0.5))
            * counts[t] * 2.5 / (counts[t] + 1.5 * (0.25 + 0.75 * len(doc) / average))
            for t in query if t in counts
        )

    return max(zip(sentences, docs), key=lambda pair: bm25(pair[1]))[0]


def holds_answer(text: str, answers: tuple[str, ...]) -> bool:
    body = normalise(text)
    return any(normalise(answer) in body for answer in answers if answer.strip())


def outcome_scores(outcomes: list[tuple[bool, bool, bool]]) -> dict[str, float | int]:
    """Scores of (answerable, answered, holds a gold answer) triples, one per question."""
    hits = sum(1 for answerable, given, holds in outcomes if answerable and given and holds)
    refused_traps = sum(1 for answerable, given, _ in outcomes if not answerable and not given)
    answerable = sum(1 for o in outcomes if o[0])
    answered = sum(1 for o in outcomes if o[1])
    return {
        "questions": len(outcomes),
        "accuracy": (hits + refused_traps) / max(len(outcomes), 1),
        "answerable_accuracy": hits / max(answerable, 1),
        "precision_when_answering": hits / max(answered, 1),
        "unanswerable_refused": refused_traps / max(len(outcomes) - answerable, 1),
        "coverage": answered / max(len(outcomes), 1),
    }


def spread(questions: list[SquadQuestion], count: int) -> list[SquadQuestion]:
    """`count` questions evenly spaced through the part, so that every article is represented."""
    if count >= len(questions):
        return questions
    return [questions[i * len(questions) // count] for i in range(count)]


def run_squad(settings: Settings, data_path: Path, split_path: Path, part: str = "validation",
              limit: int | None = None, progress: bool = True, sample: int | None = None) -> dict:
    """Index the part's articles in a temporary state root and score the embedded answerer and the baselines
    (on the first `limit` questions, or `sample` questions spread over the part, or all)."""
    articles, questions = load_part(data_path, split_path, part)
    questions = questions[:limit] if limit else questions
    questions = spread(questions, sample) if sample else questions
    with indexed_articles(settings, articles) as assistant:
        other_name, other = "heuristic answerer (the earlier default)", ExtractiveAnswerer(assistant.embeddings)
        rows = {"embedded answerer": [], "always refuse": [], "best BM25 sentence, never refuse": [], other_name: []}
        points = []
        for q in tqdm(questions, desc=f"SQuAD {part}", unit="question", disable=not progress):
            answer = assistant.ask(q.question)
            outcome = (q.answerable, not answer.refused, holds_answer(answer.text, q.answers))
            rows["embedded answerer"].append(outcome)
            points.append({"support": answer.support, "confidence": answer.confidence, "answerable": outcome[0],
                           "answered": outcome[1], "holds_answer": outcome[2]})
            rows["always refuse"].append((q.answerable, False, False))
            best = best_bm25_sentence(q.question, answer.passages)
            rows["best BM25 sentence, never refuse"].append((q.answerable, True, holds_answer(best, q.answers)))
            beside = other.compose(q.question, answer.passages)
            rows[other_name].append((q.answerable, not beside.refused, holds_answer(beside.text, q.answers)))
    return {
        "dataset": str(data_path), "split": str(split_path), "part": part,
        "articles": [a["title"] for a in articles], "questions": len(questions),
        "unanswerable": sum(1 for q in questions if not q.answerable),
        "refusal_threshold": settings.refusal_threshold, "sample": sample,
        "results": {name: outcome_scores(outcomes) for name, outcomes in rows.items()},
        "points": points,
    }


def squad_table(report: dict) -> str:
    """The report as a Markdown table, one row per answerer."""
    keys = ("accuracy", "answerable_accuracy", "precision_when_answering", "unanswerable_refused", "coverage")
    lines = [f"SQuAD 2.0 {report['part']} articles ({', '.join(report['articles'])}): {report['questions']} questions,"
             f" {report['unanswerable']} unanswerable", "",
             "| answerer | " + " | ".join(k.replace("_", " ") for k in keys) + " |",
             "|---|" + "---|" * len(keys)]
    for name, result in report["results"].items():
        lines.append(f"| {name} | " + " | ".join(f"{result[k]:.3f}" for k in keys) + " |")
    return "\n".join(lines)


def check_squad_gate(report: dict, thresholds: dict) -> list[str]:
    """Every minimum of `thresholds["minimums"]` the embedded answerer's figures break, as readable lines."""
    figures = report["results"]["embedded answerer"]
    return [f"SQuAD {report['part']}: {key.replace('_', ' ')} of the embedded answerer is {figures[key]:.3f},"
            f" below the gate's {minimum}"
            for key, minimum in thresholds.get("minimums", {}).items() if figures[key] < minimum]
