"""Re-run an audited answer against today's index and say what changed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.app.audit import AuditRecord
from assistant.index.filters import SearchFilter


@dataclass
class ReplayReport:
    record: AuditRecord
    answer: str
    refused: bool
    citations: list[dict]
    retrieved: list[dict]

    def changes(self) -> list[str]:
        lines = []
        if self.answer != self.record.answer:
            lines += ["answer changed:", f"  then: {self.record.answer}", f"  now:  {self.answer}"]
        if self.refused != self.record.refused:
            lines.append(f"refused: then {self.record.refused}, now {self.refused}")
        then_cited = {(c["source"], c["quote"]) for c in self.record.citations}
        now_cited = {(c["source"], c["quote"]) for c in self.citations}
        lines += [f"citation no longer given: {s}: \"{q}\"" for s, q in sorted(then_cited - now_cited)]
        lines += [f"citation new: {s}: \"{q}\"" for s, q in sorted(now_cited - then_cited)]
        then_ids = {r["chunk_id"] for r in self.record.retrieved}
        now_ids = {r["chunk_id"] for r in self.retrieved}
        if then_ids != now_ids:
            lines.append(f"retrieved passages: {len(then_ids - now_ids)} gone, {len(now_ids - then_ids)} new")
        then_hashes = {r["source"]: r["doc_hash"] for r in self.record.retrieved}
        now_hashes = {r["source"]: r["doc_hash"] for r in self.retrieved}
        lines += [f"document changed since: {s}" for s in sorted(then_hashes) if s in now_hashes and now_hashes[s] != then_hashes[s]]
        return lines or ["no change: the same answer, citations and retrieved passages"]


def replay(assistant, record: AuditRecord) -> ReplayReport:
    """Answer the recorded question again, as its user and clearance, with its history and filter (not recorded)."""
    again = replace(assistant.for_clearance(record.clearance, user=record.user), audit=None)
    saved = dict(record.filter)
    search_filter = SearchFilter(tuple(saved.get("kinds") or ()), tuple(saved.get("sources") or ()),
                                 saved.get("date_from"), saved.get("date_to"))
    answer = again.ask(record.question, record.history, search_filter)
    retrieved = [{"chunk_id": p.metadata["chunk_id"], "source": p.metadata.get("source", ""),
                  "doc_hash": p.metadata.get("doc_hash", "")} for p in answer.passages]
    return ReplayReport(record, answer.text, answer.refused, answer.to_dict()["citations"], retrieved)
