"""Replies as a patient reads them: the whole answer path (bot.answer.answer_message) on tests/realistic, per half.

    python scripts/evaluate_answers.py                         # both halves, markdown
    python scripts/evaluate_answers.py --model models/current.tar.gz   # topics from the real NLU model
    python scripts/evaluate_answers.py --json results/answers.json
    python scripts/evaluate_answers.py --show q012 q044         # print these replies (tune-half ids only)

Where scripts/compare_retrieval.py measures rankings, this measures the reply the person gets:
- top-1: of the questions the article answers, the share whose reply leads with a labelled fact (a reply that says
  "not covered" or refuses counts as a miss); top-3: a labelled fact is among the facts shown;
- not-covered precision and recall: whether the reply says the article doesn't cover it (kind not_covered, or a
  refusal that says so), over the questions labelled with facts or `not_covered`;
- advice: the share of `advice` questions refused;
- first sentence answers: the reply's first sentence (after a one-clause acknowledgement and any safety line) is
  the labelled fact's first sentence, the sentence naming the gap for a not-covered question, or the refusal for an
  advice question;
- words: the median number of words of content (lead, facts, gap) and of the whole reply;
- follow-ups (tests/realistic/conversations.yml, and conversations2.yml to conversations5.yml for tuning): each
  turn after the first, answered in the context of the conversation so far (its drug, condition, last answer and
  last question), judged like a single question.
Held-out replies are never printed (`--show` refuses them). `--set tests/realistic/fresh.yml` measures the fresh
test set, written later by another author, instead.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.compare_retrieval import (  # noqa: E402
    ADVICE_LABEL,
    Item,
    cue_topics,
    load_items,
    model_topics,
    numbered_sets,
)

CONVERSATIONS = ROOT / "tests" / "realistic" / "conversations.yml"
# More tuning conversations by other authors (split: tune), who saw only the article and the facts; each set was
# measured untouched once before anything was tuned on it (README).
CONVERSATIONS_MORE = numbered_sets("conversations")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Where the tail of a reply starts (evidence, source, disclaimer), in the reply formats before and after issue 18.
TAIL_MARKERS = ("How strong is this?", "Evidence:", "Source:", "Sources:", "This is general information",
                "General information")


@dataclass
class Judged:
    """One reply, reduced to what is measured."""

    id: str
    split: str
    label: tuple[str, ...] | str
    kind: str
    fact_ids: tuple[str, ...]
    said_not_covered: bool
    first_sentence_answers: bool
    content_words: int
    total_words: int


@dataclass
class State:
    """What a conversation carries from turn to turn (as the Rasa slots do)."""

    drugs: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    last_facts: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()
    topic: str | None = None
    history: list[str] = field(default_factory=list)
    last_question: str = ""
    last_about: tuple[str, ...] = ()  # what the last reply was about when it showed no fact (Reply.about)


def _words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def content_of(reply) -> str:
    """The part of a reply that says something (without the evidence, source and disclaimer tail)."""
    custom = getattr(reply, "custom", None) or {}
    if "lead" in custom:
        parts = [custom["lead"], *(fact["text"] for fact in custom["facts"]), custom["gap"]]
        return " ".join(part for part in parts if part)
    text = reply.text
    cut = min((text.find(marker) for marker in TAIL_MARKERS if marker in text), default=len(text))
    return text[:cut].strip()


def first_sentence(reply) -> str:
    """The reply's first sentence after any acknowledgement clause or safety line."""
    opening = content_of(reply)
    return SENTENCE_END.split(opening.strip(), maxsplit=1)[0] if opening else ""


