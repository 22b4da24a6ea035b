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
    """Rasa's REST channel, answering every message with ANSWER."""

    def do_POST(self):  # noqa: N802 (the http.server API)
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(REPLIES).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_bot():
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
