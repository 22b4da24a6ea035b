"""The terminal client (bot/cli.py): replies wrapped at word boundaries to the terminal's width, and the filter that
keeps `make chat` and `make run` from opening with screens of third-party deprecation warnings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import cli
from bot.cli import drop_deprecation_warnings, format_reply, wrap

ROOT = Path(__file__).resolve().parents[2]
LINK = "https://www.healthrising.org/blog/2019/04/20/ketamine-esketamine-spravato-depression-chronic-pain-fibromyalgia/"
ANSWER = (
    "Spravato (esketamine) is a nasal spray that the FDA approved in March 2019 for treatment-resistant depression, "
    "taken with an oral antidepressant under supervision in a certified clinic. Its list price was several thousand "
    "dollars a month at first.\n\n"
    "How strong is this? It rests on a regulator's decision and the article's report of it.\n"
    f"Source: Health Rising, by Cort Johnson, 20 April 2019, section \"Spravato\". {LINK}\n\n"
    "- a list item that is long enough to need more than one line at every width tried here\n"
    "This is general information from one 2019 article, not medical advice: please talk to your doctor."
)
REPLIES = [{"text": ANSWER, "buttons": [{"title": "Tell me more", "payload": "/more"}]}]


def words(text: str) -> list[str]:
    return text.replace("bot>", " ").split()


@pytest.mark.parametrize("width", [30, 40, 57, 80, 132])
def test_replies_wrap_at_word_boundaries_to_the_width(width):
    printed = format_reply(REPLIES, width)
    lines = printed.splitlines()
    assert lines[0].startswith("bot> ")
    for line in lines:
        assert len(line) <= width or line.strip() == LINK, f"{len(line)} > {width}: {line!r}"
    # No word is broken or lost: the same words in the same order (the link too, whole, on a line of its own).
    assert words(printed) == words(ANSWER) + ["[1]", "Tell", "me", "more"]
    assert any(line.strip() == LINK for line in lines) or width > len(LINK)


def test_paragraphs_list_items_and_buttons_keep_their_shape():
    lines = format_reply(REPLIES, 40).splitlines()
    assert "" in lines  # the blank line between paragraphs
    item = next(n for n, line in enumerate(lines) if line.startswith("     - a list item"))
    assert lines[item + 1].startswith("       ") and not lines[item + 1].startswith("        ")  # under its text
    assert lines[-1] == "       [1] Tell me more"
    assert all(line.startswith("     ") for line in lines[1:] if line)  # aligned under the text after `bot> `


def test_a_short_reply_is_one_line_and_a_long_word_is_never_split():
    assert format_reply([{"text": "Hello!"}], 80) == "bot> Hello!"
    assert wrap("see " + LINK + " now", 20) == ["see", LINK, "now"]


class Stub(BaseHTTPRequestHandler):
    """Rasa's REST channel, answering every message with ANSWER; the senders it was sent are kept in `senders`.
    While `refuse` holds (status, body, headers) it answers that instead, once per item."""

    senders: list[str] = []
    refuse: list[tuple[int, dict, dict]] = []

    def do_POST(self):  # noqa: N802 (the http.server API)
        Stub.senders.append(json.loads(self.rfile.read(int(self.headers["Content-Length"])))["sender"])
        status, reply, headers = Stub.refuse.pop(0) if Stub.refuse else (200, REPLIES, {})
        body = json.dumps(reply).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_bot():
    Stub.senders, Stub.refuse = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_chat_wraps_replies_to_the_terminal_width(stub_bot):
    env = dict(os.environ, COLUMNS="44")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "--url", stub_bot, "chat"], input="how much?\nquit\n",
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=True)
    reply = result.stdout.split("you> ")[1]
    assert reply.startswith("bot> Spravato (esketamine)")
    assert all(len(line) <= 44 or line.strip() == LINK for line in reply.splitlines()), reply
    assert words(reply) == words(ANSWER) + ["[1]", "Tell", "me", "more"]


# What Rasa's servers and `rasa train` print on import (from a real log), then lines that must stay.
NOISE = """\
<frozen importlib._bootstrap>:283: DeprecationWarning: the load_module() method is deprecated and slated for removal
/x/.venv/lib/python3.10/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features \
detected! These feature(s) are not compatible with SQLAlchemy 2.0.
  Base: DeclarativeMeta = declarative_base()
/x/.venv/lib/python3.10/site-packages/rasa/shared/utils/validation.py:134: DeprecationWarning: pkg_resources is \
deprecated as an API. See https://setuptools.pypa.io/en/latest/pkg_resources.html
  import pkg_resources
/x/.venv/lib/python3.10/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to \
`pkg_resources.declare_namespace('mpl_toolkits')`.
Implementing implicit namespace packages (as specified in PEP 420) is preferred to `pkg_resources.declare_namespace`.
  declare_namespace(pkg)
