"""The web widget in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no browser download),
against the real servers. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]



def page_html(rasa_url: str, attributes: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>Clinic</title></head><body><main><h1>Clinic</h1>'
        f'<p>Demo.</p></main><script src="widget.js" data-server="{rasa_url}" {attributes} defer></script>'
        "</body></html>"
    )


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    page.goto(f"{site.web_url}/index.html")
    page.hosts = hosts
    yield page
    context.close()


def open_chat(page):
    page.get_by_role("button", name=re.compile("Chat")).click()
    return page.get_by_label("Your question")


def ask(page, text: str):
    box = page.get_by_label("Your question")
    before = page.locator(".tb-bot").count()
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=before, timeout=30000)
    return page.locator(".tb-bot").last


def test_question_gets_an_answer_with_a_source_link_and_the_disclaimer(page):
    open_chat(page)
    assert "not medical advice" in page.locator(".tb-notice").inner_text()
    ask(page, "how much does spravato cost?")
    log = page.get_by_role("log")
    assert "several thousand dollars" in log.inner_text()
    assert "talk to your doctor" in log.inner_text()
    link = page.locator(".tb-source a").last
    assert link.get_attribute("href").startswith("https://www.healthrising.org/")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))


def test_quick_reply_is_sent_and_then_disabled(page):
    open_chat(page)
    ask(page, "does ketamine help fibromyalgia?")
    more = page.get_by_role("button", name="Tell me more").nth(0)
    count = page.locator(".tb-bot").count()
    more.click()
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=count, timeout=30000)
    assert more.is_disabled()
    assert "fibromyalgia" in page.locator(".tb-bot").last.inner_text().lower()


def test_crisis_message_shows_help(page):
    open_chat(page)
    reply = ask(page, "I don't want to live anymore")
    assert "988" in reply.inner_text()


def test_page_attribute_sets_the_country(browser, site):
    page = browser.new_page()
    page.goto(f"{site.web_url}/australia.html")
    open_chat(page)
    assert "13 11 14" in ask(page, "i want to end my life").inner_text()
    page.close()


def test_reload_keeps_the_conversation_and_delete_chat_clears_it(page):
    open_chat(page)
    ask(page, "what is spravato?")
    page.reload()
    assert "nasal spray" in page.get_by_role("log").inner_text()
    page.get_by_role("button", name="Delete chat").click()
    assert page.locator(".tb-msg").count() == 0
    page.reload()
    assert page.locator(".tb-msg").count() == 0


def test_keyboard_only(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "tb-launcher"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "tb-input"
    page.keyboard.type("what is dxm?")
    count = page.locator(".tb-bot").count()
    page.keyboard.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=count, timeout=30000)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Escape")
    assert page.locator("#tb-panel").is_hidden()
    assert page.evaluate("document.activeElement.className") == "tb-launcher"


def test_accessible_structure(page):
    open_chat(page)
    assert page.get_by_role("dialog", name="Treatment questions").is_visible()
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert page.locator(".tb-launcher").get_attribute("aria-expanded") == "true"


CONTRAST = """
([fgSel, bgSel]) => {
  const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const channel = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  const lum = c => { const v = c.map(channel); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const fg = rgb(getComputedStyle(document.querySelector(fgSel)).color);
  const bg = rgb(getComputedStyle(document.querySelector(bgSel)).backgroundColor);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


def test_text_contrast_passes_wcag_aa(page):
    open_chat(page)
    ask(page, "what is spravato?")
    pairs = [(".tb-bot", ".tb-bot"), (".tb-user", ".tb-user"), (".tb-notice", ".tb-notice"),
             (".tb-header h2", ".tb-header"), (".tb-quick", ".tb-quick"), (".tb-send", ".tb-send")]
    for fg, bg in pairs:
        assert page.evaluate(CONTRAST, [fg, bg]) >= 4.5, (fg, bg)


def test_usable_at_360_px(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{site.web_url}/index.html")
    open_chat(page)
    ask(page, "does ketamine help chronic pain?")
    box = page.locator("#tb-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-360px.png"))
    context.close()


MALICIOUS_REPLY = [
    {"text": "<img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=2</script> **bold** "
             "[click](javascript:window.__pwned=3) javascript:window.__pwned=4 https://example.org/ok\n- item one"},
]


def test_markup_and_scripts_stay_inert(page, site):
    open_chat(page)
    page.route(f"{site.url}/webhooks/rest/webhook",
               lambda route: route.fulfill(status=200, content_type="application/json",
                                           headers={"Access-Control-Allow-Origin": "*"},
                                           json=MALICIOUS_REPLY))
    ask(page, "<img src=x onerror=window.__pwned=5><script>window.__pwned=6</script>")
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".tb-panel img, .tb-panel script").count() == 0
    hrefs = page.locator(".tb-panel a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://example.org/ok"]
    assert page.locator(".tb-bot strong").inner_text() == "bold"
    assert page.locator(".tb-bot li").inner_text() == "item one"
    assert "<img" in page.locator(".tb-user").last.inner_text()


def test_unreachable_server_gets_a_friendly_message_and_retry(page, site):
    open_chat(page)
    page.route(f"{site.url}/webhooks/rest/webhook", lambda route: route.abort())
    box = page.get_by_label("Your question")
    box.fill("what is spravato?")
    box.press("Enter")
    status = page.get_by_role("status")
    status.get_by_role("button", name="Try again").wait_for()
    assert "can't reach the server" in status.inner_text()
    page.unroute(f"{site.url}/webhooks/rest/webhook")
    count = page.locator(".tb-bot").count()
    status.get_by_role("button", name="Try again").click()
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=count, timeout=30000)
    assert "nasal spray" in page.locator(".tb-bot").last.inner_text()


def test_a_refused_message_shows_the_servers_kind_reason_and_can_be_sent_again(page, site):
    """Fair use (429) and the REST contract (400, 413) answer with a sentence for the person: the widget shows it,
    with the crisis line, and the message can be sent again."""
    open_chat(page)
    reason = "You're sending messages faster than I can answer. Please wait a few seconds and try again."
    page.route(f"{site.url}/webhooks/rest/webhook", lambda route: route.fulfill(
        status=429, content_type="application/json", headers={"Retry-After": "2"},
        body=json.dumps({"error": "rate_limited", "message": reason, "retry_after": 2})))
    box = page.get_by_label("Your question")
    box.fill("what is spravato?")
    box.press("Enter")
    status = page.get_by_role("status")
    status.get_by_role("button", name="Try again").wait_for()
    assert reason in status.inner_text() and "988" in status.inner_text()
    assert "can't reach the server" not in status.inner_text()
    page.unroute(f"{site.url}/webhooks/rest/webhook")
    count = page.locator(".tb-bot").count()
    status.get_by_role("button", name="Try again").click()
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=count, timeout=30000)


def test_no_request_leaves_the_machine(page):
    open_chat(page)
    ask(page, "what is memantine?")
    assert page.hosts <= {"127.0.0.1"}


def test_typing_forget_me_clears_this_device_too(page):
    open_chat(page)
    ask(page, "what is spravato?")
    box = page.get_by_label("Your question")
    box.fill("please delete my conversation")
    box.press("Enter")
    page.get_by_role("button", name="Yes, delete it").click(timeout=30000)  # a typed request asks first
    page.get_by_text("deleted this conversation").wait_for(timeout=30000)
    assert page.locator(".tb-msg").count() == 1  # only the confirmation is left
    page.reload()
    assert "nasal spray" not in page.get_by_role("log").inner_text()
