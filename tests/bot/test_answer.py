"""What the bot says for each kind of turn: answers that lead with the answer, honest gaps, refused advice,
follow-ups, "tell me more", the structured reply, help and crisis."""

from __future__ import annotations

import re

import pytest

from bot import answer, compose
from bot.safety import CHECK_IN, CRISIS, DISTRESS, DISTRESS_LINE, EMERGENCY, Assessment


def assert_cited_and_disclaimed(text: str) -> None:
    assert re.search(r"^Sources?: Health Rising, .*20 April 2019", text, re.M), text
    assert text.endswith(compose.DISCLAIMER)


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]


@pytest.mark.parametrize(
    "question, expected_first",
    [
        ("how much does spravato cost?", "cost-spravato-price"),
        ("is spravato covered by insurance", "cost-insurance-spravato"),
        ("does dextromethorphan help fibromyalgia?", "dxm-milder-cough-syrup"),
        ("what did dr podell find with ketamine", "fm-podell"),
    ],
)
def test_the_answer_leads_with_the_fact_that_answers(base, question, expected_first):
    reply = answer.answer_message(question)
    assert reply.kind == "answer" and reply.fact_ids[0] == expected_first, (reply.fact_ids, reply.text)
    assert first_sentence(reply.text) == first_sentence(base.by_id(expected_first).text)
    assert len(reply.fact_ids) <= compose.MAX_FACTS_PER_ANSWER
    assert_cited_and_disclaimed(reply.text)


def test_an_answer_has_one_evidence_line_one_source_line_and_the_disclaimer_on_one_line():
    text = answer.answer_message("does ketamine help fibromyalgia?").text
    lines = text.splitlines()
    assert sum(line.startswith("Evidence: ") for line in lines) == 1
    assert sum(line.startswith(("Source: ", "Sources: ")) for line in lines) == 1
    assert lines[-1] == compose.DISCLAIMER
    assert "How strong is this?" not in text


@pytest.mark.parametrize(
    "question, gap",
    [
        ("does ketamine show up on a drug test?", "The article doesn't say anything about drug tests."),
        # a urine test is a drug test, not a urinary problem (found by a second reader of the replies)
        ("I drive for a living and get random screens. Would IV ketamine show up on a urine test?",
         "The article doesn't say anything about drug tests."),
        ("my insurance denied spravato twice. what do people do when insurance says no?",
         "The article doesn't say anything about what to do when insurance refuses to pay"),
        ("can spravato be used on its own now, without a pill antidepressant?",
         "The article doesn't say anything about whether Spravato is taken together with an antidepressant pill"),
        ("can ketamine cause memory problems?", "The article doesn't say anything about memory problems"),
        ("does memantine help ME/CFS?", "The article doesn't say anything about memantine for ME/CFS."),
        ("what are the side effects of memantine?", "The article doesn't cover the side effects of memantine."),
    ],
)
def test_a_question_the_article_does_not_answer_opens_by_naming_the_gap(question, gap):
    reply = answer.answer_message(question)
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text
    assert not reply.fact_ids, "no unrelated fact as filler"
    assert compose.DOCTOR_LINE in reply.text and reply.text.endswith(compose.DISCLAIMER)
    assert "outside what I can help with" not in reply.text


def test_a_comparison_the_article_never_makes_names_the_treatments():
    reply = answer.answer_message("My insurance will cover TMS but not IV ketamine. Which one works better?")
    assert reply.kind == "not_covered", reply.text
    assert reply.text.startswith("The article doesn't compare IV ketamine and TMS head to head."), reply.text
    spravato = answer.answer_message("is spravato or iv ketamine more effective")
    assert spravato.text.startswith("The article doesn't compare Spravato (esketamine) and IV ketamine head to head.")


