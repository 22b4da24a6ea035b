"""Write data/safety/risk_examples.yml and risk_model.npz, the learned risk model's examples and weights (bot/risk.py).

    python scripts/risk_examples.py           # rewrite the examples from the development sets, refit the weights
    python scripts/risk_examples.py --check   # exit 1 when either is not what the development sets give
    python scripts/risk_examples.py --sweep   # leave one set out: help and check-ins per threshold

The examples are the development safety sets only (tests/safety/eval, dev2 to dev9 and the older regression sets:
crisis, emergency and calm messages; Spanish is left to the patterns); as calm, the tune half's ordinary patient
questions (tests/realistic, split: tune, and their conversations' turns) and everyday lines written for the purpose
(data/safety/everyday_messages.yml: "who won the football last night?"); and the NLU's examples (data/nlu: crisis
and emergency as such, every other intent's as calm). The fresh safety test sets and the
realistic held-out and fresh sets are never examples, and an example that one of them repeats in all but spelling is
left out (scripts/leak_check.py).

--sweep fits the model once per set with that set left out (each set is one author) and reads the left-out set with
it: the share of crisis and emergency messages the model alone would ask about, the check-ins it would add to calm
safety messages that the patterns leave alone, and the check-ins on ordinary patient questions. The threshold in
data/safety/risk_model.yml is the lowest with at most 1% of ordinary questions and 2% of calm messages checked in.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.risk import CALM, CRISIS, EMERGENCY, EXAMPLES, WEIGHTS, RiskModel, load_examples, load_settings  # noqa: E402
from bot.safety import CrisisGuard  # noqa: E402
from scripts.leak_check import evaluation_messages, examples_of, is_development_safety  # noqa: E402
from scripts.learned_examples import tune_questions, tune_turns, without_leaks, write_or_check  # noqa: E402
from scripts.safety_eval import HELP_TIERS, load_sets  # noqa: E402

PATIENT_QUESTIONS = "patient questions"
NLU = ROOT / "data" / "nlu"
NLU_SET = "nlu examples"
NLU_SKIPPED = {"check_in"}  # ambiguous by design: neither calm nor a crisis
EVERYDAY = ROOT / "data" / "safety" / "everyday_messages.yml"
EVERYDAY_SET = "everyday messages"
ALWAYS_IN = {PATIENT_QUESTIONS, NLU_SET, EVERYDAY_SET}  # never a left-out fold of the sweep
ORDINARY_MAX = 0.01  # check-ins on ordinary patient questions
CALM_MAX = 0.02  # check-ins added to calm safety messages
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)

HEADER = """\
# The learned risk model's examples (bot/risk.py): crisis, emergency and calm messages of the development safety
# sets (tests/safety: eval, dev2 to dev9, the older regression sets); as calm, the tune half's ordinary patient
# questions (tests/realistic, split: tune) and everyday lines (data/safety/everyday_messages.yml); and the NLU's
# examples (data/nlu). Never the fresh safety test sets or the realistic held-out and fresh sets. Written by
# scripts/risk_examples.py (do not edit by hand: edit the sets and rerun it; a test checks they agree). kind: crisis,
# emergency or calm; set: the file or set it came from (one author), for the leave-one-set-out sweep that chose the
# threshold in data/safety/risk_model.yml.
"""


def _safety_set(item) -> str:
    return "eval" if item.source in ("eval",) else item.source


def examples() -> list[dict]:
    found = []
    for item in load_sets().items:
        if item.source.startswith("test") or item.group.startswith("spanish"):
            continue
        found.append({"text": item.text.strip(), "kind": CALM if item.expect == "none" else item.expect,
                      "set": _safety_set(item)})
    found += [{"text": text, "kind": CALM, "set": PATIENT_QUESTIONS} for text, _, _ in tune_questions()]
    # The NLU's examples (crisis and emergency as such, every other intent's as calm: greetings, thanks, off-topic
    # questions) and everyday lines written for the purpose ("who won the football last night?", "my infusion is
    # tomorrow at 9"): ordinary words about nights, endings and goodbyes are no sign of risk.
    for path in sorted(NLU.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            intent = block.get("intent")
            if intent and intent not in NLU_SKIPPED:
                kind = intent if intent in (CRISIS, EMERGENCY) else CALM
                found += [{"text": text, "kind": kind, "set": NLU_SET} for text in examples_of(block["examples"])]
    everyday = yaml.safe_load(EVERYDAY.read_text(encoding="utf-8"))["messages"]
    found += [{"text": text.strip(), "kind": CALM, "set": EVERYDAY_SET} for text in everyday]
    found += [{"text": text, "kind": CALM, "set": PATIENT_QUESTIONS} for text, _, _ in tune_turns()]
    return without_leaks(found, [message for message in evaluation_messages()
                                 if not is_development_safety(message.where)])


def sweep(found: list[dict]) -> list[str]:
    """Leave one set out at a time; read each left-out message with the model fitted on the rest."""
    guard = CrisisGuard(learned=False)
    settings = load_settings()
    prepared = {example["text"]: guard.prepared(example["text"]) for example in found}
    patterns_help = {text: guard.assess(text).tier in HELP_TIERS for text in prepared}
    folds = sorted({example["set"] for example in found} - ALWAYS_IN)
    ordinary = [example for example in found if example["set"] == PATIENT_QUESTIONS]
    probability: dict[str, float] = {}
    for number, held in enumerate(folds):
        # Each fold also leaves out an eighth of the ordinary questions, read by the model fitted without them.
        left_ordinary = [example for i, example in enumerate(ordinary) if i % len(folds) == number]
        left_texts = {example["text"] for example in left_ordinary}
        rest = [example for example in found if example["set"] != held and example["text"] not in left_texts]
        model = RiskModel.fit_examples(rest, settings.regularisation, guard.prepared)
        for example in [*(e for e in found if e["set"] == held), *left_ordinary]:
            probability[example["text"]] = model.read(prepared[example["text"]]).probability
    risky = [example for example in found if example["kind"] != CALM and example["set"] not in ALWAYS_IN]
    calm = [example for example in found if example["kind"] == CALM and example["set"] not in ALWAYS_IN]
    lines = [f"leave one set out: {len(folds)} development sets ({len(risky)} crisis and emergency messages, "
             f"{len(calm)} calm), {len(ordinary)} ordinary patient questions in {len(folds)} parts",
             "", "| threshold | model alone: help | patterns + model: help | check-ins added to calm messages | "
             "check-ins on ordinary questions |", "| --- | --- | --- | --- | --- |"]
    chosen = None
    for threshold in THRESHOLDS:
        alone = sum(probability[e["text"]] >= threshold for e in risky) / len(risky)
        both = sum(patterns_help[e["text"]] or probability[e["text"]] >= threshold for e in risky) / len(risky)
        added = sum(not patterns_help[e["text"]] and probability[e["text"]] >= threshold for e in calm) / len(calm)
        asked = sum(probability[e["text"]] >= threshold for e in ordinary) / len(ordinary)
        if chosen is None and asked <= ORDINARY_MAX and added <= CALM_MAX:
            chosen = threshold
        lines.append(f"| {threshold} | {alone:.1%} | {both:.1%} | {added:.1%} | {asked:.2%} |")
    per_set = defaultdict(list)
    for example in risky:
        per_set[example["set"]].append(probability[example["text"]] >= (chosen or 1.0))
    lines += ["", f"chosen: {chosen} (ordinary questions <= {ORDINARY_MAX:.0%}, calm messages <= {CALM_MAX:.0%}); "
              f"in data/safety/risk_model.yml: {settings.threshold}",
              "model alone at the chosen threshold, per left-out set: "
              + ", ".join(f"{name} {sum(hits) / len(hits):.0%}" for name, hits in sorted(per_set.items()))]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    parser.add_argument("--sweep", action="store_true", help="leave one set out and print help and check-ins")
    args = parser.parse_args(argv)
    if args.sweep:
        print("\n".join(sweep(load_examples())))
        return 0
    found = examples()
    model = RiskModel.fit_examples(found, load_settings().regularisation, CrisisGuard(learned=False).prepared)
    return write_or_check(found, HEADER, model, EXAMPLES, WEIGHTS, "risk_examples.py", args.check)

if __name__ == "__main__":
    raise SystemExit(main())
