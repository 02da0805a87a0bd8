"""Prompts are files in `prompts/`, loaded by name and rendered strictly (a missing variable is an error)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


@lru_cache(maxsize=None)
def _template(name: str):
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in {PROMPTS_DIR}")
    return _ENV.from_string(path.read_text(encoding="utf-8"))


def render(name: str, **variables) -> str:
    return _template(name).render(**variables)


def version(*names: str) -> str:
    """A short hash of the named prompt files, recorded with each answer they shaped."""
    import hashlib

    digest = hashlib.sha256()
    for name in names:
        digest.update((PROMPTS_DIR / f"{name}.md").read_bytes())
    return digest.hexdigest()[:12]
