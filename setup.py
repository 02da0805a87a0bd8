"""Only the package list is computed here; everything else is declared in pyproject.toml.

Every package under assistant/ (found, so a new subpackage ships without a config change), plus
`assistant.prompt_files`: the top-level prompts/ folder, mapped into the package by pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["assistant", "assistant.*"]) + ["assistant.prompt_files"])
