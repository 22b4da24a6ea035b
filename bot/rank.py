"""Ranking facts for a question: the fact, not the topic, is the unit of answering.

Each fact is a small document: its text, the questions it answers in patients' words (`asks`, a doc2query-style
expansion) and its keywords. These stages score it against a `Query` (bot/understand.py), each on its own so it
can be measured and tested alone (scripts/compare_retrieval.py):

- `LexicalIndex`: BM25 (bm25s) over one shared tokenisation, `tokenize()`: spaCy lemmas without stop words, plus
  one token per drug, condition or form the vocabulary tagger finds (so "fibro", "FM" and "fibromyalgia" meet);
- `CharIndex`: TF-IDF cosine over character 3-5-grams within words, which forgives misspellings ("memantin",
  "antidepresants") and word forms the lemmatizer misses;
- `entity_agreement()`: a drug or condition the question names must be the fact's (or its parent drug's:
  esketamine -> ketamine);
- and, optionally, the topic intent as a prior.

The word stages score the question sentences, the sentence a question points back to ("Is that true?"), and, with
half the weight, the rest of the story. The hybrid adds the stages with the weights of `RankerConfig` (chosen on
the tune half of tests/realistic/dev.yml). `Answerability` then decides whether the article answers at all: a
named not-covered subject, a drug and condition (or aspect) the article never puts together, or a calibrated
probability from the best fact's signals under a threshold. Indexes are built once per fact base, through
`get_ranker()` / `get_answerability()`, never at import time.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.facts import DATA_DIR, FACTS_DIR, Fact, FactBase, load_fact_base
from bot.glossary import explains, term_asked, uses
from bot.ngram_model import NgramModel
from bot.nlp import content_lemmas
from bot.rarity import zipf_frequency  # wordfreq's English values, from a table on disk
from bot.safety import CoverageGuard, Uncovered, get_coverage_guard, normalise
from bot.understand import Query, topic_cues, understand, whole_words
from bot.vocabulary import get_tagger

TEXT, ASKS, KEYWORDS = "text", "asks", "keywords"
ALL_FIELDS = (TEXT, ASKS, KEYWORDS)
ENTITY_LABELS = ("drug", "condition", "form")
NASAL_SPRAY, SPRAY_DRUG = "nasal_spray", "esketamine"  # the one approved nasal spray derived from ketamine


def tokenize(text: str) -> list[str]:
    """The tokens of a text, for indexing and querying alike: content lemmas (bot.nlp) plus `drug:ketamine`,
    `condition:fibromyalgia`, `form:nasal_spray` for every name the vocabulary tagger finds."""
    tokens = content_lemmas(text)
    tokens += [f"{entity.label}:{entity.value}" for entity in get_tagger().tag(text) if entity.label in ENTITY_LABELS]
    return tokens


def named_apart(text: str) -> list[str]:
    """tokenize(), less the words of the names the tagger found: "delsym" is known as `drug:dextromethorphan`, not
    a word the fact base never uses."""
    named = {lemma for entity in get_tagger().tag(text) if entity.label in ENTITY_LABELS
             for lemma in content_lemmas(entity.text)}
    return [token for token in tokenize(text) if ":" in token or token not in named]


def fact_fields(fact: Fact, fields: tuple[str, ...] = ALL_FIELDS) -> list[str]:
    """The passages of a fact that a field selection indexes, text first."""
    passages = [fact.text] if TEXT in fields else []
    if ASKS in fields:
        passages += list(fact.asks)
    if KEYWORDS in fields and fact.keywords:
        passages.append(" ".join(fact.keywords))
    return passages


def _normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


class LexicalIndex:
    """BM25 over the facts, one document per fact (its selected fields joined), built once."""

    def __init__(self, facts: list[Fact], fields: tuple[str, ...] = ALL_FIELDS, k1: float = 1.2, b: float = 0.75):
        self.fields = fields
        corpus = [tokenize(" ".join(fact_fields(fact, fields))) for fact in facts]
        self.index = bm25s.BM25(k1=k1, b=b)
        self.index.index(corpus, show_progress=False)
        self.size = len(facts)

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every fact for `text`, in fact-base order (0 when no token is shared)."""
        tokens = tokenize(text) if text else []
        if not tokens:
            return np.zeros(self.size)
        return np.asarray(self.index.get_scores(tokens), dtype=float)