def judge(item_id: str, split: str, label, reply, base) -> Judged:
    said_nc = reply.kind in ("not_covered", "out_of_scope") or (
        reply.kind == "advice" and not reply.fact_ids)
    facts = tuple(reply.fact_ids)
    opening = first_sentence(reply)
    if isinstance(label, tuple):
        fact = base.by_id(facts[0]) if facts and not said_nc else None
        answers = bool(fact and facts[0] in label and SENTENCE_END.split(fact.text, maxsplit=1)[0] in opening)
    elif label == ADVICE_LABEL:
        answers = reply.kind == "advice" and "advice" in opening.lower()
    else:
        answers = said_nc and "article" in opening.lower() and ("doesn't" in opening or "does not" in opening)
    return Judged(item_id, split, label, reply.kind, facts, said_nc, answers, _words(content_of(reply)),
                  _words(reply.text))


def _tagged(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from bot.vocabulary import get_tagger

    tagged = get_tagger().tag(text)
    drugs = tuple(dict.fromkeys(e.value for e in tagged if e.label == "drug"))
    conditions = tuple(dict.fromkeys(e.value for e in tagged if e.label == "condition"))
    return drugs, conditions


def reply_in_context(text: str, topic: str | None, state: State):
    """The bot's reply to `text` the way actions/answers.py asks for it, with whatever the answer path accepts."""
    from bot.answer import answer_message

    drugs, conditions = _tagged(text)
    options = dict(carried_drugs=state.drugs, carried_conditions=state.conditions)
    accepted = inspect.signature(answer_message).parameters
    if "last_facts" in accepted:
        options.update(last_facts=state.last_about or state.last_facts, shown=state.shown)
    if "last_question" in accepted:
        options.update(last_question=state.last_question)
    if "drugs" in accepted:  # the topic router's signature (before issue 18)
        options.update(drugs=drugs, conditions=conditions)
        if topic is None and state.topic and state.last_facts:
            topic = state.topic
    reply = answer_message(text, topic, **options)
    if reply.fact_ids:
        state.last_facts = tuple(reply.fact_ids)
        state.shown = tuple(dict.fromkeys((*state.shown, *reply.fact_ids)))
        state.topic = reply.topic
    state.last_about = () if reply.fact_ids else tuple(getattr(reply, "about", ()))
    state.last_question = getattr(reply, "question", "") or state.last_question
    state.drugs = drugs[:1] or state.drugs
    state.conditions = conditions[:1] or state.conditions
    return reply


@dataclass
class Summary:
    questions: int
    top1: float
    top3: float
    nc_precision: float
    nc_recall: float
    advice_refused: float
    first_sentence_answers: float
    median_content_words: float
    median_words: float


def _share(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 3) if denominator else 0.0


def summarise(judged: list[Judged]) -> Summary:
    answerable = [j for j in judged if isinstance(j.label, tuple)]
    uncovered = [j for j in judged if j.label == "not_covered"]
    advice = [j for j in judged if j.label == ADVICE_LABEL]
    said_nc = [j for j in answerable + uncovered if j.said_not_covered]
    return Summary(
        questions=len(judged),
        top1=_share(sum(1 for j in answerable if not j.said_not_covered and j.fact_ids[:1]
                        and j.fact_ids[0] in j.label), len(answerable)),
        top3=_share(sum(1 for j in answerable if not j.said_not_covered and set(j.fact_ids[:3]) & set(j.label)),
                    len(answerable)),
        nc_precision=_share(sum(1 for j in said_nc if j.label == "not_covered"), len(said_nc)),
        nc_recall=_share(sum(1 for j in uncovered if j.said_not_covered), len(uncovered)),
        advice_refused=_share(sum(1 for j in advice if j.kind == "advice"), len(advice)),
        first_sentence_answers=_share(sum(1 for j in judged if j.first_sentence_answers), len(judged)),
        median_content_words=statistics.median(j.content_words for j in judged) if judged else 0,
        median_words=statistics.median(j.total_words for j in judged) if judged else 0,
    )


def load_conversations(paths: tuple[Path, ...] = (CONVERSATIONS, *CONVERSATIONS_MORE)) -> list[dict]:
    conversations = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            conversations += yaml.safe_load(handle)["conversations"]
    return conversations


def _label(raw) -> tuple[str, ...] | str:
    return tuple(raw) if isinstance(raw, list) else raw


def evaluate(items: list[Item], topics: dict[str, str | None], conversations: list[dict],
             conversation_topics: Callable[[str], str | None]) -> dict:
    from bot.facts import load_fact_base

    base = load_fact_base()
    singles = [judge(item.id, item.split, item.label, reply_in_context(item.text, topics[item.id], State()), base)
               for item in items]
    follow_ups: list[Judged] = []
    firsts: list[Judged] = []
    for conversation in conversations:
        state = State()
        for number, turn in enumerate(conversation["turns"]):
            reply = reply_in_context(turn["text"], conversation_topics(turn["text"]), state)
            judged = judge(f"{conversation['id']}.{number}", conversation["split"], _label(turn["label"]), reply, base)
            (follow_ups if number else firsts).append(judged)
    report = {"singles": {}, "posts": {}, "follow_ups": {}, "judged": [asdict(j) for j in singles + follow_ups]}
    kinds = {item.id: item.kind for item in items}
    for split in dict.fromkeys(item.split for item in items):
        half = [j for j in singles if j.split == split]
        report["singles"][split] = asdict(summarise(half))
        report["posts"][split] = asdict(summarise([j for j in half if kinds[j.id] == "post"]))
    for split in dict.fromkeys(conversation["split"] for conversation in conversations):
        report["follow_ups"][split] = asdict(summarise([j for j in follow_ups if j.split == split]))
    return report


def markdown(report: dict) -> str:
    lines = ["| set | half | n | top-1 | top-3 | NC precision | NC recall | advice refused | first sentence answers "
             "| median words (content / whole) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, title in (("singles", "all questions"), ("posts", "multi-sentence posts"),
                        ("follow_ups", "follow-ups in conversations")):
        for split, s in report[name].items():
            lines.append(f"| {title} | {split} | {s['questions']} | {s['top1']:.2f} | {s['top3']:.2f} "
                         f"| {s['nc_precision']:.2f} | {s['nc_recall']:.2f} | {s['advice_refused']:.2f} "
                         f"| {s['first_sentence_answers']:.2f} | {s['median_content_words']:.0f} / "
                         f"{s['median_words']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained Rasa model for the topic intent (else cue words)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show", nargs="*", default=[], help="print the replies to these tune-half question ids")
    parser.add_argument("--set", type=Path, help="another question set instead of tests/realistic/dev.yml (e.g. "
                        "tests/realistic/fresh.yml, never tuned on); conversations are then left out")
    parser.add_argument("--conversations", type=Path, nargs="+",
                        help="only these conversation files (e.g. a new set, measured untouched before tuning)")
    args = parser.parse_args(argv)
    items = load_items(args.set) if args.set else load_items()
    if args.conversations:
        items = [] if not args.set else items
        conversations = load_conversations(tuple(args.conversations))
    else:
        conversations = [] if args.set else load_conversations()
    turns = [turn["text"] for conversation in conversations for turn in conversation["turns"]]
    turn_items = [Item(f"t{n}", text, "single", (), "tune") for n, text in enumerate(turns)]
    if args.model:
        topics = model_topics(items + turn_items, args.model)
    else:
        topics = cue_topics(items + turn_items)
    by_text = {item.text: topics[item.id] for item in turn_items}
    if args.show:
        from bot.facts import load_fact_base

        base = load_fact_base()
        for item in items:
            if item.id in args.show:
                if item.split != "tune":
                    print(f"{item.id}: held out, not shown")
                    continue
                reply = reply_in_context(item.text, topics[item.id], State())
                print(f"## {item.id} ({item.label})\n> {item.text}\n\n{reply.text}\n")
                print(asdict(judge(item.id, item.split, item.label, reply, base)))
        return 0
    report = evaluate(items, topics, conversations, by_text.get)
    print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
