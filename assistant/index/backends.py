"""The embedding backend named in the settings: torch (sentence-transformers) or ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.onnx_embeddings import OnnxEmbeddings


def make_embeddings(backend: str, cache_dir: Path) -> MiniLMEmbeddings:
    """`torch` (sentence-transformers), `onnx` or `onnx-int8` (ONNX Runtime, exported once into `cache_dir`)."""
    if backend == "torch":
        return MiniLMEmbeddings()
    if backend in ("onnx", "onnx-int8"):
        return OnnxEmbeddings(cache_dir, quantized=backend == "onnx-int8")
    raise ValueError(f"BRIEFING_EMBEDDINGS must be torch, onnx or onnx-int8, got {backend!r}")