class CharIndex:
    """TF-IDF over character 3-5-grams within words; a fact scores the best cosine of its passages (its text,
    each of its asks, its keywords), so one close paraphrase is enough."""

    def __init__(self, facts: list[Fact], fields: tuple[str, ...] = ALL_FIELDS):
        passages = [(number, passage) for number, fact in enumerate(facts) for passage in fact_fields(fact, fields)]
        self.owner = np.array([number for number, _ in passages])
        self.size = len(facts)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
        self.matrix = self.vectorizer.fit_transform([passage for _, passage in passages])
        # What vectorizer.transform does for one query, without sklearn's per-call checks (about 3 ms of a 7 ms
        # answer): the same n-grams, sublinear tf, idf and L2 norm; columns kept for a sparse query product.
        self.analyzer = self.vectorizer.build_analyzer()
        self.vocabulary = self.vectorizer.vocabulary_
        self.idf = self.vectorizer.idf_
        self.columns = self.matrix.tocsc()

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The TF-IDF vector of `text` as (column indices, weights): vectorizer.transform([text]), sparse."""
        counts: dict[int, int] = {}
        for gram in self.analyzer(text):
            column = self.vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=int), np.zeros(0)
        columns = np.fromiter(counts, dtype=int, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def scores(self, text: str) -> np.ndarray:
        """Per fact, the highest cosine similarity between `text` and one of its passages (0..1)."""
        best = np.zeros(self.size)
        if not text.strip():
            return best
        columns, weights = self.query_vector(text)
        if columns.size:
            similarity = self.columns[:, columns] @ weights
            np.maximum.at(best, self.owner, similarity)
        return best


def name_agreement(named: tuple[str, ...], fact_values: tuple[str, ...], related: dict[str, str]) -> float:
    """+1 when the fact is about one of the names (or a parent drug's: what the article says of ketamine holds
    for esketamine), 0 when it names none at all (a general fact) or is about a drug derived from the one named
    (Spravato, when ketamine is named), -1 when it is about something else."""
    if not named:
        return 0.0
    if any(name in fact_values or related.get(name) in fact_values for name in named):
        return 1.0
    if not fact_values or any(related.get(value) in named for value in fact_values):
        return 0.0
    return -1.0


def entity_agreement(query: Query, fact: Fact, related: dict[str, str], context_weight: float = 0.5) -> float:
    """How well the fact's drugs and conditions agree with the query's: the sum, for drugs and for conditions, of
    +1 (agrees), 0 (nothing named, or a general fact), -1 (another drug or condition). Names from the story
    around the question count for `context_weight`. "The ketamine nasal spray" is Spravato's form: a nasal spray
    named with ketamine agrees with the facts about esketamine."""
    drugs = query.drugs
    if NASAL_SPRAY in query.forms and drugs and all(related.get(SPRAY_DRUG) == drug for drug in drugs):
        drugs = (*drugs, SPRAY_DRUG)
    score = name_agreement(drugs, fact.drugs, related) + name_agreement(query.conditions, fact.conditions, {})
    if not query.drugs:
        score += context_weight * name_agreement(query.context_drugs, fact.drugs, related)
    if not query.conditions:
        score += context_weight * name_agreement(query.context_conditions, fact.conditions, {})
    return score


@dataclass(frozen=True)
class RankerConfig:
    """Which stages the hybrid uses and how much each weighs (chosen on the tune half of the dev set)."""

    fields: tuple[str, ...] = ALL_FIELDS
    lexical: float = 1.0  # BM25, normalised so the best fact of the query scores 1
    chars: float = 0.5  # character n-gram cosine (0..1)
    entities: float = 0.3  # entity agreement (-2..2 from the question, +/- context_entities from the story)
    topic: float = 0.0  # the topic prior: added when the fact is in the query's topic
    antecedent: float = 1.0  # weight of the sentence a question points back to ("Is that true?")
    context: float = 0.5  # weight of the rest of the story around the question, relative to the question
    context_entities: float = 0.5
    near_paragraph: float = 0.15  # a follow-up: a fact of the last answer, or of its paragraph or the next one
    near_section: float = 0.05  # a follow-up: a fact of the last answer's section
    # a follow-up about "he" or "she": a fact about the last answer's person or cited work (0.3 to 0.8 gave the same
    # on the tune conversations; 0.15 and 1.5 less)
    near_person: float = 0.5
    aspect: float = 0.2  # a fact of the aspect the question's own cue words ask for (cost, dosing...)


@dataclass(frozen=True)
class ScoredFact:
    """One fact with the score of each stage and the hybrid score that orders it."""

    fact: Fact
    score: float
    lexical: float  # raw BM25 (question + weighted context)
    lexical_share: float  # BM25 relative to the best fact of this query (0..1)
    chars: float  # best character n-gram cosine (question + weighted context, 0..1)
    entities: float  # entity agreement
    topic: bool  # the fact is in the prior topic


@dataclass(frozen=True)
class Ranking:
    """The facts for one query, best first."""

    query: Query
    facts: tuple[ScoredFact, ...]

    @property
    def best(self) -> ScoredFact | None:
        return self.facts[0] if self.facts else None

    def ids(self, limit: int | None = None) -> list[str]:
        return [scored.fact.id for scored in self.facts[:limit]]


# "he", "she": a person the last answer spoke of (not "they": as often the drug, the studies or the clinics).
PERSON_POINTER = re.compile(r"\b(?:he|she|him|her|his|hers|he's|she's)\b", re.IGNORECASE)


def people_of(fact: Fact) -> set[str]:
    """The person a fact introduces or refers to, and the work it cites."""
    return {name for name in (fact.introduces, fact.refers_to, fact.cites) if name}


class FactRanker:
    """Ranks every fact of a base for a query with the hybrid of `config`. Plain data in, plain data out."""

    def __init__(self, base: FactBase, config: RankerConfig | None = None) -> None:
        self.base = base
        self.config = config or RankerConfig()
        self.lexical = LexicalIndex(base.facts, self.config.fields)
        self.chars = CharIndex(base.facts, self.config.fields)

    def with_config(self, config: RankerConfig) -> FactRanker:
        """The same indexes (when the fields are the same) under other weights: for comparing variants."""
        if config.fields != self.config.fields:
            return FactRanker(self.base, config)
        clone = object.__new__(FactRanker)
        clone.base, clone.config, clone.lexical, clone.chars = self.base, config, self.lexical, self.chars
        return clone

    def _both(self, index: LexicalIndex | CharIndex, query: Query) -> np.ndarray:
        scores = index.scores(query.question_text)
        if query.antecedents and self.config.antecedent:
            scores = scores + self.config.antecedent * index.scores(" ".join(query.antecedents))
        if query.background and self.config.context:
            scores = scores + self.config.context * index.scores(query.background)
        return scores

    def nearness(self, near: tuple[str, ...]) -> dict[str, float]:
        """The bonus of each fact close to a follow-up's last answer: the same or the next paragraph, then the same
        section (what "that study", "those", "the doctor" most likely point at)."""
        last = [fact for fact in (self.base.by_id(fact_id) for fact_id in near) if fact is not None]
        if not last:
            return {}
        paragraphs = {fact.para for fact in last} | {fact.para + 1 for fact in last}
        sections = {fact.section for fact in last}
        bonus = {}
        for fact in self.base.facts:
            if fact.para in paragraphs:
                bonus[fact.id] = self.config.near_paragraph
            elif fact.section in sections:
                bonus[fact.id] = self.config.near_section
        return bonus

    def same_person(self, near: tuple[str, ...]) -> set[str]:
        """The facts about a person or work of the last answer (its `introduces` / `refers_to` person, or the
        work it cites): what "he" or "she" in a follow-up points at ("is she still doing them?")."""
        last = [fact for fact in (self.base.by_id(fact_id) for fact_id in near) if fact is not None]
        people = {name for fact in last for name in people_of(fact)}
        return {fact.id for fact in self.base.facts if people & people_of(fact)}

    def rank(self, query: Query | str, exclude: tuple[str, ...] = ()) -> Ranking:
        """Every fact not in `exclude`, best first, with each stage's score."""
        query = understand(query) if isinstance(query, str) else query
        config = self.config
        lexical = self._both(self.lexical, query) if config.lexical else np.zeros(len(self.base.facts))
        share = _normalised(lexical)
        chars = self._both(self.chars, query) if config.chars else np.zeros(len(self.base.facts))
        related = self.base.related_drugs
        asked_aspect = query_aspect(query.question_text) if config.aspect else None
        near = {fact_id: bonus * query.near_weight for fact_id, bonus in self.nearness(query.near).items()}
        if query.near and config.near_person and PERSON_POINTER.search(query.question_text):
            for fact_id in self.same_person(query.near):
                near[fact_id] = near.get(fact_id, 0.0) + config.near_person
        scored = []
        for number, fact in enumerate(self.base.facts):
            if fact.id in exclude:
                continue
            agreement = entity_agreement(query, fact, related, config.context_entities)
            in_topic = query.topic is not None and fact.topic == query.topic
            in_aspect = asked_aspect is not None and fact.topic == asked_aspect
            score = (
                config.lexical * share[number]
                + config.chars * chars[number]
                + config.entities * agreement
                + (config.topic if in_topic else 0.0)
                + (config.aspect if in_aspect else 0.0)
                + near.get(fact.id, 0.0)
            )
            scored.append(ScoredFact(fact, float(score), float(lexical[number]), float(share[number]),
                                     float(chars[number]), agreement, in_topic))
        order = {fact.id: number for number, fact in enumerate(self.base.facts)}
        scored.sort(key=lambda item: (-item.score, order[item.fact.id]))
        return Ranking(query, tuple(scored))


