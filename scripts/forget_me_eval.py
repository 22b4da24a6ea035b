"""Measure "forget me" on tests/forget_me/: near-misses that must never lead to deletion, requests that must.

    python scripts/forget_me_eval.py --model models/current.tar.gz

A near-miss (a question about records, memory, insurance, approval, "start over" in other senses) counts as a
misread when the trained NLU says `forget_me` after the DestructiveIntentGuard: the bot would ask "Do you want me
to delete this conversation?" instead of answering. Even then nothing is deleted without "Yes" (a test checks it),
but the target is no prompt at all. A request counts as understood when the NLU says `forget_me`. Prints both
counts at the configured threshold and a sweep over other thresholds (classifier confidence alone), so the
threshold in config.yml can be chosen here, with the misreads listed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.safety_eval import parse_all  # noqa: E402  (one way to parse a set with the trained model)

SETS = ROOT / "tests" / "forget_me" / "near_miss.yml"
FORGET_ME = "forget_me"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def load_sets(path: Path = SETS) -> tuple[list[str], list[str]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec["near_miss"], spec["requests"]


def classifier_forget_me_confidence(parse: dict) -> float:
    """The classifier's own confidence in forget_me (from the ranking, before any guard)."""
    return next((entry["confidence"] for entry in parse.get("intent_ranking") or [] if entry["name"] == FORGET_ME), 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    near_miss, requests = load_sets()
    parses = parse_all(args.model, near_miss + requests)

    prompted = [text for text in near_miss if parses[text]["intent"]["name"] == FORGET_ME]
    understood = [text for text in requests if parses[text]["intent"]["name"] == FORGET_ME]
    print(f"as configured (config.yml): {len(prompted)} of {len(near_miss)} near-misses would get the deletion "
          f"question; {len(understood)} of {len(requests)} requests get it")
    print("\n| classifier threshold alone (no question-content check) | near-misses prompted | requests understood |")
    print("| --- | --- | --- |")
    for threshold in THRESHOLDS:
        near = sum(classifier_forget_me_confidence(parses[text]) >= threshold for text in near_miss)
        asked = sum(classifier_forget_me_confidence(parses[text]) >= threshold for text in requests)
        print(f"| {threshold} | {near} | {asked} |")
    for text in prompted:
        print(f"  near-miss prompted: {text}")
    for text in requests:
        if text not in understood:
            print(f"  request missed ({parses[text]['intent']['name']}): {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
