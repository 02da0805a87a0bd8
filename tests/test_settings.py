"""The settings object: every setting read from its variable (the README's Configuration table lists each),
defaults when unset or empty, relative paths from the working directory, one clear line for a bad value."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO

from assistant.config.settings import Settings, variables


def test_every_variable_has_its_readme_row_and_every_row_a_setting():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`((?:BRIEFING|OPENAI)_[A-Z_]+)`", row)}
    assert documented == set(variables().values())


def test_values_are_parsed_and_unset_or_empty_ones_keep_their_defaults(tmp_path):
    settings = Settings.from_env({"BRIEFING_TOP_K": "9", "BRIEFING_LEVELS": "low, high", "BRIEFING_HOST": "",
                                  "BRIEFING_LLM_TIMEOUT": "2.5", "BRIEFING_HOME": "state"}, cwd=tmp_path)
    assert (settings.top_k, settings.levels, settings.host, settings.llm_timeout) == (9, ("low", "high"), "127.0.0.1", 2.5)
    assert settings.home == tmp_path / "state" and settings.knowledge_dir == tmp_path / "knowledge"
    assert settings.port == 7860 and settings.refusal_threshold is None
    assert replace(settings, collection="squad").collection == "squad"  # evals derive a run's settings this way


def test_the_api_key_is_never_shown():
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-secret", "BRIEFING_LLM_MODEL": "m"}, cwd=Path("/"))
    assert settings.llm_configured and "sk-secret" not in repr(settings)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BRIEFING_TOP_K", "0", "BRIEFING_TOP_K must be greater than 0, got '0'"),
    ("BRIEFING_PORT", "eighty", "BRIEFING_PORT must be a valid integer"),
    ("BRIEFING_MAX_FILE_MB", "-1", "BRIEFING_MAX_FILE_MB must be greater than 0"),
    ("BRIEFING_REFUSAL_THRESHOLD", "high", "BRIEFING_REFUSAL_THRESHOLD must be a valid number"),
])
def test_a_bad_value_is_one_clear_error(name, value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings.from_env({name: value})


def test_the_cli_reports_a_bad_value_in_one_line(monkeypatch, capsys):
    from assistant.surfaces.cli import main

    monkeypatch.setenv("BRIEFING_TOP_K", "many")
    assert main(["ask", "Who led the delegation?"]) == 2
    assert capsys.readouterr().err.strip() == (
        "briefing: error: BRIEFING_TOP_K must be a valid integer, unable to parse string as an integer, got 'many'")
