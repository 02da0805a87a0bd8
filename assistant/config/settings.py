"""One settings object, read once from the environment and passed down.

Every setting is a field of `Settings`: its type, its default and the environment variable it is read
from, in one place. pydantic parses and checks the values ("BRIEFING_TOP_K must be greater than 0, got
'0'"); an unset or empty variable leaves the default. `Settings` stays a frozen dataclass, so
`dataclasses.replace(settings, ...)` derives the settings of one run (an eval's temporary state root).

Every piece of state (the Chroma store, caches) lives under one root, `.briefing/` in the working
directory unless `BRIEFING_HOME` moves it. Reading settings creates nothing on disk.
"""

import os
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import (BeforeValidator, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, TypeAdapter,
                      ValidationError)
from pydantic.fields import FieldInfo

from assistant.config.limits import MB, FileLimits
from assistant.config.origins import parse_origins


def env(name: str) -> FieldInfo:
    """The environment variable a setting is read from."""
    return Field(validation_alias=name)


def _comma_separated(value):
    return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value


def _origins(value):
    return parse_origins(value, "BRIEFING_ALLOWED_ORIGINS") if isinstance(value, str) else value


@dataclass(frozen=True)
class Settings:
    """Where state lives and how retrieval and answering are tuned."""

    home: Annotated[Path, env("BRIEFING_HOME")] = Path(".briefing")
    """The state root (relative: to the working directory)."""
    knowledge_dir: Annotated[Path, env("BRIEFING_KNOWLEDGE")] = Path("knowledge")
    """The folder indexed by default."""
    collection: Annotated[str, env("BRIEFING_COLLECTION")] = "briefing"
    top_k: Annotated[PositiveInt, env("BRIEFING_TOP_K")] = 10
    """Passages retrieved for the answerer to choose among."""
    refusal_threshold: Annotated[float | None, env("BRIEFING_REFUSAL_THRESHOLD")] = None
    """The confidence an answer needs; None: the operating point chosen when the answer models were trained."""
    host: Annotated[str, env("BRIEFING_HOST")] = "127.0.0.1"
    port: Annotated[PositiveInt, env("BRIEFING_PORT")] = 7860
    llm_model: Annotated[str, env("BRIEFING_LLM_MODEL")] = ""
    llm_base_url: Annotated[str, env("OPENAI_BASE_URL")] = ""
    llm_api_key: Annotated[str, env("OPENAI_API_KEY")] = field(default="", repr=False)
    llm_timeout: Annotated[PositiveFloat, env("BRIEFING_LLM_TIMEOUT")] = 60.0
    llm_retries: Annotated[NonNegativeInt, env("BRIEFING_LLM_RETRIES")] = 2
    embeddings: Annotated[str, env("BRIEFING_EMBEDDINGS")] = "onnx-int8"
    """The embedding backend: onnx-int8 (default: the eval shows no accuracy loss), onnx or torch."""
    chroma_url: Annotated[str, env("BRIEFING_CHROMA_URL")] = ""
    """A Chroma server (`http://host:port`) instead of the embedded store; empty: embedded."""
    database_url: Annotated[str, env("BRIEFING_DATABASE_URL")] = field(default="", repr=False)
    """The database of users, audit, feedback, uploads, log-in counters and library changes, as a SQLAlchemy URL
    (`postgresql+psycopg://user:password@host/briefing` for several servers); empty: a SQLite file under the state
    root. Never printed: it may hold a password."""
    server_name: Annotated[str, env("BRIEFING_SERVER_NAME")] = ""
    """How this process is named in the audit log's `server` column; empty: host name and process id."""
    max_file_mb: Annotated[PositiveFloat, env("BRIEFING_MAX_FILE_MB")] = 50.0
    """Largest file accepted, by ingest and by the web app (checked before an upload is stored)."""
    max_text_mb: Annotated[PositiveFloat, env("BRIEFING_MAX_TEXT_MB")] = 5.0
    """Most extracted text one file may yield (text and Markdown files larger than this are refused unread)."""
    max_inflated_mb: Annotated[PositiveFloat, env("BRIEFING_MAX_INFLATED_MB")] = 100.0
    """Most a DOCX (a zip) may inflate to; its XML parts may inflate to a quarter of this."""
    max_passages: Annotated[PositiveInt, env("BRIEFING_MAX_PASSAGES")] = 3000
    """Most passages one file may be split into."""
    max_upload_files: Annotated[PositiveInt, env("BRIEFING_MAX_UPLOAD_FILES")] = 20
    """Most files in one upload request."""
    max_upload_mb: Annotated[PositiveFloat, env("BRIEFING_MAX_UPLOAD_MB")] = 100.0
    """Most bytes in one upload request, all files together."""
    login_max_failures: Annotated[PositiveInt, env("BRIEFING_LOGIN_MAX_FAILURES")] = 5
    """Failed log-ins an account or a client address may make before it must wait."""
    login_lockout_s: Annotated[NonNegativeFloat, env("BRIEFING_LOGIN_LOCKOUT_S")] = 30.0
    """The first wait after too many failed log-ins; it doubles with each further failure (at most 1 hour)."""
    max_question_chars: Annotated[PositiveInt, env("BRIEFING_MAX_QUESTION_CHARS")] = 2000
    allowed_origins: Annotated[tuple[str, ...], BeforeValidator(_origins), env("BRIEFING_ALLOWED_ORIGINS")] = ()
    """Other web origins whose pages may call the app with a signed-in user's session (none by default: only the
    app's own pages may)."""
    levels: Annotated[tuple[str, ...], BeforeValidator(_comma_separated), env("BRIEFING_LEVELS")] = (
        "public", "official", "restricted")
    """Classification levels, lowest first (`BRIEFING_LEVELS=public,official,restricted`)."""

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
    def database_file(self) -> Path:
        """The embedded database (SQLite) used when no `BRIEFING_DATABASE_URL` is set."""
        return self.home / "briefing.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, cwd: Path | None = None) -> "Settings":
        """The settings `environ` (default: the process environment) gives; paths made absolute from `cwd`."""
        environ = os.environ if environ is None else environ
        given = {name: environ[name] for name in variables().values() if environ.get(name)}
        try:
            settings = _validator().validate_python(given)
        except ValidationError as exc:
            raise ValueError("; ".join(_explain(error) for error in exc.errors())) from None
        cwd = cwd or Path.cwd()
        return replace(settings, home=_absolute(settings.home, cwd), knowledge_dir=_absolute(settings.knowledge_dir, cwd))


def variables() -> dict[str, str]:
    """Each setting's environment variable, by field name."""
    return {f.name: next(m.validation_alias for m in f.type.__metadata__ if isinstance(m, FieldInfo))
            for f in fields(Settings)}


@cache
def _validator() -> TypeAdapter:
    return TypeAdapter(Settings)


def _absolute(path: Path, cwd: Path) -> Path:
    path = path.expanduser()
    return (path if path.is_absolute() else cwd / path).resolve()


def _explain(error: dict) -> str:
    if error["type"] == "value_error":  # a check of our own, whose message names the setting
        return error["msg"].removeprefix("Value error, ")
    name = error["loc"][0] if error["loc"] else "a setting"
    return f"{name} must be {error['msg'].removeprefix('Input should be ')}, got {error['input']!r}"
