"""Measure the safety layer: recall per warning sign, false alarms per tier, guard vs classifier vs both.

    python scripts/safety_eval.py                                # the deterministic guard alone
    python scripts/safety_eval.py --model models/current.tar.gz  # + the classifier alone, and guard + classifier
    python scripts/safety_eval.py --server http://localhost:5005 # + the whole bot over REST

Sets, each written by an author who never saw the training data, the patterns or the other sets:
- tests/safety/eval/ (the development set), split by a hash of each message into "tune" and "heldout". The
  held-out half was measured once untouched (README), then its misses were read too: it is development data now.
- tests/safety/dev2/ ("dev2"), a second development set from a third author, measured untouched once (README)
  and then tuned on.
- tests/safety/dev3/ ("dev3"), a third development set from a fourth author (2026-11-27), measured untouched once
  (README) and then tuned on.
- tests/safety/dev4/ ("dev4"), a fourth development set from a fifth author (2026-11-27), most of it long posts
  with an indirect sign and hard calm look-alikes; measured untouched once (README), then tuned on.
- tests/safety/dev5/ ("dev5"), a fifth development set from a sixth author (2026-11-29): signs buried in
  treatment questions, goodbyes said to the bot, hard look-alikes; measured untouched once (README), then tuned on.
- tests/safety/dev6/ ("dev6"), a sixth development set from a seventh author (2026-11-29): signs said once in
  passing or in the last line, past tense for what is still going on, tempting calm look-alikes; measured
  untouched once (README), then tuned on.
- tests/safety/dev7/ ("dev7"), a seventh development set from a ninth author (2026-11-29), written after the second
  fresh test set showed where a new author still gets past the guard (preparations, means, plan and timing said
  once in a long post; everyday hyperbole); measured untouched once (README), then tuned on.
- tests/safety/dev8/ ("dev8"), an eighth development set from an eleventh author (2026-11-29), weighted toward
  means, plan and timing, unbearable pain and someone else at risk; measured untouched once (README), then used
  for development.
- tests/safety/dev9/ ("dev9"), a ninth development set from a thirty-first author (stop 33), with more messages
  for the signs that are hardest to spot (plan and timing, burden, preparations, goodbyes, someone else at risk);
  measured untouched once (README), then used for development.
- tests/safety/fresh/ ("test"), written after the first development set: nothing is tuned on it and its misses
  are not listed unless `--show test` is asked for (which makes it development data too: write a new one then).
- tests/safety/fresh2/ ("test2"), a second fresh test set by an eighth author (2026-11-29), a plain sample of how
  people write rather than trick messages: the same rule (never tuned on, misses not listed unless asked).
- tests/safety/fresh3/ ("test3"), a third fresh test set by a tenth author (2026-11-29, writers from 15 to 81 in
  five countries), first measured before the learned risk model existed: the same rule.
The older regression sets in tests/safety/ (crisis.yml, near_miss.yml, personal_advice.yml) are
reported beside them. "Guard alone" is the guard as the Rasa process runs it: its patterns and the learned risk
model (bot/risk.py, which only asks the check-in); "patterns alone" leaves the model out. "Help" means the reply
gives the help lines first: a crisis or emergency reply, or the check-in question (which carries the 988 line). A
false alarm is a crisis or emergency reply to a message with no risk sign: it would replace the answer.
`--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETS = ROOT / "tests" / "safety"
EVAL = SETS / "eval"
HELP_INTENTS = {"crisis", "emergency"}
HELP_TIERS = {"crisis", "emergency", "check_in"}
ALARM_TIERS = {"crisis", "emergency"}
SPLITS = ("tune", "heldout")
HALVES = ("tune", "heldout", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "test", "test2",
          "test3", "regression")


def split_of(text: str) -> str:
    """The half a message belongs to, fixed by its text: the same on every machine and every run."""
    return SPLITS[hashlib.sha256(text.strip().lower().encode("utf-8")).digest()[0] % 2]


@dataclass(frozen=True)
class Item:
    """One evaluation message: what must happen (expect: crisis, emergency, none) and how it is grouped."""

    text: str
    expect: str  # crisis | emergency | none
    group: str  # the warning sign, the emergency kind, "spanish", "past reaction", the calm post's tier...
    source: str  # eval (split into tune/heldout) | test (the fresh set) | regression (the older sets)
    long: bool = False

    @property
    def split(self) -> str:
        return split_of(self.text) if self.source == "eval" else self.source

    @property
    def dangerous(self) -> bool:
        return self.expect != "none"


@dataclass
class SafetySets:
    items: list[Item]
    advice: list[str]

    @property
    def texts(self) -> list[str]:
        return [item.text for item in self.items] + self.advice

    def where(self, **wanted: object) -> list[Item]:
        return [item for item in self.items if all(getattr(item, key) == value for key, value in wanted.items())]

    # The older regression sets, for the tests that read them by name.
    @property
    def danger(self) -> list[str]:
        return [item.text for item in self.items if item.source == "regression" and item.dangerous]

    @property
    def near_miss(self) -> list[str]:
        return [item.text for item in self.items if item.source == "regression" and not item.dangerous]


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _written_set(spec: dict, split: str) -> list[Item]:
    """A set in the later authors' format: crisis (by sign), emergency (by kind), spanish and calm (by tier)."""
    return ([Item(e["text"], "crisis", e["sign"], split, e.get("long", False)) for e in spec["crisis"]]
            + [Item(e["text"], "emergency", e["kind"], split) for e in spec["emergency"]]
            + [Item(e["text"], e["expect"], f"spanish {e['expect']}", split) for e in spec.get("spanish", [])]
            + [Item(e["text"], "none", f"calm: {e['tier']}", split, e.get("long", False)) for e in spec["calm"]])


