"""The `briefing` command line: ingest, ask, serve."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant import quiet
from assistant.embeddings import ModelUnavailable
from assistant.filters import SearchFilter
from assistant.settings import Settings
from assistant.tokens import EncodingUnavailable


class UserError(Exception):
    """Something the user can fix; printed as one line, exit status 2."""


def _assistant(settings: Settings, clearance: str | None = None):
    from assistant.chain import Assistant

    return Assistant.from_settings(settings).for_clearance(clearance)


def _print_report(report, verbose: bool = True) -> None:
    for source, reason in report.failed:
        print(f"failed: {source}: {reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr if not verbose else sys.stdout)


def _ensure_index(assistant) -> None:
    stored = assistant.store.embedder()
    if stored is not None and stored != assistant.embeddings.backend:
        print(f"The index was embedded with {stored}; re-embedding it with {assistant.embeddings.backend} ...",
              file=sys.stderr)
        _print_report(assistant.ingest(), verbose=False)
        return
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
    search_filter = SearchFilter(tuple(args.kind or ()), tuple(args.source or ()), args.since, args.until)
    assistant = _assistant(settings, args.clearance)
    _ensure_index(assistant)
    answer = assistant.ask(args.question, history, search_filter)
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


def cmd_eval(args, settings: Settings) -> int:
    import datetime as dt

    from assistant.chain import PIPELINES
    from assistant.eval_data import load_dataset
    from assistant.eval_runner import check_gate, metrics_table, run_eval, write_report

    items = load_dataset(Path(args.dataset))
    unknown = [name for name in args.configs if name not in PIPELINES]
    if unknown:
        raise UserError(f"unknown configuration {', '.join(unknown)}; choose from {', '.join(PIPELINES)}")
    thresholds = None
    if args.gate:
        try:
            thresholds = json.loads(Path(args.gate).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"cannot read gate thresholds {args.gate}: {exc}") from None
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out) if args.out else Path("evals/results") / stamp / "results.jsonl"
    assistant = _assistant(settings, args.clearance)
    _ensure_index(assistant)
    judge = None
    if settings.llm_configured:
        from assistant.eval_judge import LLMJudge
        from assistant.llm import chat_model

        judge = LLMJudge(chat_model(settings), settings.llm_model)
    run = run_eval(assistant, items, [PIPELINES[name] for name in args.configs], Path(args.dataset), out,
                   llm_judge=judge)
    md_path, json_path = write_report(run)
    failures = check_gate(run.report, thresholds) if thresholds else []
    if args.json:
        print(json.dumps(run.report | {"gate_failures": failures}, indent=2))
    else:
        print(metrics_table(run.report))
        print(f"\nresults: {out}\nreport: {md_path} and {json_path}")
    for failure in failures:
        print(f"gate failed: {failure}", file=sys.stderr)
    if thresholds and not failures:
        print(f"gate passed ({args.gate})", file=sys.stderr)
    return 1 if failures else 0


def cmd_brief(args, settings: Settings) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".md", ".docx"):
        raise UserError(f"--out must end in .md or .docx, got {args.out}")
    if not (args.topic or "").strip() and not args.docs:
        raise UserError("give a TOPIC, --docs, or both")
    assistant = _assistant(settings, args.clearance)
    _ensure_index(assistant)
    visible = assistant.visible
    known = {s for s, d in assistant.store.documents().items() if visible is None or d.classification in visible}
    unknown = [d for d in args.docs or [] if d not in known]
    if unknown:
        raise UserError(f"not in the index: {', '.join(unknown)} (see the sources listed by `briefing ingest`)")
    briefing = assistant.brief(args.topic or "", tuple(args.docs or ()))
    briefing.save(out)
    bullets = sum(len(b) for b in briefing.sections.values())
    print(f"wrote {out}: {bullets} bullets with citations from {len(briefing.sources)} passages"
          f" ({briefing.mode}; {briefing.dropped} unsupported bullets dropped)")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from assistant.access import Levels, Users
    from assistant.ui import launch

    assistant = _assistant(settings)
    _ensure_index(assistant)
    users = Users(settings.users_file, Levels(settings.levels))
    if users.exists():
        print(f"Log-in required: users from {settings.users_file}.", file=sys.stderr)
    else:
        print(f"No users file ({settings.users_file}): running as a single local user with the highest clearance. "
              "Add users with `briefing users add NAME --clearance LEVEL --role ROLE`.", file=sys.stderr)
    launch(assistant, host=args.host or settings.host, port=args.port or settings.port,
           users=users if users.exists() else None)
    return 0


def _print_library_changes(changes, as_json: bool) -> int:
    if as_json:
        from dataclasses import asdict

        print(json.dumps([asdict(c) for c in changes], ensure_ascii=False, indent=2))
        return 0
    for c in changes:
        print(f"#{c.id} {c.time} {c.user} {c.action} {c.source} ({c.detail})")
    if not changes:
        print("no library changes recorded", file=sys.stderr)
    return 0


def cmd_audit(args, settings: Settings) -> int:
    from assistant.audit import AuditLog

    if args.library:
        return _print_library_changes(AuditLog(settings.audit_file).changes(limit=args.limit), args.json)
    records = AuditLog(settings.audit_file).list(user=args.user, since=args.since, limit=args.limit)
    if args.json:
        from dataclasses import asdict

        print(json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    for r in records:
        status = "refused" if r.refused else f"{len(r.citations)} citations"
        print(f"#{r.id} {r.time} {r.user} ({r.clearance}) [{r.mode}{', ' + r.model if r.model else ''}] "
              f"{r.question!r} -> {status}")
    if not records:
        print("no audit records", file=sys.stderr)
    return 0


def cmd_replay(args, settings: Settings) -> int:
    from assistant.audit import AuditLog
    from assistant.replay import replay

    record = AuditLog(settings.audit_file).get(args.id)
    assistant = _assistant(settings)
    _ensure_index(assistant)
    report = replay(assistant, record)
    print(f"replaying #{record.id} ({record.time}, {record.user}): {record.question}")
    for line in report.changes():
        print(line)
    return 0


def cmd_users_add(args, settings: Settings) -> int:
    import getpass

    from assistant.access import Levels, Users

    users = Users(settings.users_file, Levels(settings.levels))
    Levels(settings.levels).check(args.clearance)
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise UserError("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    users.add(args.name, password, args.clearance, args.role)
    print(f"user {args.name} saved with clearance {args.clearance} and role {args.role} in {settings.users_file}")
    return 0


def cmd_remove(args, settings: Settings) -> int:
    from assistant.library import Library

    assistant = _assistant(settings)
    removed = Library(assistant, protect_knowledge=False).remove(args.source)
    print(f"removed {args.source} ({removed} passages) from the index; a file still on disk comes back at the next"
          " `briefing ingest` of its folder")
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
    ask.add_argument("--kind", action="append", help="only documents of this kind (repeatable), e.g. visit-report")
    ask.add_argument("--source", action="append", help="only this document, by its indexed path (repeatable)")
    ask.add_argument("--since", metavar="DATE", help="only documents dated on or after DATE (2024, 2024-01 or 2024-01-26)")
    ask.add_argument("--until", metavar="DATE", help="only documents dated on or before DATE")
    ask.set_defaults(run=cmd_ask)

    evaluate = commands.add_parser("eval", help="run the eval data set and report accuracy, citation and refusal metrics")
    evaluate.add_argument("--dataset", default="evals/gold.jsonl", help="JSONL with at least `question` per line (default: evals/gold.jsonl)")
    evaluate.add_argument("--out", help="results JSONL (default: evals/results/<time>/results.jsonl); reports are written beside it")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--config", dest="configs", action="append", metavar="NAME",
                          help="pipeline variant to evaluate, repeatable (default: dense, hybrid and current)")
    evaluate.add_argument("--gate", metavar="FILE", help="thresholds JSON; exit 1 when a metric is below its minimum")
    evaluate.set_defaults(run=cmd_eval)

    brief = commands.add_parser("brief", help="write a briefing note with cited bullets (Markdown or DOCX)")
    brief.add_argument("topic", nargs="?", default="", help="what the briefing is about")
    brief.add_argument("--docs", nargs="+", metavar="SOURCE", help="only these indexed documents (their paths)")
    brief.add_argument("--out", required=True, metavar="FILE", help="FILE.md or FILE.docx")
    brief.set_defaults(run=cmd_brief)

    users = commands.add_parser("users", help="manage the users who may log in to the UI")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    users_add = users_commands.add_parser("add", help="add or update a user (password prompted, or read from stdin)")
    users_add.add_argument("name")
    users_add.add_argument("--clearance", required=True, help="the highest classification this user may see")
    users_add.add_argument("--role", default="reader", choices=("reader", "editor", "admin"),
                           help="reader: ask, brief, export; editor: also upload, replace and remove documents within"
                                " their clearance; admin: also manage users (default: reader)")
    users_add.set_defaults(run=cmd_users_add)

    remove = commands.add_parser("remove", help="remove a document from the index (any document, knowledge/ included)")
    remove.add_argument("source", help="the document's indexed path, as `briefing ingest` lists it")
    remove.set_defaults(run=cmd_remove)

    audit = commands.add_parser("audit", help="list recorded answers (provenance), or changes to the library")
    audit.add_argument("--user", help="only this user's answers")
    audit.add_argument("--since", metavar="TIME", help="only answers at or after this ISO time, e.g. 2026-11-28")
    audit.add_argument("--limit", type=int, default=100)
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--library", action="store_true", help="list changes to the library (who, what, when) instead")
    audit.set_defaults(run=cmd_audit)

    replay = commands.add_parser("replay", help="re-run a recorded answer against today's index and show what changed")
    replay.add_argument("id", type=int)
    replay.set_defaults(run=cmd_replay)

    for command in (ask, evaluate, brief):
        command.add_argument("--clearance", metavar="LEVEL",
                             help="answer as a user of this clearance (default: the highest, for the local operator)")

    serve = commands.add_parser("serve", help="start the chat UI")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet.configure()
    if args.command == "eval" and not args.configs:
        args.configs = ["dense", "hybrid", "current"]
    try:
        settings = Settings.from_env()
        return args.run(args, settings)
    except (UserError, ValueError, ModelUnavailable, EncodingUnavailable, OSError) as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
