"""A non-editable install works: the wheel carries the prompts, and its `briefing` answers in both modes.

The wheel is built from a copy of the project whose answer prompt carries a marker line, and
installed into a fresh virtual environment that borrows this environment's dependencies (a .pth
line, so nothing is downloaded). `briefing` then runs from a folder outside the checkout: the LLM
request must carry the marker, which only the installed wheel holds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from pathlib import Path

import pytest
from conftest import KNOWLEDGE, REPO
from openai_stub import OpenAIStub

pytestmark = pytest.mark.slow


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert run.returncode == 0, f"{command[:4]} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _build_wheel(tmp_path: Path, marker: str) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for folder in ("assistant", "prompts"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    system_prompt = source / "prompts" / "answer_system.md"
    system_prompt.write_text(system_prompt.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          str(source), "-w", str(dist)])
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    modules = {f"assistant/{path.relative_to(source / 'assistant').as_posix()}" for path in (source / "assistant").rglob("*.py")}
    prompts = {f"assistant/prompt_files/{path.name}" for path in (source / "prompts").glob("*.md")}
    assert prompts and modules | prompts <= shipped, sorted(modules | prompts - shipped)
    return wheel


def _install(wheel: Path, venv: Path) -> Path:
    """A fresh venv holding the wheel; its other dependencies come from this environment's site-packages."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # A plain path line: the project venv's own .pth files (the editable install's finder) are not run.
    (purelib / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)])
    return venv / "bin"


def test_the_installed_wheel_answers_in_both_modes_with_its_own_prompts(tmp_path):
    marker = f"(prompt shipped in the wheel {uuid.uuid4().hex})"
    bin_dir = _install(_build_wheel(tmp_path, marker), tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BRIEFING_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"BRIEFING_HOME": str(tmp_path / "home"), "BRIEFING_KNOWLEDGE": str(KNOWLEDGE),
            "BRIEFING_EMBEDDINGS": "torch", "HF_HUB_OFFLINE": "1", "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}

    where = _run([str(bin_dir / "python"), "-c",
                  "import assistant, assistant.answer.prompts as p; print(assistant.__file__); print(p.prompt_file('answer_system'))"],
                 cwd=elsewhere, env=env).stdout.split()
    assert all(Path(path).is_relative_to(tmp_path / "venv") for path in where), where

    def reply(body):
        assert marker in body["messages"][0]["content"], "the system prompt did not come from the installed wheel"
        user = body["messages"][-1]["content"]
        n = next(block.split("]")[0] for block in user.split("\n[") if "Khushal Khan" in block).strip("[")
        return f"The delegation was led by Khushal Khan [{n}]."

    with OpenAIStub(reply) as stub:
        llm_env = env | {"OPENAI_BASE_URL": stub.base_url, "BRIEFING_LLM_MODEL": "stub-model", "OPENAI_API_KEY": "sk-test"}
        run = _run([str(bin_dir / "briefing"), "ask", "--json", "Who led the Pakistani government delegation on the January 2024 study visit to Kenya?"], cwd=elsewhere, env=llm_env)
    assert stub.requests, "the LLM endpoint was never asked"
    result = json.loads(run.stdout)
    assert result["mode"] == "llm" and "Khushal Khan" in result["answer"], result
    assert result["citations"] and all(c["supported"] for c in result["citations"])
    assert "Khushal Khan" in result["citations"][0]["quote"]

    run = _run([str(bin_dir / "briefing"), "ask", "--json", "Which border points did the Pakistani delegation visit in Kenya?"],
               cwd=elsewhere, env=env)
    result = json.loads(run.stdout)
    assert result["mode"] == "extractive" and "Namanga" in result["answer"] and result["citations"], result
