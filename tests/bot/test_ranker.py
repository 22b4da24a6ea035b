"""Fact-level retrieval (issue 18): understanding a post, each ranking stage alone, answerability, the retrieve()
API, and floors on the held-out half of the realistic dev set, measured by scripts/compare_retrieval.py.

The example questions here were written for these tests, not taken from tests/realistic.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.facts import Fact
from bot.rank import (
    ANSWER,
    ASKS,
    KEYWORDS,
    NOT_COVERED,
    STATED_GAP,
    TEXT,
    Answerability,
    CharIndex,
    FactRanker,
    LexicalIndex,
    RankerConfig,
    claim_asked,
    compared_treatments,
    entity_agreement,
    figure_missing,
    tokenize,
    unmade_comparison,
)
from bot.retrieval import MAX_FACTS, retrieve, retrieve_each
from bot.understand import Query, is_question, split_post, understand

# --- understand ------------------------------------------------------------------------------------------------


def test_a_post_is_cut_into_its_question_and_its_story():
    post = split_post(
        "Hi everyone, long time reader. I have had fibro for ten years and tried everything. "
        "My doctor mentioned ketamine last week. Does it help fibromyalgia? Thanks!"
    )
    assert post.questions == ["Does it help fibromyalgia?"]
    assert post.context == ["I have had fibro for ten years and tried everything.",
                            "My doctor mentioned ketamine last week."]


@pytest.mark.parametrize("message, question", [
    ("thank u. one more, does it help the fatigue side of fibro?", "does it help the fatigue side of fibro?"),
    ("ok last q, anything on metabolites?", "anything on metabolites?"),
    ("thanks! quick question: is it covered by insurance?", "is it covered by insurance?"),
    # not a lead-in: "one more" that is the question itself
    ("is one more infusion worth it?", "is one more infusion worth it?"),
])
def test_a_lead_in_to_one_more_question_is_not_part_of_it(message, question):
    assert split_post(message).questions == [question]


def test_an_abbreviation_does_not_end_a_sentence():
    assert split_post("What are the risks vs. benefits of ketamine?").questions == [
        "What are the risks vs. benefits of ketamine?"]
    assert split_post("I read what Dr. Podell said. Does memantine help fibro, e.g. the pain?").questions == [
        "Does memantine help fibro, e.g. the pain?"]


def test_a_fragment_with_no_question_word_is_the_question():
    assert split_post("ketamine for cluster headaches").questions == ["ketamine for cluster headaches"]


def test_a_question_that_points_back_brings_the_sentence_before_it():
    post = split_post("My aunt says ketamine is just the party drug. Is that true?")
    assert post.questions == ["Is that true?"]
    assert post.antecedents == ["My aunt says ketamine is just the party drug."]


def test_a_question_that_points_back_past_a_sentence_naming_no_drug_also_brings_the_one_that_does():
    post = split_post("My granddaughter says the cough medicine dextromethorphan might help fibromyalgia. A friend "
                      "thinks the idea is silly. Is there anything to it?")
    assert post.antecedents == ["A friend thinks the idea is silly.",
                                "My granddaughter says the cough medicine dextromethorphan might help fibromyalgia."]
    # ...but the writer telling what they have or how old they are is their story, not what "it" points at
    post = split_post("My granddaughter says the cough medicine dextromethorphan might help fibromyalgia. I am 68 and "
                      "the gabapentin only takes the edge off. Is there anything to it?")
    assert post.antecedents == ["My granddaughter says the cough medicine dextromethorphan might help fibromyalgia."]
    post = split_post("My son says ketamine is basically angel dust. I have CRPS in my left hand and the pain clinic "
                      "wants to try it. Are they the same thing?")
    assert post.antecedents == ["My son says ketamine is basically angel dust."]
    # what the writer read is no story of theirs
    post = split_post("My doctor mentioned ketamine. I have read that it helps fatigue. Is that true?")
    assert post.antecedents == ["I have read that it helps fatigue.", "My doctor mentioned ketamine."]
    # the sentence just before names a drug: it alone is what "that" points at
    post = split_post("I tried ketamine last year. Spravato made me feel weird. Is that normal?")
    assert post.antecedents == ["Spravato made me feel weird."]


@pytest.mark.parametrize("checking", ["True?", "Is true?", "really?", "Correct?", "is it true?"])
def test_a_bare_is_it_true_points_back_at_the_claim_before_it(checking):
    # many write it without "that": the claim before it is still what is asked about
    post = split_post(f"My neighbour says memantine is a dementia drug. {checking}")
    assert post.antecedents == ["My neighbour says memantine is a dementia drug."]


@pytest.mark.parametrize("question, claim", [
    ("A pharmacist at my church said ketamine works for migraines, is there proof?",
     "ketamine works for migraines, is there proof?"),
    ("my new psych NP brought up ketamine and said it works in hours??", "ketamine and said it works in hours??"),
    # asking what someone said, or an opening that names a drug, keeps every word
    ("What did the doctor say about it?", "What did the doctor say about it?"),
    ("The memantine study said it helped a little, is that right?",
     "The memantine study said it helped a little, is that right?"),
    ("He said no.", "He said no."),  # too little said to be a claim
])
def test_who_passed_a_claim_on_is_left_out_of_what_is_asked(question, claim):
    assert claim_asked(question) == claim


def test_their_points_back_at_the_study_before_it():
    post = split_post("The article quotes a 2005 paper by Staud on dextromethorphan. What was their main conclusion?")
    assert post.antecedents == ["The article quotes a 2005 paper by Staud on dextromethorphan."]


@pytest.mark.parametrize(
    "sentence, asks",
    [
        ("how long does it last", True),
        ("Wondering whether the spray is covered by insurance", True),
        ("When I had my first infusion I felt sick.", False),
        ("My psychiatrist mentioned Spravato.", False),
    ],
)
def test_what_counts_as_a_question(sentence, asks):
    assert is_question(sentence) is asks


def test_entities_of_the_question_and_of_the_story_are_kept_apart():
    query = understand("I have fibromyalgia and ME/CFS. Would memantine help?")
    assert query.drugs == ("memantine",)
    assert query.conditions == ()
    assert set(query.context_conditions) == {"fibromyalgia", "mecfs"}


def test_carried_entities_count_as_context():
    query = understand("is it covered by insurance?", carried_drugs=("esketamine",))
    assert query.drugs == () and query.context_drugs == ("esketamine",)


# --- the shared tokenisation --------------------------------------------------------------------------------------


def test_tokenize_gives_every_name_of_a_drug_or_condition_one_token():
    assert "condition:fibromyalgia" in tokenize("fibro flare")
    assert "condition:fibromyalgia" in tokenize("Fibromyalgia")
    assert "drug:esketamine" in tokenize("the Spravato spray")


def test_tokenize_drops_stop_words_and_lemmatises():
    assert tokenize("what is the") == []
    assert "infusion" in tokenize("infusions")


def test_shorthand_typed_fast_meets_the_words_it_stands_for():
    # "10 yrs" must meet "In the ten years before 2019..."; "ppl" must meet "people"
    assert tokenize("clinics now vs 10 yrs ago") == tokenize("clinics now vs ten years ago")
    assert tokenize("how many ppl voted") == tokenize("how many people voted")
    assert tokenize("my dr said u need 6 infusions in 2 wks") == tokenize("my doctor said you need six infusions in "
                                                                             "two weeks")


def test_numbers_inside_a_figure_are_kept():
    assert {"14", "2"} <= set(tokenize("the vote was 14-2"))
    assert "25" in tokenize("about 25% less pain") and "10" in tokenize("10 mg of memantine")


def test_greetings_and_fillers_are_not_what_a_question_asks():
    # "ok" matched an ask "was he still ok months later" and answered "who can get it" with the grieving man.
    assert tokenize("ok and who can even get it") == ["who", "get"]
    assert tokenize("hi thanks lol") == []
    # swearing is how frustration is written, not what is asked
    assert tokenize("why the hell does the fda let them") == tokenize("why does the fda let them")


# --- each stage alone --------------------------------------------------------------------------------------------


def test_bm25_finds_a_fact_by_its_rare_words(base):
    index = LexicalIndex(base.facts)
    scores = index.scores("Staud 2005 paper")
    assert base.facts[int(scores.argmax())].id == "dxm-staud-combination"


def test_bm25_reads_the_asks_only_when_asked_to(base):
    word = "raves"  # in an `asks` question of ketamine-recreational, not in any fact's text
    assert not any(word in fact.text.lower() for fact in base.facts)
    text_only, with_asks = LexicalIndex(base.facts, (TEXT,)), LexicalIndex(base.facts, (TEXT, ASKS, KEYWORDS))
    assert text_only.scores(word).max() == 0
    assert base.facts[int(with_asks.scores(word).argmax())].id == "ketamine-recreational"


def test_character_ngrams_forgive_misspellings(base):
    scores = CharIndex(base.facts).scores("memantin for fibromyalga")
    assert 0.0 <= scores.min() and scores.max() <= 1.0
    assert "memantine" in base.facts[int(scores.argmax())].drugs


@pytest.mark.parametrize("text", ["memantin for fibromyalga", "How much does Spravato cost?!", "ok", "zzzz qqqq",
                                  "I've had fibro for 12 years. My rheumatologist brought up ketamine. Studied?"])
def test_character_scores_are_what_the_vectorizer_would_give(base, text):
    """CharIndex builds the query vector itself (for speed): it must equal sklearn's transform, passage by passage."""
    index = CharIndex(base.facts)
    expected = np.zeros(len(base.facts))
    np.maximum.at(expected, index.owner, (index.matrix @ index.vectorizer.transform([text]).T).toarray().ravel())
    assert np.allclose(index.scores(text), expected, rtol=0, atol=1e-12)


