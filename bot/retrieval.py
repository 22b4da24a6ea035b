"""Choosing facts for a question: the retrieve stage.

`retrieve()`: the fact is the unit. It understands the message (bot/understand.py), ranks every fact with the
hybrid of bot/rank.py (BM25 over text + asks + keywords, character n-grams, entity agreement, the topic only as a
prior) and decides, from calibrated scores and the named not-covered subjects, whether the article answers at
all. A follow-up leans on the last answer (`in_context`). Measured against the alternatives by
scripts/compare_retrieval.py and, as whole replies, by scripts/evaluate_answers.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.facts import Fact
from bot.glossary import explains, term_asked
from bot.nlp import content_lemmas
from bot.rank import (
    ANSWER,
    Coverage,
    Ranking,
    ScoredFact,
    asks_to_compare,
    comparisons,
    detail_asked_of_the_last_answer,
    get_answerability,
    gives_kind,
    name_agreement,
    treatments_named,
)
from bot.safety import get_coverage_guard, normalise
from bot.understand import (
    CONDITION,
    DRUG,
    FORM,
    Query,
    asked_about,
    names_in,
    refers_back,
    swaps_subject,
    understand,
    without_remark,
)
from bot.vocabulary import get_tagger

MAX_FACTS = 3
# A follow-up that points back with few words of its own ("who said that?", "what else did he think?") is about
# the last answer itself: its paragraphs weigh this many times more (chosen on the tune conversations).
POINTING_OWN_WORDS = 3
POINTING_NEAR_WEIGHT = 3.0
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
            if self._about_another_condition(scored.fact):
                continue  # "does it last?" about depression is not answered with the headache study
            chosen.append(scored)
        return [scored.fact for scored in chosen]

    def _about_another_condition(self, fact: Fact) -> bool:
        """The fact is about conditions, none of them the one the question names (or, failing that, the one
        earlier turns were about)."""
        return name_agreement(self.query.conditions or self.query.context_conditions, fact.conditions, {}) < 0


def in_context(query: Query, last_facts: tuple[str, ...] = ()) -> Query:
    """A question read as a follow-up to the last answer when it names no drug or condition of its own ("is it
    covered by insurance?", "how big was that study?") or points back at it ("is it high in fibro?"): it already
    leans on the drug and condition of earlier turns (context); here the last answer's paragraphs and section rank
    higher, and answerability judges it as a follow-up (bot.rank.FOLLOW_UP_THRESHOLD). Using the last answer's text
    as what "that" points to was measured and made follow-ups worse (it pulls the same fact back), so it is not
    done."""
    points_back = refers_back(query.question_text)
    if not last_facts or ((query.drugs or query.conditions) and not points_back):
        return query
    pointing = points_back and len(content_lemmas(query.question_text)) < POINTING_OWN_WORDS
    return replace(query, near=tuple(last_facts), near_weight=POINTING_NEAR_WEIGHT if pointing else 1.0)


def retrieve(
    text: str | Query,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    last_facts: tuple[str, ...] = (),
) -> Retrieval:
    """Rank every fact for a message and decide whether the article answers it.

    `text` is the whole message (a post is split into its questions and their context) or an already understood
    `Query`; `topic` is the NLU topic intent, used only as a prior when the ranker's config weighs it;
    `carried_*` are the drug and condition of earlier turns (they count as context); `exclude` drops facts
    already shown. Built on cached indexes: the first call builds them, later calls only score."""
    query = text if isinstance(text, Query) else understand(text, topic, carried_drugs, carried_conditions)
    query = in_context(query, last_facts)
    answerability = get_answerability()
    ranking = word_explained(detail_of_last_answer(answerability.ranker.rank(query, exclude=exclude)))
    return Retrieval(query, ranking, answerability.decide(ranking))


def detail_of_last_answer(ranking: Ranking) -> Ranking:
    """"Who said that?", "what year was that?": a follow-up that points back with few words of its own and asks
    for a detail of the last answer (data/facts/figures.yml, `of_the_last_answer`) asks it of that answer. The
    first of the last answer's facts that gives it ranks first, else (`or_next_to_it`, who) the first fact of a
    paragraph beside them that gives it; when none does, the last answer's first fact does, and answerability
    names the gap ("The article doesn't say who.")."""
    query = ranking.query
    kind = detail_asked_of_the_last_answer(query.question_text) if query.near_weight > 1 else None
    if kind is None:
        return ranking
    by_id = {scored.fact.id: scored for scored in ranking.facts}
    last = [by_id[fact_id] for fact_id in query.near if fact_id in by_id]
    if not last:
        return ranking
    chosen = next((scored for scored in last if gives_kind(kind, query.question_text, scored.fact)), None)
    if chosen is None and kind.or_next_to_it:
        # only a paragraph that holds the question's own words ("who did that STUDY?": "a 2005 study by Staud"):
        # "who said it?" beside a quote would put words in someone's mouth
        asked = set(content_lemmas(query.question_text))
        beside = [scored for scored in ranking.facts if next_to(scored.fact, [item.fact for item in last])
                  and asked & set(content_lemmas(scored.fact.text))]
        chosen = next((scored for scored in beside if gives_kind(kind, query.question_text, scored.fact)), None)
    chosen = chosen or last[0]
    return replace(ranking, facts=(chosen, *(scored for scored in ranking.facts if scored is not chosen)))


def word_explained(ranking: Ranking) -> Ranking:
    """"What does executive function mean?", "sorry whats rTMS": a question that asks what a word means ranks first
    the fact that explains it (bot/glossary.py), one of the last answer's if it can, since that is where the patient
    met the word. When no fact explains it, the ranking stands and answerability names the gap."""
    term = term_asked(ranking.query.question_text)
    if term is None:
        return ranking
    near = set(ranking.query.near)
    in_order = sorted(ranking.facts, key=lambda scored: scored.fact.id not in near)  # stable: the last answer first
    chosen = next((scored for scored in in_order if explains(scored.fact, term)), None)
    if chosen is None:
        return ranking
    return replace(ranking, facts=(chosen, *(scored for scored in ranking.facts if scored is not chosen)))


def next_to(fact: Fact, shown: list[Fact]) -> bool:
    """The fact is in the paragraph just before or after one of `shown`, in the same section."""
    return any(fact.section == other.section and abs(fact.para - other.para) == 1 for other in shown)


def retrieve_each(
    text: str,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    last_facts: tuple[str, ...] = (),
    last_question: str = "",
) -> list[Retrieval]:
    """One retrieval per question of a message ("Is it covered by insurance? And how fast does it work?"), each
    with the message's story as context; a message with one question gives one. `last_facts`: the last answer,
    which a follow-up leans on (`in_context`); `last_question`: the question it answered, which a follow-up that
    only names another drug or condition ("and for fibro?") asks again about that (`asked_again`)."""
    whole = compared_again(asked_again(understand(text, topic, carried_drugs, carried_conditions), last_question),
                           last_question)
    return [retrieve(query, last_facts=last_facts) for query in with_the_uncovered_apart(whole).each_question()]


def with_the_uncovered_apart(query: Query) -> Query:
    """"Is it the silver bullet for anxiety and depression?": a condition the article never discusses, asked
    together with one it does, is asked apart, so the reply answers for depression and says the article is silent
    on anxiety (partly covered) instead of calling the whole question not covered."""
    guard, tagger = get_coverage_guard(), get_tagger()
    questions: list[str] = []
    for question in query.questions:
        named = [entity.text for entity in tagger.tag(question) if entity.label == CONDITION]
        questions.extend(guard.unnamed_alongside(question, named) or (question,))
    return replace(query, questions=tuple(questions)) if len(questions) > len(query.questions) else query


def asked_again(query: Query, last_question: str) -> Query:
    """"and for fibro?" after "how long does the relief last?" asks how long the relief lasts in fibro: the last
    question asked again with the follow-up's drug or condition (bot.understand.asked_about); the entities are
    the follow-up's (earlier ones stay as context)."""
    if not last_question or not swaps_subject(query.question_text):
        return query
    return replace(query, questions=(asked_about(last_question, without_remark(query.question_text)),))


def compared_again(query: Query, last_question: str) -> Query:
    """"is one stronger?" after "what's the difference between spravato and regular ketamine?" compares those two:
    a follow-up that asks which is better and names no treatment of its own asks it of the last question's
    treatments (then judged like any comparison: bot.rank.unmade_comparison)."""
    if not last_question or treatments_named(query.question_text) or not asks_to_compare(query.question_text):
        return query
    earlier = [entity.text for entity in names_in(last_question) if entity.label in (DRUG, FORM)]
    earlier += [found.group() for _, pattern in comparisons().treatments
                for found in [pattern.search(normalise(last_question))] if found]
    earlier = list(dict.fromkeys(earlier))
    if len(earlier) < 2:
        return query
    return replace(query, questions=(f"{query.question_text.strip().rstrip('?.! ')}: {' or '.join(earlier)}?",))
