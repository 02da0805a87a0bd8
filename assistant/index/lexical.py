"""A BM25 index (bm25s) over the same chunks as the Chroma collection, kept in step with it.

The index is derived data: it is rebuilt from the collection whenever the
collection's fingerprint (its sorted chunk ids) differs from the one it was built
from, and saved under the state root so a restart does not rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from assistant.index.filters import NO_FILTER, SearchFilter
from assistant.index.sentence_data import STORED
from assistant.text.acronyms import find_acronyms
from assistant.text.terms import STOPWORDS, stem, tokens


def lexical_tokens(text: str) -> list[str]:
    """Stemmed content words, as BM25 sees them."""
    return [stem(word) for word in tokens(text) if word.lower() not in STOPWORDS]


def lexical_text(text: str, metadata: dict) -> str:
    """What BM25 indexes for a chunk: its title and section heading, then the passage."""
    return f"{metadata.get('title', '')} {metadata.get('section', '')} {text}"


TOKENIZER_VERSION = "3"
"""Bump when `lexical_tokens` or what is saved changes (2: Snowball stems, "act" and "law" kept; 3: defined
acronyms): saved indexes are rebuilt."""


def defined_acronyms(texts: list[str]) -> dict[str, list[str]]:
    """Every acronym the texts define ("Federal Investigation Agency (FIA)"), with the stemmed words of its
    expansion: a question naming one finds the passages that name the other."""
    found: dict[str, set[str]] = {}
    for text in texts:
        if "(" in text:
            for acronym, words in find_acronyms(text).items():
                found.setdefault(stem(acronym), set()).update(words)
    return {acronym: sorted(words) for acronym, words in found.items()}


def expanded(query_tokens: list[str], acronyms: dict[str, list[str]]) -> list[str]:
    """The query's tokens, and the expansion of each defined acronym among them that the query does not spell out."""
    extra = [word for token in dict.fromkeys(query_tokens) for word in acronyms.get(token, ()) if word not in query_tokens]
    return query_tokens + list(dict.fromkeys(extra))


def fingerprint(ids: list[str]) -> str:
    """What a saved index was built from: its chunk ids, and the tokenizer's version."""
    return hashlib.sha256("\n".join([TOKENIZER_VERSION, *sorted(ids)]).encode()).hexdigest()


@dataclass(frozen=True)
class LexicalHit:
    id: str
    score: float


class LexicalIndex:
    """BM25 over chunk ids; `search` honours the same filters as the vector store."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._model: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._metadatas: list[dict] = []
        self._acronyms: dict[str, list[str]] = {}
        self._fingerprint = ""

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def build(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        corpus = [lexical_tokens(lexical_text(t, m)) or ["∅"] for t, m in zip(texts, metadatas)]
        model = None
        if corpus:
            model = bm25s.BM25()
            model.index(corpus, show_progress=False)
        kept = [{k: v for k, v in m.items() if k not in STORED} for m in metadatas]  # filters need none of those
        acronyms = defined_acronyms(texts)
        with self._lock:
            self._model, self._ids, self._metadatas, self._acronyms = model, list(ids), kept, acronyms
            self._fingerprint = fingerprint(ids)

    def save(self) -> None:
        """Write the index atomically: a crash leaves the old one or the new one, never half of each."""
        staging = self.folder.with_name(self.folder.name + ".tmp")
        staging.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(staging / "bm25"))
        (staging / "meta.json").write_text(json.dumps(
            {"fingerprint": self._fingerprint, "ids": self._ids, "metadatas": self._metadatas, "acronyms": self._acronyms}
        ))
        old = self.folder.with_name(self.folder.name + ".old")
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(staging, self.folder)
        if old.exists():
            import shutil

            shutil.rmtree(old)

    def load(self) -> bool:
        """Read the saved index; False when there is none or it cannot be read."""
        try:
            meta = json.loads((self.folder / "meta.json").read_text())
            model = bm25s.BM25.load(str(self.folder / "bm25")) if meta["ids"] else None
            ids, metadatas, acronyms, saved = meta["ids"], meta["metadatas"], meta["acronyms"], meta["fingerprint"]
        except (OSError, ValueError, KeyError):
            return False
        with self._lock:
            self._model, self._ids, self._metadatas, self._acronyms, self._fingerprint = (
                model, ids, metadatas, acronyms, saved)
        return True

    def idf(self, terms: set[str], search_filter: SearchFilter = NO_FILTER) -> dict[str, float]:
        """Inverse document frequency, log(1 + N / (1 + df)), of each of `terms` over the chunks the filter admits."""
        count, frequencies = self.document_frequencies(terms, search_filter)
        return {term: math.log(1 + count / (1 + frequencies[term])) for term in terms}

    def document_frequencies(self, words: set[str], search_filter: SearchFilter = NO_FILTER) -> tuple[int, dict[str, int]]:
        """How many chunks the filter admits, and how many of them hold each of `words` (stemmed terms, as
        `lexical_tokens` gives them; a word no admitted chunk holds counts 0)."""
        with self._lock:
            model, metadatas = self._model, self._metadatas
        if model is None:
            return 0, {word: 0 for word in words}
        admitted = (np.ones(len(metadatas), dtype=bool) if search_filter.empty
                    else np.array([search_filter.admits(m) for m in metadatas], dtype=bool))
        # BM25 gives every (term, chunk holding it) pair a positive score: a term's column lists its chunks.
        indptr, indices = model.scores["indptr"], model.scores["indices"]
        counts = {}
        for word in words:
            column = model.vocab_dict.get(word)
            counts[word] = 0 if column is None else int(admitted[indices[indptr[column]:indptr[column + 1]]].sum())
        return int(admitted.sum()), counts

    def search(self, query: str, k: int, search_filter: SearchFilter = NO_FILTER) -> list[LexicalHit]:
        with self._lock:
            model, ids, metadatas, acronyms = self._model, self._ids, self._metadatas, self._acronyms
        query_tokens = expanded(lexical_tokens(query), acronyms)
        if model is None or not query_tokens:
            return []
        mask = None
        if not search_filter.empty:
            mask = np.array([search_filter.admits(m) for m in metadatas], dtype=np.float32)
            if not mask.any():
                return []
        vocabulary = model.vocab_dict
        known = [t for t in query_tokens if t in vocabulary]
        if not known:
            return []
        documents, scores = model.retrieve(
            [known], k=min(k, len(ids)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [LexicalHit(ids[int(i)], float(s)) for i, s in zip(documents[0], scores[0]) if s > 0]
