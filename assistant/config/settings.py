"""One settings object, read once from the environment and passed down.

Every piece of state (the Chroma store, caches) lives under one root,
`.briefing/` in the working directory unless `BRIEFING_HOME` moves it.
Reading settings creates nothing on disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config.limits import MB, FileLimits
from assistant.config.origins import parse_origins


def _env_float(env: dict[str, str], name: str, default: float | None) -> float | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The value of `name`, one of `choices` (the first when unset)."""
    value = env.get(name) or choices[0]
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _env_int(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    value = _env_float(env, name, default)
    if value != int(value) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {env.get(name)!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    """Where state lives and how retrieval and answering are tuned."""

    home: Path
    knowledge_dir: Path
    collection: str = "briefing"
    top_k: int = 6
    refusal_threshold: float | None = None
    """The confidence an answer needs; None: the operating point chosen when the answer selector was trained."""
    host: str = "127.0.0.1"
    port: int = 7860
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 60.0
    llm_retries: int = 2
    embeddings: str = "onnx-int8"
    answerer: str = "heuristic"
    """The embedded answerer: `heuristic` (the default) or `learned` (the SQuAD-trained answer selector)."""
    """The embedding backend: onnx-int8 (default: the eval shows no accuracy loss), onnx or torch."""
    chroma_url: str = ""
    """A Chroma server (`http://host:port`) instead of the embedded store; empty: embedded."""
    max_file_mb: float = 50.0
    """Largest file accepted, by ingest and by the web app (checked before an upload is stored)."""
    max_text_mb: float = 5.0
    """Most extracted text one file may yield (text and Markdown files larger than this are refused unread)."""
    max_inflated_mb: float = 100.0
    """Most a DOCX (a zip) may inflate to; its XML parts may inflate to a quarter of this."""
    max_passages: int = 3000
    """Most passages one file may be split into."""
    max_upload_files: int = 20
    """Most files in one upload request."""
    max_upload_mb: float = 100.0
    """Most bytes in one upload request, all files together."""
    login_max_failures: int = 5
    """Failed log-ins an account or a client address may make before it must wait."""
    login_lockout_s: float = 30.0
    """The first wait after too many failed log-ins; it doubles with each further failure (at most 1 hour)."""
    max_question_chars: int = 2000
    allowed_origins: tuple[str, ...] = ()
    """Other web origins whose pages may call the app with a signed-in user's session (none by default:
    only the app's own pages may)."""
    levels: tuple[str, ...] = ("public", "official", "restricted")
    """Classification levels, lowest first."""

    @property
    def llm_configured(self) -> bool:
        """An LLM is used only when a model is named and an endpoint or key says where it is."""
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    @property
    def file_limits(self) -> FileLimits:
        return FileLimits(
            max_file_bytes=int(self.max_file_mb * MB), max_text_chars=int(self.max_text_mb * MB),
            max_inflated_bytes=int(self.max_inflated_mb * MB), max_passages=self.max_passages,
        )

    @property
    def audit_file(self) -> Path:
        return self.home / "audit.sqlite3"

    @property
    def users_file(self) -> Path:
        return self.home / "users.json"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, cwd: Path | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        cwd = cwd or Path.cwd()
        home = Path(env.get("BRIEFING_HOME") or cwd / ".briefing").expanduser()
        knowledge = Path(env.get("BRIEFING_KNOWLEDGE") or cwd / "knowledge").expanduser()
        return cls(
            home=home.resolve(),
            knowledge_dir=knowledge.resolve(),
            collection=env.get("BRIEFING_COLLECTION") or "briefing",
            top_k=_env_int(env, "BRIEFING_TOP_K", 6),
            refusal_threshold=_env_float(env, "BRIEFING_REFUSAL_THRESHOLD", None),
            host=env.get("BRIEFING_HOST") or "127.0.0.1",
            port=_env_int(env, "BRIEFING_PORT", 7860),
            llm_model=env.get("BRIEFING_LLM_MODEL", ""),
            llm_base_url=env.get("OPENAI_BASE_URL", ""),
            llm_api_key=env.get("OPENAI_API_KEY", ""),
            llm_timeout=_env_float(env, "BRIEFING_LLM_TIMEOUT", 60.0),
            llm_retries=_env_int(env, "BRIEFING_LLM_RETRIES", 2, minimum=0),
            embeddings=env.get("BRIEFING_EMBEDDINGS") or "onnx-int8",
            answerer=_choice(env, "BRIEFING_ANSWERER", ("heuristic", "learned")),
            chroma_url=env.get("BRIEFING_CHROMA_URL", ""),
            max_file_mb=_env_float(env, "BRIEFING_MAX_FILE_MB", 50.0),
            max_text_mb=_env_float(env, "BRIEFING_MAX_TEXT_MB", 5.0),
            max_inflated_mb=_env_float(env, "BRIEFING_MAX_INFLATED_MB", 100.0),
            max_passages=_env_int(env, "BRIEFING_MAX_PASSAGES", 3000),
            max_upload_files=_env_int(env, "BRIEFING_MAX_UPLOAD_FILES", 20),
            max_upload_mb=_env_float(env, "BRIEFING_MAX_UPLOAD_MB", 100.0),
            login_max_failures=_env_int(env, "BRIEFING_LOGIN_MAX_FAILURES", 5),
            login_lockout_s=_env_float(env, "BRIEFING_LOGIN_LOCKOUT_S", 30.0),
            max_question_chars=_env_int(env, "BRIEFING_MAX_QUESTION_CHARS", 2000),
            allowed_origins=parse_origins(env.get("BRIEFING_ALLOWED_ORIGINS", ""), "BRIEFING_ALLOWED_ORIGINS"),
            levels=tuple(l.strip() for l in (env.get("BRIEFING_LEVELS") or "public,official,restricted").split(",") if l.strip()),
        )
