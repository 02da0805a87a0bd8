"""`briefing ingest` that stops inside a chosen write and waits there to be killed (the crash test runs it).

    python tests/crash_ingest.py POINT N ingest docs

POINT is where: `upsert` (the N-th batch of two or more new passages written to Chroma: half of it written),
`delete` (the N-th batch of two or more stale passages removed: half of them removed), or `lexical` (the N-th
save of the BM25 index: after the old index was moved aside, before the new one is moved in). On reaching it, the process prints
`inside the write` on standard output and sleeps until it is killed. Nothing else changes: the real command,
store and index do the work up to that point.
"""

import os
import sys
import time

from chromadb.api.models.Collection import Collection

from assistant.surfaces.cli import main

POINT, AT = sys.argv[1], int(sys.argv[2])
calls = {"upsert": 0, "delete": 0, "lexical": 0}


def wait_to_be_killed() -> None:
    print("inside the write", flush=True)
    while True:
        time.sleep(60)


def halfway(name: str, write):
    def interrupted(self, ids, **columns):
        if POINT != name or len(ids) < 2:  # only a write of two or more passages can be cut in half
            return write(self, ids=ids, **columns)
        calls[name] += 1
        if calls[name] != AT:
            return write(self, ids=ids, **columns)
        half = len(ids) // 2
        write(self, ids=ids[:half], **{key: value[:half] for key, value in columns.items() if value is not None})
        wait_to_be_killed()
    return interrupted


Collection.upsert = halfway("upsert", Collection.upsert)
Collection.delete = halfway("delete", Collection.delete)
replace = os.replace


def interrupted_replace(source, target):
    replace(source, target)
    if str(target).endswith(".old"):  # the old index moved aside; the new one not yet in its place
        calls["lexical"] += 1
        if POINT == "lexical" and calls["lexical"] == AT:
            wait_to_be_killed()


os.replace = interrupted_replace
sys.exit(main(sys.argv[3:]))
