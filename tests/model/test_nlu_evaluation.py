"""Held-out NLU evaluation: intent macro-F1 >= 0.88 and entity F1 >= 0.95, and questions the article does not
answer are never answered with facts of an unrelated topic."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.answer import answer_message as answer
from bot.safety import normalise
from scripts.evaluate import evaluate
from tests.model.conftest import MODEL, ROOT

HELDOUT = ROOT / "tests" / "heldout"


def heldout_examples() -> set[str]:
    texts = set()
    for name in ("topics.yml", "conversation.yml"):
        for block in yaml.safe_load((HELDOUT / name).read_text(encoding="utf-8"))["nlu"]:
            texts |= {line[2:].strip() for line in block["examples"].splitlines() if line.strip()}
    return texts


def plain(text: str) -> str:
    """An annotated example as the patient typed it: [Spravato](drug) -> spravato."""
    import re

    return normalise(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", re.sub(r"\[([^\]]+)\]\{[^}]+\}", r"\1", text)))


def test_heldout_set_is_never_in_the_training_data():
    training = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            training |= {plain(line[2:]) for line in block.get("examples", "").splitlines() if line.strip()}
    assert {plain(text) for text in heldout_examples()} & training == set()


def test_heldout_has_at_least_ten_messages_per_intent():
    for name in ("topics.yml", "conversation.yml"):
        for block in yaml.safe_load((HELDOUT / name).read_text(encoding="utf-8"))["nlu"]:
            assert len([line for line in block["examples"].splitlines() if line.strip()]) >= 10, block["intent"]


def test_heldout_intent_and_entity_scores(tmp_path: Path):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    summary = evaluate(MODEL, tmp_path)
    assert summary["intent_macro_f1"] >= 0.88, summary["errors"]
    assert summary["entity_f1"] >= 0.95


NOT_COVERED = yaml.safe_load((HELDOUT / "not_covered.yml").read_text(encoding="utf-8"))["not_covered"]


@pytest.mark.parametrize("question", NOT_COVERED)
def test_not_covered_questions_are_not_answered_with_facts(parse, question):
    intent = parse(question)["intent"]["name"] or ""
    reply = answer(question, intent[4:] if intent.startswith("ask_") else None)
    assert reply.kind in {"not_covered", "advice", "out_of_scope"}, reply.text
    if reply.kind != "out_of_scope":
        assert "The article doesn't" in reply.text or "can't give personal medical advice" in reply.text
