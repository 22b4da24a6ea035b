"""Feedback on answers (addons/feedback.py): strict checking of what the widget sends, storage as JSON lines with
the time and never any text, and the report (scripts/feedback_report.py). The endpoint itself is exercised over
HTTP against the real server in tests/e2e/test_widget_features.py."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from addons.feedback import MAX_BYTES, REASONS, FeedbackError, feedback_dir, parse_feedback, record
from scripts.feedback_report import default_folder, load, report, summarise

FACTS = {"spravato-cost", "spravato-eligibility"}
JSON = "application/json"


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_a_vote_with_facts_and_intent_is_accepted():
    entry = parse_feedback(body(vote="down", reason="wrong-topic", facts=["spravato-cost"], intent="ask_cost",
                                kind="answer"), "application/json; charset=utf-8", FACTS)
    assert entry == {"vote": "down", "reason": "wrong-topic", "facts": ["spravato-cost"], "intent": "ask_cost",
                     "kind": "answer"}


@pytest.mark.parametrize("raw, content_type, status", [
    (body(vote="up", intent="ask_cost"), "text/plain", 415),
    (b"{not json", JSON, 400),
    (b"[1, 2]", JSON, 400),
    (body(vote="maybe", intent="ask_cost"), JSON, 400),
    (body(vote="up", intent="ask_cost", text="my doctor said..."), JSON, 400),  # no message text, ever
    (body(vote="up", intent="ask_cost", sender="web-123"), JSON, 400),
    (body(vote="up", reason="wrong-topic", intent="ask_cost"), JSON, 400),  # a reason goes with a thumbs down
    (body(vote="down", reason="because", intent="ask_cost"), JSON, 400),
    (body(vote="up", intent="Ask Cost!"), JSON, 400),
    (body(vote="up"), JSON, 400),
    (body(vote="up", intent="ask_cost", facts="spravato-cost"), JSON, 400),
    (body(vote="up", intent="ask_cost", facts=["no-such-fact"]), JSON, 400),
    (body(vote="up", intent="ask_cost", facts=["spravato-cost"] * 11), JSON, 400),
    (body(vote="up", intent="ask_cost", kind="poem"), JSON, 400),
    (body(vote="up", intent="ask_cost", facts=["x" * MAX_BYTES]), JSON, 413),
])
def test_anything_else_is_refused_with_its_status(raw, content_type, status):
    with pytest.raises(FeedbackError) as refused:
        parse_feedback(raw, content_type, FACTS)
    assert refused.value.status == status and refused.value.message


def test_a_record_is_one_json_line_with_the_time_to_the_minute(tmp_path):
    when = datetime(2026, 11, 3, 14, 7, 59, tzinfo=timezone.utc)
    entry = parse_feedback(body(vote="up", facts=["spravato-cost"], intent="ask_cost"), JSON, FACTS)
    path = record(entry, tmp_path / "feedback", when)
    record(entry, tmp_path / "feedback", when)
    assert path.name == "feedback-2026-11.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"time": "2026-11-03T14:07Z", "vote": "up", "reason": None, "facts": ["spravato-cost"],
                        "intent": "ask_cost", "kind": None}
    assert len(lines) == 2


def test_the_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FEEDBACK_DIR", str(tmp_path))
    assert feedback_dir() == default_folder() == tmp_path
    monkeypatch.delenv("FEEDBACK_DIR")
    assert feedback_dir() == default_folder()
    assert feedback_dir().parts[-2:] == ("var", "feedback")


def test_the_report_summarises_by_fact_and_reason(tmp_path):
    when = datetime(2026, 11, 3, tzinfo=timezone.utc)
    for vote, reason, facts in [("up", None, ["spravato-cost"]), ("down", "hard-to-read", ["spravato-cost"]),
                                ("down", "wrong-topic", ["spravato-cost", "spravato-eligibility"]),
                                ("down", None, [])]:
        record({"vote": vote, "reason": reason, "facts": facts, "intent": "ask_cost", "kind": "answer"}, tmp_path,
               when)
    (tmp_path / "feedback-2026-12.jsonl").write_text("not json\n", encoding="utf-8")  # skipped, counted
    entries, skipped = load(tmp_path)
    summary = summarise(entries)
    assert skipped == 1
    assert summary["total"] == {"up": 1, "down": 3}
    assert summary["facts"]["spravato-cost"] == {"up": 1, "down": 2, "reasons": {"hard-to-read": 1, "wrong-topic": 1}}
    assert summary["reasons"] == {"hard-to-read": 1, "wrong-topic": 1, "(none given)": 1}
    text = report(summary, skipped)
    assert "spravato-cost" in text and "hard-to-read" in text and "1 line skipped" in text
    assert set(summary["reasons"]) - {"(none given)"} <= set(REASONS)


def test_the_report_of_an_empty_folder_says_so(tmp_path):
    entries, skipped = load(tmp_path / "nothing-yet")
    assert "No feedback yet" in report(summarise(entries), skipped)