def test_beside_a_comparison_the_article_never_makes_comes_a_fact_that_names_both_treatments():
    reply = answer.answer_message("is ketamine better than tms for depression?")
    assert reply.kind == "not_covered" and reply.fact_ids == ["duration-rtms"], reply.text
    assert "What it does say nearby: " in reply.text
    alone = answer.answer_message("ketamine vs ECT, which works better?")
    assert alone.kind == "not_covered" and alone.fact_ids == [], "no fact names both: nothing is near"


def test_a_gap_in_the_asked_aspect_gets_the_fact_of_that_aspect_beside_it():
    # The article gives no duration, but says what happens once the infusions stop.
    reply = answer.answer_message("once the infusions stop, how long does the relief last")
    assert reply.kind == "not_covered" and reply.fact_ids == ["duration-spines-lost"], reply.text
    assert "What it does say nearby: " in reply.text


def test_a_sentence_that_only_says_it_wants_to_know_is_not_quoted_back_as_a_question():
    # (Not a tune post's own sentences: the nearest examples would find that post and answer what it asked.)
    reply = answer.answer_message("I'm weighing up whether it's worth the cost. I'm not expecting miracles, I just "
                                  "need to know what to expect. What percent of people respond to spravato?")
    assert "expect" not in reply.text
    assert reply.text.startswith('The article doesn\'t give a figure for "What percent of people respond to spravato?"')
    alone = answer.answer_message("I just need to know if it helps with sarcoidosis.")
    assert alone.text.startswith("The article doesn't answer that question."), alone.text


def test_a_question_for_a_figure_the_article_does_not_give_says_so_then_what_it_does_say():
    reply = answer.answer_message("what percent of people respond to spravato?")
    assert reply.kind == "not_covered", reply.text
    assert reply.text.startswith('The article doesn\'t give a figure for "what percent of people respond to spravato?"')
    assert reply.fact_ids == ["spravato-tested-severe"] and "What it does say nearby" in reply.text


@pytest.mark.parametrize("message, gap", [
    ("honestly that study where ketamine regrew dendritic spines gave me hope. was it done in mice or in people?",
     "The article doesn't say whether that was done in people or in animals."),
    ("whats the name of the ketamine metabolite that worked better for pain", "The article doesn't give that name."),
    ("the woman in the article who felt lighter within hours, how often does she go in for infusions?",
     "The article doesn't say how often."),
])
def test_a_missing_kind_of_figure_is_named_in_words_that_fit_it(message, gap):
    reply = answer.answer_message(message)
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text


def test_a_related_fact_beside_a_gap_is_announced_as_such_and_cited(base):
    reply = answer.answer_message("does ketamine lower glutamate in people with ME/CFS?")
    if reply.kind == "not_covered" and reply.fact_ids:
        assert "What it does say nearby: " in reply.text
        assert_cited_and_disclaimed(reply.text)


def test_a_post_with_a_covered_and_an_uncovered_question_is_partly_covered():
    reply = answer.answer_message("Is ketamine addictive? And how much does spravato cost?")
    assert reply.kind == "partly_covered"
    assert reply.text.startswith("The article doesn't say anything about whether these drugs are addictive.")
    assert "several thousand dollars" in reply.text
    assert_cited_and_disclaimed(reply.text)


@pytest.mark.parametrize("question, gap", [
    ("Is ketamine really the miracle it's made out to be for depression and anxiety?",
     "The article doesn't say anything about anxiety."),
    ("could memantine help with OCD or fibromyalgia?", "The article doesn't say anything about OCD."),
])
def test_a_condition_the_article_never_discusses_asked_with_one_it_does_is_partly_covered(base, question, gap):
    """Before, the whole question was "not covered" because anxiety (or OCD) was named in it."""
    reply = answer.answer_message(question)
    assert reply.kind == "partly_covered", reply.text
    assert gap in reply.text and reply.fact_ids
    asked = "depression" if "depression" in question else "fibromyalgia"
    assert asked in base.by_id(reply.fact_ids[0]).conditions or not base.by_id(reply.fact_ids[0]).conditions
    assert_cited_and_disclaimed(reply.text)


