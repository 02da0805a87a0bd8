"""A BM25 index (bm25s) over the same chunks as the Chroma collection, kept in step with it by the library's
change counter (`assistant.database.library_log`).

Each chunk's stemmed tokens are kept (as ids into the index's own vocabulary), so bringing the index up to
date after a change re-reads and re-tokenizes only the changed documents' chunks, then rebuilds the BM25
matrices from the kept tokens (about 0.3 s at 10,000 chunks). The index records the counter's position it
matches and is saved under the state root (written atomically), so a restart reads it and catches up from the
counter's log instead of rebuilding from the whole collection.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from bm25s.tokenization import Tokenized

from assistant.database.library_log import Position
from assistant.index.filters import NO_FILTER, SearchFilter
from assistant.index.sentence_data import STORED
from assistant.text.acronyms import find_acronyms
from assistant.text.terms import STOPWORDS, stem, tokens

EMPTY = "∅"
"""The token of a chunk with no content word (bm25s needs at least one)."""


def lexical_tokens(text: str) -> list[str]:
    """Stemmed content words, as BM25 sees them."""
    return [stem(word) for word in tokens(text) if word.lower() not in STOPWORDS]


def lexical_text(text: str, metadata: dict) -> str:
    """What BM25 indexes for a chunk: its title and section heading, then the passage."""
    return f"{metadata.get('title', '')} {metadata.get('section', '')} {text}"


TOKENIZER_VERSION = "4"
"""Bump when `lexical_tokens` or what is saved changes (2: Snowball stems, "act" and "law" kept; 3: defined
acronyms; 4: tokens kept per chunk, the counter's position): saved indexes are rebuilt."""


def chunk_acronyms(text: str) -> dict[str, list[str]]:
    """The acronyms one chunk defines ("Federal Investigation Agency (FIA)"), with the stemmed words of each
    expansion."""
    return merged_acronyms([{stem(acronym): sorted(words)} for acronym, words in find_acronyms(text).items()]) \
        if "(" in text else {}


def merged_acronyms(per_chunk: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Every acronym the chunks define, with the words of all its expansions: a question naming one finds the
    passages that name the other."""
    found: dict[str, set[str]] = {}
    for acronyms in per_chunk:
        for acronym, words in acronyms.items():
            found.setdefault(acronym, set()).update(words)
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


@dataclass(frozen=True)
class _Corpus:
    """Everything the index holds, replaced whole on each change (readers keep the one they started with)."""

    ids: list[str]
    tokens: list[list[int]]
    """Each chunk's tokens, as ids into `vocabulary`."""
    metadatas: list[dict]
    acronyms: list[dict[str, list[str]]]
    """What each chunk defines (mostly nothing)."""
    vocabulary: dict[str, int]
    model: bm25s.BM25 | None
    merged: dict[str, list[str]]

    @classmethod
    def empty(cls) -> "_Corpus":
        return cls([], [], [], [], {}, None, {})


def _corpus(ids, tokens, metadatas, acronyms, vocabulary) -> _Corpus:
    model = None
    if ids:
        model = bm25s.BM25()
        model.index(Tokenized(ids=tokens, vocab=vocabulary), show_progress=False)
    return _Corpus(ids, tokens, metadatas, acronyms, vocabulary, model, merged_acronyms(acronyms))


class LexicalIndex:
    """BM25 over chunk ids; `search` honours the same filters as the vector store."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._corpus = _Corpus.empty()
        self.position: Position | None = None
        """The change counter's position the index matches; None until it is built or loaded."""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._corpus.ids)

    @property
    def ids(self) -> list[str]:
        return list(self._corpus.ids)

    @property
    def metadatas(self) -> list[dict]:
        """The kept metadata of each indexed chunk, in the order of `ids`."""
        return self._corpus.metadatas

    def _entries(self, texts: list[str], metadatas: list[dict], vocabulary: dict[str, int]):
        """Tokens (growing `vocabulary`), kept metadata and acronyms of new chunks."""
        token_ids = []
        for text, metadata in zip(texts, metadatas):
            words = lexical_tokens(lexical_text(text, metadata)) or [EMPTY]
            token_ids.append([vocabulary.setdefault(word, len(vocabulary)) for word in words])
        kept = [{k: v for k, v in m.items() if k not in STORED} for m in metadatas]  # filters need none of those
        return token_ids, kept, [chunk_acronyms(text) for text in texts]

    def build(self, ids: list[str], texts: list[str], metadatas: list[dict], position: Position | None = None) -> None:
        """Index exactly these chunks."""
        vocabulary: dict[str, int] = {}
        token_ids, kept, acronyms = self._entries(texts, metadatas, vocabulary)
        corpus = _corpus(list(ids), token_ids, kept, acronyms, vocabulary)
        with self._lock:
            self._corpus, self.position = corpus, position

    def update(self, sources: set[str], ids: list[str], texts: list[str], metadatas: list[dict],
               position: Position) -> None:
        """Replace every chunk of `sources` by the given chunks (their current ones; none for a removed document)."""
        old = self._corpus
        keep = [n for n, metadata in enumerate(old.metadatas) if metadata.get("source") not in sources]
        vocabulary = dict(old.vocabulary)
        token_ids, kept, acronyms = self._entries(texts, metadatas, vocabulary)
        corpus = _corpus([old.ids[n] for n in keep] + list(ids), [old.tokens[n] for n in keep] + token_ids,
                         [old.metadatas[n] for n in keep] + kept, [old.acronyms[n] for n in keep] + acronyms,
                         vocabulary)
        with self._lock:
            self._corpus, self.position = corpus, position

    def save(self) -> None:
        """Write the index atomically: a crash leaves the old one or the new one, never half of each."""
        corpus, position = self._corpus, self.position
        staging = self.folder.with_name(self.folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        lengths = np.array([len(t) for t in corpus.tokens], dtype=np.int64)
        flat = np.array([i for t in corpus.tokens for i in t], dtype=np.int32)
        np.savez(staging / "tokens.npz", lengths=lengths, flat=flat)
        (staging / "meta.json").write_text(json.dumps({
            "tokenizer": TOKENIZER_VERSION, "position": None if position is None else [position.epoch, position.version],
            "ids": corpus.ids, "metadatas": corpus.metadatas, "acronyms": corpus.acronyms,
            "vocabulary": sorted(corpus.vocabulary, key=corpus.vocabulary.get)}))
        old = self.folder.with_name(self.folder.name + ".old")
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(staging, self.folder)
        if old.exists():
            shutil.rmtree(old)

    def load(self) -> bool:
        """Read the saved index; False when there is none, it cannot be read, or it was saved by another
        tokenizer version."""
        try:
            meta = json.loads((self.folder / "meta.json").read_text())
            if meta["tokenizer"] != TOKENIZER_VERSION:
                return False
            saved = np.load(self.folder / "tokens.npz")
            flat, ends = saved["flat"].tolist(), np.cumsum(saved["lengths"]).tolist()
            token_ids = [flat[start:end] for start, end in zip([0, *ends[:-1]], ends)]
            vocabulary = {word: n for n, word in enumerate(meta["vocabulary"])}
            ids, metadatas, acronyms = meta["ids"], meta["metadatas"], meta["acronyms"]
            position = Position(*meta["position"]) if meta["position"] else None
            if not len(ids) == len(metadatas) == len(acronyms) == len(token_ids):
                return False
        except (OSError, ValueError, KeyError, TypeError):
            return False
        corpus = _corpus(ids, token_ids, metadatas, acronyms, vocabulary)
        with self._lock:
            self._corpus, self.position = corpus, position
        return True

    def idf(self, terms: set[str], search_filter: SearchFilter = NO_FILTER) -> dict[str, float]:
        """Inverse document frequency, log(1 + N / (1 + df)), of each of `terms` over the chunks the filter admits."""
        count, frequencies = self.document_frequencies(terms, search_filter)
        return {term: math.log(1 + count / (1 + frequencies[term])) for term in terms}

    def document_frequencies(self, words: set[str], search_filter: SearchFilter = NO_FILTER) -> tuple[int, dict[str, int]]:
        """How many chunks the filter admits, and how many of them hold each of `words` (stemmed terms, as
        `lexical_tokens` gives them; a word no admitted chunk holds counts 0)."""
        with self._lock:
            model, metadatas = self._corpus.model, self._corpus.metadatas
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
            corpus = self._corpus
        model, ids, metadatas, acronyms = corpus.model, corpus.ids, corpus.metadatas, corpus.merged
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
