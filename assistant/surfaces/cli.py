"""The `briefing` command line: the parser and main(); each command lives in `assistant.surfaces.commands`."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from assistant.app.private_state import keep_private
from assistant.config import quiet
from assistant.config.settings import Settings
from assistant.index.embeddings import ModelUnavailable
from assistant.surfaces.commands import (
    UserError,
    cmd_ask,
    cmd_audit,
    cmd_brief,
    cmd_db_upgrade,
    cmd_eval,
    cmd_ingest,
    cmd_remove,
    cmd_replay,
    cmd_serve,
    cmd_users_add,
)
from assistant.text.tokens import EncodingUnavailable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Study-visit briefing assistant: cited answers from your documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index files or folders (default: knowledge/)")
    ingest.add_argument("paths", nargs="*", help="files or folders; default: the knowledge folder")
    ingest.add_argument("--prune", action="store_true",
                        help="also remove the indexed documents of these folders that are no longer on disk (never a"
                             " document uploaded through the app); without it they are listed and kept")
    ingest.add_argument("--as", dest="name", metavar="NAME",
                        help="name the files of the folders given NAME/<path inside> (default: the folder's own name;"
                             " the knowledge folder's files are always knowledge/...)")
    ingest.add_argument("--check", action="store_true",
                        help="then compare each file's own words with what the index stores for it (target: 99.5%% "
                             "of the words on indexed pages); exit status 1 when a file falls short")
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
    evaluate.add_argument("--dataset", help="JSONL with at least `question` per line (default: evals/gold.jsonl;"
                          " with --realdocs: evals/realdocs.jsonl)")
    evaluate.add_argument("--out", help="results JSONL (default: evals/results/<time>/results.jsonl); reports are written beside it")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--config", dest="configs", action="append", metavar="NAME",
                          help="pipeline variant to evaluate, repeatable (default: dense, hybrid and current)")
    evaluate.add_argument("--gate", metavar="FILE", help="thresholds JSON; exit 1 when a metric is below its minimum")
    evaluate.add_argument("--squad", metavar="PART", choices=("train", "calibration", "validation"),
                          help="instead of the gold set, score SQuAD 2.0 articles of this part of the fixed split"
                               " (evals/squad_split.json), no-answer-aware, beside always-refuse and best-BM25-sentence")
    evaluate.add_argument("--squad-data", default="../shared/qa-data/squad2-dev-29.json", metavar="FILE",
                          help="SQuAD 2.0 JSON (default: ../shared/qa-data/squad2-dev-29.json)")
    evaluate.add_argument("--limit", type=int, metavar="N", help="with --squad: only the first N questions")
    evaluate.add_argument("--sample", type=int, metavar="N",
                          help="with --squad: N questions spread evenly over the part's articles")
    evaluate.add_argument("--realdocs", action="store_true",
                          help="instead of the knowledge index, index the real public documents (--realdocs-data)"
                               " into a temporary state root and ask the real-document questions of them")
    evaluate.add_argument("--realdocs-data", default="../shared/realdocs", metavar="FOLDER",
                          help="the real documents, in docs/ and extra/ (default: ../shared/realdocs)")
    evaluate.add_argument("--indomain", action="store_true",
                          help="instead of the gold set, index the whole corpus (knowledge/, --shared's realdocs and devdocs)"
                               " and ask the in-domain questions (evals/indomain) of one part's documents, scored by stage"
                               " beside the heuristic, never-refuse and always-refuse baselines (with --gate: its `indomain` minimums)")
    evaluate.add_argument("--part", choices=("train", "calibration", "test"), default="test",
                          help="with --indomain: whose documents' questions are asked (default: test, never tuned on)")
    evaluate.add_argument("--shared", default="../shared", metavar="FOLDER",
                          help="with --indomain: the folder holding realdocs/ and devdocs/ (default: ../shared)")
    evaluate.add_argument("--briefings", action="store_true",
                          help="instead of the gold set, write a briefing note on each topic of --topics and score key-fact"
                               " recall, off-topic bullets and duplicate bullets (with --gate: its `briefing` thresholds)")
    evaluate.add_argument("--topics", default="evals/briefing_topics.jsonl", metavar="FILE",
                          help="briefing eval topics (default: evals/briefing_topics.jsonl)")
    evaluate.add_argument("--length", choices=("one-page", "standard"), default="standard",
                          help="with --briefings: the length the notes are written at (default: standard)")
    evaluate.set_defaults(run=cmd_eval)

    brief = commands.add_parser("brief", help="write a briefing note with cited bullets (Markdown or DOCX)")
    brief.add_argument("topic", nargs="?", default="", help="what the briefing is about")
    brief.add_argument("--docs", nargs="+", metavar="SOURCE", help="only these indexed documents (their paths)")
    brief.add_argument("--out", required=True, metavar="FILE", help="FILE.md or FILE.docx")
    brief.add_argument("--compare", metavar="TOPIC", help="a second topic: write a comparison note, the two side by side")
    brief.add_argument("--length", choices=("one-page", "standard"), default="standard",
                       help="one-page: 2 bullets a section; standard: 4 (default)")
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

    database = commands.add_parser("db", help="the database of users, audit, feedback, uploads and library changes")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    upgrade = database_commands.add_parser("upgrade", help="create or migrate its schema to this version's (run once,"
                                           " from any one server, before starting servers on a new version)")
    upgrade.set_defaults(run=cmd_db_upgrade)

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
        keep_private(settings.home)
        with quiet.progress_safe():
            return args.run(args, settings)
    except (UserError, ValueError, ModelUnavailable, EncodingUnavailable, OSError) as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # the database went away or refused a statement: one line, no traceback
        print(f"briefing: error: the database failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