def load_sets(directory: Path = SETS) -> SafetySets:
    items: list[Item] = []
    danger = _read(directory / "eval" / "danger.yml")
    items += [Item(e["text"], "crisis", e["sign"], "eval", e.get("long", False)) for e in danger["crisis"]]
    items += [Item(entry["text"], "emergency", entry["kind"], "eval") for entry in danger["emergency"]]
    items += [Item(e["text"], e["expect"], f"spanish {e['expect']}", "eval") for e in danger["spanish"]]
    items += [Item(text, "none", "past reaction", "eval") for text in danger["past_reaction"]]
    calm = _read(directory / "eval" / "not_crisis.yml")["not_crisis"]
    items += [Item(entry["text"], "none", f"calm: {entry['tier']}", "eval", entry.get("long", False)) for entry in calm]
    for split, path in (("dev2", "dev2/dev2.yml"), ("dev3", "dev3/dev3.yml"), ("dev4", "dev4/dev4.yml"),
                        ("dev5", "dev5/dev5.yml"), ("dev6", "dev6/dev6.yml"), ("dev7", "dev7/dev7.yml"),
                        ("dev8", "dev8/dev8.yml"), ("dev9", "dev9/dev9.yml"),
                        ("test", "fresh/test_set.yml"),
                        ("test2", "fresh2/test_set.yml"), ("test3", "fresh3/test_set.yml")):
        items += _written_set(_read(directory / path), split)
    old = _read(directory / "crisis.yml")
    items += [Item(text, "crisis", "old crisis set", "regression") for text in old["crisis"]]
    items += [Item(text, "emergency", "old emergency set", "regression") for text in old["emergency"]]
    near_miss = _read(directory / "near_miss.yml")["near_miss"]
    items += [Item(text, "none", "old near-miss set", "regression") for text in near_miss]
    advice = _read(directory / "personal_advice.yml")["personal_advice"]
    return SafetySets(items, advice)


@dataclass
class Figures:
    """One layer's outcome on every item: the tier it gave each message."""

    tiers: dict[str, str | None]
    advice_refused: float | None = None
    rows: dict[str, dict[str, str]] = field(default_factory=dict)

    def got_help(self, item: Item) -> bool:
        return self.tiers[item.text] in HELP_TIERS

    def alarmed(self, item: Item) -> bool:
        return self.tiers[item.text] in ALARM_TIERS

    def missed(self, items: list[Item]) -> list[Item]:
        return [item for item in items if item.dangerous and not self.got_help(item)]

    def false_alarms(self, items: list[Item]) -> list[Item]:
        return [item for item in items if not item.dangerous and self.alarmed(item)]


def rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def layer_figures(sets: SafetySets, tier_of: Callable[[str], str | None], refuses_advice=None) -> Figures:
    tiers = {item.text: tier_of(item.text) for item in sets.items}
    advice = None
    if refuses_advice is not None:
        advice = rate(sum(bool(refuses_advice(text)) for text in sets.advice), len(sets.advice))
    return Figures(tiers, advice)


def guard_figures(sets: SafetySets, learned: bool = True) -> Figures:
    """The guard in the Rasa process: its patterns, and (unless `learned` is False) the learned risk model."""
    from bot.safety import CrisisGuard, get_advice_guard, get_crisis_guard

    guard = get_crisis_guard() if learned else CrisisGuard(learned=False)
    return layer_figures(sets, lambda text: guard.assess(text).tier, lambda text: get_advice_guard().check(text))


def parse_all(model: Path, texts: list[str]) -> dict[str, dict]:
    """Parse every text with the trained Rasa NLU model (guard included)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug log would print every parsed (held-out) message
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(str(model))

    async def run() -> dict[str, dict]:
        return {text: await agent.parse_message(text) for text in dict.fromkeys(texts)}

    return asyncio.run(run())


def model_figures(sets: SafetySets, model: Path) -> tuple[Figures, Figures]:
    """(classifier alone, guard + classifier) from one set of parses of the real model."""
    from actions.constants import CLASSIFIER_INTENT
    from bot.answer import answer_message as answer
    from bot.safety import get_crisis_guard

    parses = parse_all(model, sets.texts)

    def alone(text: str) -> str | None:
        name = parses[text].get(CLASSIFIER_INTENT)
        return name if name in HELP_TIERS else None

    def full(text: str) -> str | None:
        name = parses[text]["intent"]["name"]
        # The softer tiers are decided by the guard inside the answer action, not by an intent.
        return name if name in HELP_TIERS else get_crisis_guard().assess(text).tier

    def topic(text: str) -> str | None:
        name = parses[text]["intent"]["name"] or ""
        return name[4:] if name.startswith("ask_") else None

    return (
        layer_figures(sets, alone),
        layer_figures(sets, full, lambda text: answer(text, topic(text)).kind == "advice"),
    )


def tier_of_reply(reply: str) -> str | None:
    """Which tier a reply of the running bot belongs to, read from its fixed openings."""
    from bot.safety import CHECK_IN_QUESTION, CRISIS_OPENING, DISTRESS_LINE, EMERGENCY_OPENING, get_resources

    spanish = get_resources().spanish
    if CRISIS_OPENING in reply or spanish["crisis_opening"] in reply:
        return "crisis"
    if EMERGENCY_OPENING in reply or spanish["emergency_opening"] in reply:
        return "emergency"
    if CHECK_IN_QUESTION in reply:
        return "check_in"
    if DISTRESS_LINE in reply:
        return "distress"
    return None


def server_figures(sets: SafetySets, url: str) -> Figures:
    from bot.cli import send

    def reply(text: str) -> str:
        return "\n".join(message.get("text", "") for message in send(url, f"safety-{uuid.uuid4().hex[:8]}", text))

    replies = {text: reply(text) for text in dict.fromkeys(sets.texts)}
    return layer_figures(
        sets,
        lambda text: tier_of_reply(replies[text]),
        lambda text: "can't give personal medical advice" in replies[text],
    )


def table(sets: SafetySets, rows: dict[str, Figures]) -> list[str]:
    """Markdown: recall per sign and kind, false alarms per tier of calm message, for each layer and half."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in sets.items:
        groups[item.group].append(item)
    lines = ["| group | half | n | " + " | ".join(rows) + " |", "| --- | --- | --- |" + " --- |" * len(rows)]

    def line(name: str, half: str, items: list[Item]) -> str:
        cells = []
        for figures in rows.values():
            danger = [item for item in items if item.dangerous]
            calm = [item for item in items if not item.dangerous]
            if danger:
                cells.append(f"help {rate(len(danger) - len(figures.missed(danger)), len(danger)):.0%}")
            else:
                cells.append(f"false alarms {rate(len(figures.false_alarms(calm)), len(calm)):.1%}")
        return f"| {name} | {half} | {len(items)} | " + " | ".join(cells) + " |"

    for name, items in groups.items():
        halves = sorted({item.split for item in items})
        for half in halves:
            lines.append(line(name, half, [item for item in items if item.split == half]))
    for half in HALVES:
        for kind, wanted in (("all crisis + emergency", True), ("all calm messages", False)):
            items = [item for item in sets.items if item.split == half and item.dangerous == wanted]
            if items:
                lines.append(line(f"**{kind}**", half, items))
    for half in HALVES:
        calm = [item for item in sets.items if item.split == half and not item.dangerous]
        if calm:
            lines.append(f"| check-ins on calm messages | {half} | {len(calm)} | " + " | ".join(
                f"check-in {rate(sum(f.tiers[item.text] == 'check_in' for item in calm), len(calm)):.1%}"
                for f in rows.values()) + " |")
    for half in HALVES:
        long_posts = [item for item in sets.items if item.long and item.dangerous and item.split == half]
        if long_posts:
            lines.append(line("long crisis posts", half, long_posts))
    return lines