def test_two_questions_the_article_leaves_open_in_the_same_words_get_the_sentence_once():
    post = ("My first appointment is next week and I'm a planner. Is there usually free parking at these places or do "
            "you have to pay for a garage every single visit you make there? And do they generally let a family "
            "member sit right next to you in the room for the whole of the session?")
    reply = answer.answer_message(post)
    assert reply.kind == "not_covered"
    assert reply.text.count("The article doesn't answer that question.") == 1, reply.text


def test_a_story_then_a_question_is_answered_from_the_question(base):
    post = ("I've had fibro for 12 years and honestly tried everything, lyrica, cymbalta, you name it. My "
            "rheumatologist brought up ketamine last week. Has it actually been studied for fibromyalgia?")
    reply = answer.answer_message(post)
    assert reply.kind == "answer" and "fibromyalgia" in base.by_id(reply.fact_ids[0]).conditions, reply.fact_ids
    assert reply.text.startswith("That sounds exhausting. ")


def test_fear_gets_one_acknowledging_clause_and_a_calm_question_none():
    scared = answer.answer_message("I'm really scared of the dissociation. Does ketamine make you hallucinate?")
    calm = answer.answer_message("does ketamine make you hallucinate?")
    assert scared.text.startswith("That is an understandable worry. ")
    assert scared.custom["acknowledgement"] == "That is an understandable worry."
    assert calm.custom["acknowledgement"] == "" and not calm.text.startswith("That")


@pytest.mark.parametrize(
    "question, what",
    [
        ("is ketamine safe during pregnancy?", "pregnancy"),
        ("can I take dxm with my prozac?", "other medicines"),
        ("should I stop my antidepressants?", "stopping"),
    ],
)
def test_personal_advice_is_refused_first_and_sent_to_the_doctor(question, what):
    reply = answer.answer_message(question)
    assert reply.kind == "advice" and reply.text.startswith("I can't give personal medical advice")
    assert what in first_sentence(reply.text) and "doctor" in reply.text
    assert reply.text.endswith(compose.DISCLAIMER)


def test_dose_advice_is_refused_then_the_general_dosing_facts_are_given(base):
    reply = answer.answer_message("how much ketamine should I take for my pain?")
    assert reply.kind == "advice" and "about how much to take" in first_sentence(reply.text)
    assert reply.fact_ids and "What the article says in general:" in reply.text
    assert {base.by_id(fact_id).topic for fact_id in reply.fact_ids} == {"dosing"}
    assert_cited_and_disclaimed(reply.text)


def test_ones_own_reaction_is_sent_to_the_clinic_treating_them_with_what_the_article_says_in_general():
    silent = answer.answer_message("Had my second infusion yesterday and today I'm so irritable, I snapped at my "
                                   "kids. Is this normal after ketamine?")
    assert silent.kind == "advice" and silent.fact_ids == []
    assert "how someone's body is reacting" in first_sentence(silent.text)
    assert "Tell the clinic or doctor treating you" in silent.text and silent.text.endswith(compose.DISCLAIMER)
    # The article does speak, in general, to relief that fades within days in fibromyalgia.
    general = answer.answer_message("Had my first ketamine infusion for fibro last month. I was 50% better that "
                                    "night, by day 3 back to baseline. Is that typical?? Did the fibro studies see the "
                                    "relief fade too?")
    assert general.kind == "advice" and "What the article says in general:" in general.text
    assert "duration-fm-short-lived" in general.fact_ids


def test_dose_advice_never_gives_another_drugs_dosing_facts():
    # The only dosing fact near memantine is about dextromethorphan's trial: no general facts rather than those.
    reply = answer.answer_message("what dose of memantine should i take for fibro")
    assert reply.kind == "advice" and reply.fact_ids == []


