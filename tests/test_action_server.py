"""The lean action server (scripts/action_server.py): rasa-sdk alone. In a fresh process that loads the actions the
way the server does, neither Rasa nor TensorFlow (nor JAX) is imported, every action is registered, and an answer
still comes out (spaCy, BM25 and the fact base work without them). How the server is started everywhere
(scripts/services.py) is checked here too; the running server is tested end to end (tests/e2e)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from actions import constants
from scripts import services

ROOT = Path(__file__).resolve().parents[1]

# Loads the actions as scripts/action_server.py does, runs one answer, then reports what is really imported
# (a module refused with a None in sys.modules is not imported).
PROBE = """
import json, sys
from scripts.action_server import load_actions
names = load_actions()
import asyncio
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from actions.answers import ActionAnswer
text = "how much does spravato cost?"
parse = {"text": text, "intent": {"name": "ask_spravato", "confidence": 1.0}, "entities": [],
         "message_language": "en"}
tracker = Tracker("probe", {}, parse, [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)],
                  False, None, {}, "action_listen")
dispatcher = CollectingDispatcher()
asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))
loaded = sorted({name.split(".")[0] for name, module in sys.modules.items() if module is not None})
print(json.dumps({"actions": names, "loaded": loaded, "replies": len(dispatcher.messages)}))
"""


def probe() -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_action_server_imports_neither_rasa_nor_tensorflow_and_still_answers():
    found = probe()
    assert "rasa_sdk" in found["loaded"] and "spacy" in found["loaded"]
    for heavy in ("rasa", "tensorflow", "jax", "keras", "torch"):
        assert heavy not in found["loaded"], f"{heavy} is imported by the action server"
    # The language comes with the message from the NLU guard: the detector's models stay in the Rasa process.
    assert "lingua" not in found["loaded"]
    # How rare a word is comes from a table on disk (bot/rarity.py), not from wordfreq's list in memory.
    assert "wordfreq" not in found["loaded"]
    assert found["replies"] >= 1
    declared = {value for name, value in vars(constants).items() if name.startswith("ACTION_")}
    assert declared <= set(found["actions"]), declared - set(found["actions"])


def test_every_way_of_starting_it_runs_rasa_sdk_alone():
    command = services.action_server_command(5999)
    assert command[:3] == [services.PYTHON, "-m", "scripts.action_server"] and "rasa" not in Path(command[0]).name
    assert services.command_from_settings("actions", {"ACTION_PORT": "5999"}) == command
    text = (ROOT / "scripts" / "serve.sh").read_text()
    assert "scripts.action_server" in text and "rasa run actions" not in text


def test_the_rasa_server_is_started_without_jax():
    """Rasa needs TensorFlow, but not the JAX that TensorFlow pulls in (scripts/rasa_server.py)."""
    command = services.rasa_command(5999, services.MODEL)
    assert command[:4] == [services.PYTHON, "-m", "scripts.rasa_server", "run"]
    probe = ("import sys, scripts.rasa_server as s; sys.argv = ['x', '--version']\n"
             "try:\n    s.main()\nexcept SystemExit:\n    pass\n"
             "import tensorflow  # what would import JAX\n"
             "print('jax loaded' if sys.modules.get('jax') else 'no jax', 'tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stdout.strip().splitlines()[-1] == "no jax True", result.stdout + result.stderr[-2000:]