@functools.lru_cache(maxsize=4)
def get_ranker(config: RankerConfig | None = None) -> FactRanker:
    """The ranker over the project's fact base, built once per process (per config)."""
    return FactRanker(load_fact_base(), config)


# --- the wording prior ------------------------------------------------------------------------------------------

COVERAGE_EXAMPLES = DATA_DIR / "coverage" / "examples.yml"
WORDING_WEIGHTS = DATA_DIR / "coverage" / "wording_prior.npz"  # fitted by scripts/coverage_examples.py
NEAREST_EXAMPLES = DATA_DIR / "coverage" / "nearest_examples.npz"  # the examples' vectors, by the same script
# Chosen leaving one author out at a time on the tune half (scripts/compare_retrieval.py --fit): word and character
# n-grams at C=3 took not-covered precision and recall from 0.925 / 0.925 (character n-grams alone, C=1) to
# 0.938 / 0.933; C=1 and C=10 did less well.
WORDING_REGULARISATION = 3.0
COVERED, LEFT_OPEN = "covered", "left open"


class WordingPrior:
    """How likely the article answers a question, judged from its wording alone: the safety readers' small text
    classifier (bot/ngram_model.py: word 1-2-grams and character 3-5-grams into a logistic regression), fitted on
    questions patients asked whose answer is known (data/coverage/examples.yml, the tune half). Some kinds of
    question are ones the article leaves open whatever words they share with the facts ("how many people were in
    that study?", "does Medicare pay for it?", "what dose did they use?"); the ranking signals can't see that, the
    wording can.

    `fit()` fits it (scikit-learn; scripts and tests). The bot loads the fitted weights from
    data/coverage/wording_prior.npz (`load()`) and reads a question with numpy alone."""

    def __init__(self, model: NgramModel) -> None:
        self.model = model

    @classmethod
    def fit(cls, examples: list[tuple[str, bool]]) -> WordingPrior:
        return cls(NgramModel.fit([text for text, _ in examples],
                                  [COVERED if covered else LEFT_OPEN for _, covered in examples],
                                  WORDING_REGULARISATION))

    @classmethod
    def load(cls, path: Path) -> WordingPrior:
        return cls(NgramModel.load(path))

    def save(self, path: Path) -> None:
        self.model.save(path)

    def same_as(self, other: WordingPrior) -> bool:
        return self.model.same_as(other.model)

    def probability(self, question: str) -> float:
        """P(the article answers it | wording), 0..1 (the highest of the whole question and each pair of its
        sentences)."""
        return self.model.probability(COVERED, question)


def load_coverage_examples(path: Path = COVERAGE_EXAMPLES) -> list[dict]:
    # libyaml's loader when PyYAML has it: 0.1 s for the 1,500 examples instead of 1 s (the action server reads them)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)["examples"]  # noqa: S506 (a safe loader)


class NearestExamples:
    """The nearest questions patients asked whose answer is known (data/coverage/examples.yml): how much closer a
    question is to the nearest one the article answers than to the nearest one it doesn't. Where the wording prior
    weighs kinds of question across all examples, this looks at the one closest question of each kind: "how much
    does Spravato cost?" sits next to an answered question, "how much does an infusion cost at a clinic?" next to
    an unanswered one. Leave-one-author-out on the tune half it added about three points of not-covered precision
    and recall (scripts/compare_retrieval.py --fit). Similarity is the ranker's character n-gram cosine
    (`CharIndex`), so nothing is fitted in the server."""

    def __init__(self, chars: CharIndex, matrix, covered: np.ndarray, sets: np.ndarray) -> None:
        self.chars = chars
        self.matrix = matrix  # examples x the character index's n-grams, by column (a question touches few)
        self.covered = covered.astype(bool)
        self.sets = sets  # each example's author (file stem)

    @classmethod
    def from_examples(cls, chars: CharIndex, examples: list[dict]) -> NearestExamples:
        from scipy.sparse import csr_matrix

        vectors = [chars.query_vector(example["text"]) for example in examples]
        pointers = np.cumsum([0, *(len(indices) for indices, _ in vectors)])
        matrix = csr_matrix(
            (np.concatenate([np.zeros(0), *(weights for _, weights in vectors)]).astype(np.float32),
             np.concatenate([np.zeros(0, dtype=int), *(indices for indices, _ in vectors)]), pointers),
            shape=(len(examples), len(chars.vocabulary)),
        )
        return cls(chars, matrix.tocsc(), np.array([bool(example["covered"]) for example in examples], dtype=bool),
                   np.array([str(example["set"]) for example in examples]))

    def save(self, path: Path) -> None:
        matrix = self.matrix
        np.savez_compressed(path, data=matrix.data, indices=matrix.indices.astype(np.int32),
                            indptr=matrix.indptr.astype(np.int32), shape=np.array(matrix.shape),
                            covered=self.covered, sets=self.sets)

    @classmethod
    def load(cls, chars: CharIndex, path: Path) -> NearestExamples | None:
        """The stored index, or None when it was built over another character index (the facts changed)."""
        from scipy.sparse import csc_matrix

        with np.load(path, allow_pickle=False) as stored:
            shape = tuple(int(size) for size in stored["shape"])
            if shape[1] != len(chars.vocabulary):
                return None
            matrix = csc_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=shape)
            return cls(chars, matrix, stored["covered"], stored["sets"])

    def same_as(self, other: NearestExamples) -> bool:
        return (self.matrix.shape == other.matrix.shape and (self.matrix != other.matrix).nnz == 0
                and np.array_equal(self.covered, other.covered) and np.array_equal(self.sets, other.sets))

    def closeness(self, question: str, without_set: str | None = None) -> float:
        """Cosine to the nearest answered example minus cosine to the nearest unanswered one (-1..1).
        `without_set`: leave one author's examples out (fitting the calibration honestly)."""
        columns, weights = self.chars.query_vector(question)
        if not columns.size:
            return 0.0
        similarity = self.matrix[:, columns] @ weights
        keep = self.sets != without_set if without_set else np.ones(len(self.sets), dtype=bool)
        covered, uncovered = similarity[keep & self.covered], similarity[keep & ~self.covered]
        return float(covered.max(initial=0.0) - uncovered.max(initial=0.0))


