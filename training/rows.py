"""Training rows: every question of a part, retrieved by the product's own retriever over the product's own
index, its candidate sentences described by the product's own features, and which gold facts each holds.

Three sources: the in-domain questions (`evals/indomain/`, over the whole corpus, by document split) and the
SQuAD 2.0 articles (`evals/squad_split.json`, by article split), and generated statistics reports
(`training.tables`). Validation and test parts are refused.
What retrieval returned is cached under the state root (keyed by the data, the split and the retrieval
code), so that a change of features re-describes the cached passages without indexing again.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from tqdm import tqdm

from assistant.answer.questions import analyse
from assistant.answer.sentence_features import Candidates, SentenceVectors, candidates
from assistant.config.parameters import parameters
from assistant.config.settings import Settings
from assistant.evaluation.indomain import corpus_assistant, load_items
from assistant.evaluation.metrics import normalise
from assistant.evaluation.squad import indexed_articles, indexed_files, load_part
from assistant.index.lexical import lexical_tokens
from training.tables import write_reports

TRAINABLE = {"indomain": ("train", "calibration"), "squad": ("train", "calibration"), "tables": ("train",)}
"""The parts training may read; test documents and validation articles never."""
ROOT = Path(__file__).resolve().parents[1]
RETRIEVAL_CODE = ("assistant/index/lexical.py", "assistant/index/retrieval.py", "assistant/index/store.py",
                  "assistant/text/terms.py", "assistant/ingest/chunking.py")


@dataclass
class Question:
    """A question of a training source and its gold facts (each a list of phrasings; none for a trap)."""

    source: str
    group: str
    """The document (in-domain) or article (SQuAD): folds never split one."""
    question: str
    answerable: bool
    kind: str
    trap: str | None
    facts: list[list[str]]


_SCORES = ("score", "dense", "lexical")


@dataclass
class Retrieved:
    """What retrieval gave one question: its vector, and its passages as ids into `chunks` (stored once for
    every question that retrieved them) with this question's retrieval scores."""

    question: Question
    vector: np.ndarray
    hits: list[tuple[str, dict]]
    chunks: dict[str, Document]
    idf: dict[str, float]
    """The index's IDF of the question's terms (what the features read of the index besides the passages)."""

    @property
    def passages(self) -> list[Document]:
        return [Document(page_content=self.chunks[cid].page_content, metadata=self.chunks[cid].metadata | scores)
                for cid, scores in self.hits]


@dataclass
class QuestionRows(Question):
    """A question with its candidates (features, sentences, passages) and the gold facts each sentence holds."""

    found: Candidates
    held: np.ndarray
    """(sentences x facts) booleans: which of the question's facts each candidate sentence holds."""

    @property
    def labels(self) -> np.ndarray:
        """Stage-1 labels: the sentence holds at least one gold fact."""
        return self.held.any(axis=1).astype(np.int8)

    def covers(self, indices: list[int]) -> bool:
        """Whether the sentences at `indices` hold every fact (an answer made of them is right)."""
        return self.answerable and bool(self.held.size) and bool(self.held[indices].any(axis=0).all())


def _holds(sentence: str, phrasings: list[str]) -> bool:
    body = normalise(sentence)
    return any(normalise(p) in body for p in phrasings if p.strip())


def indomain_questions(part: str) -> list[Question]:
    return [Question("indomain", item.doc, item.question, bool(item.answerable), item.kind, item.trap,
                     item.expected or [])
            for item in load_items(ROOT / "evals/indomain", (part,))]


def squad_questions(data: Path, part: str) -> tuple[list[dict], list[Question]]:
    articles, questions = load_part(data, ROOT / "evals/squad_split.json", part)
    return articles, [Question("squad", q.article, q.question, q.answerable, analyse(q.question).expects or "other",
                               None if q.answerable else "squad", [list(q.answers)] if q.answers else [])
                      for q in questions]


def table_questions(folder: Path) -> list[Question]:
    """Write the synthetic statistics reports into `folder`; their questions (see `training.tables`)."""
    return [Question("tables", q.doc, q.question, q.answerable, "table", None if q.answerable else "near-miss", q.facts)
            for q in write_reports(folder)]


def _retrieve(assistant, questions: list[Question], passages: int, progress: bool, label: str) -> list[Retrieved]:
    retriever = assistant.retriever.__class__(store=assistant.store, embeddings=assistant.embeddings, k=passages)
    chunks: dict[str, Document] = {}
    result = []
    for question in tqdm(questions, desc=f"retrieval: {label}", unit="question", disable=not progress):
        hits = []
        for passage in retriever.invoke(question.question):
            meta = passage.metadata
            chunks.setdefault(meta["chunk_id"], Document(page_content=passage.page_content, metadata={
                k: v for k, v in meta.items() if k not in _SCORES}))
            hits.append((meta["chunk_id"], {k: meta[k] for k in _SCORES}))
        vector = np.asarray(assistant.embeddings.embed_query(question.question), dtype=np.float32)
        idf = assistant.store.idf(set(lexical_tokens(question.question)))
        result.append(Retrieved(question, vector, hits, chunks, idf))
    return result


def retrieved(settings: Settings, source: str, part: str, passages: int, shared: Path, squad: Path, home: Path,
              progress: bool = True) -> list[Retrieved]:
    """What retrieval gives every question of one part of one source; cached while the data, the split and the
    retrieval code are unchanged."""
    if part not in TRAINABLE[source]:
        raise ValueError(f"training reads only the {' and '.join(TRAINABLE[source])} parts of {source}, never {part!r}")
    if source == "indomain":
        data = b"".join(p.read_bytes() for p in sorted((ROOT / "evals/indomain").glob("*")) if p.is_file())
    elif source == "tables":
        data = (ROOT / "training/tables.py").read_bytes()
    else:
        data = squad.read_bytes() + (ROOT / "evals/squad_split.json").read_bytes()
    code = b"".join((ROOT / name).read_bytes() for name in RETRIEVAL_CODE) + json.dumps(
        [parameters()["retrieval"], parameters()["words"]["stopwords"]]).encode()
    key = hashlib.sha256(b"\0".join([code, data, settings.embeddings.encode(), str(passages).encode()])).hexdigest()[:16]
    cache = home / "retrieved" / f"{source}-{part}-{key}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    if source == "indomain":
        assistant = corpus_assistant(settings, ROOT / "knowledge", shared, home / "corpus", progress)
        result = _retrieve(assistant, indomain_questions(part), passages, progress, f"in-domain {part}")
    elif source == "tables":
        questions: list[Question] = []
        with indexed_files(settings, lambda folder: questions.extend(table_questions(folder)), "tables",
                           progress) as assistant:
            result = _retrieve(assistant, questions, passages, progress, "synthetic tables")
    else:
        articles, questions = squad_questions(squad, part)
        with indexed_articles(settings, articles, progress) as assistant:
            result = _retrieve(assistant, questions, passages, progress, f"SQuAD {part}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(result))
    return result


def describe(items: list[Retrieved], vectors: SentenceVectors, progress: bool = True) -> list[QuestionRows]:
    """The product's features of every retrieved question's candidate sentences, and the facts each holds."""
    rows = []
    for item in tqdm(items, desc="features", unit="question", disable=not progress):
        q = item.question
        found = candidates(q.question, item.vector, item.passages, vectors, lambda terms, idf=item.idf: idf)
        if not found.sentences:
            continue
        held = np.array([[_holds(s, fact) for fact in q.facts] for s in found.sentences], dtype=bool).reshape(
            len(found.sentences), len(q.facts))
        rows.append(QuestionRows(**vars(q), found=found, held=held))
    return rows
