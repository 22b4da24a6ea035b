"""What scripts/risk_examples.py and scripts/advice_examples.py share: the tune half's messages, the leak filter,
and writing (or checking) the examples and the weights fitted on them (bot/ngram_model.py)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.ngram_model import NgramModel  # noqa: E402
from scripts.compare_retrieval import DEV_SETS, load_items  # noqa: E402
from scripts.evaluate_answers import CONVERSATIONS, CONVERSATIONS_MORE, load_conversations  # noqa: E402
from scripts.leak_check import THRESHOLD, Message, near_duplicates  # noqa: E402

MARGIN = 0.03  # left out a little below the leak threshold, as scripts/coverage_examples.py does


def tune_questions() -> list[tuple[str, str, str]]:
    """(text, label, set) of every tune-half question (label: "advice", "not_covered" or "facts")."""
    return [(item.text.strip(), item.label if isinstance(item.label, str) else "facts", path.stem)
            for path in DEV_SETS for item in load_items(path) if item.split == "tune"]


def tune_turns() -> list[tuple[str, str, str]]:
    """(text, label, set) of every turn of the tune half's conversations."""
    return [(turn["text"].strip(), turn["label"] if isinstance(turn["label"], str) else "facts", path.stem)
            for path in (CONVERSATIONS, *CONVERSATIONS_MORE)
            for conversation in load_conversations((path,)) if conversation["split"] == "tune"
            for turn in conversation["turns"]]


def without_leaks(found: list[dict], evaluation: list[Message]) -> list[dict]:
    """The examples, once each (by text and kind), less any that an evaluation message repeats in all but spelling."""
    unique = list({(example["text"], example["kind"]): example for example in found if example["text"]}.values())
    candidates = [Message(example["text"], example["set"]) for example in unique]
    leaked = {leak.training.normal for leak in near_duplicates(evaluation, candidates, THRESHOLD - MARGIN)}
    return [example for example, message in zip(unique, candidates, strict=True)
            if message.normal and message.normal not in leaked]


def write_or_check(found: list[dict], header: str, model: NgramModel, examples: Path, weights: Path, script: str,
                   check: bool) -> int:
    """Write the examples and the model's weights; with `check`, only say (exit 1) whether they are out of date."""
    wanted = header + yaml.safe_dump({"examples": found}, sort_keys=False, allow_unicode=True, width=120)
    if check:
        if not examples.exists() or examples.read_text(encoding="utf-8") != wanted or not weights.exists() \
                or not NgramModel.load(weights).same_as(model):
            print(f"{examples} or {weights} is out of date: run python scripts/{script}")
            return 1
        return 0
    examples.write_text(wanted, encoding="utf-8")
    model.save(weights)
    counts = dict(Counter(example["kind"] for example in found))
    print(f"wrote {len(found)} examples ({counts}) to {examples} and the model fitted on them to {weights}")
    return 0
