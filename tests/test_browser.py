"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright with that executable), at 1,280 px:
ask, see the answer and its citation (marked when its confidence is low), open the passage, upload a
report, ask about it, download a briefing note as DOCX whose bullets all carry citations and as
Markdown with a numbered source list, then write a one-page comparison note of two topics and download
it as both; then the library: readable columns, upload dates, an empty upload box after indexing, a
missing field named without covering the table, and a document's markup shown as text in an answer.
Screenshots are saved under test-output/screenshots/."""

import os
import re
from pathlib import Path

import datetime as dt

import docx
import pytest
from conftest import REPO
from test_ui import server_over_copy

from assistant.answer.selector import default_selector

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def app_url(indexed_home, tmp_path_factory):
    with server_over_copy(indexed_home, tmp_path_factory) as url:
        yield url


@pytest.fixture
def page(app_url):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        tab = context.new_page()
        tab.goto(app_url)
        yield tab
        browser.close()


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def last_answer(page):
    return page.locator("#chat .message-row").last


def check_confidence_mark(page) -> bool:
    """The latest answer carries the low-confidence mark (in the chat and the sources panel) exactly when the
    confidence the sources panel states is below the calibrated bar; returns whether it does."""
    stated = page.locator("#sources .confidence strong").last.inner_text()
    low = int(stated.rstrip("%")) / 100 < default_selector().low_confidence_below
    marks = (last_answer(page).locator(".low-confidence"), page.locator("#sources .confidence.low"))
    assert [mark.count() for mark in marks] == ([1, 1] if low else [0, 0]), stated
    if low:
        assert "Low confidence: check the passage" in last_answer(page).inner_text()
        background = marks[0].evaluate("element => getComputedStyle(element).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # visibly different, not just words
    return low


def report_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Mombasa port inspection notes"
    document.add_heading("Inspection desk", level=1)
    document.add_paragraph("The quokka inspection desk at Kilindini opened in March 2025 for transit cargo.")
    document.save(str(path))
    return path


def test_trainer_journey_in_the_browser(page, tmp_path):
    ask(page, "Which border points did the Pakistani delegation visit in Kenya?")
    answer = last_answer(page)
    answer.get_by_text("Namanga", exact=False).wait_for(timeout=60_000)
    page.locator("#source-1").wait_for(timeout=60_000)
    assert "Kilindini" in answer.inner_text()
    check_confidence_mark(page)
    page.screenshot(path=str(SHOTS / "1-answer.png"))

    answer.locator("a[href='#source-1']").first.click()
    page.locator("#source-1.highlight").wait_for(timeout=10_000)
    assert page.locator("#source-1 mark").count() >= 1
    page.screenshot(path=str(SHOTS / "2-passage.png"))

    ask(page, "Who led the delegation?")
    last_answer(page).get_by_text("Khushal Khan", exact=False).wait_for(timeout=60_000)
    page.locator("#sources").get_by_text("Khushal Khan", exact=False).first.wait_for(timeout=30_000)
    if check_confidence_mark(page):
        page.screenshot(path=str(SHOTS / "2-low-confidence.png"))

    page.locator("#suggestions").get_by_text("What do the documents say about", exact=False).first.wait_for(timeout=10_000)
    page.locator("#chat button[aria-label='Like']").last.click()
    page.locator("#feedback-status").get_by_text("stored with the answer", exact=False).wait_for(timeout=10_000)
    page.locator("#export").click()
    page.locator("#export-file a").first.wait_for(timeout=10_000)

    page.get_by_role("tab", name="Document library").click()
    page.locator("#upload input[type=file]").set_input_files(str(report_docx(tmp_path / "mombasa-inspection.docx")))
    page.locator("#index-uploads").click()
    page.locator("#upload-status").get_by_text("indexed", exact=False).wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "3-upload.png"))

    page.get_by_role("tab", name="Ask").click()
    ask(page, "When did the quokka inspection desk at Kilindini open?")
    page.locator("#chat").get_by_text("March 2025", exact=False).first.wait_for(timeout=60_000)
    page.locator("#sources").get_by_text("mombasa-inspection.docx", exact=False).wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "4-uploaded-answer.png"))

    page.get_by_role("tab", name="Briefing").click()
    page.locator("#topic textarea").fill("Kenya's BCOCC and inter-agency coordination")
    page.locator("#write-briefing").click()
    link = page.locator("#briefing-docx a").first
    link.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "5-briefing.png"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "briefing-kenya-s-bcocc-and-inter-agency-coordination.docx"
    saved = tmp_path / "briefing.docx"
    download.value.save_as(str(saved))
    bullets = [p.text for p in docx.Document(str(saved)).paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) >= 5
    assert all(re.search(r"\[\d+\]", b) for b in bullets), bullets
    markdown = download_text(page, "#briefing-md a", tmp_path / "briefing.md")
    assert markdown.startswith("# Briefing note: Kenya's BCOCC") and "\n1. " in markdown
    sources = page.locator("#briefing-note ol").last.locator("li")  # the Sources, rendered as a numbered list
    assert sources.count() >= 3 and "public" in sources.first.inner_text()
    listed = sources.all_inner_texts()
    assert len(set(listed)) == len(listed), listed  # no source listed twice
    cited = page.locator("#briefing-note a[href='#note-source-2']").first
    cited.click()  # a [n] marker leads to its source
    page.locator("#briefing-note li.highlight").wait_for(timeout=10_000)
    assert page.locator("#briefing-note li.highlight").inner_text() == listed[1]
    check_standalone_bullets(page.locator("#briefing-note li").all_inner_texts()[:-len(listed)])

    page.get_by_label("one-page").check()
    page.locator("#compare-topic textarea").fill("Pakistan's IBMS coordination")
    docx_link = page.locator("#briefing-docx a").first
    previous = docx_link.get_attribute("href")
    page.locator("#write-comparison").click()
    page.locator("#briefing-note table").wait_for(timeout=120_000)
    page.wait_for_function("previous => { const a = document.querySelector('#briefing-docx a');"
                           " return a && a.getAttribute('href') !== previous; }", arg=previous, timeout=60_000)
    header = page.locator("#briefing-note table th").all_inner_texts()
    assert "Pakistan's IBMS coordination" in header and any("BCOCC" in h for h in header)
    assert page.locator("#briefing-note table tbody tr").count() == 5
    broken = page.locator("#briefing-note table tbody td:first-child").evaluate_all(BROKEN_WORDS)
    assert broken == [], broken  # the first column's words are never split across lines
    page.screenshot(path=str(SHOTS / "6-comparison.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#briefing-docx a").first.click()
    assert download.value.suggested_filename == "comparison-kenya-s-bcocc-and-inter-agency-coordination-and-pakistan-s-ibms.docx"
    saved = tmp_path / "comparison.docx"
    download.value.save_as(str(saved))
    table = docx.Document(str(saved)).tables[0]
    assert [row.cells[0].text for row in table.rows[1:]][0] == "Background" and len(table.rows) == 6
    markdown = download_text(page, "#briefing-md a", tmp_path / "comparison.md")
    assert markdown.startswith("# Comparison note: Kenya's BCOCC") and "| **Open questions** |" in markdown


BROKEN_WORDS = """cells => cells.flatMap(cell => {
  const broken = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (range.getClientRects().length > 1) broken.push(match[0]);
    }
  }
  return broken;
})"""
DANGLING = re.compile(r"^(He|She|It|They|His|Her|Its|Their|This|These|Those|Such)\b")


def check_standalone_bullets(bullets: list[str]) -> None:
    """No bullet opens with a word that points back to a sentence the note does not show ("He noted that ...")."""
    assert bullets and not [b for b in bullets if DANGLING.match(b)], bullets


def download_text(page, selector: str, path: Path) -> str:
    with page.expect_download() as download:
        page.locator(selector).first.click()
    download.value.save_as(str(path))
    return path.read_text(encoding="utf-8")


MARKUP_NOTE = """---
title: "Permit desk <img src='https://beacon.example/title.png'> notice"
kind: notice
---
# Permit desk

