"""The project's spaCy pipeline: a blank English tokenizer with a lookup lemmatizer (no downloaded model).

bot/ ranks facts by lemma with it, and the vocabulary tagger tokenizes with it. The lemma tables come from the
spacy-lookups-data package (installed from PyPI), so nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import re

import spacy
import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from bot.facts import FACTS_DIR

# spaCy's English stop words, minus the ones that tell questions apart here ("who can get it", "how long does
# it last", "how much does it cost", "when it wears off").
MEANINGFUL = frozenset(
    "who how much many long why when get take last first never more less well off same give often".split()
)
# Words that carry no question of their own: greetings, thanks and fillers ("ok and who can even get it" is not
# about anything "ok"), and the pieces of casual contractions as spaCy splits them ("gonna": gon + na, "gotta":
# got + ta), which would otherwise count as rare words the fact base never uses; and swearing ("why the hell does
# the FDA let them", "wtf is spravato"), which is how frustration is written, not what is asked.
FILLERS = frozenset(
    "ok okay okey k yeah yep yes hi hey hello thanks thank thx please pls plz lol um uh hmm oh btw "
    "gon na wan ta wanna kinda sorta dunno lemme gimme tho "
    "hell heck damn dammit freaking frickin fricking friggin frigging effing bloody crap crappy wtf omg "
    # "which ones?", "the good ones": it points back like "those" (its lemma "one" would match "One woman...")
    "ones".split()
)
IGNORED_WORDS = (STOP_WORDS - MEANINGFUL) | FILLERS


SHORTHAND_FILE = FACTS_DIR / "shorthand.yml"
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty").split()
# a small whole number standing alone, not part of a figure ("14-2", "25%", "1.5", "24/7", "2nd", "10 mg")
SMALL_NUMBER = re.compile(r"(?<![\w.,/%$-])(1?\d|20)(?![\w.,/%-]\w?|%|\s?(?:mg|ml|mcg|milligrams?|percent)\b)")


@functools.lru_cache(maxsize=1)
def _shorthand() -> tuple[re.Pattern[str], dict[str, str]]:
    spec = yaml.safe_load(SHORTHAND_FILE.read_text(encoding="utf-8"))
    words = {key.lower(): value for key, value in spec["words"].items()}
    alternatives = "|".join(re.escape(key) for key in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w/])(?:{alternatives})(?![\w/])", re.IGNORECASE), words


def spelled_out(text: str) -> str:
    """`text` with typed shorthand written out ("10 yrs" -> "ten years", "ppl" -> "people"; data/facts/shorthand.yml),
    so that a question typed fast meets the facts' words."""
    pattern, words = _shorthand()
    text = pattern.sub(lambda found: words[found.group().lower()], text)
    return SMALL_NUMBER.sub(lambda found: NUMBER_WORDS[int(found.group())], text)


def build_pipeline() -> Language:
    """A blank English pipeline with lemmas from spacy-lookups-data (installed from PyPI, not downloaded)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@functools.lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The pipeline, built once per process."""
    return build_pipeline()


def content_lemmas(text: str) -> list[str]:
    """Lower-case lemmas of the words in `text` that carry meaning (no stop words, no punctuation)."""
    return list(_content_lemmas(text))


# One answer reads the same texts several times (the question for BM25 and for answerability, each fact's
# sentences when composing): a pure function of the text, so remembered for recent texts.
@functools.lru_cache(maxsize=4096)
def _content_lemmas(text: str) -> tuple[str, ...]:
    doc = get_pipeline()(spelled_out(text).lower())
    return tuple(
        token.lemma_
        for token in doc
        if not token.is_punct and not token.is_space and token.lower_ not in IGNORED_WORDS and token.lemma_.strip()
    )

