"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright with that executable):
ask, see the answer and its citation, open the passage, upload a report, ask about it,
download a briefing note as DOCX whose bullets all carry citations and as Markdown with a numbered
source list, then write a one-page comparison note of two topics and download it as both. Screenshots
are saved under test-output/screenshots/."""

import os
import re
from pathlib import Path

import docx
import pytest
from conftest import REPO
from test_ui import server_over_copy

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
        context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        tab = context.new_page()
        tab.goto(app_url)
        yield tab
        browser.close()


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def last_answer(page):
    return page.locator("#chat .message-row").last


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
    page.screenshot(path=str(SHOTS / "1-answer.png"))

    answer.locator("a[href='#source-1']").first.click()
    page.locator("#source-1.highlight").wait_for(timeout=10_000)
    assert page.locator("#source-1 mark").count() >= 1
    page.screenshot(path=str(SHOTS / "2-passage.png"))

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
    saved = tmp_path / "briefing.docx"
    download.value.save_as(str(saved))
    bullets = [p.text for p in docx.Document(str(saved)).paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) >= 5
    assert all(re.search(r"\[\d+\]", b) for b in bullets), bullets
    markdown = download_text(page, "#briefing-md a", tmp_path / "briefing.md")
    assert markdown.startswith("# Briefing note: Kenya's BCOCC") and "\n1. " in markdown
    sources = page.locator("#briefing-note ol").last.locator("li")  # the Sources, rendered as a numbered list
    assert sources.count() >= 3 and "public" in sources.first.inner_text()

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
    page.screenshot(path=str(SHOTS / "6-comparison.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#briefing-docx a").first.click()
    saved = tmp_path / "comparison.docx"
    download.value.save_as(str(saved))
    table = docx.Document(str(saved)).tables[0]
    assert [row.cells[0].text for row in table.rows[1:]][0] == "Background" and len(table.rows) == 6
    markdown = download_text(page, "#briefing-md a", tmp_path / "comparison.md")
    assert markdown.startswith("# Comparison note: Kenya's BCOCC") and "| **Open questions** |" in markdown


def download_text(page, selector: str, path: Path) -> str:
    with page.expect_download() as download:
        page.locator(selector).first.click()
    download.value.save_as(str(path))
    return path.read_text(encoding="utf-8")
