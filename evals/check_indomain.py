"""Check in-domain question files (evals/indomain/*.jsonl): fields, kinds, unique ids, the split, and
every expected phrasing of an answerable question found in its document's text.

    python evals/check_indomain.py [FILE ...]      (default: every file of evals/indomain)

Documents are found as the eval names them: `knowledge/...` in this checkout, `realdocs/...` and
`devdocs/...` under ../shared (or --shared). Exit status 1 when any line fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"who", "number", "date", "definition", "section", "multi-part", "list", "table", "yes-no", "paraphrase"}
TRAPS = {"absent", "near-miss", "unstated"}
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "\u00ad": ""})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # a word split at a line end
    return re.sub(r"\s+", " ", text).lower().strip()


def document_path(doc: str, shared: Path) -> Path:
    return ROOT / doc if doc.startswith("knowledge/") else shared / doc


@lru_cache(maxsize=None)
def document_texts(path: Path) -> tuple[str, ...]:
    """The document's text as the loader gives it and, for PDFs, the raw text layer too (folded)."""
    from assistant.ingest.loading import load_document

    texts = [" ".join(f"{s.heading}\n{s.text}" for s in load_document(path, path.name).sections)]
    if path.suffix.lower() == ".pdf":
        import pymupdf

        with pymupdf.open(path) as pdf:
            texts.append("\n".join(page.get_text() for page in pdf))
    return tuple(fold(t) for t in texts)


_UNIT = re.compile(r"^(?:section|article|chapter|part|schedule|regulation|rule|paragraph|clause|recital)\s+([\w.()-]+)$", re.I)


def _names_unit(phrasing: str, texts: tuple[str, ...]) -> bool:
    """"Section 14": the answer names a unit the document numbers without the word ("14. Penalty.—")."""
    match = _UNIT.match(phrasing.strip())
    return bool(match) and any(re.search(rf"(?<![\w.]){re.escape(match.group(1).lower())}(?!\w)", t) for t in texts)


def check_line(record: dict, shared: Path, where: str) -> list[str]:
    problems = []
    for name in ("id", "doc", "kind", "question", "answerable"):
        if name not in record:
            problems.append(f"{where}: no `{name}`")
    if problems:
        return problems
    if record["kind"] not in KINDS:
        problems.append(f"{where}: kind {record['kind']!r} is not one of {sorted(KINDS)}")
    path = document_path(record["doc"], shared)
    if not path.is_file():
        return problems + [f"{where}: no document {record['doc']} (looked at {path})"]
    if record["answerable"]:
        expected = record.get("expected")
        if not expected or not all(isinstance(f, list) and f and all(isinstance(p, str) and p.strip() for p in f)
                                   for f in expected):
            return problems + [f"{where}: `expected` must be a non-empty list of non-empty lists of phrasings"]
        if record.get("trap"):
            problems.append(f"{where}: an answerable question has a trap kind")
        texts = document_texts(path)
        for fact in expected:
            if not any(fold(p) in t or _names_unit(p, texts) for p in fact for t in texts):
                problems.append(f"{where}: no phrasing of {fact} in {record['doc']}")
    else:
        if record.get("expected"):
            problems.append(f"{where}: a trap has expected facts")
        if record.get("trap") not in TRAPS:
            problems.append(f"{where}: a trap needs `trap` one of {sorted(TRAPS)}")
        if not record.get("trap_note"):
            problems.append(f"{where}: a trap needs a `trap_note`")
    return problems


def check_files(files: list[Path], shared: Path) -> list[str]:
    problems, ids = [], {}
    split = json.loads((ROOT / "evals/indomain/split.json").read_text())
    assigned = {doc for part in ("train", "calibration", "test") for doc in split[part]}
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{file.name}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            if record.get("id") in ids:
                problems.append(f"{where}: id {record['id']} also at {ids[record['id']]}")
            ids[record.get("id")] = where
            if record.get("doc") not in assigned:
                problems.append(f"{where}: {record.get('doc')} is in no part of split.json")
            problems += check_line(record, shared, where)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "evals/indomain").glob("*.jsonl"))
    problems = check_files(files, args.shared)
    for problem in problems:
        print(problem)
    count = sum(1 for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"{count} questions in {len(files)} files: {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
