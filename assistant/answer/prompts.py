"""Prompts are files in `prompts/`, loaded by name and rendered strictly (a missing variable is an error).

The folder ships inside the package as `assistant.prompt_files` (pyproject.toml maps it), so the
prompts are found through importlib.resources in a checkout, an editable install and a wheel alike."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from jinja2 import Environment, StrictUndefined

PROMPTS_PACKAGE = "assistant.prompt_files"
_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def prompt_file(name: str) -> Traversable:
    """The file of the prompt `name` (FileNotFoundError when there is none)."""
    path = resources.files(PROMPTS_PACKAGE) / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in {resources.files(PROMPTS_PACKAGE)}")
    return path


@lru_cache(maxsize=None)
def _template(name: str):
    return _ENV.from_string(prompt_file(name).read_text(encoding="utf-8"))


def render(name: str, **variables) -> str:
    return _template(name).render(**variables)


def version(*names: str) -> str:
    """A short hash of the named prompt files, recorded with each answer they shaped."""
    import hashlib

    digest = hashlib.sha256()
    for name in names:
        digest.update(prompt_file(name).read_bytes())
    return digest.hexdigest()[:12]
