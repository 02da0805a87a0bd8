"""Honest streaming: what reaches the reader while an answer is being written.

- A language model's reply arrives a few characters at a time. `VerifiedSentences` holds them back until a
  sentence is complete (the next one has begun, or the reply has ended), checks that sentence against the
  passages it cites, and passes it on only when they support it: a sentence the passages do not support (a
  hijacked one, an invented one) is never sent.
- An embedded answer is composed whole; once verified, its supported sentences are sent one at a time
  (`supported_sentences`).

Either way a delta is a whole, verified sentence with its markers, never a word.
"""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.documents import Document

from assistant.answer.types import Answer, AnswerDelta, passage_text
from assistant.answer.verification import CitationVerifier
from assistant.text.sentences import split_sentences


class VerifiedSentences:
    """A model's reply, fed piece by piece; out come its complete sentences that the passages they cite (numbered
    from 1 in the order given to the model) support."""

    def __init__(self, passages: list[Document], verifier: CitationVerifier):
        self.numbered = {n: passage_text(p) for n, p in enumerate(passages, start=1)}
        self.verifier = verifier
        self.text = ""
        self.done = 0
        self.sent = 0
        self.withheld: list[str] = []
        """Sentences held back because their passages do not support them."""

    def _release(self, sentences: list[str]) -> Iterator[AnswerDelta]:
        for sentence in sentences:
            checks = self.verifier.check(sentence, self.numbered)
            if checks and all(check.supported for check in checks):
                yield AnswerDelta((" " if self.sent else "") + sentence)
                self.sent += 1
            else:
                self.withheld.append(sentence)

    def feed(self, piece: str) -> Iterator[AnswerDelta]:
        """Take a piece of the reply; yield the sentences it completed that their passages support."""
        self.text += piece
        complete = split_sentences(self.text)[:-1]  # the last may still be growing
        yield from self._release(complete[self.done:])
        self.done = max(self.done, len(complete))

    def finish(self) -> Iterator[AnswerDelta]:
        """The reply has ended: its last sentence is complete."""
        sentences = split_sentences(self.text)
        yield from self._release(sentences[self.done:])
        self.done = len(sentences)


def supported_sentences(answer: Answer) -> Iterator[AnswerDelta]:
    """A verified answer's sentences that their passages support, one at a time, with their markers (a refusal:
    its text, whole)."""
    sentences = split_sentences(answer.text)
    if answer.refused or len(sentences) != len(answer.sentences):
        yield AnswerDelta(answer.text)
        return
    supported = [sentence for sentence, check in zip(sentences, answer.sentences) if check.supported]
    for n, sentence in enumerate(supported):
        yield AnswerDelta((" " if n else "") + sentence)
