"""Fact base fidelity (issue 11): every fact says what the article says, no more, no less.

One test per kind of slip found in the first reading of the fact base:
- evidence levels that do not match the fact's `cites` or what its paragraph reports;
- cautions (interactions, a trial's dose, a list that is not a referral...) missing from an answer;
- "not covered" patterns that refuse questions the article answers (and, the other way, that stop catching the
  subjects it does not cover);
- time-bound facts not marked `dated`;
- cautions copied from the article.
Vocabulary near-misses are in test_vocabulary.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import answer, compose
from bot.compose import Part
from bot.facts import EVIDENCE_NAMING_A_WORK, EVIDENCE_OF_THE_ARTICLE, FACTS_DIR, build, load_fact_base, validate
from bot.safety import CoverageGuard, get_advice_guard, normalise
from scripts.compare_retrieval import DEV_SETS
from tests.conftest import ARTICLE, ROOT

HERE = Path(__file__).resolve().parent
COVERED = yaml.safe_load((HERE / "covered_questions.yml").read_text(encoding="utf-8"))["covered"]
# Written by other authors; read only by this test.
REALISTIC_SETS = DEV_SETS
HELDOUT_NOT_COVERED = yaml.safe_load((ROOT / "tests" / "heldout" / "not_covered.yml").read_text(encoding="utf-8"))


# --- evidence levels -----------------------------------------------------------------------------------------

# What each factual paragraph of the article reports, read independently of the facts: the evidence levels a fact
# taken from it may carry. (paragraphs.yml says which paragraphs hold facts; this says what kind of knowing.)
PARAGRAPH_EVIDENCE = {
    3: {"background"},
    4: {"background"},
    5: {"background", "commentary"},
    7: {"expert-opinion"},  # Niciu et al.: experts' view of the discovery
    8: {"regulatory", "commentary"},
    9: {"background"},
    10: {"background", "commentary"},
    11: {"anecdote"},
    12: {"anecdote"},
    13: {"anecdote"},
    14: {"case-report"},
    15: {"case-report"},
    16: {"background"},
    18: {"commentary"},
    19: {"background"},  # "several studies suggest", none named
    20: {"commentary"},  # a hypothesis
    21: {"study"},  # the Science study: design and subjects not given
    22: {"commentary"},
    23: {"expert-opinion", "commentary"},  # the study authors' remark; whose link to FM and ME/CFS it is is not said
    24: {"expert-opinion", "commentary"},
    25: {"expert-opinion"},
    26: {"study", "commentary"},
    27: {"anecdote"},
    29: {"commentary", "study", "meta-analysis", "expert-opinion"},  # the meta-analysts' "most useful for" is opinion
    30: {"study"},
    31: {"review", "small-study", "study"},
    32: {"expert-opinion", "clinician-report"},
    33: {"clinician-report"},
    34: {"study", "background"},
    35: {"anecdote"},
    38: {"background"},
    39: {"guideline"},
    41: {"commentary"},
    42: {"guideline"},
    43: {"commentary"},
    44: {"commentary"},
    45: {"controlled-trial"},
    46: {"expert-opinion"},
    47: {"commentary"},
    48: {"commentary", "expert-opinion"},
    50: {"background"},
    51: {"study", "commentary"},
    52: {"study"},
    53: {"background", "ongoing-trial", "commentary"},
    55: {"commentary"},  # memantine's "modest efficacy": no study named
    56: {"review", "commentary"},  # the review's conclusion, then the author's reply to it
    58: {"commentary", "background"},
    59: {"expert-opinion"},
    61: {"expert-opinion", "controlled-trial"},
    62: {"controlled-trial", "expert-opinion", "commentary"},  # "may represent a valuable target": no one named
    64: {"background"},
    65: {"commentary", "animal-study", "study"},
    67: {"commentary", "regulatory"},
    68: {"commentary"},
    69: {"commentary"},
}
# Levels that report a result; a fact at one of these levels must not be an opinion ("the authors thought").
RESULT_LEVELS = {"meta-analysis", "controlled-trial", "study", "small-study", "animal-study"}
OPINION_WORDS = re.compile(r"\b(thought|think|thinks|believe|believes|opinion|in their view|advised)\b", re.I)
# Works whose subjects the article never names: facts citing them must say it does not say people or animals.
SUBJECTS_NOT_GIVEN = {"a study in Science on dendritic spines", "a 2018 report on two ketamine derivatives",
                      "a study of s-ketamine and cerebral blood flow (not named in the article)"}


def _paragraph_index() -> dict[int, dict]:
    index = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8"))
    return {entry["para"]: entry for entry in index}


def evidence_problems(facts) -> list[str]:
    index = _paragraph_index()
    problems = []
    for fact in facts:
        if fact.evidence in EVIDENCE_NAMING_A_WORK and not fact.cites:
            problems.append(f"{fact.id}: {fact.evidence} but no cites")
        if fact.evidence in EVIDENCE_OF_THE_ARTICLE and fact.cites:
            problems.append(f"{fact.id}: {fact.evidence} is the article's own voice but cites {fact.cites!r}")
        if index.get(fact.para, {}).get("kind") != "fact":
            problems.append(f"{fact.id}: paragraph {fact.para} holds no fact")
        if fact.evidence not in PARAGRAPH_EVIDENCE.get(fact.para, set()):
            problems.append(f"{fact.id}: paragraph {fact.para} reports no {fact.evidence}")
        if fact.evidence in RESULT_LEVELS and OPINION_WORDS.search(fact.text):
            problems.append(f"{fact.id}: an opinion filed as a {fact.evidence} result")
        unknown_subjects = fact.cites in SUBJECTS_NOT_GIVEN and fact.evidence in RESULT_LEVELS
        if unknown_subjects and "people or in animals" not in fact.text:
            problems.append(f"{fact.id}: must say the article does not say whether it was in people or animals")
    return problems


def test_the_evidence_table_covers_every_factual_paragraph():
    factual = {para for para, entry in _paragraph_index().items() if entry["kind"] == "fact"}
    assert set(PARAGRAPH_EVIDENCE) == factual


def test_evidence_levels_agree_with_cites_and_the_paragraph(base):
    assert evidence_problems(base.facts) == []


@pytest.mark.parametrize(
    "fact_id, change, expected",
    [
        ("memantine-modest", {"evidence": "study"}, "paragraph 55 reports no study"),
        ("pain-who-benefits", {"evidence": "meta-analysis"}, "an opinion filed as a meta-analysis result"),
        ("nmdar-studies-weak", {"cites": "a review of NMDAR blockers in fibromyalgia"}, "article's own voice"),
        ("mechanism-dendritic-spines", {"text": "Ketamine infusions regrew dendritic spines."}, "people or animals"),
        ("fm-podell", {"cites": None}, "clinician-report but no cites"),
        ("mecfs-blood-flow", {"text": "S-ketamine raised blood flow to the brain in one study."}, "people or animals"),
        ("dosing-subanesthetic", {"text": "The blood-flow finding came from low doses."}, "people or animals"),
        ("fatigue-glutamate-target", {"cites": "a study of ketamine and fatigue in bipolar depression"},
         "article's own voice"),
    ],
)
def test_the_evidence_check_catches_the_slips_of_the_first_reading(base, fact_id, change, expected):
    from dataclasses import replace

    slipped = replace(base.by_id(fact_id), **change)
    assert any(expected in problem for problem in evidence_problems([slipped]))


def test_the_validator_refuses_evidence_that_contradicts_cites(raw_base):
    fact = next(fact for fact in raw_base["facts"] if fact["id"] == "nmdar-studies-weak")
    fact["cites"] = "a review of NMDAR blockers in fibromyalgia"
    other = next(fact for fact in raw_base["facts"] if fact["id"] == "fm-podell")
    del other["cites"]
    problems = validate(raw_base)
    assert any("nmdar-studies-weak" in p and "cites nothing" in p for p in problems), problems
    assert any("fm-podell" in p and "needs `cites`" in p for p in problems), problems


# --- cautions ------------------------------------------------------------------------------------------------

# The cautions issue 11 asks for, and words each must contain.
REQUIRED_CAUTIONS = {
    "dxm-opioid-safe": ["Our note, not the article's", "exact medicines", "opioids", "antidepressants", "pharmacist"],
    "dxm-younger-low-dose": ["trial's plan", "not a dose"],
    "guidelines-evidence-supports": ["small", "no control group", "blinded"],
    "regulation-reputable-clinics": ["not a referral"],
    "fm-2002-review-opioids": ["2002", "not advice"],
    # good news shown with the limits the article gives beside it
    "mechanism-dendritic-spines": ["half of the new spines were lost"],
    "experience-woman-results": ["one woman's own account"],
    "depression-biggest-discovery": ["still unknown"],
    # the independent review of the revised base (issue 11)
    "duration-fast-onset": ["one woman's own account", "Spravato"],
    "research-florinef-rowe": ["one trial's dose", "one doctor's", "not a dose to take", "salt", "your doctor"],
    "dosing-lower-doses-synapses": ["trials", "not doses to take"],
    "depression-inflammation-miller": ["one researcher's view", "anti-inflammatory", "on your own"],
    "duration-rtms": ["not tested advice"],
    "dxm-milder-cough-syrup": ["particularly good", "cough medicine", "on your own", "dissociative", "pharmacist"],
    "dxm-staud-combination": ["cough medicine", "on your own", "dissociative", "pharmacist"],
    "mecfs-blood-flow": ["does not say ketamine was tested for orthostatic intolerance"],
    "pain-who-benefits": ["general opinion", "any one person"],
    "fm-1995-study": ["mixed"],
    "fm-1997-2000-studies": ["mixed"],
    "fm-podell": ["one doctor's experience", "mixed"],
    "fm-liptan": ["mixed"],
    "experience-multiple-conditions": ["one person's story", "mixed"],
}


def test_the_required_cautions_are_there(base):
    missing = {
        fact_id: [word for word in words if word not in (base.by_id(fact_id).caution or "")]
        for fact_id, words in REQUIRED_CAUTIONS.items()
    }
    assert {fact_id: words for fact_id, words in missing.items() if words} == {}


def _cautioned(base):
    return [fact for fact in base.facts if fact.caution]


def test_every_composition_shows_the_caution(base):
    source = base.source
    for fact in _cautioned(base):
        others = [other for other in base.in_topic(fact.topic) if other.id != fact.id][:2]
        texts = [
            compose.compose_answer("answer", [Part((fact,))], source).text,
            compose.compose_answer("advice", [Part((*others, fact))], source, lead="I can't advise.").text,
            compose.compose_answer("partly_covered", [Part(tuple(others)), Part((fact,))], source).text,
            compose.compose_answer("not_covered", [Part((fact,), gap="The article doesn't say.")], source).text,
            compose.full_citation([fact], source),
        ]
        for text in texts:  # each sentence of the caution, or the other fact of that reply that says it
            for sentence in compose.SENTENCE_END.split(fact.caution.strip()):
                said = sentence.rstrip(". ") in text or compose._said_by(sentence, [other.text for other in others
                                                                                    if other.text in text])
                assert said, (fact.id, sentence)


def _replies_using(base, fact):
    """Every reply the bot gives, through bot/answer.py, that shows this fact: to each of its questions, to the
    topic's example, and walking "tell me more" through the topic."""
    replies = [answer.answer_message(ask, fact.topic) for ask in fact.asks]
    replies.append(answer.answer_message(base.topics[fact.topic].example, fact.topic))
    example = base.topics[fact.topic].example
    replies += [answer.answer_message(f"{ask}? and {example}", fact.topic) for ask in fact.asks[:2]]
    shown: list[str] = list(replies[0].fact_ids)
    last = tuple(replies[0].fact_ids)
    for _ in range(20):
        reply = answer.more(last, tuple(shown))
        if reply.kind == "more_none":
            break
        replies.append(reply)
        shown += reply.fact_ids
        last = tuple(reply.fact_ids)
    replies.append(answer.source_of((fact.id,), base))
    return [reply for reply in replies if fact.id in reply.fact_ids]


