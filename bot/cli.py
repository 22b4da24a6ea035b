"""Talk to the running bot from the terminal: an interactive chat, or a scripted conversation replayed from YAML.

    python -m bot.cli chat                       # type questions; "quit" to leave
    python -m bot.cli replay conversations/demo.yml
    some-command 2>&1 | python -m bot.cli quiet  # drops third-party deprecation warnings (make run, make chat)

Both speak to Rasa's REST channel (default http://localhost:5005), so what you see is what a patient gets.
Replies are wrapped at word boundaries to the terminal's width.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import signal
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

DEFAULT_URL = "http://localhost:5005"
WEBHOOK = "/webhooks/rest/webhook"
PROMPT = "bot> "


# The REST channel's rule for a conversation id (addons/channel.py checks it; the test there checks they agree).
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


class BotUnavailable(RuntimeError):
    """The Rasa server could not be reached."""


class BotRefused(RuntimeError):
    """The Rasa server refused the message (its JSON error's message; `retry_after` seconds when rate limited)."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


def valid_sender(sender: str) -> str:
    """`sender`, if the REST channel accepts it as a conversation id; else ValueError (argparse says why)."""
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender) or sender == "default":
        raise ValueError(f"{sender!r} is not a valid conversation id: 1 to 128 characters from A-Z a-z 0-9 _ . : - "
                         "(not 'default')")
    return sender


def sender_argument(sender: str) -> str:
    try:
        return valid_sender(sender)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def refusal(error: urllib.error.HTTPError) -> BotRefused:
    """The server's JSON error body as a BotRefused (its `message`, or the HTTP status when there is none)."""
    try:
        body = json.loads(error.read().decode("utf-8"))
        message = body.get("message") or body.get("error")
    except (ValueError, AttributeError, OSError):
        body, message = {}, None
    retry_after = (body or {}).get("retry_after") or error.headers.get("Retry-After")
    try:
        retry_after = float(retry_after) if retry_after is not None else None
    except ValueError:
        retry_after = None
    return BotRefused(message or f"the bot answered HTTP {error.code}", error.code, retry_after)


def send(url: str, sender: str, message: str, timeout: float = 30.0, metadata: dict | None = None,
         wait_when_limited: float = 0.0) -> list[dict]:
    """POST one message to the REST channel and return the bot's replies. A refusal (4xx) raises BotRefused with
    the server's message; when rate limited (429) and the wait it asks for is at most `wait_when_limited` seconds,
    it waits and sends again."""
    body: dict[str, Any] = {"sender": valid_sender(sender), "message": message}
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
    except urllib.error.HTTPError as error:
        refused = refusal(error)
        if error.code == 429 and refused.retry_after is not None and refused.retry_after <= wait_when_limited:
            time.sleep(refused.retry_after)
            return send(url, sender, message, timeout, metadata, wait_when_limited - refused.retry_after)
        if error.code < 500:
            raise refused from error
        raise BotUnavailable(f"the bot at {url} failed ({refused}). Try again in a minute.") from error
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


# A line that starts a list item keeps its marker on the left and its wrapped lines under its text.
LIST_ITEM = re.compile(r"^(\s*(?:[-*\u2022]|\d+[.)]|\[\d+\])\s+)")


