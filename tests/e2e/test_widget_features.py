"""The widget's reading aids (issue 13) in headless Chromium against the real servers: compact answers from the
structured reply, the evidence badge, the source chip with the link to the passage, the folding notice,
"Questions for my doctor" (panel, note, print, copy, delete), feedback stored without text, low-energy mode.
Screenshots go to tests/artifacts/ (docs/screenshots/ holds a copy)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.passages import passage_url
from tests.e2e.test_widget import ARTIFACTS, CONTRAST, open_chat

# Feedback from these tests goes to a folder of its own, never the checkout's var/feedback/. Set at import, before
# the session's servers start (tests/e2e/conftest.py copies the environment when it starts Rasa).
FEEDBACK_DIR = Path(tempfile.mkdtemp(prefix="feedback-e2e-"))
os.environ["FEEDBACK_DIR"] = str(FEEDBACK_DIR)

COST = "how much would spravato set me back?"
ADVICE = "should i ask for ketamine for my back pain?"


def new_page(browser, site, width=1280, height=900, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    hosts: set[str] = set()
    posts: list[str] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    page.on("request", lambda request: posts.append(request.post_data or "") if request.method == "POST" else None)
    page.goto(f"{site.web_url}/index.html")
    page.hosts, page.posts = hosts, posts
    return context, page


@pytest.fixture
def page(browser, site):
    context, page = new_page(browser, site)
    yield page
    context.close()


def ask(page, text: str):
    box = page.get_by_label("Your question")
    before = page.locator(".tb-bot").count()
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=before, timeout=30000)
    return page.locator(".tb-bot").last


def structured(page):
    """The structured replies (R) the server sent in this page so far, from the widget's own storage."""
    return page.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('treatment-bot:'))
        .flatMap(k => JSON.parse(localStorage[k]).messages).filter(m => m.reply).map(m => m.reply)""")


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


# ---------- compact answers ----------

def test_an_answer_is_compact_lead_and_facts_first(page):
    open_chat(page)
    answer = ask(page, COST)
    reply = structured(page)[-1]
    assert reply["kind"] == "answer" and reply["facts"]
    if reply["lead"]:
        assert answer.locator(".tb-lead").inner_text().strip() == reply["lead"]
    assert answer.locator(".tb-fact").count() == len(reply["facts"])
    assert "several thousand dollars" in answer.inner_text()
    # The long form (the evidence paragraph, the full source line) stays behind the chip and badges.
    assert "How strong is this?" not in answer.inner_text()
    assert answer.locator(".tb-citation").is_hidden()
    disclaimer = answer.locator(".tb-disclaimer")
    assert "talk to your doctor" in disclaimer.inner_text()
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert disclaimer.evaluate(size) < 0.85 * answer.locator(".tb-fact-text").first.evaluate(size)  # small print
    assert disclaimer.evaluate("e => e.getClientRects().length") == 1  # one block at the end, not a paragraph set
    order = answer.evaluate("""e => [...e.querySelectorAll('.tb-lead, .tb-facts, .tb-cite, .tb-disclaimer')]
                               .map(n => n.className.split(' ')[0])""")
    assert order == (["tb-lead"] if reply["lead"] else []) + ["tb-facts", "tb-cite", "tb-disclaimer"]
    shot(page, "widget-answer-desktop.png")


def test_the_evidence_badge_explains_itself_on_focus_and_tap(page):
    open_chat(page)
    answer = ask(page, COST)
    fact = structured(page)[-1]["facts"][0]
    badge = answer.locator(".tb-badge").first
    assert badge.inner_text().strip() == fact["evidence_label"]
    note = page.locator("#" + badge.get_attribute("aria-describedby"))
    assert note.is_hidden() and note.inner_text() == fact["evidence_note"]  # read to screen readers via describedby
    badge.focus()
    assert note.is_visible() and badge.get_attribute("aria-expanded") == "true"
    page.get_by_label("Your question").focus()
    assert note.is_hidden()
    badge.dispatch_event("click")  # a tap (without the focus a mouse click gives)
    assert note.is_visible()


def test_the_source_chip_opens_the_citation_and_the_passage(page):
    open_chat(page)
    answer = ask(page, COST)
    reply = structured(page)[-1]
    chip = answer.get_by_role("button", name=re.compile("^Source"))
    assert chip.get_attribute("aria-expanded") == "false"
    chip.click()
    citation = answer.locator(".tb-citation")
    assert citation.is_visible() and chip.get_attribute("aria-expanded") == "true"
    text = citation.inner_text()
    assert "Health Rising" in text and "20 April 2019" in text and "Cort Johnson" in text
    where = reply["citation"]["where"]
    assert where.startswith("section ") and where[:1].upper() + where[1:] in text, text
    passage = citation.get_by_role("link", name=re.compile("Read the passage"))
    href = passage.get_attribute("href")
    assert href == passage_url(reply["facts"][0]["para"]) and "#:~:text=" in href
    assert passage.get_attribute("target") == "_blank" and "noopener" in passage.get_attribute("rel")
    shot(page, "widget-source-desktop.png")


def test_a_reply_without_structure_shows_its_text_and_other_custom_payloads_still_work(page, site):
    open_chat(page)
    replies = [{"text": "Plain reply.\nSource: Health Rising https://www.healthrising.org/x"},
               {"custom": {"something_else": True}}, {"text": "Second bubble."}]
    page.route(f"{site.url}/webhooks/rest/webhook", lambda route: route.fulfill(
        status=200, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"}, json=replies))
    ask(page, "anything")
    assert page.locator(".tb-bot").count() == 2 and page.locator(".tb-answer").count() == 0
    assert "Plain reply." in page.locator(".tb-bot").first.inner_text()
    assert page.locator(".tb-bot").first.locator(".tb-source a").get_attribute("href") == "https://www.healthrising.org/x"
    assert page.locator(".tb-bot .tb-add, .tb-bot .tb-vote").count() == 0


MALICIOUS_R = {"kind": "answer", "intent": "ask_cost", "acknowledgement": "", "safety": "",
               "lead": "<img src=x onerror=\"window.__pwned=1\">", "gap": "<script>window.__pwned=2</script>",
               "facts": [{"id": "cost-spravato-price", "text": "<b onmouseover=window.__pwned=3>x</b>",
                          "evidence": "background", "evidence_label": "<i>label</i>", "evidence_note": "<u>n</u>",
                          "section": "s", "cites": None, "para": 10}],
               "evidence": "", "dated": "", "disclaimer": "<svg onload=window.__pwned=4>",
               "citation": {"publisher": "<img src=y onerror=window.__pwned=5>", "author": "a", "published": "2019",
                            "sections": ["<s>"], "cites": [], "url": "javascript:window.__pwned=6",
                            "paras": [10], "passage_url": "javascript:window.__pwned=7"}}


def test_a_structured_reply_stays_inert_markup(page, site):
    open_chat(page)
    page.route(f"{site.url}/webhooks/rest/webhook", lambda route: route.fulfill(
        status=200, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
        json=[{"text": "fallback"}, {"custom": {"reply": MALICIOUS_R}}]))
    answer = ask(page, "cost?")
    answer.get_by_role("button", name=re.compile("^Source")).click()
    answer.locator(".tb-badge").focus()
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".tb-panel img, .tb-panel script, .tb-panel svg, .tb-panel b, .tb-panel a").count() == 0
    assert "<img" in answer.locator(".tb-lead").inner_text()
    assert page.locator(".tb-bot").count() == 1  # the custom reply replaced its text bubble


# ---------- the notice ----------

def test_the_notice_is_full_before_the_first_message_then_one_line_that_reopens(page):
    open_chat(page)
    full = page.locator("#tb-notice")
    assert full.is_visible() and "not medical advice" in full.inner_text()
    ask(page, COST)
    assert full.is_hidden()
    line = page.get_by_role("button", name="General information, not medical advice. In a crisis: 988")
    assert line.is_visible() and line.get_attribute("aria-expanded") == "false"
    assert line.bounding_box()["height"] < 2 * 16 * 1.45 * 0.85 + 12  # one line
    line.click()
    assert full.is_visible() and line.get_attribute("aria-expanded") == "true"
    line.click()
    assert full.is_hidden()
    page.reload()  # stays folded once a conversation exists
    assert page.locator("#tb-notice").is_hidden()


# ---------- questions for my doctor ----------

def test_questions_for_my_doctor_list_note_print_copy_and_delete(browser, site):
    context, page = new_page(browser, site)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.web_url)
    open_chat(page)
    answer = ask(page, COST)
    answer.get_by_role("button", name="Add to my questions").click()
    assert answer.get_by_role("button", name="Added to my questions").is_disabled()
    bubbles = page.locator(".tb-bot").count()
    advice = ask(page, ADVICE)
    assert structured(page)[-1]["kind"] == "advice"
    assert page.locator(".tb-bot").count() == bubbles + 1  # one bubble, even when the text came in two
    advice.get_by_role("button", name="Add to my questions").click()
    listing = page.get_by_role("button", name="My questions (2)")
    listing.click()
    panel = page.get_by_role("region", name="Questions for my doctor")
    items = panel.locator(".tb-q")
    assert items.count() == 2
    assert items.nth(0).locator(".tb-q-question").inner_text() == COST
    assert items.nth(1).locator(".tb-q-question").inner_text() == ADVICE
    assert "several thousand dollars" in items.nth(0).locator(".tb-q-says").inner_text()
    assert "Health Rising" in items.nth(0).locator(".tb-q-source").inner_text()
    assert "#:~:text=" in items.nth(0).get_by_role("link").get_attribute("href")
    items.nth(0).get_by_label("My note").fill("Does my insurance cover it?")
    shot(page, "widget-questions-desktop.png")
    # Print: only the list, with the note as text; not the clinic's page, the chat or the buttons.
    page.emulate_media(media="print")
    assert panel.is_visible() and items.nth(0).locator(".tb-q-note-print").inner_text().endswith("insurance cover it?")
    for hidden in ("main", ".tb-log", ".tb-form", ".tb-toolbar", ".tb-header", ".tb-q-tools", ".tb-q-note"):
        assert all(not element.is_visible() for element in page.locator(hidden).all()), hidden
    shot(page, "widget-questions-print-desktop.png", full_page=True)
    page.emulate_media(media="screen")
    # Copy as plain text.
    panel.get_by_role("button", name="Copy as text").click()

    page.get_by_role("status").get_by_text("Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Questions for my doctor") and f"1. {COST}" in copied
    assert "My note: Does my insurance cover it?" in copied and "Source: " in copied
    # Kept on the device across reloads; deleted with "Delete chat".
    page.reload()
    page.get_by_role("button", name="My questions (2)").click()
    assert page.get_by_label("My note").first.input_value() == "Does my insurance cover it?"
    page.get_by_role("button", name="Delete chat").click()
    assert page.get_by_role("button", name="My questions", exact=True).is_visible()
    assert "Does my insurance" not in page.evaluate("JSON.stringify(localStorage)")
    context.close()


# ---------- feedback ----------

def test_thumbs_down_with_a_reason_is_stored_with_fact_ids_and_intent_never_the_text(page):
    open_chat(page)
    answer = ask(page, COST)
    reply = structured(page)[-1]
    before = {path: path.read_text() for path in FEEDBACK_DIR.glob("*.jsonl")}
    answer.get_by_role("button", name="Not helpful").click()
    with page.expect_response(lambda r: "/webhooks/feedback/" in r.url and r.request.method == "POST") as sent:
        answer.get_by_role("button", name="Hard to read").click()
    assert sent.value.status == 201
    assert answer.get_by_role("button", name="Not helpful").get_attribute("aria-pressed") == "true"
    assert answer.get_by_role("button", name="Helpful", exact=True).is_disabled()
    lines = [line for path in FEEDBACK_DIR.glob("*.jsonl")
             for line in path.read_text().splitlines()[len(before.get(path, "").splitlines()):]]
    assert len(lines) == 1
    stored = json.loads(lines[0])
    assert stored["vote"] == "down" and stored["reason"] == "hard-to-read" and stored["intent"] == reply["intent"]
    assert stored["facts"] == [fact["id"] for fact in reply["facts"]]
    assert set(stored) == {"time", "vote", "reason", "facts", "intent", "kind"}
    assert "spravato set me back" not in lines[0] and "web-" not in lines[0]
    page.reload()  # the vote is remembered: no second vote on the same answer
    assert page.locator(".tb-bot").last.get_by_role("button", name="Helpful", exact=True).is_disabled()


def post_feedback(url: str, body: bytes, content_type: str = "application/json", origin: str | None = None):
    headers = {"Content-Type": content_type} | ({"Origin": origin} if origin else {})
    request = urllib.request.Request(f"{url}/webhooks/feedback/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def test_the_feedback_endpoint_is_strict_and_answers_in_json(site):
    good = json.dumps({"vote": "up", "facts": ["cost-spravato-price"], "intent": "ask_cost"}).encode()
    status, body, headers = post_feedback(site.url, good, origin=site.web_url)
    assert (status, body) == (201, {"status": "stored"})
    assert headers["Access-Control-Allow-Origin"] == site.web_url  # CORS as for the REST channel
    _, _, headers = post_feedback(site.url, good, origin="https://elsewhere.example")
    assert headers.get("Access-Control-Allow-Origin") is None
    for raw, content_type, expected in [
        (json.dumps({"vote": "up", "intent": "ask_cost", "text": "my question"}).encode(), "application/json", 400),
        (b"{", "application/json", 400),
        (good, "text/plain", 415),
        (b'{"vote": "up", "intent": "ask_cost", "facts": ["' + b"a" * 3000 + b'"]}', "application/json", 413),
    ]:
        status, body, _ = post_feedback(site.url, raw, content_type)
        assert status == expected and body["error"], (status, body)


# ---------- low-energy mode ----------

def test_low_energy_mode_shortens_answers_enlarges_text_and_is_remembered(browser, site):
    context, page = new_page(browser, site)
    open_chat(page)
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tb-log')).fontSize)")
    toggle = page.get_by_role("button", name="Low energy")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tb-log')).fontSize)") >= 1.15 * normal
    answer = ask(page, "does ketamine help fibromyalgia?")
    facts = answer.locator(".tb-fact")
    total = facts.count()
    assert total >= 2, "this question needs an answer with more than one fact"
    assert [facts.nth(i).is_visible() for i in range(total)] == [True] + [False] * (total - 1)
    shot(page, "widget-low-energy-desktop.png")
    more = answer.get_by_role("button", name="Tell me more")
    posts = len(page.posts)
    more.click()  # first shows the facts already here, without asking the server
    assert all(facts.nth(i).is_visible() for i in range(total))
    assert len(page.posts) == posts and not more.is_disabled()
    count = page.locator(".tb-bot").count()
    more.click()  # then asks the server for more
    page.wait_for_function("n => document.querySelectorAll('.tb-bot').length > n", arg=count, timeout=30000)
    assert any('"/more"' in post for post in page.posts[posts:])
    page.reload()  # remembered on the device, and kept when the chat is deleted
    assert page.get_by_role("button", name="Low energy").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Delete chat").click()
    assert page.get_by_role("button", name="Low energy").get_attribute("aria-pressed") == "true"
    context.close()


# ---------- kept: keyboard, contrast, 360 px, nothing from third parties ----------

def test_keyboard_reaches_badge_chip_add_and_votes(page):
    open_chat(page)
    ask(page, COST)
    page.locator(".tb-bot .tb-badge").first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "tb-badge"
    assert page.locator(".tb-badge-note").first.is_visible()
    chip = page.locator(".tb-bot .tb-chip").last
    chip.focus()
    page.keyboard.press("Enter")
    assert chip.get_attribute("aria-expanded") == "true"
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent || document.activeElement.ariaLabel"))
    assert "Add to my questions" in names and any("passage" in (name or "") for name in names)
    assert page.evaluate("document.activeElement.closest('.tb-panel') !== null")


def test_new_parts_pass_wcag_aa_contrast(page):
    open_chat(page)
    answer = ask(page, COST)
    answer.get_by_role("button", name="Not helpful").click()
    answer.get_by_role("button", name=re.compile("^Source")).click()
    pairs = [(".tb-fact-text", ".tb-bot"), (".tb-badge", ".tb-badge"), (".tb-chip", ".tb-chip"),
             (".tb-citation", ".tb-citation"), (".tb-citation a", ".tb-citation"), (".tb-disclaimer", ".tb-bot"),
             (".tb-add", ".tb-add"), (".tb-reason", ".tb-reason"), (".tb-tool", ".tb-tool"),
             (".tb-notice-line", ".tb-notice"), (".tb-toolbar .tb-tool", ".tb-toolbar")]
    for fg, bg in pairs:
        assert page.evaluate(CONTRAST, [fg, bg]) >= 4.5, (fg, bg)
    answer.get_by_role("button", name="Add to my questions").click()
    page.get_by_role("button", name=re.compile("My questions")).click()
    for fg, bg in [(".tb-q-intro", ".tb-questions"), (".tb-q-source a", ".tb-questions"),
                   (".tb-tool-dark", ".tb-tool-dark"), (".tb-q-remove", ".tb-q-remove")]:
        assert page.evaluate(CONTRAST, [fg, bg]) >= 4.5, (fg, bg)


def test_at_360_px_answer_source_list_print_and_low_energy_fit(browser, site):
    context, page = new_page(browser, site, width=360, height=740)
    open_chat(page)
    answer = ask(page, COST)
    answer.get_by_role("button", name=re.compile("^Source")).click()
    answer.get_by_role("button", name="Add to my questions").click()

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("#tb-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("""() => [...document.querySelectorAll('.tb-panel *')].every(e => {
            const r = e.getBoundingClientRect(); return r.width === 0 || r.right <= 361; })""")

    fits()
    answer.locator(".tb-facts").scroll_into_view_if_needed()
    shot(page, "widget-answer-360px.png")
    answer.locator(".tb-citation").scroll_into_view_if_needed()
    shot(page, "widget-source-360px.png")
    page.get_by_role("button", name="My questions (1)").click()
    page.get_by_label("My note").fill("Ask about cost and insurance.")
    fits()
    shot(page, "widget-questions-360px.png")
    page.emulate_media(media="print")
    shot(page, "widget-questions-print-360px.png", full_page=True)
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Back to chat").click()
    page.get_by_role("button", name="Low energy").click()
    ask(page, "does ketamine help fibromyalgia?")
    fits()
    shot(page, "widget-low-energy-360px.png")
    assert page.hosts <= {"127.0.0.1"}
    context.close()


def test_nothing_is_requested_from_other_hosts(page):
    open_chat(page)
    answer = ask(page, COST)
    answer.get_by_role("button", name="Helpful", exact=True).click()
    answer.get_by_role("button", name=re.compile("^Source")).click()
    time.sleep(0.2)  # the feedback POST is fire-and-forget
    assert page.hosts <= {"127.0.0.1"}