def _fact(drugs: tuple[str, ...], conditions: tuple[str, ...] = ()) -> Fact:
    return Fact("f", "t", drugs, conditions, "text", "background", "s", 1)


@pytest.mark.parametrize(
    "query, fact, expected",
    [
        (Query("q", ("q",), drugs=("ketamine",)), _fact(("ketamine",)), 1.0),
        (Query("q", ("q",), drugs=("esketamine",)), _fact(("ketamine",)), 1.0),  # the parent drug's facts hold
        (Query("q", ("q",), drugs=("ketamine",)), _fact(("esketamine",)), 0.0),  # a derived drug: no penalty
        (Query("q", ("q",), drugs=("dextromethorphan",)), _fact(("ketamine",)), -1.0),
        (Query("q", ("q",), drugs=("ketamine",)), _fact(()), 0.0),  # a general fact
        (Query("q", ("q",)), _fact(("ketamine",)), 0.0),  # nothing named
        (Query("q", ("q",), context_drugs=("dextromethorphan",)), _fact(("ketamine",)), -0.5),  # story: half
        (Query("q", ("q",), conditions=("fibromyalgia",)), _fact((), ("fibromyalgia",)), 1.0),
        (Query("q", ("q",), drugs=("ketamine",), forms=("nasal_spray",)), _fact(("esketamine",)), 1.0),
    ],
)
def test_entity_agreement(query, fact, expected):
    assert entity_agreement(query, fact, {"esketamine": "ketamine"}) == expected