@functools.lru_cache(maxsize=2)
def get_nearest_examples(chars: CharIndex) -> NearestExamples:
    """The project's examples over a ranker's character index (the bot's: one), once per process: the index
    scripts/coverage_examples.py stored (data/coverage/nearest_examples.npz, 2 MB of arrays) when it fits the
    facts' character index, else built from examples.yml (about 6 MB more that the allocator keeps)."""
    stored = NearestExamples.load(chars, NEAREST_EXAMPLES) if NEAREST_EXAMPLES.exists() else None
    return stored or NearestExamples.from_examples(chars, load_coverage_examples())


# A message that names no drug, condition or form, has none from earlier turns, and uses only everyday words ("um so
# the thing with the stuff") asks nothing the prior could judge: its grammar alone looked like a covered question.
NEUTRAL_WORDING = 0.5
EVERYDAY_ZIPF = 5.0  # wordfreq's Zipf scale: "stuff" 5.1, "cost" 5.2, "study" 5.3; "dose" 4.2, "medicare" 3.9


# Everyday words that still point at something the article tells ("how fast did the woman in the article start
# feeling better?").
POINTS_AT_THE_ARTICLE = re.compile(
    r"\b(article|study|studies|trial|trials|research|researchers?|the (woman|man|lady|guy|doctor|patient))\b", re.I)


def asks_nothing_in_particular(query: Query) -> bool:
    """No drug, condition or form, none from earlier turns, no last answer, only everyday words, nothing the article
    tells pointed at."""
    named = query.drugs or query.conditions or query.forms or query.context_drugs or query.context_conditions
    return (not named and not query.near and not POINTS_AT_THE_ARTICLE.search(query.question_text)
            and all(zipf_frequency(lemma) >= EVERYDAY_ZIPF for lemma in content_lemmas(query.question_text)))


def wording_of(query: Query, prior: WordingPrior) -> float:
    """The prior's probability for a query's questions, or NEUTRAL_WORDING when they ask about nothing in
    particular."""
    if asks_nothing_in_particular(query):
        return NEUTRAL_WORDING
    return prior.probability(query.question_text)


@functools.lru_cache(maxsize=1)
def get_wording_prior() -> WordingPrior:
    """The prior fitted on the project's examples (data/coverage/wording_prior.npz), loaded once per process."""
    return WordingPrior.load(WORDING_WEIGHTS)


# --- answerability ---------------------------------------------------------------------------------------------

ANSWER, NOT_COVERED = "answer", "not_covered"
# Kinds of question (topics that are an aspect, not a subject): "side effects of memantine" asks for an aspect the
# article may not give for that drug at all.
ASPECT_TOPICS = frozenset(
    {"cost", "regulation", "side_effects", "dosing", "duration", "forms", "experiences", "research_quality"}
)
# How common a word must be (wordfreq's Zipf scale: 7 is "the", 3 is once per ten million words) before a word
# the fact base never uses stops telling us the question is about something else. Rarity above it counts.
COMMON_ZIPF = 5.5
# A rare word in the sentence a question points back to counts for less than one in the question itself.
ANTECEDENT_NOVELTY = 0.6
# A follow-up ("and the iv ones?", "what else did he think?") says little in its own words: the conversation
# carries its drug and its subject, so a lower probability is enough. Chosen on the tune conversations leaving one
# set out at a time (its follow-ups judged by a wording prior and nearest examples without its own; 558
# follow-ups): 0.4, 0.45, 0.5, 0.55 and 0.6 made 391, 395, 398, 394 and 392 right answers (the right fact first,
# or "not covered" when so). With the previous calibration 0.6 was best (285 of 424, without nearest examples).
FOLLOW_UP_THRESHOLD = 0.5
# A question with fewer words of its own than this ("Is that true?", "What did they find?") is judged together with
# the sentence it points back to.
MIN_OWN_WORDS = 3


@dataclass(frozen=True)
class Signals:
    """What answerability reads from a ranking: how well the best fact covers the question, and what doesn't fit."""

    coverage: float  # share of the question's weight (idf; rarity for unknown words) that the best fact holds
    coverage3: float  # the same for the three best facts together
    novelty: float  # how rare the rarest word is that the fact base never uses (0 = none, up to 5.5)
    novelty_sum: float  # the rarity of all such words added up
    chars: float  # character n-gram cosine of the best fact
    lexical: float  # log(1 + BM25) of the best fact
    entities: float  # entity agreement of the best fact
    pair_missing: bool  # the named drug and the named condition never meet in one fact
    aspect_missing: bool  # no fact gives the asked aspect (side effects, dose...) for the named drug
    aspect_given: bool = False  # the best fact is of the asked aspect, about what the question names (a drug,
    # condition or form: "what happens to the relief once the infusions stop?") and not about something else
    unknown: tuple[str, ...] = ()  # the question's words the fact base never uses
    wording: float = 0.5  # the wording prior: P(answered | the question's wording alone)
    neighbours: float = 0.0  # the nearest answered example's similarity minus the nearest unanswered one's

    def vector(self, names: tuple[str, ...]) -> list[float]:
        return [float(getattr(self, name)) for name in names]