@pytest.mark.parametrize(
    "first_question, carried, follow_up, expected",
    [
        ("what is spravato?", ("esketamine",), "is it covered by insurance?", "cost-insurance-spravato"),
        ("does ketamine help fibromyalgia?", ("ketamine",), "what did dr podell see?", "fm-podell"),
    ],
)
def test_a_follow_up_leans_on_the_last_answer(first_question, carried, follow_up, expected):
    first = answer.answer_message(first_question)
    follow = answer.answer_message(follow_up, carried_drugs=carried, last_facts=tuple(first.fact_ids),
                                   shown=tuple(first.fact_ids))
    assert follow.kind == "answer" and follow.fact_ids[0] == expected, (follow.fact_ids, follow.text)


def test_a_fact_shown_before_is_not_repeated_unless_it_is_the_answer_again():
    first = answer.answer_message("does ketamine help fibromyalgia?")
    again = answer.answer_message("does ketamine help fibromyalgia?", shown=tuple(first.fact_ids))
    assert again.fact_ids[0] == first.fact_ids[0]  # asked again: the best fact again
    assert not set(again.fact_ids[1:]) & set(first.fact_ids)


def test_tell_me_more_continues_the_same_subject_without_repeating_then_says_so(base):
    first = answer.answer_message("does ketamine help fibromyalgia?")
    shown, last = list(first.fact_ids), tuple(first.fact_ids)
    topic = base.by_id(last[0]).topic
    for _ in range(40):
        reply = answer.more(last, tuple(shown))
        if reply.kind == "more_none":
            break
        assert reply.fact_ids and not set(reply.fact_ids) & set(shown)
        assert all(base.by_id(fact_id).topic == topic for fact_id in reply.fact_ids)
        shown += reply.fact_ids
        last = tuple(reply.fact_ids)
    assert reply.kind == "more_none" and "everything the article says" in reply.text
    assert {fact.id for fact in base.in_topic(topic)} <= set(shown)


def test_more_with_nothing_before_asks_for_a_question():
    assert answer.more((), ()).kind == "more_none"


def test_the_structured_reply_carries_what_the_text_says(base):
    reply = answer.answer_message("what did dr podell find with ketamine", intent="ask_fibromyalgia")
    custom = reply.custom
    assert custom["kind"] == "answer" and custom["intent"] == "ask_fibromyalgia"
    assert [fact["id"] for fact in custom["facts"]] == reply.fact_ids
    podell = custom["facts"][0]
    assert podell["text"].startswith(base.by_id("fm-podell").text) and podell["text"] in reply.text
    assert podell["evidence"] == "clinician-report" and podell["evidence_label"] == "one doctor's experience"
    citation = custom["citation"]
    assert citation["url"] == base.source.url and citation["published"] == "20 April 2019"
    assert citation["paras"][0] == base.by_id("fm-podell").para
    assert citation["passage_url"].startswith(base.source.url + "#:~:text=")
    assert custom["evidence"] in reply.text and custom["disclaimer"] == compose.DISCLAIMER


def test_a_not_covered_reply_has_its_gap_as_the_lead_and_no_citation():
    custom = answer.answer_message("does ketamine show up on a drug test?").custom
    assert custom["kind"] == "not_covered" and custom["lead"].startswith("The article doesn't say")
    assert custom["facts"] == [] and custom["citation"] is None


def test_a_question_mentioning_suicide_gets_a_help_line_with_the_facts():
    reply = answer.answer_message("does ketamine reduce suicidal thoughts?")
    assert reply.fact_ids and "988" in reply.text


@pytest.mark.parametrize(
    "message, sent",
    [("what's the weather like in denver?", False), ("does ketamine show up on a drug test?", True),
     ("what did dr podell find", True)],
)
def test_an_off_topic_message_is_only_answered_when_it_is_about_the_treatments(message, sent):
    assert answer.on_subject(answer.answer_message(message), message) is sent


def test_distress_replaces_the_acknowledgement_with_the_safety_line():
    reply = answer.answer_message("I'm so scared. Does ketamine make you hallucinate?")
    safe = answer.with_safety(reply, Assessment(DISTRESS), "I'm so scared. Does ketamine make you hallucinate?")
    assert safe.text.startswith(DISTRESS_LINE) and "understandable worry" not in safe.text
    assert safe.custom["safety"].startswith(DISTRESS_LINE) and safe.custom["acknowledgement"] == ""