# --- the hybrid ranking -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ranker(base) -> FactRanker:
    return FactRanker(base)


@pytest.mark.parametrize(
    "question, expected_first",
    [
        ("what was the vote on the fda advisory committee for esketamine", "spravato-fda-vote"),
        ("how much will the first month of spravato set me back", "cost-spravato-price"),
        ("what did the 2005 staud paper conclude about dextromethorphan", "dxm-staud-combination"),
        ("what did dr goldstein mix ketamine with", "mecfs-goldstein-cocktail"),
        ("are there reputable places like mayo doing ketamine infusions", "regulation-reputable-clinics"),
        ("how fast does ketamine work for depression", "duration-fast-onset"),
        ("Hi all. My aunt says ketamine is the same as the party drug. Is that true? Thanks!",
         "ketamine-recreational"),
        # "What was in it?" says nothing alone: the sentence it points back to carries the question.
        ("I heard about a cocktail for CFS with ketamine in it. What was in it?", "mecfs-goldstein-cocktail"),
    ],
)
def test_the_fact_that_answers_comes_first(ranker, question, expected_first):
    assert ranker.rank(question).ids(1) == [expected_first]


def test_entity_agreement_decides_between_facts_the_words_cannot_tell_apart(ranker):
    query = Query("what did the study find", ("what did the study find",), drugs=("dextromethorphan",))
    assert "dextromethorphan" in ranker.rank(query).best.fact.drugs