# The signals the calibration weighs (chosen by cross-validation on the tune half; "wording" added one to three points
# of not-covered precision and recall, leaving one author out at a time; "aspect_given" changed neither, and keeps
# a plain "how much does Spravato cost?" answered although most cost questions patients ask are about what the
# article doesn't give: insurers, prices per infusion).
FEATURES = ("coverage", "novelty", "chars", "lexical", "wording", "aspect_given", "neighbours")


@dataclass(frozen=True)
class Coverage:
    """The decision for one question: answer from the facts, or say the article doesn't cover it."""

    status: str  # ANSWER | NOT_COVERED
    answerable: float  # calibrated probability that the article answers the question (0..1)
    # why not covered: "subject" (a named subject), "pair", "aspect", "comparison", "term" (a word the article uses
    # and doesn't explain), "figure", "score"; "" when answered
    reason: str
    uncovered: Uncovered | None  # the named not-covered subject, when one matched
    signals: Signals
    term: str = ""  # the word asked about, when the article uses it without explaining it ("term")


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over named `Signals` and the threshold on the resulting probability.

    Fitted on the tune half (tests/realistic/dev.yml and tune2.yml to tune16.yml) by `scripts/compare_retrieval.py
    --fit` (which prints these numbers); the held-out half is never used for them."""

    intercept: float
    weights: tuple[tuple[str, float], ...]  # (signal name, weight)
    threshold: float

    def probability(self, signals: Signals) -> float:
        z = self.intercept + sum(weight * float(getattr(signals, name)) for name, weight in self.weights)
        return 1.0 / (1.0 + math.exp(-z))


# Fitted by `python scripts/compare_retrieval.py --fit` on the tune half (dev.yml and tune2.yml to tune17.yml; see
# there for how the threshold is chosen), each question's wording prior fitted without its own author's examples.
CALIBRATION = Calibration(
    intercept=-4.752,
    weights=(("coverage", 2.157), ("novelty", -0.518), ("chars", 1.401), ("lexical", 0.252), ("wording", 5.696),
             ("aspect_given", -0.342), ("neighbours", 5.079)),
    threshold=0.557,
)


class Answerability:
    """Turns a ranking into a decision: a named not-covered subject (data/safety/not_covered.yml) first, then the
    structural gaps (a drug and condition, or a drug and aspect, the article never puts together), then the
    calibrated probability against the threshold."""

    def __init__(
        self, ranker: FactRanker, calibration: Calibration = CALIBRATION, subjects: CoverageGuard | None = None,
        wording: WordingPrior | None = None, examples: NearestExamples | None = None,
    ) -> None:
        self.ranker = ranker
        self.calibration = calibration
        self.wording = wording  # None: the project's (get_wording_prior())
        self.examples = examples  # None: the project's, over this ranker's character index
        self.subjects = subjects  # the named not-covered subjects; None: the project's (data/safety/not_covered.yml)
        base = ranker.base
        self.documents = [set(tokenize(" ".join(fact_fields(fact)))) for fact in base.facts]
        self.number = {fact.id: index for index, fact in enumerate(base.facts)}
        self.vocabulary = sorted(set().union(*self.documents))
        self._known = set(self.vocabulary)
        self._spellings: dict[str, str | None] = {}
        counts: dict[str, int] = {}
        for document in self.documents:
            for token in document:
                counts[token] = counts.get(token, 0) + 1
        total = len(self.documents)
        self.idf = {token: math.log((total + 1) / (count + 0.5)) for token, count in counts.items()}
        self.pairs = {(drug, condition) for fact in base.facts for drug in fact.drugs for condition in fact.conditions}
        self.aspects = {(fact.topic, drug) for fact in base.facts for drug in fact.drugs}
        self.related = base.related_drugs

    def known_as(self, token: str) -> str | None:
        """The fact base's own token for `token` (itself, or a close spelling), or None when it never uses it."""
        if token in self._known or ":" in token:
            return token
        if not token.isalpha() or len(token) < 3:
            return token  # numbers, short forms: no evidence either way
        if token not in self._spellings:
            close = difflib.get_close_matches(token, self.vocabulary, n=1, cutoff=0.85)
            self._spellings[token] = close[0] if close else None
        return self._spellings[token]

    @staticmethod
    def rarity(token: str) -> float:
        """How rare a word is in English at large: 0 for common words, up to COMMON_ZIPF for unheard-of ones."""
        return max(0.0, COMMON_ZIPF - zipf_frequency(token))

    def signals(self, ranking: Ranking) -> Signals:
        query, best = ranking.query, ranking.best
        # The questions, and the sentences they point back to ("Is that true?"): what must be covered.
        # (not who passed a claim on, nor the words that ask whether it holds: "is she overselling it?")
        checking = claim_cues().checking
        asked = [(token, self.known_as(token)) for token in named_apart(claim_asked(query.question_text))
                 if token not in checking]
        pointed = []
        if sum(1 for token, _ in asked if ":" not in token) < MIN_OWN_WORDS:
            pointed = [(token, self.known_as(token))
                       for token in named_apart(" ".join(claim_asked(sentence) for sentence in query.antecedents))
                       if token not in checking]
        mapped = asked + pointed
        unknown = tuple(token for token, known in mapped if known is None)
        weight = sum(self.idf.get(known, 0.0) if known else self.rarity(token) for token, known in mapped)
        number = self.number
        document = self.documents[number[best.fact.id]] if best else set()
        held = sum(self.idf.get(known, 0.0) for _, known in mapped if known and known in document)
        top3 = set().union(*(self.documents[number[scored.fact.id]] for scored in ranking.facts[:3]))
        held3 = sum(self.idf.get(known, 0.0) for _, known in mapped if known and known in top3)
        rarities = [self.rarity(token) for token, known in asked if known is None] + [
            ANTECEDENT_NOVELTY * self.rarity(token) for token, known in pointed if known is None
        ]
        drugs, conditions = query.drugs, query.conditions
        pair_missing = bool(drugs and conditions) and not any(
            (drug, condition) in self.pairs for drug in drugs for condition in conditions
        )
        aspect = query_aspect(query.question_text)
        # A question that names no drug asks about the one before it ("what is memantine?" ... "side effects?").
        asked_drugs = query.all_drugs
        aspect_missing = bool(aspect and asked_drugs) and not any(
            (aspect, drug) in self.aspects or (aspect, self.related.get(drug)) in self.aspects for drug in asked_drugs
        )
        return Signals(
            coverage=held / weight if weight else 0.0,
            coverage3=held3 / weight if weight else 0.0,
            novelty=max(rarities, default=0.0),
            novelty_sum=sum(rarities),
            chars=best.chars if best else 0.0,
            lexical=math.log1p(best.lexical) if best else 0.0,
            entities=best.entities if best else 0.0,
            pair_missing=pair_missing,
            aspect_missing=aspect_missing,
            aspect_given=bool(aspect and best and best.fact.topic == aspect and best.entities >= 0
                              and (drugs or conditions or query.forms)),
            unknown=unknown,
            wording=wording_of(query, self.wording or get_wording_prior()),
            # like the prior, no help for a message about nothing in particular ("um so the thing with the stuff")
            neighbours=0.0 if asks_nothing_in_particular(query) else (
                self.examples or get_nearest_examples(self.ranker.chars)).closeness(query.question_text),
        )

    def decide(self, ranking: Ranking) -> Coverage:
        """Answer or not covered, and why."""
        signals = self.signals(ranking)
        probability = self.calibration.probability(signals)
        # The question (and what it points back to), not the whole post: "I'm scared of getting addicted. How much
        # does Spravato cost?" asks about the cost.
        query = ranking.query
        guard = self.subjects or get_coverage_guard()
        uncovered = guard.check(query.focus_text)
        if uncovered is None and not query.drugs and query.context_drugs:
            # "side effects?" after Spravato asks about Spravato's side effects, which the article doesn't cover
            uncovered = guard.check(f"{query.focus_text.rstrip(' ?.!')} of {query.context_drugs[0]}")
        if uncovered is None and query.near_weight > 1:
            # "did it work?" pointing at the last answer about Younger's trial asks how that trial turned out
            cited = next((fact.cites for fact in (self.ranker.base.by_id(fact_id) for fact_id in query.near)
                          if fact is not None and fact.cites), None)
            if cited:
                uncovered = guard.check(f"{cited}: {query.focus_text}")
        if uncovered is not None:
            return Coverage(NOT_COVERED, probability, "subject", uncovered, signals)
        if signals.pair_missing:
            return Coverage(NOT_COVERED, probability, "pair", None, signals)
        if signals.aspect_missing:
            return Coverage(NOT_COVERED, probability, "aspect", None, signals)
        if unmade_comparison(ranking.query):
            return Coverage(NOT_COVERED, probability, "comparison", None, signals)
        term = term_asked(query.question_text)
        if term and ranking.best and explains(ranking.best.fact, term):
            return Coverage(ANSWER, probability, "", None, signals)  # "whats glutamate?": the fact that explains it
        if term and any(uses(scored.fact, term) for scored in ranking.facts):
            # "whats PCP?": the article uses the word ("chemically similar to the drug PCP") but never explains it
            return Coverage(NOT_COVERED, probability, "term", None, signals, term)
        if ranking.best and figure_missing(ranking.query.question_text, ranking.best.fact):
            return Coverage(NOT_COVERED, probability, "figure", None, signals)
        query, best = ranking.query, ranking.best
        if best and best.entities > 0 and asks_what_it_is(query):
            return Coverage(ANSWER, probability, "", None, signals)
        if query.near_weight > 1 and best and not signals.unknown and best.fact.id in self.ranker.nearness(query.near):
            # "What did that study say exactly?" points at the last answer with almost no words of its own: a fact
            # next to that answer, with no word the fact base doesn't know, is what it asks about.
            return Coverage(ANSWER, probability, "", None, signals)
        if best and names_what_the_fact_is_about(query, best.fact, self.related) and signals.coverage >= WHOLE \
                and not signals.unknown:
            # "does memantine help fibro?": the best fact is about that very drug and condition and holds every word
            # of the question; the wording and the nearest examples would judge it by "does memantine help
            # depression?", which the article doesn't answer.
            return Coverage(ANSWER, probability, "", None, signals)
        if best and signals.aspect_given and query.drugs and best.entities > 0 and signals.coverage >= WHOLE \
                and not signals.unknown:
            # "how much would spravato set me back?": the best fact is of the very aspect asked (its cost) about the
            # drug named, and holds every word of the question; most cost questions patients ask are about what the
            # article doesn't give (insurers, a clinic's price), so the wording alone would call it not covered.
            return Coverage(ANSWER, probability, "", None, signals)
        if best and not query.near and best.entities >= 0 and signals.coverage >= FIGURE_COVERAGE \
                and not signals.unknown and figure_given(query.question_text, best.fact):
            # "how many ppl on the fda panel voted for the spray?": the best fact gives the very figure asked and
            # holds most of the question's words; the wording alone would judge it by the many figures the article
            # doesn't give ("how many people were in that study?"), which the figure rule above already catches.
            # Not a follow-up: "how many infusions do they usually do?" after the clinics' "again and again" holds
            # its few words and a figure word, but not the count asked.
            return Coverage(ANSWER, probability, "", None, signals)
        if asks_nothing_in_particular(query) and not query.context and not query.antecedents:
            # One sentence of everyday words about nothing named ("um so the thing with the stuff"): neither the
            # wording nor the nearest examples can judge it, and the ranking signals alone read its few common
            # words as covered.
            return Coverage(NOT_COVERED, probability, "score", None, signals)
        threshold = FOLLOW_UP_THRESHOLD if query.near else self.calibration.threshold
        if probability < threshold:
            return Coverage(NOT_COVERED, probability, "score", None, signals)
        return Coverage(ANSWER, probability, "", None, signals)


