"""Floors on whole replies to realistic questions (scripts/evaluate_answers.py), held-out half only.

The questions and conversations in tests/realistic were written in patients' voice without seeing the bot's data;
nothing is tuned on the held-out half. The topic prior comes from cue words here (no Rasa model in the unit
tests); `make evaluate-answers` measures the same with the trained model. The floors sit a few points under what
was measured when issue 18 was closed (README "Answering realistic questions"), so a change that makes replies
worse for patients fails here."""

from __future__ import annotations

import pytest

from scripts.compare_retrieval import load_items
from scripts.evaluate_answers import cue_topics, evaluate, load_conversations

# A few points under the held-out figures (README, last raised in stop 35: top-1 0.87, not covered 0.907 / 0.93,
# first sentence answers 0.87; follow-ups 0.58).
# The follow-up floor went down from 0.60 when the wording prior came in: with it, the follow-up threshold chosen
# leaving one tune conversation set out at a time (424 follow-ups; bot.rank.FOLLOW_UP_THRESHOLD) says "not covered"
# more often, which gained 19 right decisions there and cost one or two of the 47 held-out follow-ups' top-1.
SINGLE_FLOORS = {"top1": 0.83, "nc_precision": 0.88, "nc_recall": 0.90, "first_sentence_answers": 0.84}
FOLLOW_UP_FLOORS = {"top1": 0.54}
MAX_MEDIAN_WORDS = 100  # the whole reply, tail included (it was 154 before issue 18)
MAX_MEDIAN_CONTENT_WORDS = 60


@pytest.fixture(scope="module")
def report() -> dict:
    items = load_items()
    conversations = load_conversations()
    texts = [turn["text"] for conversation in conversations for turn in conversation["turns"]]
    from scripts.compare_retrieval import Item

    turn_items = [Item(f"t{n}", text, "single", (), "tune") for n, text in enumerate(texts)]
    topics = cue_topics(items + turn_items)
    by_text = {item.text: topics[item.id] for item in turn_items}
    return evaluate(items, topics, conversations, by_text.get)


@pytest.mark.parametrize("metric", sorted(SINGLE_FLOORS))
def test_heldout_replies_floor(report, metric):
    assert report["singles"]["heldout"][metric] >= SINGLE_FLOORS[metric], report["singles"]["heldout"]


def test_heldout_follow_ups_floor(report):
    assert report["follow_ups"]["heldout"]["top1"] >= FOLLOW_UP_FLOORS["top1"], report["follow_ups"]["heldout"]


def test_replies_are_short(report):
    figures = report["singles"]["heldout"]
    assert figures["median_words"] <= MAX_MEDIAN_WORDS and figures["median_content_words"] <= MAX_MEDIAN_CONTENT_WORDS
