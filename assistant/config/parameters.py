"""The tunable parameters: thresholds, weights and word lists, read from the versioned
`parameters.toml` beside this module (package data), once per process."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files


@cache
def parameters() -> dict:
    """The parameters file as a mapping; `parameters()["version"]` is recorded in eval reports."""
    return tomllib.loads(files("assistant.config").joinpath("parameters.toml").read_text(encoding="utf-8"))