# The share of a question's weight a fact must hold to hold all of it (coverage is a ratio of float sums).
WHOLE = 0.999
FIGURE_COVERAGE = 0.8  # share of a question's words the best fact must hold when it gives the figure asked


def names_what_the_fact_is_about(query: Query, fact: Fact, related: dict[str, str]) -> bool:
    """The question names a drug and a condition, and the fact is about each of them (a drug or its parent)."""
    return bool(query.drugs and query.conditions) and all(
        drug in fact.drugs or related.get(drug) in fact.drugs for drug in query.drugs
    ) and all(condition in fact.conditions for condition in query.conditions)


FORMS = frozenset({"iv_infusion", "nasal_spray", "pill", "gel"})


def as_drugs(names: tuple[str, ...]) -> set[str]:
    """Compared treatments with each form counted as ketamine given that way ("IV ketamine" is ketamine)."""
    return {"ketamine" if name in FORMS else name for name in names}


@dataclass(frozen=True)
class Comparisons:
    """data/facts/comparisons.yml: the words that ask which treatment is better, the treatments besides the
    vocabulary's drugs and forms, and the comparisons the article makes."""

    asks: re.Pattern[str]
    combines: re.Pattern[str]
    qualifies: re.Pattern[str]  # a comparative of something else ("better studies")
    treatments: tuple[tuple[str, re.Pattern[str]], ...]
    made: tuple[frozenset[str], ...]


