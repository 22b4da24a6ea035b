"""The fact base: its model, its loader and its validator.

The fact base lives in data/facts/ as YAML (source.yml, topics.yml, vocabulary.yml, facts.yml). It is loaded
once per process through `load_fact_base()`, and `validate()` refuses a base that would let the bot say
something it cannot trace back to the article, or a fact without the patients' questions it answers (`asks`).
A fact may carry a `caution`: a sentence that bot/compose.py shows every time the fact is used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
FACTS_DIR = DATA_DIR / "facts"

# How strong each kind of evidence is, in the words the bot uses with patients (see compose.py).
EVIDENCE_LEVELS = (
    "regulatory",
    "meta-analysis",
    "guideline",
    "review",
    "controlled-trial",
    "ongoing-trial",
    "study",
    "small-study",
    "animal-study",
    "case-report",
    "clinician-report",
    "expert-opinion",
    "anecdote",
    "background",
    "commentary",
)

REQUIRED_FACT_FIELDS = ("id", "topic", "drugs", "conditions", "text", "evidence", "section", "para", "asks")
OPTIONAL_FACT_FIELDS = ("cites", "keywords", "dated", "caution", "introduces", "refers_to")
# Evidence that is somebody's work (a decision, a study, a review, an expert's or a doctor's word) names that
# work in `cites`; the article's own voice (background, the author's commentary) cites nothing.
EVIDENCE_NAMING_A_WORK = (
    "regulatory", "meta-analysis", "guideline", "review", "controlled-trial", "ongoing-trial", "study",
    "small-study", "animal-study", "clinician-report", "expert-opinion",
)
EVIDENCE_OF_THE_ARTICLE = ("background", "commentary")
MIN_ASKS = 4  # questions in patients' words per fact, for retrieval
REQUIRED_SOURCE_FIELDS = ("author", "publisher", "published", "published_text", "url", "description")


class FactBaseError(ValueError):
    """The fact base on disk is malformed; the message lists every problem found."""


@dataclass(frozen=True)
class Fact:
    """One statement from the article, in the project's own words, with where it comes from."""

    id: str
    topic: str
    drugs: tuple[str, ...]
    conditions: tuple[str, ...]
    text: str
    evidence: str
    section: str
    para: int
    cites: str | None = None
    keywords: tuple[str, ...] = ()
    dated: bool = False
    caution: str | None = None  # shown with the fact every time it is used (an interaction, a trial's dose...)
    asks: tuple[str, ...] = ()  # questions this fact answers, in patients' words
    introduces: str | None = None  # a person this fact introduces ("one woman with...": woman-trd)
    refers_to: str | None = None  # a person introduced by another fact ("the woman said..."): shown after it


@dataclass(frozen=True)
class Source:
    """The article every fact comes from."""

    author: str
    publisher: str
    published: str
    published_text: str
    url: str
    description: str


@dataclass(frozen=True)
class Topic:
    """A subject the bot can answer about; each has an NLU intent `ask_<name>`."""

    name: str
    title: str
    example: str


@dataclass
class FactBase:
    """The whole base: the source, the topics, the vocabulary and the facts in article order."""

    source: Source
    topics: dict[str, Topic]
    drugs: dict[str, tuple[str, ...]]  # canonical name -> synonyms as patients write them
    conditions: dict[str, tuple[str, ...]]
    forms: dict[str, tuple[str, ...]]
    facts: list[Fact] = field(default_factory=list)
    related_drugs: dict[str, str] = field(default_factory=dict)  # e.g. esketamine -> ketamine
    # Phrases that look like a drug, condition or form but are not ("vitamin k", "post-nasal drip"): never tagged.
    near_misses: tuple[str, ...] = ()

    def by_id(self, fact_id: str) -> Fact | None:
        return next((fact for fact in self.facts if fact.id == fact_id), None)

    def in_topic(self, topic: str) -> list[Fact]:
        return [fact for fact in self.facts if fact.topic == topic]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise FactBaseError(f"missing file: {path}") from error
    except yaml.YAMLError as error:
        raise FactBaseError(f"{path} is not valid YAML: {error}") from error


def read_raw(directory: Path = FACTS_DIR) -> dict[str, Any]:
    """Read the four YAML files of a fact base folder, unvalidated."""
    return {
        "source": _read_yaml(directory / "source.yml"),
        "topics": _read_yaml(directory / "topics.yml"),
        "vocabulary": _read_yaml(directory / "vocabulary.yml"),
        "facts": _read_yaml(directory / "facts.yml"),
    }