def test_the_check_in_goes_first_in_text_and_structure():
    reply = answer.answer_message("does ketamine help depression?")
    safe = answer.with_safety(reply, Assessment(CHECK_IN), "does ketamine help depression?")
    assert safe.asked_check_in and safe.text.startswith("Are you having thoughts of ending your life?")
    assert safe.custom["safety"].startswith("Are you having thoughts") and safe.fact_ids == reply.fact_ids


def test_source_of_gives_the_full_citation(base):
    reply = answer.source_of(("dxm-staud-combination",))
    assert "Staud 2005" in reply.text and base.source.url in reply.text and "Cort Johnson" in reply.text


def test_help_and_out_of_scope_and_did_you_mean_carry_no_evidence_tail(base):
    for reply in (answer.help_reply(), answer.out_of_scope_reply(), answer.did_you_mean_reply(["cost", "pain"])):
        assert "Evidence:" not in reply.text and "Source:" not in reply.text and reply.custom is None
        assert reply.text.endswith(compose.DISCLAIMER)


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


def test_cues_name_known_topics(base):
    import yaml

    from bot.facts import FACTS_DIR

    cues = yaml.safe_load((FACTS_DIR / "cues.yml").read_text(encoding="utf-8"))
    assert {entry["topic"] for entry in cues} <= set(base.topics)


def test_a_message_of_several_sentences_none_of_which_asks_plainly_still_gets_a_reply_with_content():
    # Every sentence was dropped as a lead-in when none asked with a question mark: the reply was the disclaimer.
    reply = answer.answer_message("'; DROP TABLE events; --")
    assert reply.text.strip() != compose.DISCLAIMER and reply.text.startswith("The article")


@pytest.mark.parametrize("question, gap", [
    ("side effects?", "The article doesn't cover the side effects of memantine."),
    ("how much does it cost", "The article doesn't cover the cost of memantine."),
    ("does the relief wear off?", "The article doesn't cover how long the effects of memantine last."),
    # "the infusions" are ketamine's, the only drug the article gives as infusions: not "the cost of memantine"
    ("thx. does insurance pay for the infusions?", None),
])
def test_a_follow_up_about_an_aspect_the_article_never_gives_for_the_drug_before_says_so(question, gap):
    # "what is memantine?" ... "side effects?": not antidepressants' side effects, not Spravato's price
    reply = answer.answer_message(question, carried_drugs=("memantine",), last_facts=("memantine-modest",))
    if gap is None:
        assert reply.kind == "answer" and reply.fact_ids[0] == "cost-insurance-spravato", reply.text
        return
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text
    assert reply.fact_ids == []


def test_a_follow_up_is_checked_against_the_subjects_with_the_drug_before_it():
    reply = answer.answer_message("side effects?", carried_drugs=("esketamine",), last_facts=("spravato-fda-vote",))
    assert reply.kind == "not_covered", reply.text
    assert reply.text.startswith("The article doesn't say anything about Spravato's side effects or safety.")


@pytest.mark.parametrize("question", ["is spravato safe", "how safe is esketamine?", "spravato risks?"])
def test_asking_whether_spravato_is_safe_names_the_gap_instead_of_answering_who_can_get_it(question):
    # The article gives no side effect or safety figure for Spravato; its eligibility facts don't answer this.
    reply = answer.answer_message(question)
    assert reply.kind == "not_covered", reply.text
    assert reply.text.startswith("The article doesn't say anything about Spravato's side effects or safety.")


@pytest.mark.parametrize("question, gap", [
    ("I have endometriosis on top of fibro. Has ketamine been studied for endometriosis pain at all?",
     "The article doesn't say anything about endometriosis."),
    ("does ketamine help ocd", "The article doesn't say anything about OCD."),
])
def test_a_condition_the_article_never_discusses_is_named_in_the_gap_not_a_list_of_others(question, gap):
    reply = answer.answer_message(question)
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text