@functools.lru_cache(maxsize=1)
def comparisons() -> Comparisons:
    with (FACTS_DIR / "comparisons.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    return Comparisons(
        asks=re.compile(whole_words(spec["comparative"] + spec["comparing"])),
        combines=re.compile(whole_words(spec["combining"])),
        qualifies=re.compile(whole_words(spec["not_comparing"])),
        treatments=tuple((name, re.compile(whole_words(words))) for name, words in spec["other_treatments"].items()),
        made=tuple(frozenset(group) for group in spec["made"]),
    )


def asks_to_compare(text: str) -> bool:
    """The text asks which is better ("is one stronger?", "ketamine vs TMS"), not about taking them together."""
    spec = comparisons()
    normal = spec.qualifies.sub(" ", normalise(text))
    return bool(spec.asks.search(normal)) and not spec.combines.search(normal)


def compared_treatments(query: Query) -> tuple[str, ...]:
    """The treatments a question asks to compare ("is IV ketamine more effective than Spravato?": iv_infusion,
    esketamine), or () when it doesn't compare two of them. A form stands for ketamine given that way."""
    if not asks_to_compare(query.focus_text):
        return ()
    named = treatments_named(query.focus_text)
    return named if len(named) >= 2 else ()


def treatments_named(text: str) -> tuple[str, ...]:
    """The treatments a text names, in order: drugs, forms (each standing for ketamine given that way) and the
    other treatments of data/facts/comparisons.yml."""
    normal = normalise(text)
    spec = comparisons()
    tagged = [entity for entity in get_tagger().tag(text) if entity.label in ("drug", "form")]
    forms = [entity.value for entity in tagged if entity.label == "form"]
    named = []
    for entity in tagged:
        if entity.value == "ketamine" and forms:
            continue  # "IV ketamine": ketamine counts once, through the way it is given
        if entity.value == "nasal_spray" and any(
            other.value == "esketamine" and 0 <= entity.start - other.end <= 3 for other in tagged
        ):
            continue  # "Spravato nasal spray" is Spravato
        named.append(entity.value)
    named += [name for name, pattern in spec.treatments if pattern.search(normal)]
    return tuple(dict.fromkeys(named))


def unmade_comparison(query: Query) -> tuple[str, ...]:
    """The compared treatments when the article makes no such comparison, else ()."""
    named = compared_treatments(query)
    if named and not any(set(named) <= group for group in comparisons().made) and not (
        # ketamine given in different ways is still ketamine: "ketamine pills vs IV" is a comparison, but
        # "is IV ketamine better than DXM?" is the article's own ketamine-DXM comparison
        any(as_drugs(named) <= group for group in comparisons().made)
        and len(set(named) & FORMS) == 1
    ):
        return named
    return ()


YEAR = re.compile(r"\b(19|20)\d\d\b")  # a year in a fact is a date, not a figure...
SINCE = re.compile(r"\bhow long (?:have|has|had)\b|\bsince when\b")  # ...except for how long something has gone on


# A fact's own sentences about what the article leaves open ("The article does not say whether this was done in
# people or in animals.") give nothing: "was it in mice or people?" is not answered by them.
_LEAVES_OPEN = r"\b(?:does not|doesn't|did not) (?:say|name|give|describe)\b"
STATED_GAP = re.compile(rf"\([^)]*{_LEAVES_OPEN}[^)]*\)|[^.();]*{_LEAVES_OPEN}[^.]*(?:\.|$)")
# A name: a capitalised word ("Spravato", "Rowe"), not an abbreviation ("IV"); at the opening of a sentence, only
# a word rare in everyday English ("Spravato (esketamine) was...", not "The...").
NAME = re.compile(r"\b[A-Z][a-z][a-zA-Z-]+")
ACRONYM = re.compile(r"\b[A-Z]{3,}\b")
SENTENCE_OPENING = re.compile(r"(?:^|[.!?:]\s+)$")
RARE_ZIPF = 3.5


@dataclass(frozen=True)
class FigureKind:
    """A finer kind of figure (data/facts/figures.yml): what asks for it, what gives it (None: a name the question
    doesn't hold), and the sentence that names its gap ("" for the plain "doesn't give a figure")."""

    asks: re.Pattern[str]
    gives: re.Pattern[str] | None
    gap: str = ""
    reads_years: bool = False  # a year in the fact gives it ("what year was that?")
    of_the_last_answer: bool = False  # a follow-up asks it of the last answer itself ("who said that?")
    # Who: a name that is not a drug, condition or form ("Dextromethorphan" doesn't say who), nor one of these
    # words; an acronym counts ("ASRA, AAPM and ASA wrote the first guidelines")
    not_someone: frozenset[str] | None = None
    or_next_to_it: bool = False  # asked of the last answer, it may be given by the paragraph beside it
    or_a_name: bool = False  # a name the question doesn't hold gives it too ("which study?": "Staud's")


