"""The REST contract on the real Rasa server (both servers running, the e2e fixture): malformed requests get a JSON
error and never reach a conversation, no endpoint of the Rasa app answers with an HTML page, and nothing ever lands
in Rasa's shared "default" conversation. Every case in detail, and fair use (429), is in tests/test_channel.py."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid

import pytest

WEBHOOK = "/webhooks/rest/webhook"


def call(servers, path: str, data: bytes | None = None, method: str | None = None,
         content_type: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(f"{servers.url}{path}", data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def stored_senders(servers) -> set[str]:
    with sqlite3.connect(servers.logs / "conversations.db") as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}


@pytest.mark.parametrize("body, content_type, status, code", [
    (b"how much does spravato cost?", "text/plain", 400, "invalid_json"),
    (b"sender=x&message=hi", "application/x-www-form-urlencoded", 400, "invalid_json"),
    (b"{not json", "application/json", 400, "invalid_json"),
    (b'{"message": "what is DXM"}', None, 400, "invalid_sender"),
    (b'{"sender": "", "message": "what is DXM"}', None, 400, "invalid_sender"),
    (b'{"sender": ["a"], "message": "what is DXM"}', None, 400, "invalid_sender"),
    (json.dumps({"sender": "x" * 5000, "message": "what is DXM"}).encode(), None, 400, "invalid_sender"),
    (b'{"sender": "default", "message": "what is DXM"}', None, 400, "invalid_sender"),
    (b'{"sender": "e2e-contract", "message": 42}', None, 400, "invalid_message"),
    (json.dumps({"sender": "e2e-contract", "message": "x" * 2_000_000}).encode(), None, 413, "body_too_large"),
], ids=["text", "form", "broken-json", "no-sender", "empty-sender", "list-sender", "5000-char-sender",
        "default-sender", "number-message", "2MB"])
def test_a_malformed_request_gets_a_json_error_and_reaches_no_conversation(servers, body, content_type, status, code):
    before = stored_senders(servers)
    got, got_type, text = call(servers, WEBHOOK, body, content_type=content_type)
    assert (got, got_type) == (status, "application/json"), text
    reply = json.loads(text)
    assert reply["error"] == code and reply["message"]
    assert stored_senders(servers) - before == set() and "default" not in stored_senders(servers)


def test_a_valid_message_without_a_json_content_type_is_answered(servers):
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    body = json.dumps({"sender": sender, "message": "what is DXM"}).encode()
    status, _, text = call(servers, WEBHOOK, body, content_type="text/plain")
    assert status == 200 and "Health Rising" in text
    assert sender in stored_senders(servers) and "default" not in stored_senders(servers)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/nothing/here", 404),
    ("GET", WEBHOOK, 405),
    ("PUT", "/webhooks/rest/health", 405),
    ("GET", "/conversations/someone/tracker", 404),  # Rasa's HTTP API, off without a token
    ("POST", "/webhooks/nothing/webhook", 404),
])
def test_no_endpoint_answers_with_an_html_page(servers, method, path, status):
    got, content_type, text = call(servers, path, b"{}" if method in ("POST", "PUT") else None, method=method)
    assert got == status and content_type == "application/json", text
    assert "<html" not in text.lower() and json.loads(text)["error"]
