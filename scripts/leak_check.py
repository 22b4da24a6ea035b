"""Leak check: no held-out or evaluation message may be a training example in all but spelling.

    python scripts/leak_check.py [--threshold 0.9] [--show 0.8]

Training data is every NLU example (data/nlu/*.yml), every `asks` question of the fact base
(data/facts/facts.yml), which retrieval learns from, the wording prior's examples (data/coverage/examples.yml) and
the learned risk model's examples (data/safety/risk_examples.yml: made of the development safety sets, so checked
against every evaluation set but those).
Evaluation data is every held-out or evaluation set: the NLU held-out set (tests/heldout), the safety sets
(tests/safety), the forget-me set (tests/forget_me), the realistic retrieval sets (tests/realistic: their held-out
half and the fresh sets; the tune half is training data by design, since the wording prior learns from it) and the
user text of the story tests (tests/stories). Both sides are normalised
(case, accents, apostrophes, punctuation, spacing, a few common misspellings and contractions, entity
annotations) and compared by the cosine similarity of character 3-5-grams (TF-IDF, within word boundaries).

A pair at or above THRESHOLD is a leak: the evaluation message would be scored on what the model memorised. The
build allows ALLOWED_LEAKS of them (none). Leaks are fixed in the training data, never in the evaluation sets.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

ROOT = Path(__file__).resolve().parent.parent

THRESHOLD = 0.9  # cosine similarity of character 3-5-grams at or above which a pair counts as a leak
ALLOWED_LEAKS = 0
LOOSER = 0.8  # reported, not enforced: close paraphrases worth a look

TRAINING_NLU = ("data/nlu/*.yml",)
TRAINING_ASKS = ROOT / "data" / "facts" / "facts.yml"
TRAINING_EXAMPLES = ROOT / "data" / "coverage" / "examples.yml"
# The learned risk model's examples (bot/risk.py) are the development safety sets themselves: they are checked
# against every other evaluation set, not against the sets they are made of.
TRAINING_RISK = ROOT / "data" / "safety" / "risk_examples.yml"
DEVELOPMENT_SAFETY = ("tests/safety/eval/", "tests/safety/dev", "tests/safety/crisis.yml", "tests/safety/near_miss.yml",
                      "tests/safety/personal_advice.yml")
TUNE_SPLIT = "tune"  # records with `split: tune` are what the wording prior learns from, not evaluation
EVALUATION = (
    "tests/heldout/*.yml",
    "tests/safety/**/*.yml",
    "tests/forget_me/*.yml",
    "tests/realistic/*.yml",
    "tests/stories/*.yml",
)
# Not evaluation text: labels and tags that sit beside the messages in the evaluation files.
NOT_MESSAGES = {"label", "facts", "drugs", "conditions", "keywords", "id", "split", "kind", "gap", "sign", "tier",
                "expect", "intent", "action", "story", "version", "entities", "slot_was_set"}

# Common misspellings and spoken forms, mapped to one spelling on both sides (after apostrophes are dropped).
SPELLINGS = {
    "kil": "kill", "killin": "killing", "ketamin": "ketamine", "katamine": "ketamine", "ketamene": "ketamine",
    "ketamime": "ketamine", "spravto": "spravato", "sprevato": "spravato", "fibromyalga": "fibromyalgia",
    "fibromialgia": "fibromyalgia", "dextromethorphin": "dextromethorphan", "anymroe": "anymore",
    "becuase": "because", "becasue": "because", "definately": "definitely", "medicaton": "medication",
    "alot": "a lot", "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "cuz": "because", "tho": "though", "abt": "about",
    "idk": "i do not know", "dunno": "do not know",
    # contractions, once the apostrophe is gone ("don't" and "dont" alike)
    "cant": "cannot", "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "wont": "will not", "im": "i am", "ive": "i have", "whats": "what is", "hows": "how is", "thats": "that is",
    "theres": "there is", "youre": "you are",
}
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def normalise(text: str) -> str:
    """The form two messages are compared in: lower case, no accents, no apostrophes, punctuation as spaces, one
    spelling for common misspellings and contractions, entity annotations reduced to the words typed."""
    text = ANNOTATION.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"['\u2019\u2018`\u00b4]", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = [SPELLINGS.get(word, word) for word in text.split()]
    return " ".join(" ".join(words).split())


@dataclass(frozen=True)
class Message:
    text: str
    where: str  # path relative to the project, and the entry: "data/nlu/cost.yml: ask_cost"

    @property
    def normal(self) -> str:
        return normalise(self.text)


@dataclass(frozen=True)
class Leak:
    evaluation: Message
    training: Message
    similarity: float


def _relative(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT))


def examples_of(block: str) -> list[str]:
    """The messages of a Rasa `examples: |` block."""
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def messages_in(data: Any, key: str = "") -> Iterator[str]:
    """Every message in an evaluation file, whatever its layout: Rasa NLU blocks, story `user:` steps, plain lists
    of strings, and records with a `text` or `q` field."""
    if isinstance(data, dict):
        if data.get("split") == TUNE_SPLIT:
            return
        for name, value in data.items():
            if name == "examples" and isinstance(value, str):
                yield from examples_of(value)
            elif name in ("text", "q", "user") and isinstance(value, str):
                yield value.strip()
            elif name not in NOT_MESSAGES:
                yield from messages_in(value, name)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                if key not in NOT_MESSAGES:
                    yield item.strip()
            else:
                yield from messages_in(item, key)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _files(patterns: Iterable[str]) -> list[Path]:
    return sorted({path for pattern in patterns for path in ROOT.glob(pattern)})


def training_messages() -> list[Message]:
    found = []
    for path in _files(TRAINING_NLU):
        for block in _load(path).get("nlu", []):
            label = block.get("intent") or block.get("synonym") or block.get("lookup") or block.get("regex")
            found += [Message(text, f"{_relative(path)}: {label}") for text in examples_of(block.get("examples", ""))]
    for fact in _load(TRAINING_ASKS):
        found += [Message(text, f"{_relative(TRAINING_ASKS)}: {fact['id']} asks") for text in fact.get("asks", [])]
    found += [Message(example["text"], f"{_relative(TRAINING_EXAMPLES)}: {example['set']}")
              for example in _load(TRAINING_EXAMPLES)["examples"]]
    return [message for message in found if message.normal]


def risk_messages() -> list[Message]:
    """The learned risk model's examples: compared in a run of their own (so they do not move the other pairs'
    TF-IDF weights) with every evaluation message but those of the development safety sets they are made of."""
    if not TRAINING_RISK.exists():
        return []
    found = [Message(example["text"], f"{_relative(TRAINING_RISK)}: {example['set']}")
             for example in _load(TRAINING_RISK)["examples"]]
    return [message for message in found if message.normal]


def is_development_safety(where: str) -> bool:
    """Whether an evaluation message comes from a development safety set (the risk model's own examples)."""
    return where.startswith(DEVELOPMENT_SAFETY)


def evaluation_messages(patterns: Iterable[str] = EVALUATION) -> list[Message]:
    found = []
    for path in _files(patterns):
        found += [Message(text, _relative(path)) for text in messages_in(_load(path)) if text]
    return [message for message in found if message.normal]


def near_duplicates(evaluation: list[Message], training: list[Message], threshold: float) -> list[Leak]:
    """Every (evaluation, training) pair whose normalised texts are at least `threshold` similar, most similar
    first; an evaluation message that appears in several sets is listed once."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    evaluation = list({message.normal: message for message in reversed(evaluation)}.values())[::-1]
    if not evaluation or not training:
        return []
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))
    vectorizer.fit([message.normal for message in [*evaluation, *training]])
    similarity = cosine_similarity(vectorizer.transform([m.normal for m in evaluation]),
                                   vectorizer.transform([m.normal for m in training]))
    rows, columns = (similarity >= threshold - 1e-6).nonzero()
    leaks = [Leak(evaluation[row], training[column], min(1.0, round(float(similarity[row, column]), 3)))
             for row, column in zip(rows, columns, strict=True)]
    return sorted(leaks, key=lambda leak: (-leak.similarity, leak.evaluation.where, leak.evaluation.text))


def report(threshold: float = THRESHOLD, looser: float = LOOSER, out: TextIO = sys.stdout) -> list[Leak]:
    """Print the leak report and return the pairs at or above `threshold`."""
    training, evaluation, risk = training_messages(), evaluation_messages(), risk_messages()
    distinct = {message.normal for message in evaluation}
    pairs = near_duplicates(evaluation, training, looser)
    pairs += near_duplicates([message for message in evaluation if not is_development_safety(message.where)], risk,
                             looser)
    pairs.sort(key=lambda leak: (-leak.similarity, leak.evaluation.where, leak.evaluation.text))
    leaks = [pair for pair in pairs if pair.similarity >= threshold]
    leaked = {pair.evaluation.normal for pair in leaks}
    identical = {pair.evaluation.normal for pair in leaks if pair.evaluation.normal == pair.training.normal}
    close = {pair.evaluation.normal for pair in pairs} - leaked
    print(f"Training: {len(training)} messages (data/nlu examples, data/facts asks, data/coverage examples) and "
          f"{len(risk)} risk-model examples (data/safety). Evaluation: {len(distinct)} "
          f"distinct messages ({', '.join(EVALUATION)}).", file=out)
    print(f"Leaked evaluation messages (char 3-5-gram TF-IDF cosine >= {threshold} to a training message, after "
          f"normalising): {len(leaked)} (allowed: {ALLOWED_LEAKS}); {len(identical)} of them identical once "
          f"normalised; {len({pair.training for pair in leaks})} training messages involved.", file=out)
    print(f"Close but below the threshold (>= {looser}, reported only): {len(close)} more "
          f"({len(close | leaked) / max(len(distinct), 1):.1%} of the evaluation messages at >= {looser}).", file=out)
    by_set = Counter(pair.evaluation.where for pair in {pair.evaluation.normal: pair for pair in leaks}.values())
    if by_set:
        print("Leaked, by set: " + ", ".join(f"{where} {count}" for where, count in sorted(by_set.items())), file=out)
    for pair in pairs:
        mark = "LEAK " if pair.similarity >= threshold else "close"
        print(f"  {mark} {pair.similarity:.3f}  {pair.evaluation.text!r} ({pair.evaluation.where})\n"
              f"                 ~ {pair.training.text!r} ({pair.training.where})", file=out)
    return leaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="similarity that counts as a leak")
    parser.add_argument("--show", type=float, default=LOOSER, help="also list pairs at least this similar")
    args = parser.parse_args(argv)
    leaks = report(args.threshold, min(args.show, args.threshold))
    return 0 if len({leak.evaluation.normal for leak in leaks}) <= ALLOWED_LEAKS else 1


if __name__ == "__main__":
    sys.exit(main())