@functools.lru_cache(maxsize=1)
def figure_cues() -> tuple[re.Pattern[str], re.Pattern[str], tuple[FigureKind, ...]]:
    """The cues of data/facts/figures.yml: a question that asks for a figure, and a fact that gives one (its
    words, or any digit); then, for each finer kind (a percentage, a dose in mg, a number of people, a number of
    sessions, a name), the question's cue and what a fact must hold to give that kind (None: a name the question
    doesn't already hold)."""
    with (FACTS_DIR / "figures.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    kinds = tuple(FigureKind(re.compile(whole_words(kind["asks"])),
                             None if kind.get("gives_a_name") else re.compile("|".join(kind["gives"])),
                             kind.get("gap", ""), kind.get("reads_years", False),
                             kind.get("of_the_last_answer", False),
                             frozenset(word.lower() for word in kind["not_someone"]) if "not_someone" in kind else None,
                             kind.get("or_next_to_it", False), kind.get("or_a_name", False))
                  for kind in spec["kinds"].values())
    return (re.compile(whole_words(spec["asks_for_a_figure"])), re.compile(whole_words(spec["figure_words"]) + r"|\d"),
            kinds)


def names_something_new(question: str, text: str, not_someone: frozenset[str] | None = None) -> bool:
    """The text names something (a capitalised word inside a sentence) that the question doesn't. With
    `not_someone`, it names someone: a person, a place or a body (acronyms too: "the FDA", "ASRA"), not a drug,
    condition or form, nor one of those words."""
    asked = set(content_lemmas(question))
    names = [found.group() for found in NAME.finditer(text)
             if not SENTENCE_OPENING.search(text[:found.start()]) or zipf_frequency(found.group().lower()) < RARE_ZIPF]
    if not_someone is not None:
        names = [name for name in names + ACRONYM.findall(text)
                 if name.lower() not in not_someone and not get_tagger().tag(name)]
    return any(not set(content_lemmas(name)) & asked for name in names)


@dataclass(frozen=True)
class ClaimCues:
    """data/facts/claims.yml: how a passed-on claim is introduced, and the words that ask whether it holds."""

    frame: re.Pattern[str]
    asking_opener: re.Pattern[str]
    checking: frozenset[str]


@functools.lru_cache(maxsize=1)
def claim_cues() -> ClaimCues:
    with (FACTS_DIR / "claims.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    reporting = "|".join(sorted((re.escape(words) for words in spec["reporting"]), key=len, reverse=True))
    return ClaimCues(
        # the shortest opening (at most 12 words) up to a reporting word, then what was said (at least two words)
        frame=re.compile(rf"^\W*(?P<frame>(?:\S+\s+){{0,11}}?\S+)\s+(?:{reporting})\b(?:\s+that\b)?(?P<claim>(?:\W+\w+){{2,}}.*)$",
                         re.IGNORECASE | re.DOTALL),
        asking_opener=re.compile(r"^\W*" + whole_words(spec["asking_openers"]), re.IGNORECASE),
        checking=frozenset(spec["checking"]),
    )


def claim_asked(question: str) -> str:
    """The question without the story of who passed the claim on ("A neurologist at a patient conference said
    ketamine works for headaches - is there evidence?" -> "ketamine works for headaches - is there evidence?"); the
    question itself when it opens by asking, or when the opening names a drug or condition."""
    cues = claim_cues()
    found = cues.frame.match(question)
    if found is None or cues.asking_opener.match(question) or get_tagger().tag(found.group("frame")):
        return question
    return found.group("claim").strip()


@functools.lru_cache(maxsize=1)
def definition_words() -> frozenset[str]:
    """The words of data/facts/definitions.yml: those that ask what something is."""
    with (FACTS_DIR / "definitions.yml").open(encoding="utf-8") as handle:
        return frozenset(yaml.safe_load(handle)["words"])


def asks_what_it_is(query: Query) -> bool:
    """The question names a drug or condition and otherwise only asks what it is ("explain spravato to me")."""
    if not (query.drugs or query.conditions):
        return False
    words = [token for token in tokenize(query.question_text) if ":" not in token and len(token) > 1]
    names = {entity.text.lower() for entity in get_tagger().tag(query.question_text)}
    return all(word in definition_words() or word in names for word in words)


def missing_figure(question: str, fact: Fact) -> FigureKind | None:
    """The kind of figure the question asks for and the fact doesn't give (what percent, how many mg, how many
    people, how many infusions, in people or mice, a name; a plain "how many / how long" is a kind with no gap
    sentence of its own), or None. What the fact says the article leaves open gives nothing."""
    asks, gives, kinds = figure_cues()
    asked = normalise(question)
    said = normalise(STATED_GAP.sub(" ", fact.text))
    if asks.search(asked) and not gives.search(said if SINCE.search(asked) else YEAR.sub(" ", said)):
        return FigureKind(asks, gives)
    return next((kind for kind in kinds if kind.asks.search(asked) and not gives_kind(kind, question, fact)), None)


def detail_asked_of_the_last_answer(question: str) -> FigureKind | None:
    """The kind of detail a follow-up asks of the last answer itself ("who said that?", "what year was that?"),
    or None."""
    asked = normalise(question)
    return next((kind for kind in figure_cues()[2] if kind.of_the_last_answer and kind.asks.search(asked)), None)


def gives_kind(kind: FigureKind, question: str, fact: Fact) -> bool:
    """The fact gives what `kind` asks for (see `missing_figure`)."""
    said = STATED_GAP.sub(" ", fact.text)
    if kind.gives is None:
        return names_something_new(question, said, kind.not_someone)
    dated = normalise(said)
    return bool(kind.gives.search(dated if kind.reads_years else YEAR.sub(" ", dated))) or (
        kind.or_a_name and names_something_new(question, said, kind.not_someone))


def figure_given(question: str, fact: Fact) -> bool:
    """The question asks for a figure ("how many voted for it?") and the fact gives it, of every finer kind asked."""
    asks, _, _ = figure_cues()
    return bool(asks.search(normalise(question))) and missing_figure(question, fact) is None


def figure_missing(question: str, fact: Fact) -> bool:
    """The question asks for a figure, or a kind of figure, that the fact doesn't give (`missing_figure`)."""
    return missing_figure(question, fact) is not None


def query_aspect(text: str) -> str | None:
    """The aspect a question asks about (cost, side effects, dosing...), by the cue words of data/facts/cues.yml."""
    normal = normalise(text)
    return next((topic for topic, pattern in topic_cues() if topic in ASPECT_TOPICS and pattern.search(normal)), None)


@functools.lru_cache(maxsize=1)
def get_answerability() -> Answerability:
    """Answerability over the project's ranker, built once per process."""
    return Answerability(get_ranker())