def test_exclude_drops_facts_already_shown(ranker):
    first = ranker.rank("how much does spravato cost").ids(1)[0]
    assert first not in ranker.rank("how much does spravato cost", exclude=(first,)).ids()


def test_the_topic_is_only_a_prior(ranker):
    question = understand("what did the studies find", topic="fibromyalgia")
    assert ranker.rank(question).ids() == ranker.rank(replace(question, topic=None)).ids()  # weight 0: no effect
    with_prior = ranker.with_config(RankerConfig(topic=5.0)).rank(question)
    assert with_prior.best.fact.topic == "fibromyalgia"


def test_a_stage_with_no_weight_is_not_scored(ranker):
    ranking = ranker.with_config(RankerConfig(chars=0.0)).rank("memantine for pain")
    assert all(scored.chars == 0.0 for scored in ranking.facts)


def test_every_fact_is_ranked_once(ranker, base):
    ids = ranker.rank("ketamine").ids()
    assert sorted(ids) == sorted(fact.id for fact in base.facts)


# --- answerability -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def answerability(ranker) -> Answerability:
    return Answerability(ranker)


def _decide(answerability: Answerability, text: str):
    return answerability.decide(answerability.ranker.rank(text))


@pytest.mark.parametrize("question, answered", [
    ("how many on the FDA panel voted for Spravato", True),  # the vote, 14 to 2
    ("how many people took part in the dendritic spine study", False),  # the fact gives no count
    ("how many ketamine clinics are there in Texas", False),  # a word the facts never use
])
def test_a_fact_that_gives_the_figure_asked_answers_whatever_the_wording(answerability, question, answered):
    # a calibration that would call every question "not covered": only the rule can answer
    strict = Answerability(answerability.ranker, replace(answerability.calibration, threshold=2.0))
    assert (_decide(strict, question).status == ANSWER) is answered


@pytest.mark.parametrize("question, fact_id, missing", [
    # the kind of figure asked for, not just any number (data/facts/figures.yml, kinds)
    ("how many mg do the clinics give", "dosing-subanesthetic", True),  # lower doses, no mg
    ("how many mg is younger using", "dxm-younger-low-dose", False),  # 30 mg a day
    ("how many infusions do you need", "duration-keeps-infusing", True),  # keeps having them: no count
    ("how many treatments did that lady need", "experience-woman-results", False),  # after three or four
    ("what percent of podells patients got better", "fm-podell", False),  # about half
    ("what percentage had side effects", "side-effects-hallucinations", True),
    ("how many people were in that study", "pain-meta-analysis", True),
    # how big a study was: a count of people, not a share of them, nor "one large study"
    ("how many people were actually in it", "pain-headache-study", True),
    ("how many patients were in it", "fm-2011-study", True),  # one in three responded: a share
    ("how many were in that trial", "research-florinef-failed", False),  # a 100-person trial
    ("how many people does it help", "fm-2007-study", False),  # two in three: a share answers this
    ("how many people got relief", "pain-headache-study", False),  # half
    ("how big was that study?", "pain-headache-study", False),  # "large" answers how big
    # a year is no figure, except for how long something has gone on
    ("how long did the relief last in the 1995 study", "fm-1995-study", True),
    ("how long have doctors been looking at ketamine for fibromyalgia", "fm-1995-study", False),
    # who or what was studied: the fact's own "does not say whether ... in people or in animals" gives nothing
    ("was that study done in mice or in people", "mechanism-dendritic-spines", True),
    ("was that in animals or people", "future-metabolite-2019-animals", False),  # "in laboratory animals"
    ("was that study done in humans", "mecfs-blood-flow", True),  # the study, with no word of who was in it
    # how often: a frequency, not how fast it worked
    ("how often does she go in", "duration-fast-onset", True),  # "within hours" is speed, not frequency
    ("how often do clinics give it", "dosing-studies-vs-clinics", False),  # "again and again over time"
    # a name: something the question doesn't already name, a rare word even when it opens a sentence
    ("whats the name of that metabolite", "future-metabolite-2019-animals", True),  # "one ketamine metabolite"
    ("what's the name of the nasal spray", "spravato-first-ketamine-drug", False),  # "Spravato (esketamine) was..."
    ("what were the names of the Japanese researchers", "pfc-movement-japanese", True),  # a common word
    ("what's the name of dr goldstein's book", "forms-goldstein-iv-gel", True),  # "IV" is no name
])
def test_a_question_for_a_kind_of_figure_needs_a_fact_that_gives_that_kind(base, question, fact_id, missing):
    assert figure_missing(question, base.by_id(fact_id)) is missing


