"""Talk to the running bot from the terminal: an interactive chat, or a scripted conversation replayed from YAML.

    python -m bot.cli chat                       # type questions; "quit" to leave
    python -m bot.cli replay conversations/demo.yml

Both speak to Rasa's REST channel (default http://localhost:5005), so what you see is what a patient gets.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import yaml

DEFAULT_URL = "http://localhost:5005"
WEBHOOK = "/webhooks/rest/webhook"


class BotUnavailable(RuntimeError):
    """The Rasa server could not be reached."""


def send(url: str, sender: str, message: str, timeout: float = 30.0, metadata: dict | None = None) -> list[dict]:
    """POST one message to the REST channel and return the bot's replies."""
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    request = urllib.request.Request(
        url.rstrip("/") + WEBHOOK,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8") or "[]")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise BotUnavailable(f"can't reach the bot at {url} ({error}). Is it running? Try `make run`.") from error


def render(replies: list[dict]) -> str:
    """Bot replies as terminal text: each message, then its quick replies as numbered options."""
    lines: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(reply["text"])
        for number, button in enumerate(reply.get("buttons") or [], start=1):
            lines.append(f"  [{number}] {button.get('title')}")
    return "\n".join(lines) if lines else "(no reply)"


def chat(url: str, sender: str) -> int:
    print(f"Talking to the bot at {url}. Type a question, a number to press a button, or 'quit' to leave.\n")
    buttons: list[dict] = []
    while True:
        try:
            message = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if message.lower() in {"quit", "exit"}:
            return 0
        if message.isdigit() and 0 < int(message) <= len(buttons):
            message = buttons[int(message) - 1]["payload"]
        try:
            replies = send(url, sender, message)
        except BotUnavailable as error:
            print(f"bot> Sorry, {error}")
            continue
        buttons = [button for reply in replies for button in reply.get("buttons") or []]
        print("bot> " + render(replies).replace("\n", "\n     ") + "\n")


def load_script(path: Path) -> dict[str, Any]:
    """A conversation file: `turns:` (a list of messages) and optionally `sender:` and `metadata:`."""
    try:
        script = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"can't read conversation file {path}: {error}") from error
    if not isinstance(script, dict) or not isinstance(script.get("turns"), list) or not script["turns"]:
        raise SystemExit(f"{path}: expected a mapping with a non-empty `turns:` list of messages")
    return script


def replay(url: str, path: Path, sender: str | None = None) -> int:
    script = load_script(path)
    sender = sender or script.get("sender") or f"replay-{uuid.uuid4().hex[:8]}"
    for turn in script["turns"]:
        print(f"you> {turn}")
        try:
            replies = send(url, sender, str(turn), metadata=script.get("metadata"))
        except BotUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print("bot> " + render(replies).replace("\n", "\n     ") + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"the Rasa server (default {DEFAULT_URL})")
    parser.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("chat", help="an interactive conversation")
    replay_parser = commands.add_parser("replay", help="replay a YAML conversation file and print the transcript")
    replay_parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "chat":
        return chat(args.url, args.sender or f"cli-{uuid.uuid4().hex[:8]}")
    return replay(args.url, args.file, args.sender)


if __name__ == "__main__":
    sys.exit(main())
