"""What each `briefing` subcommand does: one function per command, taking the parsed arguments and the settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.config.settings import Settings
from assistant.index.filters import SearchFilter


class UserError(Exception):
    """Something the user can fix; printed as one line, exit status 2."""


def _assistant(settings: Settings, clearance: str | None = None):
    from assistant.app.pipeline import Assistant

    return Assistant.from_settings(settings).for_clearance(clearance)


def _print_report(report, verbose: bool = True) -> None:
    for source, reason in report.failed:
        print(f"failed: {source}: {reason}", file=sys.stderr)
    for source in report.vanished:
        print(f"no longer on disk, kept: {source} (run with --prune to remove it from the index)")
    for source, note in report.notes:
        print(f"{source}: {note}", file=sys.stderr if not verbose else sys.stdout)
    print(report.summary(), file=sys.stderr if not verbose else sys.stdout)


def _print_conservation(report) -> bool:
    """Print the conservation check, one line a file; True when every file meets the target."""
    from assistant.ingest.conservation import TARGET

    short = [result for result in report.conservation if not result.ok]
    for result in report.conservation:
        print(("" if result.ok else "below target: ") + result.summary())
    counted = sum(r.counted for r in report.conservation)
    stored = sum(r.stored for r in report.conservation)
    share = f"{100 * stored / counted:.2f}%" if counted else "n/a"
    print(f"check: {len(report.conservation)} files, {stored:,} of {counted:,} words on indexed pages stored ({share}); "
          f"{len(short)} below {100 * TARGET:.1f}%")
    return not short


def cmd_ingest(args, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths] or [settings.knowledge_dir]
    assistant = _assistant(settings)
    report = assistant.ingest(paths, check=args.check, name=args.name, prune=args.prune)
    _print_report(report)
    conserved = _print_conservation(report) if args.check else True
    return 0 if report.ok and conserved else 1


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
    from assistant.answer.inputs import validate_history

    try:
        return validate_history(history)
    except ValueError as exc:
        raise UserError(f"history file {path}: {exc}") from None


def readable_text(answer) -> str:
    """The answer as a reader sees it: a sentence its cited passages do not support is withheld, and counted."""
    from assistant.answer.streaming import supported_sentences

    withheld = sum(not check.supported for check in answer.sentences) if not answer.refused else 0
    text = "".join(delta.text for delta in supported_sentences(answer)) if withheld else answer.text
    return text + (f"\n({withheld} sentence{'s' * (withheld > 1)} withheld: the passages they cite do not support"
                   " them; `ask --json` lists them)" if withheld else "")


def cmd_ask(args, settings: Settings) -> int:
    history = _read_history(args.history)
    if not args.question.strip():
        raise UserError("the question is empty")
    search_filter = SearchFilter(tuple(args.kind or ()), tuple(args.source or ()), args.since, args.until)
    assistant = _assistant(settings, args.clearance)
    answer = assistant.ask(args.question, history, search_filter)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
    if answer.low_confidence:
        print(f"Low confidence ({answer.confidence:.0%}): check the passage.")
    print(readable_text(answer))
    if answer.citations:
        print()
        for citation in answer.citations:
            where = f", {citation.location}" if citation.location else ""
            print(f"[{citation.n}] {citation.title}{where} ({citation.source})")
    return 0


def _eval_output(out: str | None) -> Path:
    import datetime as dt

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path(out) if out else Path("evals/results") / stamp / "results.jsonl"


def cmd_eval_squad(args, settings: Settings) -> int:
    from assistant.evaluation.squad import check_squad_gate, run_squad, squad_table

    thresholds = json.loads(Path(args.gate).read_text(encoding="utf-8")) if args.gate else None
    report = run_squad(settings, Path(args.squad_data), Path("evals/squad_split.json"), args.squad, args.limit,
                       progress=sys.stderr.isatty(), sample=args.sample)
    out = _eval_output(args.out).with_name("squad-report.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2) if args.json else f"{squad_table(report)}\n\nreport: {out}")
    failures = check_squad_gate(report, thresholds) if thresholds else []
    for failure in failures:
        print(f"gate failed: {failure}", file=sys.stderr)
    if thresholds and not failures:
        print(f"gate passed ({args.gate})", file=sys.stderr)
    return 1 if failures else 0


def _read_thresholds(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read gate thresholds {path}: {exc}") from None


def _briefing_eval(args, settings: Settings, thresholds: dict | None, assistant=None) -> list[str]:
    """Run the briefing eval, print its table, and return the gate's failures (none without thresholds)."""
    from assistant.evaluation.briefings import (
        briefing_table,
        check_briefing_gate,
        load_topics,
        run_briefing_eval,
        write_briefing_report,
    )

    # A gate holds floors measured on its own topics (`topics` of the section: topics the writer was not tuned on).
    topics_path = Path((thresholds or {}).get("topics") or args.topics)
    topics = load_topics(topics_path)
    out = Path(args.out) if args.briefings and args.out else _eval_output(args.out).with_name("briefings.jsonl")
    assistant = assistant or _assistant(settings, args.clearance)
    report = run_briefing_eval(assistant, topics, topics_path, out, length=getattr(args, "length", "standard"))
    md_path, json_path = write_briefing_report(report, out)
    failures = check_briefing_gate(report, thresholds) if thresholds else []
    if args.json:
        print(json.dumps(report | {"gate_failures": failures}, indent=2, ensure_ascii=False))
    else:
        print(briefing_table(report))
        print(f"\nresults: {out}\nreport: {md_path} and {json_path}")
    return failures