def test_every_answer_that_uses_a_cautioned_fact_shows_its_caution(base):
    missing, used = [], set()
    for fact in _cautioned(base):
        for reply in _replies_using(base, fact):
            used.add(fact.id)
            shown_with = [base.by_id(other).text for other in reply.fact_ids if other != fact.id]
            for sentence in compose.SENTENCE_END.split(fact.caution.strip()):
                # (or in a longer caution that says it and more, or said by another fact of the same reply)
                if sentence.rstrip(". ") not in reply.text and not compose._said_by(sentence, shown_with):
                    missing.append((fact.id, reply.kind, sentence[:60], reply.text[:80]))
    assert missing == []
    assert used == {fact.id for fact in _cautioned(base)}, "each cautioned fact was shown at least once"


def test_a_fact_without_its_caution_would_be_caught(base, monkeypatch):
    """The check above can fail: with cautions dropped from the text, it reports every cautioned fact."""
    monkeypatch.setattr(compose, "fact_sentences", lambda fact, others=(): fact.text)
    fact = base.by_id("dxm-opioid-safe")
    assert all(fact.caution not in reply.text for reply in _replies_using(base, fact))


# --- not covered vs covered ------------------------------------------------------------------------------------

def _realistic_covered() -> list[str]:
    """Questions of the realistic dev set that are labelled with fact ids (when the set exists)."""
    known = {fact.id for fact in load_fact_base().facts}
    found: list[str] = []

    def text_of(item: dict) -> str | None:
        for key in ("text", "question", "message", "q", "input", "user", "utterance", "prompt"):
            if isinstance(item.get(key), str):
                return item[key]
        strings = [value for key, value in item.items() if key not in ("label", "id") and isinstance(value, str)]
        return max(strings, key=len) if strings else None

    def walk(node) -> None:
        if isinstance(node, dict):
            label = node.get("label")
            if isinstance(label, list) and label and all(isinstance(x, str) for x in label) and set(label) & known:
                text = text_of(node)
                assert text, f"an item of a realistic set labelled {label} has no question text"
                found.append(text)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in REALISTIC_SETS:
        if path.exists():
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def covered_questions(base) -> list[str]:
    """Questions the article answers. A realistic post is checked as the bot checks it (bot.rank.Answerability):
    each of its questions with the sentence it points back to, not its story ("my family has addiction history...
    does the research say anything about ketamine for people who can't take painkillers?")."""
    from bot.understand import understand

    posts = [query.focus_text for text in _realistic_covered() for query in understand(text).each_question()]
    return [item["q"] for item in COVERED] + [ask for fact in base.facts for ask in fact.asks] + posts


