"""Write data/coverage/examples.yml: the tune half's questions, each marked covered or not by the article;
data/coverage/wording_prior.npz: the wording prior fitted on them (bot.rank.WordingPrior); and
data/coverage/nearest_examples.npz: their character n-gram vectors (bot.rank.NearestExamples), so the action server
loads arrays instead of building them (which left about 6 MB with the allocator).

    python scripts/coverage_examples.py          # rewrite all three from the tune sets
    python scripts/coverage_examples.py --check  # exit 1 when they are not what the tune sets (and facts) give

The wording prior (bot.rank.WordingPrior) learns from them which kinds of question the article tends to leave open
("how many people were in that study?", "does Medicare pay for it?") whatever words they share with the facts. Only
tune-half questions and conversations go in (split: tune); advice requests are left out (the advice guard decides
those), and so is any question that an evaluation set also asks in all but spelling, as a whole message or as the
question of a post (scripts/leak_check.py: short questions such as "is ketamine addictive?" occur in both halves,
and leaks are fixed in the training data). Each example keeps the set it came from, so the calibration can be
fitted author by author (scripts/compare_retrieval.py --fit) and never sees a wording prior trained on the same
author's questions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.rank import NEAREST_EXAMPLES, WORDING_WEIGHTS, NearestExamples, WordingPrior, get_ranker  # noqa: E402
from bot.understand import understand  # noqa: E402
from scripts.compare_retrieval import DEV_SETS, load_items  # noqa: E402
from scripts.evaluate_answers import CONVERSATIONS, CONVERSATIONS_MORE, load_conversations  # noqa: E402
from scripts.leak_check import (  # noqa: E402
    THRESHOLD,
    TRAINING_EXAMPLES,
    Message,
    evaluation_messages,
    near_duplicates,
    training_messages,
)

# Left out a little below the leak threshold: the check's TF-IDF weights move slightly once these are gone.
MARGIN = 0.03

EXAMPLES = ROOT / "data" / "coverage" / "examples.yml"
HEADER = """\
# Questions patients asked and whether the article answers them: the tune half of tests/realistic (question sets
# and the follow-ups of conversations, split: tune), never the held-out half or a fresh set. Written by
# scripts/coverage_examples.py (do not edit by hand: edit the sets and rerun it; a test checks they agree).
# text: the question the bot answers (the question sentences of a post, as bot.understand finds them);
# covered: the article answers it; set: the file it came from, so the calibration is fitted author by author.
"""


def _question(text: str) -> str:
    return understand(text).question_text.strip()


def examples() -> list[dict]:
    """The tune half's questions and follow-ups that the article answers or leaves open (not advice)."""
    found = []
    for path in DEV_SETS:
        for item in load_items(path):
            if item.split == "tune" and (item.facts or item.not_covered):
                found.append({"text": _question(item.text), "covered": bool(item.facts), "set": path.stem})
    for path in (CONVERSATIONS, *CONVERSATIONS_MORE):
        for conversation in load_conversations((path,)):
            if conversation["split"] != "tune":
                continue
            for turn in conversation["turns"][1:]:
                label = turn["label"]
                if isinstance(label, list) or label == "not_covered":
                    found.append({"text": _question(turn["text"]), "covered": isinstance(label, list),
                                  "set": path.stem})
    found = [example for example in found if example["text"]]
    candidates = [Message(example["text"], example["set"]) for example in found]
    own = str(TRAINING_EXAMPLES.relative_to(ROOT))
    others = [message for message in training_messages() if not message.where.startswith(own)]
    evaluation = evaluation_messages()
    # A held-out post's question alone too: the prior sees questions, and a post may end in a tune question.
    evaluation += [Message(_question(message.text), message.where) for message in evaluation
                   if message.where.startswith("tests/realistic")]
    leaks = near_duplicates(evaluation, [*others, *candidates], THRESHOLD - MARGIN)
    mine = set(candidates)
    leaked = {leak.training.normal for leak in leaks if leak.training in mine}
    return [example for example, message in zip(found, candidates, strict=True)
            if message.normal and message.normal not in leaked]


def render(found: list[dict]) -> str:
    body = yaml.safe_dump({"examples": found}, sort_keys=False, allow_unicode=True, width=120)
    return HEADER + body


def fitted(found: list[dict]) -> WordingPrior:
    return WordingPrior.fit([(example["text"], bool(example["covered"])) for example in found])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    found = examples()
    wanted = render(found)
    prior = fitted(found)
    chars = get_ranker().chars  # the facts' character index: a change to the facts changes the vectors
    nearest = NearestExamples.from_examples(chars, found)
    if args.check:
        current = EXAMPLES.read_text(encoding="utf-8") if EXAMPLES.exists() else ""
        stored = NearestExamples.load(chars, NEAREST_EXAMPLES) if NEAREST_EXAMPLES.exists() else None
        if current != wanted or not WORDING_WEIGHTS.exists() or not WordingPrior.load(WORDING_WEIGHTS).same_as(prior) \
                or stored is None or not stored.same_as(nearest):
            print(f"{EXAMPLES.relative_to(ROOT)}, {WORDING_WEIGHTS.relative_to(ROOT)} or "
                  f"{NEAREST_EXAMPLES.relative_to(ROOT)} is out of date: run python scripts/coverage_examples.py")
            return 1
        return 0
    EXAMPLES.parent.mkdir(parents=True, exist_ok=True)
    EXAMPLES.write_text(wanted, encoding="utf-8")
    prior.save(WORDING_WEIGHTS)
    nearest.save(NEAREST_EXAMPLES)
    print(f"wrote {len(found)} examples to {EXAMPLES.relative_to(ROOT)}, the prior fitted on them "
          f"({sum(map(len, prior.model.vocabularies))} n-grams) to {WORDING_WEIGHTS.relative_to(ROOT)} and their "
          f"vectors to {NEAREST_EXAMPLES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