def _gate_verdict(failures: list[str], gate: str | None) -> int:
    for failure in failures:
        print(f"gate failed: {failure}", file=sys.stderr)
    if gate and not failures:
        print(f"gate passed ({gate})", file=sys.stderr)
    return 1 if failures else 0


def cmd_eval_indomain(args, settings: Settings, thresholds: dict | None) -> int:
    from assistant.evaluation.indomain import check_indomain_gate, corpus_assistant, load_items, run_indomain, summary_table

    gate = None
    if thresholds is not None:
        gate = thresholds.get("indomain")
        if gate is None:
            raise UserError(f"gate thresholds {args.gate} have no `indomain` section")
    try:
        items = load_items(Path("evals/indomain"), (args.part,))
        assistant = corpus_assistant(settings, settings.knowledge_dir.resolve(), Path(args.shared).resolve(),
                                     settings.home / "eval-indomain", progress=sys.stderr.isatty())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = _eval_output(args.out).with_name("indomain.jsonl")
    summary = run_indomain(assistant, items, out) | {"part": args.part}
    report = out.with_name("indomain-report.json")
    report.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    out.with_name("indomain-report.md").write_text(summary_table(summary) + "\n", encoding="utf-8")
    failures = check_indomain_gate(summary, gate) if gate else []
    if args.json:
        print(json.dumps(summary | {"gate_failures": failures}, indent=2))
    else:
        print(f"In-domain questions on the {args.part} documents ({len(items)} questions)\n")
        print(summary_table(summary))
        print(f"\nresults: {out}\nreport: {report}")
    return _gate_verdict(failures, args.gate)


def cmd_eval(args, settings: Settings) -> int:
    if args.squad:
        return cmd_eval_squad(args, settings)
    if args.indomain:
        return cmd_eval_indomain(args, settings, _read_thresholds(args.gate))
    thresholds = _read_thresholds(args.gate)
    if args.briefings:
        briefing_gate = (thresholds or {}).get("briefing")
        if thresholds is not None and briefing_gate is None:
            raise UserError(f"gate thresholds {args.gate} have no `briefing` section")
        return _gate_verdict(_briefing_eval(args, settings, briefing_gate), args.gate)

    from assistant.answer.chain import PIPELINES
    from assistant.evaluation.datasets import load_dataset
    from assistant.evaluation.runner import category_table, check_gate, metrics_table, run_eval, write_report

    dataset = Path(args.dataset or ("evals/realdocs.jsonl" if args.realdocs else "evals/gold.jsonl"))
    items = load_dataset(dataset)
    unknown = [name for name in args.configs if name not in PIPELINES]
    if unknown:
        raise UserError(f"unknown configuration {', '.join(unknown)}; choose from {', '.join(PIPELINES)}")
    out = _eval_output(args.out)
    configs = [PIPELINES[name] for name in args.configs]
    if args.realdocs:
        from assistant.evaluation.realdocs import run_realdocs

        if thresholds is not None:  # the real documents have their own section of floors; the briefings are not run
            if "realdocs" not in thresholds:
                raise UserError(f"gate thresholds {args.gate} have no `realdocs` section")
            thresholds = thresholds["realdocs"]
        run = run_realdocs(settings, Path(args.realdocs_data), items, configs, dataset, out)
    else:
        assistant = _assistant(settings, args.clearance)
        assistant.ensure_index()
        judge = None
        if settings.llm_configured:
            from assistant.answer.chat_model import chat_model
            from assistant.evaluation.judge import LLMJudge

            judge = LLMJudge(chat_model(settings), settings.llm_model)
        run = run_eval(assistant, items, configs, dataset, out, llm_judge=judge)
    md_path, json_path = write_report(run)
    failures = check_gate(run.report, thresholds) if thresholds else []
    if args.json:
        print(json.dumps(run.report | {"gate_failures": failures}, indent=2))
    else:
        print(metrics_table(run.report))
        print()
        print(category_table(run.report))
        for table in run.report.get("tables", []):
            print(f"\n{table}")
        print(f"\nresults: {out}\nreport: {md_path} and {json_path}")
    if not args.realdocs and thresholds and thresholds.get("briefing"):
        # The same gate run covers the briefing notes (`briefing` section of the thresholds file).
        failures += _briefing_eval(args, settings, thresholds["briefing"], assistant)
    return _gate_verdict(failures, args.gate)


