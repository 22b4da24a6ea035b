"""Write data/safety/advice_examples.yml and advice_model.npz, the learned advice model's examples and weights.

    python scripts/advice_examples.py           # rewrite the examples from the tune half, refit the weights
    python scripts/advice_examples.py --check   # exit 1 when either is not what the tune half gives
    python scripts/advice_examples.py --sweep   # leave one author's set out: refusals caught and added per threshold

The examples are the tune half's patient messages (tests/realistic, split: tune: the question sets and every turn of
the conversations), each `advice` when its author labelled it a request for personal advice, else `other`. The
held-out half and the fresh sets are never examples, and an example one of them repeats in all but spelling is left
out (scripts/leak_check.py).

--sweep fits the model once per set with that set left out (each set is one author) and reads the left-out set: the
share of advice requests the model alone and the patterns with it refuse, and the general questions they refuse. The
threshold in data/safety/advice_model.yml is the lowest at which the model adds refusals to at most 0.5% of the
general questions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.advice_model import ADVICE, EXAMPLES, OTHER, WEIGHTS, load_examples, load_settings  # noqa: E402
from bot.ngram_model import NgramModel  # noqa: E402
from bot.safety import AdviceGuard, normalise  # noqa: E402
from scripts.leak_check import evaluation_messages  # noqa: E402
from scripts.learned_examples import tune_questions, tune_turns, without_leaks, write_or_check  # noqa: E402

ADDED_MAX = 0.005  # refusals the model may add to general questions
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)

HEADER = """\
# The learned advice model's examples (bot/advice_model.py): the tune half's patient messages (tests/realistic,
# split: tune), `advice` when the author labelled the message a request for personal advice, else `other`. Never
# the held-out half or a fresh set. Written by scripts/advice_examples.py (do not edit by hand: edit the sets and
# rerun it; a test checks they agree). set: the file it came from (one author), for the leave-one-set-out sweep that
# chose the threshold in data/safety/advice_model.yml.
"""


def examples() -> list[dict]:
    found = [{"text": text, "kind": ADVICE if label == "advice" else OTHER, "set": name}
             for text, label, name in (*tune_questions(), *tune_turns())]
    return without_leaks(found, evaluation_messages())


def sweep(found: list[dict]) -> list[str]:
    patterns = AdviceGuard(learned=False)
    settings = load_settings()
    refused = {example["text"]: patterns.check(example["text"]) is not None for example in found}
    probability: dict[str, float] = {}
    for held in sorted({example["set"] for example in found}):
        model = NgramModel.fit_examples([e for e in found if e["set"] != held], settings.regularisation, normalise)
        for example in found:
            if example["set"] == held:
                probability[example["text"]] = model.probability(ADVICE, normalise(example["text"]))
    advice = [e["text"] for e in found if e["kind"] == ADVICE]
    other = [e["text"] for e in found if e["kind"] == OTHER]
    share = lambda hits, items: sum(hits) / len(items)  # noqa: E731
    lines = [f"leave one set out: {len({e['set'] for e in found})} sets, {len(advice)} advice requests, "
             f"{len(other)} other messages; patterns alone (in-sample: tuned on these sets) refuse "
             f"{share([refused[t] for t in advice], advice):.1%} and {share([refused[t] for t in other], other):.1%}",
             "", "| threshold | model alone: advice refused | others refused | patterns + model: advice refused | "
             "others refused | refusals added to others |", "| --- | --- | --- | --- | --- | --- |"]
    chosen = None
    for threshold in THRESHOLDS:
        alone_advice = share([probability[t] >= threshold for t in advice], advice)
        alone_other = share([probability[t] >= threshold for t in other], other)
        both_advice = share([refused[t] or probability[t] >= threshold for t in advice], advice)
        both_other = share([refused[t] or probability[t] >= threshold for t in other], other)
        added = share([not refused[t] and probability[t] >= threshold for t in other], other)
        if chosen is None and added <= ADDED_MAX:
            chosen = threshold
        lines.append(f"| {threshold} | {alone_advice:.1%} | {alone_other:.1%} | {both_advice:.1%} | {both_other:.1%} | "
                     f"{added:.2%} |")
    lines += ["", f"chosen: {chosen} (refusals added to general questions <= {ADDED_MAX:.1%}); in "
              f"data/safety/advice_model.yml: {settings.threshold}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    parser.add_argument("--sweep", action="store_true", help="leave one set out and print refusals per threshold")
    args = parser.parse_args(argv)
    if args.sweep:
        print("\n".join(sweep(load_examples())))
        return 0
    found = examples()
    model = NgramModel.fit_examples(found, load_settings().regularisation, normalise)
    return write_or_check(found, HEADER, model, EXAMPLES, WEIGHTS, "advice_examples.py", args.check)

if __name__ == "__main__":
    raise SystemExit(main())
