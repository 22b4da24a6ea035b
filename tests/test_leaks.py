"""No held-out or evaluation message is a training message in all but spelling (scripts/leak_check.py), and the
end-to-end conversations don't talk to the bot in its own training sentences."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts import leak_check
from scripts.leak_check import (
    ALLOWED_LEAKS,
    EVALUATION,
    ROOT,
    THRESHOLD,
    Message,
    near_duplicates,
    normalise,
    training_messages,
)

E2E_CONVERSATIONS = Path(__file__).resolve().parent / "e2e" / "test_conversations.py"


@pytest.fixture(scope="module")
def training() -> list[Message]:
    return training_messages()


def test_no_evaluation_message_is_a_training_message():
    out = io.StringIO()
    leaks = leak_check.report(out=out)
    leaked = {leak.evaluation.normal for leak in leaks}
    assert len(leaked) <= ALLOWED_LEAKS, out.getvalue()


@pytest.mark.parametrize("a, b", [
    ("I want to kil myself", "i want to kill myself"),
    ("I DON'T want to be alive anymore 😔", "i dont want to be alive anymore"),
    ("what’s  [Spravato](drug)?!", "whats spravato"),
    ('who can get [spravato]{"entity": "drug", "value": "esketamine"}', "Who can get Spravato?"),
    ("Does ketamine help fibromyalga", "does ketamine help fibromyalgia"),
    ("¿Ayuda la ketamína?", "ayuda la ketamina"),
])
def test_the_normaliser_sees_through_case_punctuation_spacing_apostrophes_and_misspellings(a, b):
    assert normalise(a) == normalise(b)


def test_near_duplicates_are_flagged_and_other_questions_are_not(training):
    planted = [Message("i want to kill myself", "planted"), Message("what are the side effects of ketamine", "planted")]
    copies = [Message("I want to kil myself!!", "e"), Message("What are the side-effects of Ketamine??", "e")]
    different = [Message("what are the side effects of memantine", "e"),
                 Message("could a pill version of ketamine help my fibro", "e"),
                 Message("my neighbour's cat keeps eating the basil on the balcony", "e")]
    found = near_duplicates([*copies, *different], [*training, *planted], THRESHOLD)
    assert {leak.evaluation.text for leak in found} == {message.text for message in copies}


def all_tune(path: Path) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    records = (data.get("questions") or data.get("conversations") or []) if isinstance(data, dict) else []
    return bool(records) and all(record.get("split") == "tune" for record in records)


def test_the_tune_half_is_not_evaluation_but_the_held_out_half_is():
    conversations = ROOT / "tests" / "realistic" / "conversations.yml"
    said = set(leak_check.evaluation_messages([str(conversations.relative_to(ROOT))]))
    data = yaml.safe_load(conversations.read_text(encoding="utf-8"))["conversations"]
    held_out = {turn["text"].strip() for c in data if c["split"] != "tune" for turn in c["turns"]}
    tune_only = {turn["text"].strip() for c in data if c["split"] == "tune" for turn in c["turns"]} - held_out
    texts = {message.text for message in said}
    assert held_out <= texts and not tune_only & texts


def test_every_evaluation_set_is_read_from_the_project_wherever_the_check_runs(tmp_path):
    """Paths come from the script's own folder: run from another folder, it reads every set and passes."""
    for pattern in EVALUATION:
        files = sorted(ROOT.glob(pattern))
        assert files, pattern
        for path in files:
            if all_tune(path):
                continue  # a tuning set: training data by design (the wording prior learns from it)
            assert leak_check.evaluation_messages([str(path.relative_to(ROOT))]), path
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "leak_check.py")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    counts = re.search(r"Training: (\d+) messages .* Evaluation: (\d+) distinct", run.stdout)
    assert counts and int(counts[1]) > 1000 and int(counts[2]) > 2000, run.stdout[:500]


def said_in(path: Path) -> list[str]:
    """Every literal message the conversations send: `.say("...")` and the messages and questions of
    `@pytest.mark.parametrize("question, ..." / "message, ...")`."""
    messages = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "say" and node.args and isinstance(node.args[0], ast.Constant):
            messages.append(node.args[0].value)
        elif node.func.attr == "parametrize" and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
            if str(node.args[0].value).split(",")[0].strip() in ("question", "message") and hasattr(node.args[1],
                                                                                                   "elts"):
                for item in node.args[1].elts:
                    first = item.elts[0] if isinstance(item, ast.Tuple) else item
                    if isinstance(first, ast.Constant):  # computed ones ("a" * 300) are bad input, not questions
                        messages.append(first.value)
    return [message for message in messages if isinstance(message, str)]


def test_the_end_to_end_conversations_use_no_training_sentence(training):
    said = said_in(E2E_CONVERSATIONS)
    assert len(set(said)) >= 30, said  # the reader found the conversations
    typed = [Message(text, "e2e") for text in dict.fromkeys(said)
             if normalise(text) and not text.startswith("/")]  # a "/intent" payload is a button, not typing
    leaks = near_duplicates(typed, training, THRESHOLD)
    assert [(leak.evaluation.text, leak.training.text, leak.similarity) for leak in leaks] == []