/x/.venv/lib/python3.10/site-packages/matplotlib/fontconfig_pattern.py:66: PyparsingDeprecationWarning: \
'setParseAction' deprecated - use 'set_parse_action'
  ).setParseAction(self._family)
/usr/lib/python3/dist-packages/typer/__init__.py:25: PendingDeprecationWarning: 'click.utils.get_binary_stream'
  from click.utils import get_binary_stream as get_binary_stream
"""
KEPT = """\
2026-11-27 05:26:24 INFO     rasa_sdk.endpoint  - Starting action endpoint server...
/x/.venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:99: UserWarning: Slot 'topic' is not used in stories
  warnings.warn(message, category=category, stacklevel=stacklevel)
/x/.venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:99: FutureWarning: 'x' is deprecated; use 'y' in config
  warnings.warn(message, category=category, stacklevel=stacklevel)
/work/main/addons/channel.py:12: DeprecationWarning: our own code, which we must see
  import old_thing
Nothing changed. You can use the old model stored at '/work/main/models/current.tar.gz'.
"""


def test_quiet_drops_third_party_deprecation_warnings_and_keeps_the_rest():
    middle = NOISE.index("/x/.venv/lib/python3.10/site-packages/matplotlib")
    log_line, *rest = KEPT.splitlines(keepends=True)
    noisy = NOISE[:middle] + log_line + NOISE[middle:] + "".join(rest)  # a line to keep between two warnings
    kept = "".join(drop_deprecation_warnings(noisy.splitlines(keepends=True)))
    assert kept == KEPT


@pytest.mark.parametrize("after", [[], ["/x/site-packages/b.py:2: DeprecationWarning: older\n", "  b()\n", "Done.\n"]],
                         ids=["at the end", "before another warning"])
def test_a_warning_without_its_source_line_loses_only_its_first_line(after):
    lines = ["/x/site-packages/a.py:1: DeprecationWarning: old\n", "Training finished.\n", *after]
    assert list(drop_deprecation_warnings(lines)) == ["Training finished.\n", *after[2:]]


@pytest.mark.parametrize("verbose, expected", [("", KEPT), ("1", NOISE + KEPT)], ids=["quiet", "VERBOSE=1"])
def test_the_quiet_command_and_verbose(verbose, expected):
    env = dict(os.environ, VERBOSE=verbose)
    result = subprocess.run([sys.executable, "-m", "bot.cli", "quiet"], input=NOISE + KEPT, capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=60, check=True)
    assert result.stdout == expected


# The command line always sends a conversation id the REST channel accepts (addons/channel.py's rule), and says what
# the server said when it refuses a message.
LIMITED = (429, {"error": "rate_limited", "message": "You're sending messages faster than I can answer. Please wait "
                 "a few seconds and try again.", "retry_after": 1}, {"Retry-After": "1"})


def test_chat_and_replay_send_a_valid_sender_of_their_own(stub_bot, tmp_path):
    subprocess.run([sys.executable, "-m", "bot.cli", "--url", stub_bot, "chat"], input="hi\nquit\n",
                   capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    script = tmp_path / "c.yml"
    script.write_text("turns: [hello]\n")
    assert cli.replay(stub_bot, script) == 0
    assert len(Stub.senders) == 2
    assert all(cli.SENDER_PATTERN.fullmatch(sender) and sender != "default" for sender in Stub.senders)


@pytest.mark.parametrize("sender", ["", "default", "has space", "x" * 129, "é"])
def test_an_invalid_sender_is_refused_before_anything_is_sent(stub_bot, sender, tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "--url", stub_bot, "--sender", sender, "chat"],
                            input="quit\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "not a valid conversation id" in result.stderr
    if sender:  # an empty `sender:` in a conversation file means none given: the replay makes one
        script = tmp_path / "c.yml"
        script.write_text(f"sender: {json.dumps(sender)}\nturns: [hello]\n")
        assert cli.replay(stub_bot, script) == 1
    assert Stub.senders == []


def test_chat_shows_the_servers_words_when_rate_limited(stub_bot):
    Stub.refuse = [LIMITED]
    result = subprocess.run([sys.executable, "-m", "bot.cli", "--url", stub_bot, "chat"], input="hi\nhi\nquit\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    first, second = result.stdout.split("you> ")[1:3]
    assert first.startswith("bot> You're sending messages faster than I can answer.")
    assert second.startswith("bot> Spravato")


def test_replay_waits_when_rate_limited_then_goes_on(stub_bot, tmp_path):
    Stub.refuse = [LIMITED]
    script = tmp_path / "c.yml"
    script.write_text("turns: [hello]\n")
    assert cli.replay(stub_bot, script) == 0
    assert len(Stub.senders) == 2  # refused once, sent again after the second it asked for
