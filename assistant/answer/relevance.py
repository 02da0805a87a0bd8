"""How much a sentence is about a briefing's topic: the briefing writer's relevance bar.

`topic_relevance(topic, sentence, passage) -> float` (0 to 1) is the whole interface: the writer drops
every sentence whose relevance is below `[briefing] relevance_bar` of the parameters file. Any callable of
that shape can stand in for the default, e.g. a learned answer model scoring "is this sentence about the
topic?"; give it a `score_many(topic, pairs)` method too when it can score a batch at once.

The default, `TopicRelevance`, reads the topic's own words only (never a list of known topics):

- **lexical**: the topic's content terms, each weighted by its rarity in the indexed passages the user may
  see (inverse document frequency: "Kenya" or "border" say little in this corpus, "eTA" or "Namanga"
  much), and the weighted share of them the sentence holds. An acronym and its expansion count as the
  same terms ("BCOCC" in the sentence matches "Border Control ... Committee" in the topic); a term found
  only in the passage's section heading earns part of its weight (`context_credit`), one found only in
  its document's title less (`title_credit`).
  Framing words ("lessons", "overview", "role") weigh nothing, terms no visible passage holds the most; the
  terms before the topic's first preposition or colon, what it is about, weigh `head_weight` times more.
  A topic of several parts ("Kenya's eTA and visa regime", "Pakistan's border institutions: FIA, IBMS and
  NADRA") is also read part by part: a sentence about one part earns `facet_credit` of that part's share.
- **semantic**: the embedding cosine between the topic and the sentence.

relevance = lexical_weight * lexical + (1 - lexical_weight) * semantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from langchain_core.documents import Document

from assistant.config.parameters import parameters
from assistant.text.acronyms import find_acronyms, with_equivalents
from assistant.text.terms import stem, terms

RelevanceFn = Callable[[str, str, Document], float]
"""topic, sentence, the passage holding it -> how much the sentence is about the topic (0 to 1)."""

_P = parameters()["briefing"]
_FRAMING = frozenset(stem(w) for w in _P["framing_words"])
_HEAD_END = re.compile(r"\s(?:in|of|for|to|at|on|from|with|under|by|between|within|into|across|about|during)\s|:", re.I)
_PARTS = re.compile(r"\s*(?:[,;:&/]|\band\b|\bversus\b|\bvs\b\.?)\s*", re.I)


def content_terms(text: str) -> set[str]:
    """Stemmed content words (`assistant.text.terms`), hyphenated words also split ("one-stop" -> one, stop)."""
    return terms(re.sub(r"(?<=\w)-(?=\w)", " ", text))


def head_terms(topic: str) -> set[str]:
    """The terms of what a topic is about before its qualifiers: the words before the first preposition or
    colon ("IOM's role in integrated border management" -> IOM; framing words are dropped later)."""
    return content_terms(_HEAD_END.split(topic, maxsplit=1)[0])


class TopicRelevance:
    """The default `topic_relevance`: rarity-weighted topic terms in the sentence, blended with embedding
    similarity to the topic.

    >>> relevance = TopicRelevance(embeddings, rarity=lambda words: {w: 1.0 for w in words})
    >>> relevance("Kenya's eTA", "The eTA carries a fee of US$30.", passage)
    """

    def __init__(self, embeddings, rarity: Callable[[set[str]], dict[str, float]] | None = None,
                 lexical_weight: float = _P["lexical_weight"], context_credit: float = _P["context_credit"],
                 title_credit: float = _P["title_credit"], facet_credit: float = _P["facet_credit"],
                 head_weight: float = _P["head_weight"]):
        self.embeddings = embeddings
        self.rarity = rarity
        self.lexical_weight = lexical_weight
        self.context_credit = context_credit
        self.title_credit = title_credit
        self.facet_credit = facet_credit
        self.head_weight = head_weight
        self._topic_vectors: dict[str, np.ndarray] = {}

    def topic_terms(self, topic: str) -> dict[str, float]:
        """The topic's content terms and their weights (framing words and unseen terms dropped)."""
        words = content_terms(topic) - _FRAMING
        weights = self.rarity(words) if self.rarity else {word: 1.0 for word in words}
        head = head_terms(topic)
        return {word: weight * (self.head_weight if word in head and head != words else 1.0)
                for word, weight in weights.items() if weight > 0}

    def facets(self, topic: str) -> list[set[str]]:
        """The terms of each part of a topic of several parts (none for a topic of one part)."""
        parts = [content_terms(part) - _FRAMING for part in _PARTS.split(topic)]
        parts = [part for part in parts if part]
        return parts if len(parts) > 1 else []

    def _topic_vector(self, topic: str) -> np.ndarray:
        if topic not in self._topic_vectors:
            self._topic_vectors[topic] = np.asarray(self.embeddings.embed_query(topic))
        return self._topic_vectors[topic]

    def lexical(self, topic: str, sentence: str, passage: Document, acronyms: dict | None = None) -> float:
        weights = self.topic_terms(topic)
        total = sum(weights.values())
        if not total:
            return 0.0
        if acronyms is None:
            acronyms = find_acronyms(f"{topic} {passage.metadata.get('title', '')} {passage.page_content}", True)
        wanted = with_equivalents(set(weights), acronyms)
        said = with_equivalents(content_terms(sentence), acronyms) & wanted
        meta = passage.metadata
        heading = with_equivalents(content_terms(meta.get("section", "")), acronyms) & wanted
        title = with_equivalents(content_terms(meta.get("title", "")), acronyms) & wanted
        earned = {t: w * (1.0 if t in said else self.context_credit if t in heading else self.title_credit if t in title else 0.0)
                  for t, w in weights.items()}
        share = sum(earned.values()) / total
        for facet in self.facets(topic):
            facet_total = sum(weights.get(t, 0.0) for t in facet)
            if facet_total:
                share = max(share, self.facet_credit * sum(earned.get(t, 0.0) for t in facet) / facet_total)
        return share

    def score_many(self, topic: str, pairs: Sequence[tuple[str, Document]], vectors: np.ndarray | None = None) -> list[float]:
        """Relevance of each (sentence, passage) pair; `vectors` are the sentences' embeddings when already known."""
        if not pairs:
            return []
        if vectors is None:
            vectors = np.asarray(self.embeddings.embed_documents([sentence for sentence, _ in pairs]))
        semantic = np.clip(vectors @ self._topic_vector(topic), 0.0, 1.0)
        passages = {p.metadata.get("chunk_id", id(p)): p for _, p in pairs}
        acronyms = find_acronyms(topic + " " + " ".join(f"{p.metadata.get('title', '')} {p.page_content}"
                                                        for p in passages.values()), lowercase_initial=True)
        return [self.lexical_weight * self.lexical(topic, sentence, passage, acronyms)
                + (1 - self.lexical_weight) * float(sim)
                for (sentence, passage), sim in zip(pairs, semantic)]

    def __call__(self, topic: str, sentence: str, passage: Document) -> float:
        return self.score_many(topic, [(sentence, passage)])[0]


def score_relevance(relevance: RelevanceFn, topic: str, pairs: Sequence[tuple[str, Document]],
                    vectors: np.ndarray | None = None) -> list[float]:
    """Any relevance function over a batch: its `score_many` when it has one, else one call per pair."""
    many = getattr(relevance, "score_many", None)
    if many is not None:
        return list(many(topic, pairs, vectors))
    return [float(relevance(topic, sentence, passage)) for sentence, passage in pairs]
