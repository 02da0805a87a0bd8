"""The `briefing` command line: ingest, ask, serve."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.embeddings import ModelUnavailable
from assistant.settings import Settings
from assistant.tokens import EncodingUnavailable


class UserError(Exception):
    """Something the user can fix; printed as one line, exit status 2."""


def _assistant(settings: Settings):
    from assistant.chain import Assistant

    return Assistant.from_settings(settings)


def _print_report(report, verbose: bool = True) -> None:
    for source, reason in report.failed:
        print(f"failed: {source}: {reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr if not verbose else sys.stdout)


def _ensure_index(assistant) -> None:
    if assistant.store.count():
        return
    if not assistant.settings.knowledge_dir.is_dir():
        raise UserError(f"no index yet and no knowledge folder at {assistant.settings.knowledge_dir}; run `briefing ingest PATH`")
    print(f"No index yet: building it from {assistant.settings.knowledge_dir} ...", file=sys.stderr)
    report = assistant.ensure_index()
    _print_report(report, verbose=False)


def cmd_ingest(args, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths] or [settings.knowledge_dir]
    assistant = _assistant(settings)
    report = assistant.ingest(paths)
    _print_report(report)
    return 0 if report.ok else 1


def _read_history(path: str | None) -> list[dict]:
    if not path:
        return []
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        history = json.loads(text)
    except OSError as exc:
        raise UserError(f"cannot read history file {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"history file {path} is not valid JSON: {exc}") from None
    from assistant.chain import validate_history

    try:
        return validate_history(history)
    except ValueError as exc:
        raise UserError(f"history file {path}: {exc}") from None


def cmd_ask(args, settings: Settings) -> int:
    history = _read_history(args.history)
    if not args.question.strip():
        raise UserError("the question is empty")
    assistant = _assistant(settings)
    _ensure_index(assistant)
    answer = assistant.ask(args.question, history)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
    print(answer.text)
    if answer.citations:
        print()
        for citation in answer.citations:
            where = f", {citation.section}" if citation.section else ""
            print(f"[{citation.n}] {citation.title}{where} ({citation.source})")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from assistant.ui import launch

    assistant = _assistant(settings)
    _ensure_index(assistant)
    launch(assistant, host=args.host or settings.host, port=args.port or settings.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Study-visit briefing assistant: cited answers from your documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index files or folders (default: knowledge/)")
    ingest.add_argument("paths", nargs="*", help="files or folders; default: the knowledge folder")
    ingest.set_defaults(run=cmd_ingest)

    ask = commands.add_parser("ask", help="ask one question and print the cited answer")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object (question, answer, refused, citations)")
    ask.add_argument("--history", metavar="FILE", help="JSON list of earlier {role, content} messages ('-' reads stdin)")
    ask.set_defaults(run=cmd_ask)

    serve = commands.add_parser("serve", help="start the chat UI")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return args.run(args, settings)
    except (UserError, ValueError, ModelUnavailable, EncodingUnavailable) as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
