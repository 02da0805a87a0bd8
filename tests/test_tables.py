"""Tables as statements: every row one sentence naming its row and every column, totals kept, the
caption as the table's section, passages of whole rows under a repeated header; tables of figures
read from the text lines where `find_tables` sees none (PDFs built on the fly, and the FIA's annual
report in ../shared/devdocs)."""

from pathlib import Path

import pymupdf
import pytest

from assistant.index.embeddings import MiniLMEmbeddings
from assistant.ingest.conservation import tokens
from assistant.ingest.chunking import Chunker
from assistant.ingest.documents import LoadedDocument
from assistant.ingest.pdf_loader import load_pdf
from assistant.ingest.table_text import header_line, one_sentence, row_statement
from assistant.text.sentences import split_sentences

ZONES = ["Zone", "B/F On 01.01.23", "Registered", "Total", "Challaned", "Closed/ Transferred", "Pending On 31.12.23"]


def test_a_row_of_figures_names_its_row_and_every_column():
    statement = row_statement(ZONES, ["Islamabad Zone", "1112", "439", "1551", "114", "2", "1435"])
    assert statement == ("Islamabad Zone: B/F On 01.01.23 1112; registered 439; total 1551; challaned 114; "
                         "closed/transferred 2; pending on 31.12.23 1435.").replace("B/F On", "B/F on")
    assert split_sentences(statement) == [statement]


def test_totals_serials_year_labels_and_text_cells():
    assert row_statement(ZONES, ["Total", "4901", "4741", "9642", "4055", "308", "5279"]).startswith(
        "Total: B/F on 01.01.23 4901; registered 4741; total 9642;")
    header = ["S. No", "Cases", "Received", "Finalized", "Pending"]
    assert row_statement(header, ["1", "Encashment Cases", "15", "15", "0"]) == \
        "Entry 1: Encashment Cases: received 15; finalized 15; pending 0."
    assert row_statement(header, ["", "Grand Total", "710", "707", "03"]) == \
        "Grand Total: received 710; finalized 707; pending 03."
    assert row_statement(["Year", "Arrested"], ["2023", "1602"]) == "Year 2023: arrested 1602."
    assert row_statement(["Sl. No.", "Breach", "Penalty"], ["1.", "Breach of duty", "May extend to ten rupees."]) == \
        "Entry 1: Breach of duty — Penalty: May extend to ten rupees."


def test_a_cell_of_several_sentences_stays_one_sentence():
    text = "Recovery in the Shape of Pakistani Currency. Worth Rs. 184.401 Million. Paid to Complainant."
    assert len(split_sentences(text)) > 1
    joined = one_sentence(text)
    assert split_sentences(joined) == [joined]
    assert joined == "Recovery in the Shape of Pakistani Currency; Worth Rs 184.401 Million; Paid to Complainant."
    assert tokens(joined) == tokens(text), "no word lost"
    statement = row_statement(["Zone", "Recoveries", "Fine"], ["Kohat Zone", text, "0"])
    assert split_sentences(statement) == [statement] and "184.401" in statement


def _put(page, x, y, text, bold=False):
    page.insert_text((x, y), text, fontsize=10, fontname="hebo" if bold else "helv")


def _zone_table(page, top, rows, caption="3.1. Cases by zone:"):
    if caption:
        _put(page, 72, top, caption, True)
    for x, text in [(72, "Zone"), (200, "B/F on"), (280, "Registered"), (370, "Total"), (440, "Pending on")]:
        _put(page, x, top + 20, text, True)
    for x, text in [(200, "01.01.23"), (440, "31.12.23")]:
        _put(page, x, top + 32, text, True)
    for index, row in enumerate(rows):
        _put(page, 72, top + 50 + 15 * index, row[0], row[0] == "Total")
        for x, figure in zip((205, 285, 372, 445), row[1:]):
            _put(page, x, top + 50 + 15 * index, figure)


def _zones(count: int, start: int = 0) -> list[tuple[str, ...]]:
    return [(f"Zone {chr(65 + (i % 26))}{i}", str(100 + i), str(7 * i), str(100 + 8 * i), str(i % 13))
            for i in range(start, start + count)]


def _pdf(*builders) -> bytes:
    document = pymupdf.open()
    for build in builders:
        build(document.new_page())
    return document.tobytes()


def test_a_table_without_ruling_lines_is_read_from_its_text_lines():
    def page(p):
        _put(p, 72, 80, "Cases of the zones", True)
        _put(p, 72, 100, "The zones reported their cases for the year as follows.")
        _zone_table(p, 130, [("North Zone", "120", "45", "165", "98"), ("South Zone", "7", "1300", "1307", "12"),
                             ("Total", "127", "1345", "1472", "110")])
        _put(p, 72, 250, "The figures above are provisional and will be revised.")

    data = _pdf(page)
    _, sections = load_pdf(data, Path("zones.pdf"))
    table = next(s for s in sections if s.header)
    assert table.heading == "Cases of the zones — 3.1. Cases by zone"
    assert table.header == "Columns: Zone; B/F on 01.01.23; Registered; Total; Pending on 31.12.23."
    assert table.rows == [
        "North Zone: B/F on 01.01.23 120; registered 45; total 165; pending on 31.12.23 98.",
        "South Zone: B/F on 01.01.23 7; registered 1300; total 1307; pending on 31.12.23 12.",
        "Total: B/F on 01.01.23 127; registered 1345; total 1472; pending on 31.12.23 110.",
    ]
    texts = [s.text for s in sections if not s.header]
    assert "The zones reported their cases for the year as follows." in texts[0]
    assert texts[-1] == "The figures above are provisional and will be revised."
    assert sections[-1].heading == "Cases of the zones", "the text after the table goes on under its section"


