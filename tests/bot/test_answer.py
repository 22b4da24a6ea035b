"""What the bot says for each kind of turn: facts, follow-ups, not covered, refused advice, help, crisis."""

from __future__ import annotations

import re

import pytest

from bot import answer, compose
from bot.safety import CRISIS, EMERGENCY


def assert_cited_and_disclaimed(text: str) -> None:
    assert re.search(r"^Sources?: Health Rising, .*20 April 2019", text, re.M), text
    assert text.endswith(compose.DISCLAIMER)


@pytest.mark.parametrize(
    "topic",
    ["ketamine_basics", "depression", "spravato", "cost", "experiences", "mechanism", "duration", "pain",
     "fibromyalgia", "mecfs", "regulation", "research_quality", "dosing", "side_effects", "forms",
     "dextromethorphan", "memantine", "future_research"],
)
def test_every_topic_answers_with_its_facts_source_and_disclaimer(base, topic):
    reply = answer.answer(base.topics[topic].example, topic)
    assert reply.kind == "facts" and reply.topic == topic
    assert reply.fact_ids and all(base.by_id(fact_id).topic == topic for fact_id in reply.fact_ids)
    assert_cited_and_disclaimed(reply.text)


def test_cost_question_gives_price_and_insurance():
    reply = answer.answer("how much does spravato cost?", "cost", drugs=("esketamine",))
    assert "several thousand dollars" in reply.text and "insurance" in reply.text
    assert_cited_and_disclaimed(reply.text)


def test_more_walks_through_every_fact_of_a_topic_then_says_so(base):
    shown: list[str] = []
    for _ in range(10):
        reply = answer.more("fibromyalgia", tuple(shown))
        if reply.kind == "more_none":
            break
        assert not set(reply.fact_ids) & set(shown)
        shown += reply.fact_ids
    assert set(shown) == {fact.id for fact in base.in_topic("fibromyalgia")}
    assert "everything the article says" in reply.text and reply.text.endswith(compose.DISCLAIMER)


def test_more_with_no_topic_asks_for_a_question():
    assert answer.more(None, ()).kind == "more_none"


def test_source_of_gives_the_full_citation(base):
    reply = answer.source_of(("dxm-staud-combination",))
    assert "Staud 2005" in reply.text and base.source.url in reply.text and "Cort Johnson" in reply.text


def test_a_follow_up_naming_a_new_condition_answers_about_that_condition(base):
    """After a pain answer, "and for fibromyalgia?" gets ketamine facts about fibromyalgia, not more pain facts."""
    reply = answer.answer("and for fibromyalgia?", "pain", conditions=("fibromyalgia",), follow_up=True)
    facts = {fact.id: fact for fact in base.facts}
    assert reply.fact_ids, reply.text
    assert all("fibromyalgia" in facts[fact_id].conditions for fact_id in reply.fact_ids), reply.fact_ids
    assert "fibromyalgia" in reply.text.split("\nSource")[0].lower()  # in the answer, not only the source line


def test_follow_up_moves_to_the_drug_topic_when_the_last_topic_is_silent_on_it():
    reply = answer.answer("and DXM?", "cost", drugs=("dextromethorphan",), follow_up=True)
    assert reply.topic == "dextromethorphan"
    assert "dextromethorphan" in reply.text.lower()


def test_carried_drug_is_used_only_where_the_topic_has_facts_about_it():
    reply = answer.answer("how much does it cost?", "cost", carried_drugs=("esketamine",))
    assert "Spravato" in reply.text
    reply = answer.answer("does it help fibromyalgia?", "fibromyalgia", carried_drugs=("esketamine",))
    assert "doesn't cover" not in reply.text


def test_a_drug_the_topic_is_silent_on_is_named_honestly():
    reply = answer.answer("how long does memantine last?", "duration", drugs=("memantine",))
    assert "doesn't cover how long the effects last for memantine specifically" in reply.text


@pytest.mark.parametrize(
    "question, topic, subject",
    [
        ("is ketamine safe during pregnancy?", "side_effects", "pregnancy"),
        ("can I drive home after my spravato dose?", "spravato", "driving"),
        ("can I take dxm with my prozac?", "dextromethorphan", "other medicines"),
        ("should I stop my antidepressants?", "depression", "stopping"),
    ],
)
def test_uncovered_personal_advice_is_refused_and_sent_to_the_doctor(question, topic, subject):
    reply = answer.answer(question, topic)
    assert reply.kind == "advice"
    assert "can't give personal medical advice" in reply.text and "doctor" in reply.text
    assert compose.NOT_COVERED_OPENING in reply.text and subject in reply.text
    assert reply.text.endswith(compose.DISCLAIMER)
    assert not reply.fact_ids