def cmd_brief(args, settings: Settings) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".md", ".docx"):
        raise UserError(f"--out must end in .md or .docx, got {args.out}")
    if not (args.topic or "").strip() and not args.docs:
        raise UserError("give a TOPIC, --docs, or both")
    if args.compare is not None and not (args.topic.strip() and args.compare.strip()):
        raise UserError("--compare needs a TOPIC and a second topic")
    assistant = _assistant(settings, args.clearance)
    assistant.ensure_index()
    visible = assistant.visible
    known = {s for s, d in assistant.store.documents().items() if visible is None or d.classification in visible}
    unknown = [d for d in args.docs or [] if d not in known]
    if unknown:
        raise UserError(f"not in the index: {', '.join(unknown)} (see the sources listed by `briefing ingest`)")
    if args.compare is not None:
        note = assistant.compare(args.topic, args.compare, tuple(args.docs or ()), length=args.length)
        dropped = note.left.dropped + note.right.dropped
    else:
        note = assistant.brief(args.topic or "", tuple(args.docs or ()), length=args.length)
        dropped = note.dropped
    note.save(out)
    bullets = sum(len(b) for b in note.sections.values())
    kind = "comparison note" if args.compare is not None else "briefing note"
    print(f"wrote {out}: {kind}, {args.length}, {bullets} bullets with citations from {len(note.sources)} passages"
          f" ({note.mode}; {dropped} unsupported bullets dropped)")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from assistant.app.access import Users
    from assistant.surfaces.ui import launch

    from assistant.app.library import Library

    assistant = _assistant(settings)
    assistant.ensure_index()
    for source in Library(assistant).adopt_legacy_uploads():
        print(f"moved an upload of an earlier version into the database: {source}", file=sys.stderr)
    users = Users(assistant.database, assistant.levels)
    if users.exists():
        print(f"Log-in required: users from the database {assistant.database.shown_url}.", file=sys.stderr)
    else:
        print(f"No users in the database ({assistant.database.shown_url}): running as a single local user with the"
              " highest clearance. Add users with `briefing users add NAME --clearance LEVEL --role ROLE`.",
              file=sys.stderr)
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


def _audit_log(settings: Settings):
    from assistant.app.audit import AuditLog
    from assistant.app.state import open_state

    return AuditLog(open_state(settings))


def cmd_audit(args, settings: Settings) -> int:
    if args.library:
        return _print_library_changes(_audit_log(settings).changes(limit=args.limit), args.json)
    records = _audit_log(settings).list(user=args.user, since=args.since, limit=args.limit)
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
    from assistant.app.replay import replay

    record = _audit_log(settings).get(args.id)
    assistant = _assistant(settings)
    assistant.ensure_index()
    report = replay(assistant, record)
    print(f"replaying #{record.id} ({record.time}, {record.user}): {record.question}")
    for line in report.changes():
        print(line)
    return 0


def cmd_users_add(args, settings: Settings) -> int:
    import getpass

    from assistant.app.access import Levels, Users
    from assistant.app.state import open_state

    database = open_state(settings)
    users = Users(database, Levels(settings.levels))
    Levels(settings.levels).check(args.clearance)
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise UserError("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    users.add(args.name, password, args.clearance, args.role)
    print(f"user {args.name} saved with clearance {args.clearance} and role {args.role} in the database"
          f" {database.shown_url}")
    return 0


def cmd_db_upgrade(args, settings: Settings) -> int:
    from assistant.app.state import upgrade_state

    database, before, after = upgrade_state(settings)
    if before is None:
        print(f"database {database.shown_url}: schema created at revision {after}")
    elif before == after:
        print(f"database {database.shown_url}: schema already at revision {after}")
    else:
        print(f"database {database.shown_url}: schema migrated from revision {before} to {after}")
    return 0


def cmd_remove(args, settings: Settings) -> int:
    from assistant.app.library import Library

    assistant = _assistant(settings)
    removed = Library(assistant, protect_knowledge=False).remove(args.source)
    print(f"removed {args.source} ({removed} passages) from the index; a file still on disk comes back at the next"
          " `briefing ingest` of its folder")
    return 0
