"""The visit is data: a second study visit's documents, made up here (a Ugandan delegation to Rwanda on e-gates;
every name, figure and date below is invented for the test), bring their own sides in a `visit:` front-matter
block, and the briefing sets Rwanda's practices against Uganda with no code or parameter edit. Real components:
the loaders, the embedding model, Chroma, the writer."""

import pytest
from conftest import make_settings

from assistant.app.pipeline import Assistant
from assistant.index.visit import Side, Visit
from assistant.ingest.documents import DocumentError
from assistant.ingest.loading import load_document

UGANDA_RWANDA = Visit(Side("Uganda", "Ugandan"), Side("Rwanda", "Rwandan"))

DOCUMENTS = {
    "visits/2025-uganda-rwanda-study-visit.md": """---
title: "Ugandan delegation's study visit to Rwanda on e-gates"
date: 2025-03-10/2025-03-14
kind: visit-report
classification: public
visit:
  home: {name: Uganda, adjective: Ugandan}
  host: {name: Rwanda, adjective: Rwandan}
---

A delegation from Uganda's Directorate of Citizenship and Immigration Control visited Rwanda from 10 to 14 March 2025
to study how Rwanda clears travellers through automated e-gates.

The Ugandan delegation toured the e-gates at Kigali International Airport and the Gatuna one-stop border post.
""",
    "governance/rwanda-e-gates.md": """---
title: "Rwanda's e-gates at Kigali International Airport"
date: 2023/2025
kind: governance
classification: public
---

# Rwanda's e-gates

## How the e-gates work

Rwanda's Directorate General of Immigration and Emigration installed twelve e-gates at Kigali International
Airport in June 2023.

A traveller holding a biometric passport scans the passport at the e-gate, which matches the traveller's face
against the passport photograph in about fifteen seconds.

The e-gates check every traveller against the national watch list of the Directorate General of Immigration and
Emigration before the gate opens.

## Results

In 2024 the Kigali e-gates cleared 410,000 arriving travellers, about sixty percent of all arrivals by air.

Immigration officers at Kigali moved from passport desks to a supervision desk that handles travellers the e-gates
refer to an officer.
""",
    "governance/uganda-immigration.md": """---
title: "Uganda's immigration controls at Entebbe International Airport"
date: 2024/2025
kind: governance
classification: public
---

# Uganda's immigration controls

Uganda's Directorate of Citizenship and Immigration Control checks every passport by hand at desks in Entebbe
International Airport.

Queues at the Entebbe arrival desks reach ninety minutes when several long-haul flights land together.

Uganda plans to pilot passport e-gates at Entebbe International Airport in 2026, linked to the national watch list.
""",
}


@pytest.fixture(scope="module")
def rwanda_visit(tmp_path_factory, embeddings):
    folder = tmp_path_factory.mktemp("second-visit")
    corpus = folder / "knowledge"
    for path, text in DOCUMENTS.items():
        (corpus / path).parent.mkdir(parents=True, exist_ok=True)
        (corpus / path).write_text(text, encoding="utf-8")
    assistant = Assistant.from_settings(make_settings(folder / "state", corpus), embeddings)
    report = assistant.ingest([corpus], progress=False)
    assert report.ok, report.summary()
    return assistant


def test_the_documents_declare_their_visit(rwanda_visit):
    assert rwanda_visit.store.visits() == [UGANDA_RWANDA]


def test_the_briefing_sets_the_host_countrys_practice_against_the_home_side(rwanda_visit):
    note = rwanda_visit.brief("Lessons for Uganda from Rwanda's e-gates")
    assert note.topic == "Lessons for Uganda from Rwanda's e-gates"
    points = note.sections["Points for adaptation"]
    assert points and all(bullet.side == "Uganda" for bullet in points)
    counterparts = [bullet.against.text for bullet in points if bullet.against]
    assert counterparts and all("Uganda" in text or "Entebbe" in text for text in counterparts)
    assert all("Rwanda" in bullet.text or "Kigali" in bullet.text or "e-gate" in bullet.text for bullet in points)
    markdown = note.to_markdown()
    assert "*Uganda:*" in markdown and "Pakistan" not in markdown and "Kenya" not in markdown


def test_a_topic_about_the_home_side_is_set_against_the_host(rwanda_visit):
    note = rwanda_visit.brief("Uganda's immigration controls at Entebbe")
    assert {bullet.side for bullet in note.sections["Points for adaptation"]} <= {"Rwanda"}


@pytest.mark.parametrize(("block", "message"), [
    ("visit: Rwanda", "exactly `home` and `host`"),
    ("visit:\n  home: Uganda\n  host: {adjective: Rwandan}", "`visit.host` must be a name"),
    ("visit:\n  home: Uganda\n  host: Uganda", "must differ"),
])
def test_a_malformed_visit_block_names_the_problem(tmp_path, block, message):
    path = tmp_path / "report.md"
    path.write_text(f"---\ntitle: Report\n{block}\n---\n\nThe delegation met the directorate.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=message):
        load_document(path, "report.md")


def test_the_first_corpus_declares_its_visit_in_the_visit_report(corpus_assistant):
    assert corpus_assistant.store.visits() == [Visit(Side("Pakistan", "Pakistani"), Side("Kenya", "Kenyan"))]