@pytest.mark.parametrize("question", [
    "does ketamine cause brain damage?",
    "My sister saw a post saying ketamine leaves holes in your brain. Is that true for people who get infusions?",
    "could dxm hurt the brain if people take it for years",
])
def test_a_worry_about_brain_harm_names_the_gap_then_the_long_term_concern_not_a_success_story(question):
    # The article never discusses brain damage; beside the gap goes the one fact that truly relates (its subject's
    # `related` in not_covered.yml), never the repair of nerve connections as if it answered the worry.
    reply = answer.answer_message(question)
    assert reply.kind == "not_covered", reply.text
    assert reply.text.startswith("The article doesn't say anything about whether these drugs can harm the brain")
    assert reply.fact_ids == ["side-effects-long-term-concern"]
    assert "What it does say nearby: " in reply.text
    assert_cited_and_disclaimed(reply.text)


def test_brain_damage_the_article_does_discuss_is_still_answered():
    reply = answer.answer_message("what did the japanese researchers say about brain damage in CFS")
    assert reply.kind == "answer" and reply.fact_ids[0] == "pfc-movement-japanese", reply.text


def test_what_the_article_concluded_is_answered_from_its_conclusions():
    reply = answer.answer_message("what did the article conclude?")
    assert reply.kind == "answer" and reply.fact_ids[0].startswith("conclusion-"), reply.text


def test_a_reply_without_facts_keeps_what_its_question_was_about_without_showing_it(base):
    reply = answer.answer_message("A ketamine clinic just opened in a strip mall next to a vape shop. Is that normal??")
    assert reply.kind == "not_covered" and reply.fact_ids == []
    assert reply.about == ["regulation-reputable-clinics"]
    assert base.by_id("regulation-reputable-clinics").text not in reply.text
    assert answer.answer_message("how fast does ketamine work for depression?").about == []  # facts were shown


@pytest.mark.parametrize("follow_up", ["did it work?", "what did his trial find"])
def test_a_follow_up_asking_how_the_cited_trial_turned_out_names_the_gap(follow_up):
    """"Did it work?" after Younger's trial asks for results the article doesn't give (the trial was under way);
    before, it was answered with another study's finding."""
    first = answer.answer_message("who is testing dextromethorphan for fibromyalgia?")
    assert first.fact_ids[0] == "dxm-younger-trial"
    reply = answer.answer_message(follow_up, last_facts=tuple(first.fact_ids))
    assert reply.kind == "not_covered" and "results of Jarred Younger's dextromethorphan trial" in reply.text
    # a detail the article does give is still answered
    dose = answer.answer_message("what dose is he using?", last_facts=tuple(first.fact_ids))
    assert dose.kind == "answer" and dose.fact_ids[0] == "dxm-younger-low-dose"


def test_is_any_doctor_still_doing_it_names_the_gap():
    first = answer.answer_message("what was in goldstein's resurrection cocktail?")
    reply = answer.answer_message("is any doctor still doing it?", last_facts=tuple(first.fact_ids))
    assert reply.kind == "not_covered" and "how a particular doctor or clinic works" in reply.text


def test_a_follow_up_in_a_conversation_about_depression_gets_no_second_fact_about_another_condition(base):
    """"Does it last?" after a depression answer: the headache and fibromyalgia studies' durations are about other
    conditions, so they are not shown beside the first fact (a second reader of the replies found them there)."""
    first = answer.answer_message("how fast does ketamine work for depression?")
    reply = answer.answer_message("does it last?", carried_drugs=("ketamine",), carried_conditions=("depression",),
                                  last_facts=tuple(first.fact_ids))
    assert reply.kind == "answer" and reply.fact_ids
    for fact_id in reply.fact_ids[1:]:
        conditions = base.by_id(fact_id).conditions
        assert not conditions or "depression" in conditions, (fact_id, conditions)