def test_a_table_continued_on_the_next_page_keeps_its_caption_and_header():
    data = _pdf(lambda p: _zone_table(p, 560, _zones(12)), lambda p: [
        _put(p, 72, 80 + 15 * i, row[0]) or [_put(p, x, 80 + 15 * i, f) for x, f in zip((205, 285, 372, 445), row[1:])]
        for i, row in enumerate(_zones(4, start=12))])
    _, sections = load_pdf(data, Path("long.pdf"))
    tables = [s for s in sections if s.header]
    assert len(tables) == 1, "the rows on the next page go on in the same table section"
    table = tables[0]
    assert (table.heading, table.page, table.page_end, len(table.rows)) == ("3.1. Cases by zone", 1, 2, 16)
    assert table.rows[12].startswith("Zone M12: B/F on 01.01.23 112; registered 84;")
    start = table.text.index(table.rows[12])
    assert table.pages_between(start, start + len(table.rows[12])) == (2, 2)


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(MiniLMEmbeddings().count_word_pieces)


def test_a_long_table_is_cut_between_rows_with_its_header_on_every_passage(chunker):
    _, sections = load_pdf(_pdf(lambda p: _zone_table(p, 80, _zones(40))), Path("zones.pdf"))
    table = next(s for s in sections if s.header)
    document = LoadedDocument("zones.pdf", "Zones", "", "report", "public", "x", sections)
    chunks = [c for c in chunker.split(document) if c.metadata["section"] == table.heading]
    assert len(chunks) > 3
    seen = []
    for chunk in chunks:
        parts = chunk.text.split("\n\n")
        assert parts[0] == table.header and split_sentences(chunk.text) == parts
        seen += parts[1:]
    assert seen == table.rows, "every row whole, in exactly one passage, in order"


def test_header_line_is_one_sentence():
    line = header_line(["S. No.", "Name", "Date of Posting"])
    assert line == "Columns: S. No; Name; Date of Posting." and split_sentences(line) == [line]


# The FIA's annual administration report: statistics tables that find_tables misses or garbles.

def _table(devdocs, page: int, caption: str):
    return next(s for s in devdocs["fia"].sections if s.header and s.page == page and s.heading.endswith(caption))


def test_fia_zone_tables_keep_their_columns_and_totals(devdocs, devdoc_chunks):
    enquiries = _table(devdocs, 24, "5.2.2.1.1. Enquiries")
    assert enquiries.heading == "5.2.2.1. Performance and Achievements of AHT Circles — 5.2.2.1.1. Enquiries"
    assert ("Islamabad Zone: B/F on 01.01.23 1471; registered 2540; total 4011; enquiries converted into cases 237; "
            "closed/transferred 659; pending on 31.12.23 3115.") in enquiries.rows
    assert ("Total: B/F on 01.01.23 6827; registered 13949; total 20776; enquiries converted into cases 2556; "
            "closed/transferred 6411; pending on 31.12.23 11809.") in enquiries.rows
    cases = _table(devdocs, 24, "5.2.2.1.2. Cases")
    assert ("Islamabad Zone: B/F on 01.01.23 1112; registered 439; total 1551; challaned 114; closed/transferred 2; "
            "pending on 31.12.23 1435.") in cases.rows
    court = _table(devdocs, 25, "5.2.2.1.3. Court Work")
    assert court.rows[-1] == ("Total: B/F on 01.01.23 6786; added 3992; total 10778; convicted 1750; acquitted 598; "
                              "CRR 3159; pending on 31.12.23 5271.")
    stored = [c for c in devdoc_chunks["fia"] if c.metadata["page"] == 24]
    for figure in ("20776", "6827", "13949", "11809"):
        holders = [c for c in stored if figure in c.text]
        assert holders and all(c.text.startswith("Columns: Zone;") for c in holders), figure


def test_fia_tables_found_from_text_lines_alone(devdocs):
    """Tables with no usable rulings: a two-column list with its total, a header spanning two columns."""
    iatf = _table(devdocs, 24, "IATF Interceptions during 2023")
    assert iatf.rows[0] == "FIA: 2023 1171." and iatf.rows[-1] == "Total: 2023 4393."
    traffic = _table(devdocs, 22, "5.2.1.1.1. Traffic Handled (in Millions)")
    assert traffic.rows[0].startswith("Arrived: BY air pak nationals 6.68079; BY air foreigners 1.350767; "
                                      "by land pak nationals 0.417661;")
    deportees = _table(devdocs, 23, "General Deportees for the year 2023")
    assert deportees.rows == ["1stJanuary, 2023 to 31st December, 2023: general deportees by air 90768; "
                              "general deportees by land 7232."]


def test_fia_every_row_statement_is_one_sentence(devdocs):
    rows = [row for s in devdocs["fia"].sections if s.header for row in s.rows]
    assert len(rows) > 1000
    assert all(split_sentences(row) == [row] for row in rows)


def test_a_word_table_becomes_row_statements_under_its_heading():
    import io

    import docx

    from assistant.ingest.docx_loader import load_docx

    document = docx.Document()
    document.add_heading("Deportations", 1)
    document.add_paragraph("The figures for the year.")
    table = document.add_table(rows=3, cols=3)
    for r, values in enumerate([("Zone", "By air", "By land"), ("Lahore", "120", "4"), ("Total", "130", "9")]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("After the table.")
    data = io.BytesIO()
    document.save(data)
    _, sections = load_docx(data.getvalue(), Path("deportations.docx"))
    assert [(s.heading, s.header, s.text) for s in sections] == [
        ("Deportations", "", "The figures for the year."),
        ("Deportations", "Columns: Zone; By air; By land.", "Lahore: by air 120; by land 4.\nTotal: by air 130; by land 9."),
        ("Deportations", "", "After the table."),
    ]