def terminal_width() -> int:
    """Columns of the terminal (COLUMNS wins; 80 when there is no terminal, as in a pipe)."""
    return shutil.get_terminal_size(fallback=(80, 24)).columns


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken only between words (a single word longer than the width, such as
    a link, stays whole on its own line). Blank lines and line breaks are kept; list items get a hanging indent."""
    lines: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")
            continue
        item = LIST_ITEM.match(line)
        indent = " " * len(item.group(1)) if item else re.match(r"\s*", line).group(0)
        lines.extend(textwrap.wrap(line, width=max(width, len(indent) + 10), subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or [""])
    return lines


def format_reply(replies: list[dict], width: int) -> str:
    """The bot's turn as printed: `bot> ` before the first line, the text wrapped to `width`, aligned under it."""
    lines = wrap(render(replies), width - len(PROMPT))
    pad = " " * len(PROMPT)
    return "\n".join((PROMPT if number == 0 else pad if line else "") + line for number, line in enumerate(lines))


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
        except BotRefused as error:  # e.g. rate limited: the server's own words
            print(f"bot> {error}\n")
            continue
        buttons = [button for reply in replies for button in reply.get("buttons") or []]
        print(format_reply(replies, terminal_width()) + "\n")


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
    sender = str(sender or script.get("sender") or f"replay-{uuid.uuid4().hex[:8]}")
    try:
        valid_sender(sender)
    except ValueError as error:
        print(f"error: {path}: sender: {error}", file=sys.stderr)
        return 1
    for turn in script["turns"]:
        print(f"you> {turn}")
        try:  # a long script can meet the rate limit (30 a minute): wait as the server asks, as a person would
            replies = send(url, sender, str(turn), metadata=script.get("metadata"), wait_when_limited=120)
        except (BotUnavailable, BotRefused) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(format_reply(replies, terminal_width()) + "\n")
    return 0


# `path/to/module.py:12: SomeWarning: message` and then, indented by two spaces, the line of source that warned.
WARNING = re.compile(r"^(?P<file>\S.*?\.py|<frozen [\w.]+>):\d+: (?P<category>\w+): ")
SOURCE_LINE = re.compile(r"^  \S")
# Installed libraries, and Python's own import machinery, which warns on their behalf ("<frozen importlib._bootstrap>:
# ... the load_module() method is deprecated").
THIRD_PARTY = ("/site-packages/", "/dist-packages/", "<frozen ")


def is_third_party_deprecation(line: str) -> bool:
    found = WARNING.match(line)
    return bool(found and any(folder in found["file"] for folder in THIRD_PARTY)
                and re.search(r"Deprecation|MovedIn20", found["category"]))


def drop_deprecation_warnings(lines: Iterable[str]) -> Iterator[str]:
    """The lines, without the deprecation warnings that installed libraries print on import (Rasa's progress,
    Rasa's own warnings about our data, FutureWarnings and everything from this project stay). A warning is its
    `file.py:N: XDeprecationWarning: ...` line, any lines of its message, and the source line indented by two."""
    pending: list[str] | None = None  # a warning being read, until its source line
    for line in lines:
        if pending is not None:
            if SOURCE_LINE.match(line):
                pending = None
                continue
            if len(pending) < 4 and not WARNING.match(line):
                pending.append(line)
                continue
            yield from pending[1:]  # no source line after all: keep what followed the warning's first line
            pending = None
        if is_third_party_deprecation(line):
            pending = [line]
        else:
            yield line
    if pending:
        yield from pending[1:]


def quiet() -> int:
    """Copy standard input to standard output without third-party deprecation warnings (everything with
    VERBOSE set)."""
    # A filter ends when its input does: Ctrl-C is for the command it filters (which may still have lines to say).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # newline="": a line ends at \n or \r, so a progress bar redrawn with \r shows as it moves
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="")
    lines = iter(stream.readline, "")
    for line in lines if os.environ.get("VERBOSE") else drop_deprecation_warnings(lines):
        sys.stdout.write(line)
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"the Rasa server (default {DEFAULT_URL})")
    parser.add_argument("--sender", default=None, type=sender_argument,
                        help="conversation id: 1 to 128 of A-Z a-z 0-9 _ . : - (default: a new one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("chat", help="an interactive conversation")
    replay_parser = commands.add_parser("replay", help="replay a YAML conversation file and print the transcript")
    replay_parser.add_argument("file", type=Path)
    commands.add_parser("quiet", help="filter third-party deprecation warnings out of standard input")
    args = parser.parse_args(argv)
    if args.command == "quiet":
        return quiet()
    if args.command == "chat":
        return chat(args.url, args.sender or f"cli-{uuid.uuid4().hex[:8]}")
    return replay(args.url, args.file, args.sender)


if __name__ == "__main__":
    sys.exit(main())
