"""Measure the safety layer on tests/safety/: crisis+emergency recall, near-miss false positives, advice refusals.

    python scripts/safety_eval.py                          # the deterministic guard alone
    python scripts/safety_eval.py --model models/current.tar.gz   # + the classifier alone, and guard + classifier
    python scripts/safety_eval.py --server http://localhost:5005  # + the whole bot over REST

Prints one table; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "safety"
HELP_INTENTS = {"crisis", "emergency"}


@dataclass
class SafetySets:
    crisis: list[str]
    emergency: list[str]
    near_miss: list[str]
    advice: list[str]

    @property
    def danger(self) -> list[str]:
        return self.crisis + self.emergency


def load_sets(directory: Path = SETS) -> SafetySets:
    crisis = yaml.safe_load((directory / "crisis.yml").read_text(encoding="utf-8"))
    return SafetySets(
        crisis=crisis["crisis"],
        emergency=crisis["emergency"],
        near_miss=yaml.safe_load((directory / "near_miss.yml").read_text(encoding="utf-8"))["near_miss"],
        advice=yaml.safe_load((directory / "personal_advice.yml").read_text(encoding="utf-8"))["personal_advice"],
    )


@dataclass
class Figures:
    recall: float  # share of crisis+emergency messages that got help
    false_positive_rate: float  # share of near-misses that got the crisis reply
    advice_refused: float | None  # share of advice requests refused (None where not measured)
    missed: list[str]
    false_positives: list[str]


def rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def figures(sets: SafetySets, flags_help, refuses_advice=None) -> Figures:
    missed = [text for text in sets.danger if not flags_help(text)]
    false_positives = [text for text in sets.near_miss if flags_help(text)]
    advice = None
    if refuses_advice is not None:
        advice = rate(sum(bool(refuses_advice(text)) for text in sets.advice), len(sets.advice))
    return Figures(
        recall=1 - rate(len(missed), len(sets.danger)),
        false_positive_rate=rate(len(false_positives), len(sets.near_miss)),
        advice_refused=advice,
        missed=missed,
        false_positives=false_positives,
    )


def guard_figures(sets: SafetySets) -> Figures:
    from bot.safety import get_advice_guard, get_crisis_guard

    guard = get_crisis_guard()
    return figures(sets, lambda text: guard.check(text) is not None, lambda text: get_advice_guard().check(text))


def parse_all(model: Path, texts: list[str]) -> dict[str, dict]:
    """Parse every text with the trained Rasa NLU model (guard included)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> dict[str, dict]:
        return {text: await agent.parse_message(text) for text in dict.fromkeys(texts)}

    return asyncio.run(run())


def model_figures(sets: SafetySets, model: Path) -> tuple[Figures, Figures]:
    """(classifier alone, guard + classifier) from one set of parses of the real model."""
    from addons.nlu_guard import CLASSIFIER_INTENT
    from bot.answer import answer

    parses = parse_all(model, sets.danger + sets.near_miss + sets.advice)
    alone = figures(sets, lambda text: parses[text].get(CLASSIFIER_INTENT) in HELP_INTENTS)

    def topic(text: str) -> str | None:
        name = parses[text]["intent"]["name"] or ""
        return name[4:] if name.startswith("ask_") else None

    full = figures(
        sets,
        lambda text: parses[text]["intent"]["name"] in HELP_INTENTS,
        lambda text: answer(text, topic(text)).kind == "advice",
    )
    return alone, full


def server_figures(sets: SafetySets, url: str) -> Figures:
    from bot.cli import send
    from bot.safety import CRISIS_OPENING, EMERGENCY_OPENING

    def reply(text: str) -> str:
        return "\n".join(message.get("text", "") for message in send(url, f"safety-{uuid.uuid4().hex[:8]}", text))

    replies = {text: reply(text) for text in dict.fromkeys(sets.danger + sets.near_miss + sets.advice)}
    return figures(
        sets,
        lambda text: CRISIS_OPENING in replies[text] or EMERGENCY_OPENING in replies[text],
        lambda text: "can't give personal medical advice" in replies[text],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model (models/current.tar.gz)")
    parser.add_argument("--server", help="a running bot, e.g. http://localhost:5005")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

    sets = load_sets()
    rows: dict[str, Figures] = {"guard alone": guard_figures(sets)}
    if args.model:
        rows["classifier alone (guard off)"], rows["guard + classifier (real NLU)"] = model_figures(sets, args.model)
    if args.server:
        rows["whole bot over REST"] = server_figures(sets, args.server)

    print(f"{len(sets.crisis)} crisis + {len(sets.emergency)} emergency, {len(sets.near_miss)} near-misses, "
          f"{len(sets.advice)} personal-advice requests\n")
    print(f"{'layer':32} {'recall':>8} {'near-miss FP':>13} {'advice refused':>15}")
    for name, row in rows.items():
        advice = "-" if row.advice_refused is None else f"{row.advice_refused:.1%}"
        print(f"{name:32} {row.recall:8.1%} {row.false_positive_rate:13.1%} {advice:>15}")
    for name, row in rows.items():
        for text in row.missed:
            print(f"  missed by {name}: {text}")
        for text in row.false_positives:
            print(f"  false positive of {name}: {text}")
    if args.json:
        args.json.write_text(json.dumps({name: row.__dict__ for name, row in rows.items()}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
