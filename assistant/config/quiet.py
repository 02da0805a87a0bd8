"""Clean console output: the libraries' own noise off, our messages and progress bars on.

`configure()` is called once, by the `briefing` command's main(); importing this module changes
nothing. What it turns off, and why each is noise for the user:

- huggingface_hub / transformers progress bars ("Loading weights" on every start of the torch
  backend and of the first ONNX export): `HF_HUB_DISABLE_PROGRESS_BARS`, which transformers
  follows; transformers' advisories: `TRANSFORMERS_VERBOSITY=error`. Both are set only when the
  user has not set them, and must be set before those libraries are imported (main() runs first).
- library log records below WARNING: bm25s sets its own logger to DEBUG when imported ("DEBUG:bm25s:
  Building index from tokens"); they reached the console once anything configured the root logger
  (ONNX Runtime's quantizer calls `logging.warning`, which installs a catch-all handler). Our root
  handler passes WARNING and above only.

`model_export()` wraps the one-off ONNX export: the tracer's and exporter's advisories about the
model's code (TracerWarning, torch.onnx UserWarnings and the legacy exporter's DeprecationWarnings)
and the quantizer's pre-processing advice are expected there and say nothing the user can act on.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from contextlib import contextmanager

LIBRARY_SWITCHES = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}
_QUANTIZER_ADVICE = "Please consider to run pre-processing before quantization"


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted (the CLI's tests swap it)."""

    def __init__(self, level: int, fmt: str):
        super().__init__()
        self.setLevel(level)
        self.setFormatter(logging.Formatter(fmt))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure() -> None:
    """Quiet the libraries for a command-line run; our own `assistant.*` messages (INFO and up) show, printed
    above any progress bar on screen while `progress_safe()` is in effect."""
    for name, value in LIBRARY_SWITCHES.items():
        os.environ.setdefault(name, value)
    if "huggingface_hub" in sys.modules:  # imported already (an in-process caller): switch it directly
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:
        import transformers

        transformers.logging.disable_progress_bar()
        transformers.logging.set_verbosity_error()
    root = logging.getLogger()
    if not any(isinstance(handler, _Stderr) for handler in root.handlers):
        root.addHandler(_Stderr(logging.WARNING, "%(levelname)s %(name)s: %(message)s"))
    ours = logging.getLogger("assistant")
    if not any(isinstance(handler, _Stderr) for handler in ours.handlers):
        ours.addHandler(_Stderr(logging.INFO, "%(message)s"))
    ours.setLevel(logging.INFO)
    ours.propagate = False


def progress_safe():
    """Within it, our messages are printed above any tqdm progress bar, which redraws below them
    (tqdm's own logging redirect)."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm(loggers=[logging.getLogger("assistant")])


def _not_quantizer_advice(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith(_QUANTIZER_ADVICE)


@contextmanager
def model_export():
    """Around torch.onnx.export and ONNX Runtime quantization of the bundled model."""
    import torch

    root = logging.getLogger()
    placeholder = None if root.handlers else logging.NullHandler()  # so `logging.warning` adds no handler
    if placeholder is not None:
        root.addHandler(placeholder)
    root.addFilter(_not_quantizer_advice)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx(\.|$)")
            # The legacy TorchScript exporter is what turns this model into ONNX; its deprecation notices
            # say nothing a user or a test run can act on (the export is pinned to torch 2.13).
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*(legacy TorchScript-based ONNX"
                                    r" export|feature will be removed)")
            yield
    finally:
        root.removeFilter(_not_quantizer_advice)
        if placeholder is not None:
            root.removeHandler(placeholder)