def refusals(guard: CoverageGuard, questions: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for question in questions:
        normal = normalise(question)
        for subject, patterns, _names in guard.subjects:
            for pattern in patterns:
                if pattern.search(normal):
                    found.append((question, subject.what, pattern.pattern))
    return found


def test_the_covered_questions_are_many_and_name_real_facts(base):
    assert len(COVERED) >= 60
    assert len({normalise(item["q"]) for item in COVERED}) == len(COVERED), "a covered question is repeated"
    unknown = {fact_id for item in COVERED for fact_id in item["facts"] if base.by_id(fact_id) is None}
    assert unknown == set()


def test_no_not_covered_pattern_matches_a_covered_question(base):
    assert refusals(CoverageGuard(), covered_questions(base)) == []


@pytest.mark.parametrize(
    "too_broad",
    [r"\b(success|response|cure) rates?\b", r"\bmanic\b", r"\bdependen(ce|t|cy)\b", r"\bprescri\w*",
     r"\b(my son|my daughter)\b", r"\bwho (should|cant|cannot) (take|use|have|get)\b", r"\bhow long does it take\b",
     r"\bwithdrawals?\b", r"\bldn\b", r"\banxiety\b", r"\balzheimer\w*", r"\bpee\w*\b", r"\bmonitor\w*\b",
     # found by the independent review: a session's length that also caught onset, and depression rates that also
     # caught what the article says of antidepressants
     r"\bhow long (does|do) (a |an |each |the )?(infusion|treatment|session)s? take\b",
     r"^(?!.*\b(fibro\w*|fm|pain\w*|headaches?|migraines?|podell)\b)(?=.*\b(depress\w*|trd)\b).*\b(what|which) "
     r"(percent\w*|proportion|fraction)\b"],
)
def test_the_check_catches_a_pattern_too_broad(base, too_broad, tmp_path):
    """Each pattern the first reading found too broad would make the covered-questions test fail."""
    spec = yaml.safe_load((ROOT / "data" / "safety" / "not_covered.yml").read_text(encoding="utf-8"))
    spec["subjects"].append({"what": "too broad", "nearest": "side_effects", "patterns": [too_broad]})
    (tmp_path / "not_covered.yml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert refusals(CoverageGuard(tmp_path), covered_questions(base)) != []


# Subjects the article does not cover, in patients' words (written for this test); each must still be named as
# not covered (or refused as personal advice).
NOT_COVERED = [
    "is ketamine a schedule 3 drug", "is ketamine a controlled substance", "is ketamine legal?",
    "can i do ketamine at home", "at home ketamine programs any good", "can i get ketamine through telehealth",
    "online ketamine clinic legit?", "what about compounded ketamine nasal spray", "ketamine troches",
    "is auvelity the same as dxm", "has spravato been approved for anything since 2019", "any news in 2023?",
    "is spravato available in the uk", "does the nhs offer ketamine", "does medicare cover spravato",
    "how much does a ketamine infusion cost", "iv ketamine price per session", "how expensive are infusions",
    "what is a k hole", "do you build up a tolerance to ketamine", "does ketamine wreck your bladder",
    "will i fail a drug test", "is ketamine better than ect", "ketamine vs psilocybin", "microdosing ketamine",
    "can ketamine cause mania", "can my 15 year old get spravato", "is ketamine safe for kids",
    "whats the success rate of ketamine for depression", "what is the success rate of spravato",
    "does ldn help fibro", "who can prescribe spravato", "do i need a prescription for ketamine",
    "can you get addicted to ketamine", "can you become dependent on spravato", "is there withdrawal from ketamine",
    "who shouldnt take ketamine", "does ketamine help anxiety", "ketamine for ocd",
    "is ketamine neurotoxic", "will spravato fry my brain", "can infusions cause brain damage",
    "how did younger's dextromethorphan trial turn out", "any results from the dxm fibromyalgia trial yet?",
    "is dr goldstein still taking new patients", "where does dr podell practise",
    "has nice approved esketamine for the nhs",
    "who makes spravato", "what company manufactures esketamine", "has the fda approved it for anything else since?",
    "has there been a big trial since then", "what does it cost in canada",
    "why did the two panel members vote against it", "is there a generic version of spravato",
    "is spravato approved for anything else now", "does the mayo clinic take insurance for infusions",
    "is there a waiting list at dr podell's clinic", "is anyone still doing the goldstein cocktail",
    "is it approved for ptsd yet", "has ketamine been fda approved for chronic pain", "is auvelity approved for fibro",
    "is fibromyalgia even a real illness", "how do doctors diagnose me/cfs", "what blood test shows you have fibro",
]


def test_the_article_describes_one_approval_only():
    """Checked before calling approvals for anything but depression "not covered": every mention of an approval is
    Spravato's for depression, or the closing teaser of a next article about a drug it doesn't name."""
    if not ARTICLE.exists():
        pytest.skip("the article is not beside this checkout")
    text = ARTICLE.read_text(encoding="utf-8").lower()
    mentions = [sentence for sentence in re.split(r"(?<=[.!?])\s+|\n+", text) if re.search(r"\bapprov", sentence)]
    assert len(mentions) == 4
    assert all("spravato" in sentence or "approved for depression" in sentence or sentence.lstrip(" •").startswith(
        "next up") for sentence in mentions), mentions


def test_a_subjects_related_fact_is_a_real_fact(base):
    spec = yaml.safe_load((ROOT / "data" / "safety" / "not_covered.yml").read_text(encoding="utf-8"))
    related = [entry["related"] for entry in spec["subjects"] if entry.get("related")]
    assert related and [fact_id for fact_id in related if base.by_id(fact_id) is None] == []


@pytest.mark.parametrize("question", NOT_COVERED + HELDOUT_NOT_COVERED["not_covered"])
def test_uncovered_subjects_are_still_named(question):
    assert CoverageGuard().check(question) or get_advice_guard().check(question), question


def test_the_article_gives_no_price_for_iv_infusions():
    """Checked before calling the price of IV infusions "not covered": the article gives Spravato's price only."""
    if not ARTICLE.exists():
        pytest.skip("the article is not beside this checkout")
    text = ARTICLE.read_text(encoding="utf-8").lower()
    assert "$" not in text and "several thousand dollars for the first month" in text
    assert not re.search(r"infusions?[^.]{0,80}\b(cost|price|dollars)\b", text)


# --- dated -----------------------------------------------------------------------------------------------------

# Wording that ties a fact to 2019: prices, approvals, eligibility, trials under way, "still", "so far", "first".
TIME_BOUND = re.compile(
    r"\b(in 2019|before 2019|up to 2019|today|current(ly)?|now|still|so far|not yet|yet to|recent(ly)?|"
    r"under way|was being|were being|is being|was running|planned|expected|on the market|first fda|"
    r"first (truly )?new|first drug|first guidelines|price|cost|dollars|insurance|eligib\w*|only for people|"
    r"retired|keeps having|ten years before|in the last|experimental|"
    r"newer|newest|latest|shortly before|decades?|"  # "newer studies", "shortly before the article", "over a decade"
    r"(have|has|had) not (\w+ ){0,2}(worked|proven|been proven|helped|done better)|"  # "have not worked better"
    r"(havent|hasnt|hadnt|haven't|hasn't|hadn't) (\w+ ){0,2}(worked|proven|helped|done better))\b",
    re.I,
)
# Named in issue 11 as time-bound.
MUST_BE_DATED = {"depression-biggest-discovery", "regulation-reputable-clinics", "dxm-younger-low-dose",
                 "cost-spravato-price", "cost-insurance-spravato", "spravato-eligibility", "spravato-fda-vote",
                 # named by the independent review of the revised base
                 "ketamine-new-promise", "pain-meta-analysis", "duration-fast-onset", "pain-puzzle",
                 "research-florinef-rowe"}


def undated_time_bound(facts) -> list[str]:
    return [fact.id for fact in facts if not fact.dated and TIME_BOUND.search(fact.text)]


def test_time_bound_facts_are_marked_dated(base):
    assert undated_time_bound(base.facts) == []
    assert [fact_id for fact_id in sorted(MUST_BE_DATED) if not base.by_id(fact_id).dated] == []
    assert all(fact.dated for fact in base.in_topic("cost"))


@pytest.mark.parametrize("fact_id", ["regulation-reputable-clinics", "depression-biggest-discovery",
                                     "dxm-younger-low-dose", "cost-spravato-price", "fm-liptan",
                                     "ketamine-new-promise", "pain-meta-analysis", "pain-puzzle",
                                     "pain-single-dose-protocols"])
def test_an_undated_time_bound_fact_would_be_caught(base, fact_id):
    from dataclasses import replace

    assert undated_time_bound([replace(base.by_id(fact_id), dated=False)]) == [fact_id]


# --- own words -------------------------------------------------------------------------------------------------

@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not beside this checkout (../shared/source)")
def test_cautions_are_in_our_own_words(base):
    words = re.findall(r"[a-z0-9']+", ARTICLE.read_text(encoding="utf-8").lower().replace("\u2019", "'"))
    runs = {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    copied = []
    for fact in _cautioned(base):
        caution = re.findall(r"[a-z0-9']+", fact.caution.lower())
        if any(tuple(caution[i : i + 8]) in runs for i in range(len(caution) - 7)):
            copied.append(fact.id)
    assert copied == []


def test_a_changed_base_still_builds_with_cautions(raw_base):
    raw_base["facts"][0]["caution"] = "A test caution."
    assert build(raw_base).facts[0].caution == "A test caution."