def test_what_a_fact_says_the_article_leaves_open_is_cut_and_the_rest_kept(base):
    cut = {fact.id: STATED_GAP.sub(" ", fact.text) for fact in base.facts}
    assert "does not" not in cut["memantine-modest"] and "modest benefit in fibromyalgia" in cut["memantine-modest"]
    assert "compared with what" not in cut["future-metabolite-2019-animals"]  # a gap in brackets, not its sentence
    assert "laboratory animals" in cut["future-metabolite-2019-animals"]
    spines = cut["mechanism-dendritic-spines"]
    assert "people or in animals" not in spines and "Science" in spines


@pytest.mark.parametrize(
    "question, reason",
    [
        ("is ketamine addictive", "subject"),  # a named subject (data/safety/not_covered.yml)
        ("does memantine help depression", "pair"),  # no fact puts memantine and depression together
        ("what is the usual dose of memantine", "aspect"),  # no dosing fact about memantine
        ("does ketamine help with sarcoidosis", "score"),  # a rare word the fact base never uses
        ("what percent of people respond to spravato in the trials", "figure"),  # the best fact gives no figure
        # comparisons the article never makes (data/facts/comparisons.yml)
        ("is ketamine better than tms for depression", "comparison"),
        ("is spravato or iv ketamine more effective", "comparison"),
        ("My insurance covers TMS but not IV ketamine. Which one works better for my depression?", "comparison"),
        ("is ketamine better than gabapentin for nerve pain", "comparison"),
    ],
)
def test_what_the_article_does_not_cover_is_said_so(answerability, question, reason):
    coverage = _decide(answerability, question)
    assert coverage.status == NOT_COVERED and coverage.reason == reason


@pytest.mark.parametrize(
    "question",
    ["how fast does ketamine work for depression", "does ketamine help with fibromyalgia",
     "how much does memantine help fibro pain", "how long did the relief last in the 2011 fibromyalgia study",
     # only asks what a named drug is: the article always gives its basics
     "explain spravato to me", "whats dxm even",
     # the aspect its own words ask for (cost), about the drug named, though none of the cost facts' words
     "how much would spravato set me back?",
     "what did the 2005 staud paper conclude about dextromethorphan"],
)
def test_what_the_article_covers_is_answered(answerability, question):
    coverage = _decide(answerability, question)
    assert coverage.status == ANSWER and coverage.reason == ""


@pytest.mark.parametrize("question, answered", [
    # the best fact is about that drug in fibromyalgia and holds every word of the question: the nearest examples
    # ("does memantine help depression?", which the article doesn't answer) put these under the threshold
    ("does memantine help fibro", True),
    ("memantine fibro?", True),
    ("does ketamine work for fibro", True),
    # a word the best fact doesn't hold ("brain fog"), or a condition it isn't about: the other rules and the
    # probability decide
    ("does memantine help fibro brain fog", False),
    ("does memantine help migraines", False),
])
def test_a_fact_about_the_very_drug_and_condition_asked_answers_it(answerability, question, answered):
    assert (_decide(answerability, question).status == ANSWER) is answered


