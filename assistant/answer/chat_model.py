"""The chat model behind any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio)."""

from __future__ import annotations

from assistant.config.settings import Settings


class LLMNotConfigured(RuntimeError):
    """No model or endpoint is configured."""


def chat_model(settings: Settings, streaming: bool = False):
    """A langchain-openai `ChatOpenAI` with the configured endpoint, timeout and retries."""
    if not settings.llm_configured:
        raise LLMNotConfigured("set BRIEFING_LLM_MODEL and OPENAI_BASE_URL (or OPENAI_API_KEY) to use an LLM")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url or None,
        # Local servers (Ollama, llama.cpp) take any key; the client insists on one.
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
        temperature=0,
        streaming=streaming,
    )