def validate(raw: dict[str, Any]) -> list[str]:
    """Return every problem in a raw fact base (empty when it is sound)."""
    problems: list[str] = []
    source = raw.get("source") or {}
    for name in REQUIRED_SOURCE_FIELDS:
        if not source.get(name):
            problems.append(f"source: missing {name}")
    topics = raw.get("topics") or {}
    vocabulary = raw.get("vocabulary") or {}
    known = {kind: set((vocabulary.get(kind) or {}).keys()) for kind in ("drugs", "conditions", "forms")}
    facts = raw.get("facts")
    if not isinstance(facts, list) or not facts:
        return problems + ["facts: the base holds no facts"]
    seen_ids: set[str] = set()
    used_topics: set[str] = set()
    for index, fact in enumerate(facts):
        label = f"fact #{index + 1} ({fact.get('id', 'no id') if isinstance(fact, dict) else 'not a mapping'})"
        if not isinstance(fact, dict):
            problems.append(f"{label}: not a mapping")
            continue
        for name in REQUIRED_FACT_FIELDS:
            if fact.get(name) in (None, "") and not (name in ("drugs", "conditions") and fact.get(name) == []):
                problems.append(f"{label}: missing {name}")
        fact_id = fact.get("id")
        if fact_id in seen_ids:
            problems.append(f"{label}: duplicate id")
        seen_ids.add(fact_id)
        topic = fact.get("topic")
        if topic and topic not in topics:
            problems.append(f"{label}: unknown topic {topic!r}")
        used_topics.add(topic)
        if fact.get("evidence") and fact["evidence"] not in EVIDENCE_LEVELS:
            problems.append(f"{label}: unknown evidence level {fact['evidence']!r}")
        if fact.get("evidence") in EVIDENCE_NAMING_A_WORK and not fact.get("cites"):
            problems.append(f"{label}: evidence {fact['evidence']!r} needs `cites` (the work the article names)")
        if fact.get("evidence") in EVIDENCE_OF_THE_ARTICLE and fact.get("cites"):
            problems.append(f"{label}: evidence {fact['evidence']!r} is the article's own voice and cites nothing")
        unknown = sorted(set(fact) - set(REQUIRED_FACT_FIELDS) - set(OPTIONAL_FACT_FIELDS))
        if unknown:
            problems.append(f"{label}: unknown field(s) {', '.join(unknown)}")
        for kind in ("drugs", "conditions"):
            values = fact.get(kind) or []
            if not isinstance(values, list):
                problems.append(f"{label}: {kind} must be a list")
                continue
            for value in values:
                if value not in known[kind]:
                    problems.append(f"{label}: unknown {kind[:-1]} {value!r}")
        keywords = fact.get("keywords") or []
        if not isinstance(keywords, list) or not all(isinstance(word, str) for word in keywords):
            problems.append(f"{label}: keywords must be a list of words (quote yes/no/off and numbers)")
        if fact.get("para") is not None and not isinstance(fact.get("para"), int):
            problems.append(f"{label}: para must be a paragraph number")
        caution = fact.get("caution")
        if caution is not None and not (isinstance(caution, str) and caution.strip()):
            problems.append(f"{label}: caution must be a sentence")
        for field_name in ("introduces", "refers_to"):
            if fact.get(field_name) is not None and not isinstance(fact.get(field_name), str):
                problems.append(f"{label}: {field_name} must be a short name for a person")
        if "dated" in fact and not isinstance(fact["dated"], bool):
            problems.append(f"{label}: dated must be true or false")
        asks = fact.get("asks")
        if asks is not None:
            if not isinstance(asks, list) or not all(isinstance(ask, str) and ask.strip() for ask in asks):
                problems.append(f"{label}: asks must be a list of questions")
            elif len(asks) < MIN_ASKS:
                problems.append(f"{label}: asks needs at least {MIN_ASKS} questions in patients' words")
            elif len({ask.strip().lower() for ask in asks}) != len(asks):
                problems.append(f"{label}: asks repeats a question")
    near_misses = vocabulary.get("near_misses") or []
    if not isinstance(near_misses, list) or not all(isinstance(phrase, str) for phrase in near_misses):
        problems.append("near_misses: must be a list of phrases")
    else:
        synonyms = {
            word.lower()
            for kind in ("drugs", "conditions", "forms")
            for name, words in (vocabulary.get(kind) or {}).items()
            for word in (name.replace("_", " "), *(words or []))
        }
        for phrase in near_misses:
            if phrase.lower() in synonyms:
                problems.append(f"near_misses: {phrase!r} is also a name to tag")
    for drug, related in (vocabulary.get("related_drugs") or {}).items():
        if drug not in known["drugs"] or related not in known["drugs"]:
            problems.append(f"related_drugs: unknown drug in {drug!r} -> {related!r}")
    for topic in topics:
        if topic not in used_topics:
            problems.append(f"topic {topic!r} has no fact")
    return problems


def build(raw: dict[str, Any]) -> FactBase:
    """Turn a validated raw base into the model; raises FactBaseError listing every problem."""
    problems = validate(raw)
    if problems:
        raise FactBaseError("the fact base is malformed:\n  " + "\n  ".join(problems))
    source = raw["source"]
    vocabulary = raw["vocabulary"]
    return FactBase(
        source=Source(**{name: str(source[name]) for name in REQUIRED_SOURCE_FIELDS}),
        topics={name: Topic(name=name, **spec) for name, spec in raw["topics"].items()},
        drugs={name: tuple(words) for name, words in vocabulary["drugs"].items()},
        conditions={name: tuple(words) for name, words in vocabulary["conditions"].items()},
        forms={name: tuple(words) for name, words in vocabulary["forms"].items()},
        related_drugs=dict(vocabulary.get("related_drugs") or {}),
        near_misses=tuple(vocabulary.get("near_misses") or ()),
        facts=[
            Fact(
                id=fact["id"],
                topic=fact["topic"],
                drugs=tuple(fact["drugs"]),
                conditions=tuple(fact["conditions"]),
                text=fact["text"].strip(),
                evidence=fact["evidence"],
                section=fact["section"],
                para=fact["para"],
                cites=fact.get("cites"),
                keywords=tuple(fact.get("keywords") or ()),
                dated=bool(fact.get("dated", False)),
                caution=fact["caution"].strip() if fact.get("caution") else None,
                asks=tuple(ask.strip() for ask in fact["asks"]),
                introduces=fact.get("introduces"),
                refers_to=fact.get("refers_to"),
            )
            for fact in raw["facts"]
        ],
    )


@functools.lru_cache(maxsize=4)
def load_fact_base(directory: Path = FACTS_DIR) -> FactBase:
    """Load and validate the fact base once per process (per folder)."""
    return build(read_raw(directory))
