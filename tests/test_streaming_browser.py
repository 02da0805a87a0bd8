"""Honest streaming, seen in the browser: in LLM mode the answer appears a verified sentence at a time while the
model is still writing, and a sentence obeying an instruction planted in a document never reaches the screen,
not for a moment.

A real `briefing serve` in LLM mode talks, through the real OpenAI client, to the local OpenAI-compatible stub
(tests/openai_stub.py; no LLM can be reached here, so only the model is fake), which writes its reply 8
characters every 40 ms. Headless Chromium asks the question while a MutationObserver records every text the chat
ever shows."""

import shutil

import pytest
from openai_stub import OpenAIStub
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_llm import HIJACKED, hijacked_reply
from test_ui import serving

pytestmark = pytest.mark.slow

RECORD_CHAT = """() => {
  window.__seen = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => window.__seen.push([performance.now(), chat.innerText]))
    .observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def test_a_hijacked_sentence_never_reaches_the_screen_and_the_rest_streams_by_sentence(indexed_home, tmp_path):
    from playwright.sync_api import sync_playwright

    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    with OpenAIStub(hijacked_reply, delay_s=0.04) as stub, \
            serving(home, OPENAI_BASE_URL=stub.base_url, BRIEFING_LLM_MODEL="stub-model") as (_, url), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(url)
        page.locator("#chat").wait_for()
        page.evaluate(RECORD_CHAT)
        page.locator("#question textarea").fill("Who led the Pakistani government delegation to Kenya?")
        page.locator("#ask").click()
        page.locator("#chat").get_by_text("A sentence was withheld", exact=False).wait_for(timeout=60_000)
        page.locator("#sources").get_by_text("Khushal Khan", exact=False).first.wait_for(timeout=30_000)
        seen = page.evaluate("window.__seen")
        browser.close()
    texts = [text for _, text in seen]
    assert texts and all(HIJACKED.lower() not in text.lower() for text in texts)
    first_only = [t for t in texts if "Mr. Khushal Khan" in t and "Additional Secretary" not in t]
    assert first_only, "the first sentence was never shown on its own: the answer did not stream"
    final = texts[-1]
    assert "Mr. Khushal Khan" in final and "Additional Secretary" in final
    partial = [t for t in texts if "Mr. Khushal" in t and "Mr. Khushal Khan" not in t]
    assert partial == []  # never a sentence cut short
