"""all-MiniLM-L6-v2 through ONNX Runtime: exported once from the bundled weights, cached under
the state root, optionally int8-quantized. Same tokenizer, mean pooling and normalisation as
sentence-transformers; once the file exists, torch is not loaded at all."""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.index.embeddings import MODEL_SHA256, MiniLMEmbeddings

_EXPORT_LOCK = threading.Lock()
LOG = logging.getLogger(__name__)


def export_onnx(target: Path, quantize: bool) -> Path:
    """Write the ONNX model (and its int8 variant when asked) to `target`, atomically."""
    from assistant.config.quiet import model_export

    LOG.info("First start: exporting the embedding model to ONNX%s, kept at %s ...", " (int8)" if quantize else "", target)
    with model_export():
        return _export(target, quantize)


def _export(target: Path, quantize: bool) -> Path:
    import torch

    torch_model = MiniLMEmbeddings().model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    fp32 = target.with_name(target.stem.replace("-int8", "") + ".onnx")
    staging = fp32.with_suffix(".onnx.tmp")
    sample = torch.ones((1, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        LastHiddenState(torch_model), (sample, sample, torch.zeros_like(sample)), str(staging),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        opset_version=17, dynamo=False,
    )
    os.replace(staging, fp32)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        staging = target.with_suffix(".onnx.tmp")
        quantize_dynamic(str(fp32), str(staging), weight_type=QuantType.QInt8)
        os.replace(staging, target)
    return target


class OnnxEmbeddings(MiniLMEmbeddings):
    """LangChain `Embeddings` running the bundled model with ONNX Runtime (`quantized`: int8 weights)."""

    def __init__(self, cache_dir: Path, quantized: bool = False, batch_size: int = 64):
        super().__init__(batch_size=batch_size)
        self.quantized = quantized
        suffix = "-int8" if quantized else ""
        self.path = cache_dir / f"all-MiniLM-L6-v2-{MODEL_SHA256[:12]}{suffix}.onnx"

    @property
    def backend(self) -> str:
        return "onnx-int8" if self.quantized else "onnx"

    @cached_property
    def session(self):
        import onnxruntime

        with _EXPORT_LOCK:
            if not self.path.exists():
                export_onnx(self.path, self.quantized)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        # No spinning: an idle intra-op thread that spins for work burns the CPU that a server's other answers need
        # (measured on 2 cores with 16 sessions: about a third less CPU a question, in process and served).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def _hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]

    def _encode(self, texts: list[str]) -> list[list[float]]:
        """Vectors in the order of `texts`."""
        vectors, _ = self.embed_with_spans(texts, [[] for _ in texts])
        return vectors.tolist()