@pytest.mark.parametrize(
    "question, compared",
    [
        ("is iv ketamine more effective than spravato?", ("iv_infusion", "esketamine")),
        ("compounded ketamine nasal spray vs spravato", ("nasal_spray", "esketamine")),
        ("ketamine pills vs infusions, which works better", ("pill", "iv_infusion")),
        ("Is ketamine assisted therapy better than just getting the infusion?",
         ("iv_infusion", "ketamine-assisted therapy")),
        # not two treatments compared
        ("is spravato nasal spray better for depression than for pain?", ()),  # Spravato is the nasal spray
        ("does ketamine work better for pain or depression?", ()),  # conditions, not treatments
        ("does ketamine work better combined with opioids?", ()),  # taken together, not compared
        ("whats the difference between ketamine and spravato", ()),  # what each is: the article says
        # a comparative of something else: better studies, not a better treatment
        ("with ketamine pills and nasal sprays coming, why would we need better studies?", ()),
    ],
)
def test_the_treatments_a_question_compares(question, compared):
    assert compared_treatments(understand(question)) == compared


@pytest.mark.parametrize(
    "question", ["is ketamine stronger than dxm?", "is memantine or dextromethorphan better for fibro",
                 "does ketamine work faster than antidepressants", "is ketamine safer than opioids for back pain"],
)
def test_a_comparison_the_article_makes_is_not_a_gap(question):
    assert unmade_comparison(understand(question)) == ()


def test_a_question_for_an_aspect_ranks_that_aspects_facts_first(ranker):
    assert ranker.rank("how much would spravato set me back?").ids(1) == ["cost-spravato-price"]


def test_answerability_is_a_probability_that_falls_with_a_rare_unknown_word(answerability):
    known = _decide(answerability, "does ketamine help with fibromyalgia")
    unknown = _decide(answerability, "does ketamine help with sarcoidosis")
    assert 0.0 < unknown.answerable < known.answerable < 1.0
    assert unknown.signals.novelty > 2 and known.signals.novelty == 0
    assert unknown.signals.unknown == ("sarcoidosis",)


def test_a_misspelling_is_not_an_unknown_word(answerability):
    assert _decide(answerability, "does ketamine help fibromyalga").signals.unknown == ()


def test_casual_contractions_are_not_unknown_words(answerability):
    coverage = _decide(answerability, "is ketamine gonna come in pill form?")
    assert coverage.signals.unknown == () and coverage.status == ANSWER


# --- the API for the answer stage ---------------------------------------------------------------------------------


def test_retrieve_gives_at_most_three_facts_best_first():
    retrieval = retrieve("does ketamine help with fibromyalgia")
    facts = retrieval.facts()
    assert retrieval.answerable and 1 <= len(facts) <= MAX_FACTS
    assert facts[0] == retrieval.ranking.best.fact


def test_retrieve_each_answers_each_question_of_a_message():
    first, second = retrieve_each("How much does Spravato cost? And who can get it?")
    assert first.facts()[0].id == "cost-spravato-price"
    assert second.facts()[0].id == "spravato-eligibility"  # "it" leans on the first question's Spravato


# --- floors on the held-out half ----------------------------------------------------------------------------------
# Measured by the same code as `make evaluate-answers` (scripts/compare_retrieval.py). Nothing was tuned on the
# held-out half; the floors sit a few points under what it measured when the shipped config was frozen
# (README, last raised: top-1 0.85, ranked top-1 0.95, not covered precision 0.85 / recall 0.92, baseline top-1
# 0.52).

HELDOUT_FLOORS = {"top1": 0.83, "ranked_top1": 0.90, "nc_precision": 0.83, "nc_recall": 0.90}
MIN_POINTS_OVER_BASELINE = 0.20  # top-1, shipped minus plain BM25 over the fact texts, in the same run (issue 18)


@pytest.fixture(scope="module")
def heldout():
    from scripts.compare_retrieval import BASELINE, SHIPPED, baseline_and_shipped, load_items

    rows = baseline_and_shipped(load_items())
    return rows[BASELINE]["heldout"], rows[SHIPPED]["heldout"]


@pytest.mark.parametrize("metric", sorted(HELDOUT_FLOORS))
def test_heldout_floor(heldout, metric):
    _, shipped = heldout
    assert getattr(shipped, metric) >= HELDOUT_FLOORS[metric], (metric, getattr(shipped, metric))


def test_heldout_beats_the_bm25_baseline(heldout):
    baseline, shipped = heldout
    assert shipped.top1 - baseline.top1 >= MIN_POINTS_OVER_BASELINE, (baseline.top1, shipped.top1)
