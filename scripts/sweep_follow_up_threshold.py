"""Choose bot.rank.FOLLOW_UP_THRESHOLD on the tune conversations, leaving one conversation set out at a time.

    python scripts/sweep_follow_up_threshold.py                  # 0.4 to 0.6
    python scripts/sweep_follow_up_threshold.py --thresholds 0.45 0.5 0.55

A follow-up is decided by the calibrated probability against FOLLOW_UP_THRESHOLD (bot.rank.Answerability). Each
conversation set is replayed through the whole answer path (scripts/evaluate_answers.py) with a wording prior and
nearest examples built without that set's own examples (in-sample, they would look far surer than they are on a new
author's follow-ups). Counted: right answers, i.e. the right fact first for a follow-up the article answers, or
"not covered" for one it doesn't (advice is left to the advice guard). Only the tune half is used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import rank  # noqa: E402
from bot.facts import load_fact_base  # noqa: E402
from bot.rank import NearestExamples, WordingPrior, get_answerability, load_coverage_examples  # noqa: E402
from scripts.evaluate_answers import (  # noqa: E402
    CONVERSATIONS,
    CONVERSATIONS_MORE,
    State,
    _label,
    judge,
    reply_in_context,
)


def right(judged) -> bool:
    if isinstance(judged.label, tuple):
        return not judged.said_not_covered and bool(judged.fact_ids) and judged.fact_ids[0] in judged.label
    return judged.said_not_covered


def sweep(thresholds: list[float]) -> dict[float, tuple[int, int]]:
    """Right answers and follow-ups judged (advice left out), per threshold, over every tune conversation set."""
    import yaml

    base = load_fact_base()
    answerability = get_answerability()
    examples = load_coverage_examples()
    results = {threshold: [0, 0] for threshold in thresholds}
    for path in (CONVERSATIONS, *CONVERSATIONS_MORE):
        conversations = [c for c in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
                         if c["split"] == "tune"]
        others = [example for example in examples if example["set"] != path.stem]
        answerability.wording = WordingPrior.fit([(e["text"], bool(e["covered"])) for e in others])
        answerability.examples = NearestExamples.from_examples(answerability.ranker.chars, others)
        for threshold in thresholds:
            rank.FOLLOW_UP_THRESHOLD = threshold
            for conversation in conversations:
                state = State()
                for number, turn in enumerate(conversation["turns"]):
                    reply = reply_in_context(turn["text"], None, state)
                    label = _label(turn["label"])
                    if number == 0 or label == "advice":
                        continue
                    judged = judge(f"{conversation['id']}.{number}", "tune", label, reply, base)
                    results[threshold][0] += right(judged)
                    results[threshold][1] += 1
    answerability.wording = answerability.examples = None
    return {threshold: (hits, total) for threshold, (hits, total) in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.4, 0.45, 0.5, 0.55, 0.6])
    args = parser.parse_args(argv)
    for threshold, (hits, total) in sweep(args.thresholds).items():
        print(f"FOLLOW_UP_THRESHOLD {threshold:.2f}: {hits} of {total} follow-ups right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