def tier_counts(sets: SafetySets, figures: Figures) -> list[str]:
    """How the calm posts were answered: nothing added, a distress line, a check-in, or an alarm."""
    lines = ["| calm messages | n | answer only | distress line + answer | check-in + answer | alarm |",
             "| --- | --- | --- | --- | --- | --- |"]
    for group in sorted({item.group for item in sets.items if not item.dangerous}):
        items = [item for item in sets.items if item.group == group]
        counts = defaultdict(int)
        for item in items:
            counts[figures.tiers[item.text]] += 1
        alarms = counts["crisis"] + counts["emergency"]
        lines.append(f"| {group} | {len(items)} | {counts[None]} | {counts['distress']} | {counts['check_in']} | "
                     f"{alarms} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model (models/current.tar.gz)")
    parser.add_argument("--server", help="a running bot, e.g. http://localhost:5005")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--show", choices=[*HALVES, "dev", "all"], default="dev",
                        help="list the misses and false alarms of this half (default: dev = tune + heldout + "
                             "regression; the fresh test set is never listed unless asked, and never tuned on)")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

    sets = load_sets()
    rows: dict[str, Figures] = {"patterns alone": guard_figures(sets, learned=False),
                                "guard alone": guard_figures(sets)}
    if args.model:
        rows["classifier alone"], rows["guard + classifier"] = model_figures(sets, args.model)
    if args.server:
        rows["whole bot over REST"] = server_figures(sets, args.server)

    danger = [item for item in sets.items if item.dangerous]
    print(f"{len(danger)} crisis/emergency messages, {len(sets.items) - len(danger)} calm messages, "
          f"{len(sets.advice)} personal-advice requests\n")
    print("\n".join(table(sets, rows)))
    print()
    print("\n".join(tier_counts(sets, rows[list(rows)[-1]])))
    print()
    for name, figures in rows.items():
        if figures.advice_refused is not None:
            print(f"personal advice refused ({name}): {figures.advice_refused:.1%}")
    dev = tuple(half for half in HALVES if not half.startswith("test"))  # the test sets are listed only when asked
    shown = [item for item in sets.items
             if args.show == "all" or item.split == args.show or (args.show == "dev" and item.split in dev)]
    for name, figures in rows.items():
        for item in figures.missed(shown):
            print(f"  missed by {name} [{item.group}, {item.split}]: {item.text}")
        for item in figures.false_alarms(shown):
            print(f"  false alarm of {name} [{item.group}, {item.split}]: {item.text}")
    if args.json:
        summary = {
            name: {
                half: {
                    "help": rate(sum(figures.got_help(i) for i in danger if i.split == half),
                                 sum(1 for i in danger if i.split == half)),
                    "false_alarms": rate(len(figures.false_alarms([i for i in sets.items if i.split == half])),
                                         sum(1 for i in sets.items if i.split == half and not i.dangerous)),
                    "check_ins": rate(sum(figures.tiers[i.text] == "check_in" for i in sets.items
                                          if i.split == half and not i.dangerous),
                                      sum(1 for i in sets.items if i.split == half and not i.dangerous)),
                }
                for half in HALVES
            }
            for name, figures in rows.items()
        }
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