def test_dose_advice_is_refused_but_the_general_dosing_facts_are_given():
    reply = answer.answer("how much ketamine should I take?", "dosing")
    assert reply.kind == "advice" and "can't give personal medical advice about how much to take" in reply.text
    assert reply.topic == "dosing" and reply.fact_ids
    assert_cited_and_disclaimed(reply.text)


@pytest.mark.parametrize(
    "question, nearest",
    [
        ("is ketamine addictive?", "side_effects"),
        ("does ketamine cause bladder problems?", "side_effects"),
        ("can ketamine help anxiety?", "ketamine_basics"),
        ("what is the success rate of spravato?", "spravato"),
    ],
)
def test_not_covered_says_so_and_offers_the_nearest_covered_topic(question, nearest):
    reply = answer.answer(question, "side_effects")
    assert reply.kind == "not_covered" and reply.topic == nearest
    assert reply.text.startswith(compose.NOT_COVERED_OPENING)
    assert_cited_and_disclaimed(reply.text)


def test_a_question_mentioning_suicide_gets_a_help_line_with_the_facts():
    reply = answer.answer("is ketamine an anti-suicide drug?", "ketamine_basics")
    assert reply.kind == "facts" and "988" in reply.text


def test_no_topic_and_no_entity_is_out_of_scope():
    reply = answer.answer("what's the weather?", None)
    assert reply.kind == "out_of_scope" and reply.text.endswith(compose.DISCLAIMER)


def test_did_you_mean_offers_two_topic_buttons(base):
    reply = answer.did_you_mean_reply(["cost", "spravato", "pain"])
    assert [payload for _, payload in reply.buttons] == ["/ask_cost", "/ask_spravato"]


def test_help_lists_every_topic(base):
    text = answer.help_reply().text
    assert all(topic.title in text for topic in base.topics.values())


@pytest.mark.parametrize("kind", [CRISIS, EMERGENCY])
@pytest.mark.parametrize(
    "country, must_have",
    [(None, ["988", "911", "findahelpline.com"]), ("UK", ["116 123", "999"]), ("Canada", ["9-8-8", "911"]),
     ("Australia", ["13 11 14", "000"]), ("NZ", ["1737", "111"]), ("Ireland", ["116 123", "112"]),
     ("Narnia", ["findahelpline.com", "112"])],
)
def test_crisis_help_gives_the_numbers_for_the_country(kind, country, must_have):
    text = answer.crisis_help(kind, country).text
    assert all(number in text for number in must_have), text


@pytest.mark.parametrize(
    "message, nlu_topic, topics",
    [
        ("what is spravato and how much does it cost?", "spravato", {"spravato", "cost"}),
        ("What is DXM? Does memantine help pain?", "dextromethorphan", {"dextromethorphan", "memantine"}),
        ("does ketamine help fibro? what about side effects?", "fibromyalgia", {"fibromyalgia", "side_effects"}),
    ],
)
def test_each_question_of_a_message_gets_its_facts(base, message, nlu_topic, topics):
    reply = answer.answer_message(message, nlu_topic)
    assert {base.by_id(fact_id).topic for fact_id in reply.fact_ids} == topics
    assert_cited_and_disclaimed(reply.text)


def test_the_part_the_article_does_not_cover_is_named():
    reply = answer.answer_message("is ketamine addictive? and how much does it cost?", "cost")
    assert "doesn't cover that: it says nothing about whether these drugs are addictive" in reply.text
    assert "several thousand dollars" in reply.text
    assert_cited_and_disclaimed(reply.text)


@pytest.mark.parametrize(
    "message, topic",
    [
        ("how much does spravato cost and is it covered by insurance", "cost"),
        ("I have had fibromyalgia for 12 years and tried everything. My doctor mentioned ketamine. "
         "Does it help fibromyalgia?", "fibromyalgia"),
    ],
)
def test_one_question_in_many_words_stays_one_answer(message, topic):
    reply = answer.answer_message(message, topic)
    assert reply.topic == topic and len(reply.fact_ids) <= 3


def test_cues_name_known_topics(base):
    import yaml

    from bot.facts import FACTS_DIR

    cues = yaml.safe_load((FACTS_DIR / "cues.yml").read_text(encoding="utf-8"))
    assert {entry["topic"] for entry in cues} <= set(base.topics)


def test_a_drug_asked_about_under_a_condition_topic_is_answered_from_its_own_topic():
    reply = answer.answer("does memantine help fibromyalgia?", "fibromyalgia", drugs=("memantine",),
                          conditions=("fibromyalgia",))
    assert reply.topic == "memantine" and "doesn't cover" not in reply.text
    assert "fibromyalgia" in reply.text
