"""Choosing facts: select by topic, drug and condition, then rank against the words of the question.

Ranking is a plain TF-IDF-style overlap of spaCy lemmas between the question and each fact (its text and its
keywords). The base is about a hundred facts, so an exact scan is both fast and easy to explain.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass

from bot.facts import Fact, FactBase, load_fact_base
from bot.nlp import content_lemmas

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
