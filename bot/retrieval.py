"""Choosing facts for a question: the retrieve stage.

Two ways live here:
- `retrieve()` (new, issue 18): the fact is the unit. It understands the message (bot/understand.py), ranks every
  fact with the hybrid of bot/rank.py (BM25 over text + asks + keywords, character n-grams, entity agreement, the
  topic only as a prior) and decides, from calibrated scores and the named not-covered subjects, whether the
  article answers at all. Measured against the alternatives by scripts/compare_retrieval.py.
- `Retriever.select()` (the topic router's ranking, kept for "tell me more" and the callers that route by topic):
  all facts of one topic, those about the asked drug/condition first, ranked by a TF-IDF-style overlap of spaCy
  lemmas with the question.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass

from bot.facts import Fact, FactBase, load_fact_base
from bot.nlp import content_lemmas
from bot.rank import ANSWER, Coverage, Ranking, ScoredFact, get_answerability
from bot.understand import Query, understand

DRUG_MATCH_BONUS = 2.0
CONDITION_MATCH_BONUS = 1.5


@dataclass(frozen=True)
class Selection:
    """Facts chosen for a question, best first, and which requested drug/condition the article is silent on."""

    facts: tuple[Fact, ...]
    unmatched_drugs: tuple[str, ...] = ()
    unmatched_conditions: tuple[str, ...] = ()


class Retriever:
    """Selects and ranks the facts of one fact base."""

    def __init__(self, base: FactBase) -> None:
        self.base = base
        self._lemmas = {fact.id: set(content_lemmas(" ".join((fact.text, *fact.keywords)))) for fact in base.facts}
        document_frequency = Counter(lemma for lemmas in self._lemmas.values() for lemma in lemmas)
        total = len(base.facts)
        self._idf = {lemma: math.log((1 + total) / (1 + count)) + 1 for lemma, count in document_frequency.items()}

    def score(
        self, fact: Fact, question_lemmas: set[str], drugs: tuple[str, ...], conditions: tuple[str, ...]
    ) -> float:
        overlap = sum(self._idf.get(lemma, 0.0) for lemma in question_lemmas & self._lemmas[fact.id])
        if set(drugs) & set(fact.drugs):
            overlap += DRUG_MATCH_BONUS
        if set(conditions) & set(fact.conditions):
            overlap += CONDITION_MATCH_BONUS
        return overlap

    def select(
        self,
        topic: str,
        question: str = "",
        drugs: tuple[str, ...] = (),
        conditions: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> Selection:
        """All facts of `topic` not in `exclude`, ranked; facts about the asked drug/condition come first.

        When the topic has facts but none about the asked drug (or condition), the facts are still returned
        and the drug is reported as unmatched, so the answer can say the article is silent on it.
        """
        candidates = [fact for fact in self.base.in_topic(topic) if fact.id not in exclude]
        unmatched_drugs = tuple(drug for drug in drugs if not any(drug in fact.drugs for fact in candidates))
        unmatched_conditions = tuple(
            condition for condition in conditions if not any(condition in fact.conditions for fact in candidates)
        )
        matched_drugs = tuple(drug for drug in drugs if drug not in unmatched_drugs)
        # Silent on a drug here? Prefer what the article says about its parent drug (esketamine -> ketamine).
        matched_drugs += tuple(
            related
            for drug in unmatched_drugs
            if (related := self.base.related_drugs.get(drug)) and any(related in fact.drugs for fact in candidates)
        )
        matched_conditions = tuple(c for c in conditions if c not in unmatched_conditions)

        def relevant(fact: Fact) -> bool:
            # A fact about another drug (or condition) only follows the facts about the one asked for.
            drug_ok = not matched_drugs or not fact.drugs or bool(set(matched_drugs) & set(fact.drugs))
            condition_ok = (
                not matched_conditions or not fact.conditions or bool(set(matched_conditions) & set(fact.conditions))
            )
            return drug_ok and condition_ok

        question_lemmas = set(content_lemmas(question)) if question else set()
        order = {fact.id: index for index, fact in enumerate(self.base.facts)}
        ranked = sorted(
            candidates,
            key=lambda fact: (
                not relevant(fact),
                -self.score(fact, question_lemmas, matched_drugs, matched_conditions),
                order[fact.id],
            ),
        )
        return Selection(tuple(ranked), unmatched_drugs, unmatched_conditions)

    def best_topics(self, question: str, limit: int = 2) -> list[str]:
        """The topics whose facts best match the words of a question (for "did you mean" and "nearest")."""
        question_lemmas = set(content_lemmas(question))
        totals: Counter[str] = Counter()
        for fact in self.base.facts:
            totals[fact.topic] = max(totals[fact.topic], self.score(fact, question_lemmas, (), ()))
        return [topic for topic, score in totals.most_common() if score > 0][:limit]


@functools.lru_cache(maxsize=1)
def get_retriever() -> Retriever:
    """The retriever over the project's fact base, built once per process."""
    return Retriever(load_fact_base())


# --- fact-level retrieval ---------------------------------------------------------------------------------------

MAX_FACTS = 3
# A fact beyond the best one is shown only when its score is at least this share of the best fact's: the second
# and third facts must answer the same question, not merely share a word with it.
CLOSE_TO_BEST = 0.75


@dataclass(frozen=True)
class Retrieval:
    """What the retrieve stage hands to the decide and compose stages for one message (or one question of it)."""

    query: Query
    ranking: Ranking
    coverage: Coverage

    @property
    def answerable(self) -> bool:
        """The article answers it (no named not-covered subject, no structural gap, probability over threshold)."""
        return self.coverage.status == ANSWER

    def facts(self, limit: int = MAX_FACTS, close: float = CLOSE_TO_BEST) -> list[Fact]:
        """The facts to answer with, best first: the best one, then those scoring close to it (at most `limit`)."""
        best = self.ranking.best
        if best is None:
            return []
        chosen: list[ScoredFact] = [best]
        for scored in self.ranking.facts[1:]:
            if len(chosen) >= limit or scored.score < close * best.score:
                break
            chosen.append(scored)
        return [scored.fact for scored in chosen]


def retrieve(
    text: str | Query,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Retrieval:
    """Rank every fact for a message and decide whether the article answers it.

    `text` is the whole message (a post is split into its questions and their context) or an already understood
    `Query`; `topic` is the NLU topic intent, used only as a prior when the ranker's config weighs it;
    `carried_*` are the drug and condition of earlier turns (they count as context); `exclude` drops facts
    already shown. Built on cached indexes: the first call builds them, later calls only score."""
    query = text if isinstance(text, Query) else understand(text, topic, carried_drugs, carried_conditions)
    answerability = get_answerability()
    ranking = answerability.ranker.rank(query, exclude=exclude)
    return Retrieval(query, ranking, answerability.decide(ranking))


def retrieve_each(
    text: str,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
) -> list[Retrieval]:
    """One retrieval per question of a message ("Is it covered by insurance? And how fast does it work?"), each
    with the message's story as context; a message with one question gives one."""
    whole = understand(text, topic, carried_drugs, carried_conditions)
    return [retrieve(query) for query in whole.each_question()]
