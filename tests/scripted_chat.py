"""A scripted chat model at the LangChain boundary.

No LLM can be reached here, so tests of the LLM path use this fake: it subclasses
LangChain's real `BaseChatModel`, sees the real prompt, and answers with what the
test's script returns for it (or raises, to simulate a failing endpoint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class ScriptedChatModel(BaseChatModel):
    script: Callable[[list[BaseMessage]], str]
    calls: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _reply(self, messages: list[BaseMessage]) -> str:
        self.calls.append(messages)
        return self.script(messages)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        text = self._reply(messages)
        for start in range(0, len(text), 7):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[start:start + 7]))


def passage_number(messages: list[BaseMessage], phrase: str) -> int:
    """The number the prompt gave to the first passage containing `phrase`."""
    prompt = messages[-1].content
    for block in prompt.split("\n["):
        head, _, rest = block.partition("]")
        if head.strip("[").isdigit() and phrase in rest:
            return int(head.strip("["))
    raise AssertionError(f"no passage with {phrase!r} in the prompt")