The permit desk at Namanga moved to the annex building in April 2025 <img src="https://beacon.example/beacon.png"> and applications now go through the [official permit portal](https://phish.example/login) **only**.
"""


def test_library_and_document_markup_in_the_browser(page, tmp_path):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_role("tab", name="Document library").click()
    table = page.locator("#library")
    table.get_by_text("Namanga", exact=False).first.wait_for(timeout=30_000)
    headers = table.locator("th")
    assert headers.count() == 7
    for i in range(headers.count()):  # every column shows at 1,280 px
        box = headers.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (headers.nth(i).inner_text(), box)
    font = table.locator("td").first.evaluate("cell => getComputedStyle(cell).fontFamily")
    assert "mono" not in font.lower(), font

    page.locator("#replace").click()  # nothing chosen: the status names what is missing; the table stays readable
    status = page.locator("#change-status")
    status.get_by_text("Document to replace or remove", exact=False).wait_for(timeout=30_000)
    assert "New version" in status.inner_text()
    assert page.get_by_text("Error", exact=True).count() == 0 and table.locator("td").count() > 0

    notice = tmp_path / "permit-notice.md"
    notice.write_text(MARKUP_NOTE, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(notice))
    page.locator("#upload").get_by_text("permit-notice.md").wait_for(timeout=30_000)
    page.locator("#index-uploads").click()
    page.locator("#upload-status").get_by_text("indexed", exact=False).wait_for(timeout=60_000)
    page.locator("#upload").get_by_text("permit-notice.md").wait_for(state="detached", timeout=10_000)
    table.locator(".virtual-table-viewport").evaluate("viewport => viewport.scrollTo(0, viewport.scrollHeight)")
    row = table.locator("[role=row]", has_text="permit-notice.md")
    row.wait_for(timeout=30_000)
    assert dt.datetime.now(dt.timezone.utc).date().isoformat() in row.inner_text()  # the upload date
    assert "<img" in row.inner_text()  # the title as typed
    page.screenshot(path=str(SHOTS / "7-library.png"), full_page=True)

    page.get_by_role("tab", name="Ask").click()
    ask(page, "Where did the permit desk at Namanga move in April 2025?")
    answer = last_answer(page)
    answer.get_by_text("annex building", exact=False).wait_for(timeout=60_000)
    page.locator("#sources").get_by_text("permit-notice.md", exact=False).wait_for(timeout=30_000)
    text = answer.inner_text()
    assert "[official permit portal](https://phish.example/login)" in text and "**only**" in text
    assert '<img src="https://beacon.example/beacon.png">' in text
    assert answer.locator("img").count() == 0 and page.locator("#sources img").count() == 0
    links = answer.locator("a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert links and all(href.startswith("#source-") for href in links), links
    assert not [url for url in requests if "example" in url], requests  # nothing of the document was fetched
