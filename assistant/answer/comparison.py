"""A comparison note: two topics side by side, one row per section of the briefing, each cell the bullets
(with citations) of that topic's note, and one numbered list of the passages both columns cite.

>>> comparison = Comparison.of(writer.write("Kenya's BCOCC"), writer.write("Pakistan's IBMS coordination"))
>>> comparison.save(Path("bcocc-vs-ibms.md"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer.briefing import (
    DEFAULT_LENGTH,
    EMPTY,
    NOTHING,
    SECTIONS,
    Briefing,
    Bullet,
    add_sources_docx,
    merged_sources,
    new_docx,
    render_bullet,
    save_note,
    sources_markdown,
)
from assistant.text.markup import markdown_text


def _cell(value: str) -> str:
    """Markdown (its document text escaped, pipes included) on the one line a table cell holds."""
    return value.replace("\n", " ")


@dataclass
class Comparison:
    """Two notes whose citations share one numbering: `sources[n - 1]` is passage n in either column."""

    left: Briefing
    right: Briefing
    sources: list[Document]
    classification: str = ""
    length: str = DEFAULT_LENGTH
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, left: Briefing, right: Briefing, notes: list[str] | None = None) -> "Comparison":
        """Side by side: the right note's citations renumbered into the left's list (a passage both cite, or two
        passages the list would name alike, keep one number)."""
        sources, numbers = merged_sources(left.sources + right.sources)
        offset = len(left.sources)
        right_numbers = {n: numbers[n + offset] for n in range(1, len(right.sources) + 1)}
        return cls(left.cited_as(numbers, sources), right.cited_as(right_numbers, sources), sources,
                   length=left.length, notes=list(notes or []))

    @property
    def title(self) -> str:
        return f"{self.left.topic} and {self.right.topic}"

    @property
    def mode(self) -> str:
        return self.left.mode if self.left.mode == self.right.mode else f"{self.left.mode} / {self.right.mode}"

    @property
    def sections(self) -> dict[str, list[Bullet]]:
        """Every bullet of both columns by section (for counting)."""
        return {name: self.left.sections.get(name, []) + self.right.sections.get(name, []) for name in SECTIONS}

    def _cells(self, note: Briefing, name: str, separator: str) -> str:
        bullets = note.sections.get(name) or []
        if not bullets:
            return EMPTY.get(name, NOTHING)
        return separator.join(f"• {render_bullet(b)}" for b in bullets)

    def to_markdown(self) -> str:
        lines = [f"# Comparison note: {markdown_text(self.title)}", ""]
        if self.classification:
            lines += [f"**Classification: {markdown_text(self.classification.upper())}** (the highest among its sources)", ""]
        lines += [f"*{markdown_text(note)}*" for note in self.notes] + ([""] if self.notes else [])
        lines += [f"| | {_cell(markdown_text(self.left.topic))} | {_cell(markdown_text(self.right.topic))} |",
                  "|---|---|---|"]
        for name in SECTIONS:
            left, right = (_cell(self._cells(note, name, "<br>")) for note in (self.left, self.right))
            lines.append(f"| **{name}** | {left} | {right} |")
        lines += ["", "## Sources", "", *sources_markdown(self.sources)]
        return "\n".join(lines) + "\n"

    def to_docx(self, path: Path) -> None:
        document = new_docx(f"Comparison note: {self.title}", self.classification, self.notes)
        table = document.add_table(rows=1 + len(SECTIONS), cols=3)
        table.style = "Table Grid"
        header = table.rows[0].cells
        header[1].text, header[2].text = self.left.topic, self.right.topic
        for row, name in zip(table.rows[1:], SECTIONS):
            row.cells[0].text = name
            for cell, note in zip(row.cells[1:], (self.left, self.right)):
                bullets = note.sections.get(name) or []
                lines = [f"• {render_bullet(b, markdown=False)}" for b in bullets] or [EMPTY.get(name, NOTHING)]
                cell.text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
        add_sources_docx(document, self.sources)
        document.save(str(path))

    def save(self, path: Path) -> None:
        save_note(self, path)
