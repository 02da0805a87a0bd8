"""The lexical index: bm25s in each server's memory (what the assistant uses) against PostgreSQL full-text search
in the shared database, on the same chunks.

    .venv/bin/python benchmarks/lexical_backends.py [--sizes 10000,100000] [--shared ../shared]

Chunks: every document of the in-domain corpus (knowledge/, ../shared/realdocs, ../shared/devdocs), chunked as
the assistant chunks them (no embedding needed), then filler chunks recombined from the knowledge base's
sentences (as `bench.py` makes its generated corpus) up to each size. For each backend and size:
- build: from the chunks' text to an index ready to search;
- query latency p50 / p95 over the in-domain questions (warm);
- update: one document of 40 chunks replaced, until the index answers with the new version;
- quality, on the real chunks only: hit@10 and MRR over the answerable in-domain questions, a hit being a chunk
  of the question's document that holds one of the expected answer's phrasings.

bm25s runs as the assistant runs it (`LexicalIndex`: Snowball stems, our stop words, acronyms the corpus defines
expand the query). PostgreSQL: one row a chunk with a GIN-indexed `to_tsvector('english', title section text)`,
searched with the OR of the question's lexemes (BM25 is an OR; `websearch_to_tsquery` would AND them), ranked by
`ts_rank` normalised by length. PostgreSQL 15 is started by deploy/cluster.py. Writes
benchmarks/results/lexical.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.database.library_log import Position  # noqa: E402
from assistant.index.lexical import LexicalIndex, lexical_text  # noqa: E402

K = 10


def real_chunks(shared: Path) -> list[tuple[str, str, dict]]:
    """(id, text, metadata) of every chunk of the in-domain corpus."""
    from assistant.evaluation.indomain import corpus_folders
    from assistant.index.embeddings import MiniLMEmbeddings
    from assistant.ingest.chunking import Chunker
    from assistant.ingest.documents import SUPPORTED_SUFFIXES
    from assistant.ingest.loading import load_document

    chunker = Chunker(MiniLMEmbeddings().count_word_pieces)
    chunks = []
    for folder, base in corpus_folders(REPO / "knowledge", shared):
        for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES):
            document = load_document(path, path.relative_to(base).as_posix())
            chunks += [(c.id, c.text, c.metadata) for c in chunker.split(document)]
    return chunks


def filler(count: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    from assistant.text.sentences import split_sentences

    sentences = [s for p in sorted((REPO / "knowledge").rglob("*.md"))
                 for s in split_sentences(p.read_text(encoding="utf-8").split("---", 2)[-1]) if len(s) > 40]
    rng = random.Random(seed)
    return [(f"filler-{n}", f"Reference code {n}. " + " ".join(rng.sample(sentences, 5)),
             {"source": f"generated/{n // 10}.md", "title": f"Generated note {n // 10}", "section": f"Section {n % 10}",
              "classification": "public", "kind": "generated"}) for n in range(count)]


def questions() -> list[dict]:
    items = []
    for path in sorted((REPO / "evals" / "indomain").glob("*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item for item in items if item["answerable"] and item.get("expected")]


def percentiles(samples: list[float]) -> tuple[float, float]:
    return round(float(np.percentile(samples, 50)) * 1000, 2), round(float(np.percentile(samples, 95)) * 1000, 2)


# --- the two backends ---------------------------------------------------------------------------------------------
class Bm25s:
    name = "bm25s (in each server)"

    def __init__(self, chunks):
        self.index = LexicalIndex(Path(tempfile.mkdtemp()) / "lexical")
        ids, texts, metas = zip(*chunks)
        self.index.build(list(ids), list(texts), list(metas), Position("bench", 0))

    def search(self, query: str) -> list[str]:
        return [hit.id for hit in self.index.search(query, K)]

    def replace(self, source: str, chunks) -> None:
        ids, texts, metas = zip(*chunks)
        self.index.update({source}, list(ids), list(texts), list(metas), Position("bench", 1))


class PostgresFts:
    name = "PostgreSQL full-text"
    QUERY = text("""
        WITH q AS (SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(lexeme), ' | '), '')) AS query
                   FROM unnest(to_tsvector('english', :q)))
        SELECT id FROM lexical_chunks, q WHERE tsv @@ q.query ORDER BY ts_rank(tsv, q.query, 1) DESC LIMIT :k""")

    def __init__(self, url: str, chunks):
        self.engine = create_engine(url)
        with self.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS lexical_chunks"))
            connection.execute(text("CREATE TABLE lexical_chunks (id text PRIMARY KEY, source text NOT NULL,"
                                    " classification text NOT NULL, body text NOT NULL, tsv tsvector)"))
            self._insert(connection, chunks)
            connection.execute(text("CREATE INDEX lexical_chunks_tsv ON lexical_chunks USING gin (tsv)"))
            connection.execute(text("ANALYZE lexical_chunks"))

    @staticmethod
    def _insert(connection, chunks) -> None:
        rows = [{"id": i, "source": m["source"], "classification": m.get("classification", ""),
                 "body": lexical_text(t, m)} for i, t, m in chunks]
        for start in range(0, len(rows), 5000):
            connection.execute(text("INSERT INTO lexical_chunks (id, source, classification, body, tsv) VALUES"
                                    " (:id, :source, :classification, :body, to_tsvector('english', :body))"),
                               rows[start:start + 5000])

    def search(self, query: str) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(self.QUERY, {"q": query, "k": K}).scalars())

    def replace(self, source: str, chunks) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM lexical_chunks WHERE source = :s"), {"s": source})
            self._insert(connection, chunks)


# --- measuring ----------------------------------------------------------------------------------------------------
def quality(backend, items, texts: dict[str, tuple[str, dict]]) -> dict:
    hits, reciprocal = 0, 0.0
    for item in items:
        phrasings = [p.lower() for fact in item["expected"] for p in fact]
        for rank, chunk_id in enumerate(backend.search(item["question"]), start=1):
            body, meta = texts[chunk_id]
            if meta["source"] == item["doc"] and any(p in body.lower() for p in phrasings):
                hits += 1
                reciprocal += 1 / rank
                break
    return {"questions": len(items), "hit@10": round(hits / len(items), 3), "mrr": round(reciprocal / len(items), 3)}


def measure(make, chunks, items, replacement) -> dict:
    started = time.perf_counter()
    backend = make(chunks)
    build_s = time.perf_counter() - started
    queries = [item["question"] for item in items]
    for query in queries[:20]:
        backend.search(query)
    samples = []
    for query in queries:
        started = time.perf_counter()
        backend.search(query)
        samples.append(time.perf_counter() - started)
    source, new_chunks, marker = replacement
    started = time.perf_counter()
    backend.replace(source, new_chunks)
    found = backend.search(marker)
    update_s = time.perf_counter() - started
    assert found and found[0].startswith("replacement-"), "the update was not searchable"
    p50, p95 = percentiles(samples)
    return {"build_s": round(build_s, 2), "query_p50_ms": p50, "query_p95_ms": p95, "update_s": round(update_s, 3),
            "backend": backend}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="total chunks besides the real corpus alone")
    parser.add_argument("--shared", default=os.environ.get("SHARED_DATA", str(REPO.parent / "shared")),
                        help="the shared data (realdocs/, devdocs/; default: $SHARED_DATA or ../shared)")
    args = parser.parse_args()
    print("chunking the in-domain corpus ...", file=sys.stderr)
    real = real_chunks(Path(args.shared))
    items = questions()
    marker = "zebraquokka osprey replacement"
    result: dict = {"real_chunks": len(real), "questions": len(items), "sizes": []}
    cluster = Path(tempfile.mkdtemp(prefix="lexical-bench-"))
    state = json.loads(subprocess.run([sys.executable, str(REPO / "deploy" / "cluster.py"), "up", "--dir", str(cluster),
                                       "--parts", "postgres"], check=True, capture_output=True, text=True).stdout)
    try:
        sizes = [len(real)] + [int(s) for s in args.sizes.split(",") if int(s) > len(real)]
        for size in sizes:
            chunks = real + filler(size - len(real))
            source = chunks[0][2]["source"]
            replacement = (source, [(f"replacement-{n}", f"Version two of {source}, part {n}: the {marker} desk.",
                                     {**chunks[0][2], "source": source}) for n in range(40)], marker)
            row = {"chunks": len(chunks)}
            for key, make in (("bm25s", Bm25s), ("postgres", lambda c: PostgresFts(state["database_url"], c))):
                print(f"{key} at {len(chunks)} chunks ...", file=sys.stderr)
                measured = measure(make, chunks, items, replacement)
                backend = measured.pop("backend")
                if size == len(real):
                    fresh = make(chunks)
                    measured["quality"] = quality(fresh, items, {i: (t, m) for i, t, m in chunks})
                row[key] = measured
                del backend
            result["sizes"].append(row)
    finally:
        subprocess.run([sys.executable, str(REPO / "deploy" / "cluster.py"), "down", "--dir", str(cluster)], check=False)
    write(result)
    print(json.dumps(result, indent=2))
    return 0


def write(result: dict) -> None:
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "lexical.json").write_text(json.dumps(result, indent=2))
    lines = ["# Lexical index: bm25s against PostgreSQL full-text search", "",
             f"{result['real_chunks']} real chunks (the in-domain corpus), {result['questions']} answerable in-domain"
             " questions; filler chunks up to each size.", "",
             "| chunks | backend | build s | query p50 / p95 ms | one document replaced, s | hit@10 | MRR |",
             "|---|---|---|---|---|---|---|"]
    for row in result["sizes"]:
        for key, label in (("bm25s", "bm25s (each server)"), ("postgres", "PostgreSQL full-text")):
            m = row[key]
            q = m.get("quality", {})
            lines.append(f"| {row['chunks']:,} | {label} | {m['build_s']} | {m['query_p50_ms']} / {m['query_p95_ms']} |"
                         f" {m['update_s']} | {q.get('hit@10', '')} | {q.get('mrr', '')} |")
    (out / "lexical.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
