"""Safety: crisis and emergency first, no personal medical advice, honest "not covered", and bad input.

Everything here is deterministic and driven by data/safety/*.yml, so the behaviour can be read, reviewed and
tested without a model. The Rasa NLU guard (addons/nlu_guard.py) and the actions both call into this module.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from bot.facts import DATA_DIR

SAFETY_DIR = DATA_DIR / "safety"

CRISIS = "crisis"
EMERGENCY = "emergency"
CHECK_IN = "check_in"
DISTRESS = "distress"

# Long messages are cut before NLU so a huge paste cannot slow the server; the guard reads the whole text first.
MAX_MESSAGE_CHARS = 1000
MAX_WORD_CHARS = 60

CRISIS_OPENING = (
    "I'm really glad you told me. You deserve support right now, and you don't have to go through this alone."
)
EMERGENCY_OPENING = "This sounds like it could be a medical emergency. Please get help right away."
CRISIS_CLOSING = "I'm here if you'd like to keep talking, and I can go on with your questions whenever you're ready."
# Tier c: the check-in question, asked with Yes / No buttons; the help line comes with it.
CHECK_IN_QUESTION = "Are you having thoughts of ending your life?"
CHECK_IN_HELP = (
    "If you are, please reach out now: in the US call or text 988 (the 988 Suicide & Crisis Lifeline, any time); "
    "in an emergency call 911 or your local emergency number."
)
# A check-in asked because the classifier alone heard an emergency ("my chest feels heavy since the infusion, is this
# normal?"): it opens with when to call the emergency number (Resources.medical_check), since a body in trouble is
# what it most likely heard; the question about suicide follows, as the same call also comes for crisis messages
# the guard's signs miss.
CLASSIFIER_EMERGENCY = "classifier_emergency"  # Assessment.sign of such a check-in
LEARNED_RISK = "learned_risk"  # Assessment.sign of a check-in asked on the learned risk model's word (bot/risk.py)
CHECK_IN_DECLINED = (
    "Thank you for letting me know. If that changes, you can call or text 988 any time, day or night."
)
# Tier b: one warm sentence and the line, offered gently, before the answer.
DISTRESS_LINE = "I'm sorry you're going through so much."
DISTRESS_HELP = "If it ever feels like too much, you can call or text 988 any time to talk to someone."
SUICIDE_MENTION_NOTE = (
    "If you are having thoughts of suicide yourself, please reach out now: in the US call or text 988; "
    "elsewhere, findahelpline.com lists free helplines."
)


def normalise(text: str) -> str:
    """Lower case, straight quotes, no apostrophes, no accents, single spaces: the form every safety pattern
    expects (accents go so that Spanish patterns match "más" and "mas" alike)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("'", "")
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text).strip()


def _load_yaml(name: str, directory: Path) -> Any:
    with (directory / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in patterns]


@dataclass(frozen=True)
class CrisisResources:
    """Help lines for one country (or the international fallback)."""

    country: str  # how to name it in a sentence, e.g. "the UK"
    crisis_line: str
    emergency: str
    poison_line: str = ""
    text_line: str = ""


SENTENCE_BREAK = re.compile(r"[.!?;\n]+|\s-\s")
# In a sentence that denies a risk, the denial covers its own clause: "Not suicidal, just need to say it somewhere:
# I've been hitting my legs..." keeps what follows the colon, and "Not suicidal or anything but I do pray most
# nights that I don't wake up" what follows the "but".
CLAUSE_BREAK = re.compile(r":+|,?\s+but\s+")


@dataclass(frozen=True)
class Sign:
    """One warning sign (or emergency kind) of data/safety/crisis.yml.

    It matches a message when any of its `patterns` matches, when every pattern of one of its `all_of` groups
    matches somewhere in the message, or when every concept of one of its `together` groups matches within one
    sentence (concepts are named patterns: "a person speaking of themselves", "death", "wanting"...). Concepts
    catch a risk said in words no phrase list foresaw ("the kindest thing I could do for her is to not be alive")."""

    key: str
    name: str
    patterns: tuple[re.Pattern[str], ...]
    all_of: tuple[tuple[re.Pattern[str], ...], ...] = ()
    together: tuple[tuple[re.Pattern[str], ...], ...] = ()
    past_sensitive: bool = False

    @classmethod
    def from_spec(cls, key: str, spec: dict[str, Any], concepts: dict[str, re.Pattern[str]] | None = None) -> Sign:
        concepts = concepts or {}
        unknown = {name for group in spec.get("together") or [] for name in group} - set(concepts)
        if unknown:
            raise ValueError(f"crisis.yml: sign {key} names unknown concepts {sorted(unknown)}")
        return cls(
            key,
            spec.get("name", key),
            tuple(_compile(spec.get("patterns") or [])),
            tuple(tuple(_compile(group)) for group in spec.get("all_of") or []),
            tuple(tuple(concepts[name] for name in group) for group in spec.get("together") or []),
            bool(spec.get("past_sensitive", False)),
        )

    def matches(self, normal: str) -> bool:
        if any(pattern.search(normal) for pattern in self.patterns):
            return True
        if any(all(pattern.search(normal) for pattern in group) for group in self.all_of):
            return True
        if self.together:
            sentences = SENTENCE_BREAK.split(normal)
            return any(
                all(pattern.search(sentence) for pattern in group) for group in self.together for sentence in sentences
            )
        return False


@dataclass(frozen=True)
class Assessment:
    """What the safety guard found in one message.

    `tier` is CRISIS or EMERGENCY (help first), CHECK_IN (ambiguous: ask, give the help line and the answer),
    DISTRESS (a warm line and 988 offered gently, then the answer) or None. `sign` names the warning sign or
    emergency kind; `language` is "es" for Spanish, else "en"; `past_reaction` is True for a reaction told in the
    past and over, which gets the answer rather than an alarm."""

    tier: str | None
    sign: str | None = None
    language: str = "en"
    past_reaction: bool = False

    @property
    def needs_help_first(self) -> bool:
        return self.tier in (CRISIS, EMERGENCY)


class CrisisGuard:
    """The deterministic guard: crisis and emergency by the published warning signs, then the softer tiers.

    Everything it knows is in data/safety/crisis.yml (signs, emergency kinds, check-in, distress, Spanish)."""

    def __init__(self, directory: Path = SAFETY_DIR, learned: bool = True) -> None:
        # learned: whether the learned risk model (bot/risk.py) may ask the check-in when no pattern fired;
        # scripts/safety_eval.py turns it off to report the patterns alone.
        self.learned = learned
        spec = _load_yaml("crisis.yml", directory)
        concepts = {name: re.compile(pattern) for name, pattern in (spec.get("concepts") or {}).items()}
        self.crisis_signs = [Sign.from_spec(key, entry, concepts) for key, entry in spec["crisis"].items()]
        emergency = dict(spec["emergency"])
        self.past = _compile(emergency.pop("past")) + _compile(emergency.pop("hypothetical", []))
        self.now = _compile(emergency.pop("now"))
        history = spec.get("resolved_history") or {}
        self.history_over, self.history_past, self.history_back, self.history_today = (
            _compile(history.get(part) or []) for part in ("over", "past", "back", "today"))
        self.emergency_kinds = [Sign.from_spec(key, entry, concepts) for key, entry in emergency.items()]
        self.check_in = Sign.from_spec("check_in", spec["check_in"], concepts)
        self.distress = Sign.from_spec("distress", spec["distress"], concepts)
        self.denials = _compile(spec.get("denials") or [])
        screening = spec.get("screening") or {}
        self.screening_asked, self.screening_no, self.screening_taken_back = (
            _compile(screening.get(part) or []) for part in ("asked", "answered_no", "taken_back"))
        self.spanish_crisis = Sign.from_spec("spanish_crisis", {"patterns": spec["spanish"]["crisis"]})
        self.spanish_emergency = Sign.from_spec("spanish_emergency", {"patterns": spec["spanish"]["emergency"]})

    def _told_in_the_past(self, normal: str) -> bool:
        """A reaction told in the past and over, or asked about rather than happening."""
        return any(p.search(normal) for p in self.past) and not any(p.search(normal) for p in self.now)

    def _history_over(self, normal: str) -> bool:
        """A sign told as long past and over, with nothing saying it is back or happening now."""
        present = normal
        for today in self.history_today:  # "now I have fibro": the present told calmly is not "happening now"
            present = today.sub(" ", present)
        return (any(p.search(normal) for p in self.history_over) and any(p.search(normal) for p in self.history_past)
                and not any(p.search(normal) for p in self.history_back)
                and not any(p.search(present) for p in self.now))

    def without_denials(self, normal: str) -> str:
        """The message without its sentences that deny a risk ("I'm not suicidal") or tell of someone else's
        death by suicide: they must not count as a risk sign, and the rest of the message still does. A screening
        question reported with the answer no ("they asked if I'd wished I was dead; I said no") is left out too."""
        answered_no = (any(p.search(normal) for p in self.screening_no)
                       and not any(p.search(normal) for p in self.screening_taken_back))
        kept = []
        for sentence in SENTENCE_BREAK.split(normal):
            if answered_no and any(asked.search(sentence) for asked in self.screening_asked):
                continue
            if not any(denial.search(sentence) for denial in self.denials):
                kept.append(sentence)
            else:
                kept += [clause for clause in CLAUSE_BREAK.split(sentence)
                         if not any(denial.search(clause) for denial in self.denials)]
        return ". ".join(kept)

    def prepared(self, text: str) -> str:
        """The text the signs read: normalised, without the sentences that deny a risk."""
        return self.without_denials(normalise(text))

    def assess(self, text: str, language: str | None = None) -> Assessment:
        """The tier of a message, highest first: crisis, emergency, check-in, distress. `language`: the message's
        language when it is already known (the NLU guard passes it to the actions); else it is detected."""
        normal = self.prepared(text)
        # Spanish crisis wording is checked in every message, whatever the detector says: a two-word message
        # ("quiero morir") is too short to detect reliably, and these phrases never occur in English.
        if self.spanish_crisis.matches(normal):
            return Assessment(CRISIS, "spanish_crisis", "es")
        if self.spanish_emergency.matches(normal):
            return Assessment(EMERGENCY, "spanish_emergency", "es")
        language = language or ("es" if is_spanish(text) else "en")
        sign = next((sign for sign in self.crisis_signs if sign.matches(normal)), None)
        if sign is not None:
            if self._history_over(normal):
                return Assessment(CHECK_IN, "resolved_history", language)
            return Assessment(CRISIS, sign.key, language)
        past_reaction = False
        for kind in self.emergency_kinds:
            if kind.matches(normal):
                if kind.past_sensitive and self._told_in_the_past(normal):
                    past_reaction = True
                    continue
                return Assessment(EMERGENCY, kind.key, language)
        if self.check_in.matches(normal):
            return Assessment(CHECK_IN, "check_in", language, past_reaction)
        if self.learned and language == "en" and not past_reaction and not self._history_over(normal):
            from bot.risk import EMERGENCY as LEARNED_EMERGENCY
            from bot.risk import get_risk_model

            model, settings = get_risk_model()
            reading = model.read(normal)
            if reading.probability >= settings.threshold:
                # An emergency heard this way opens with when to call the emergency number, like the classifier's.
                sign = CLASSIFIER_EMERGENCY if reading.kind == LEARNED_EMERGENCY else LEARNED_RISK
                return Assessment(CHECK_IN, sign, language)
        if self.distress.matches(normal):
            return Assessment(DISTRESS, "distress", language, past_reaction)
        return Assessment(None, None, language, past_reaction)

    def check(self, text: str) -> str | None:
        """CRISIS, EMERGENCY or None: the tiers that replace the answer with help."""
        tier = self.assess(text).tier
        return tier if tier in (CRISIS, EMERGENCY) else None


class Resources:
    """Country -> crisis line and emergency number, from data/safety/crisis_resources.yml."""

    def __init__(self, directory: Path = SAFETY_DIR) -> None:
        spec = _load_yaml("crisis_resources.yml", directory)
        self.countries: dict[str, dict[str, Any]] = spec["countries"]
        self.fallback: dict[str, str] = spec["fallback"]
        self.default_country: str = spec["default_country"]
        self.spanish: dict[str, str] = spec["spanish"]
        self._names = {
            name.lower(): code for code, entry in self.countries.items() for name in [code.lower(), *entry["names"]]
        }

    def country_code(self, name: str | None) -> str | None:
        """The code for a country as a person or a web page names it ("UK", "Canada", "gb"), or None."""
        if not name:
            return None
        key = name.strip().lower()
        key = {"gb": "uk"}.get(key, key)
        return self._names.get(key)

    def country_names(self) -> dict[str, list[str]]:
        """Code -> the names people use, for entity tagging."""
        return {code: list(entry["names"]) for code, entry in self.countries.items()}

    def for_country(self, name: str | None) -> CrisisResources:
        code = self.country_code(name)
        entry = self.countries[code] if code is not None else self.fallback
        return CrisisResources(
            entry["name"] if code is not None else "your country",
            entry["crisis_line"],
            entry["emergency"],
            entry.get("poison_line", ""),
            entry.get("text_line", ""),
        )

    def country_message(self, country: str | None) -> str:
        """The help lines for a country a person has just named, said calmly (no crisis assumed)."""
        if self.country_code(country) is None:
            return (
                f"I don't have numbers for that country, but you can {self.fallback['crisis_line']}, "
                f"and in an emergency {self.fallback['emergency']}."
            )
        local = self.for_country(country)
        return (
            f"Thanks, I'll use the numbers for {local.country}. If you ever need help: {local.crisis_line}; "
            f"in an emergency, {local.emergency}. What would you like to know about the treatments?"
        )

    def help_message(self, kind: str, country: str | None, language: str = "en") -> str:
        """The reply to a crisis or emergency: warm, short, numbers first, then an offer to go on.

        An emergency gets the emergency number and the poison centre; a crisis gets the crisis line (and its text
        line where there is one) and the emergency number. Without a known country: the US numbers, said to be the
        US ones, and the pointer for everywhere else. Spanish messages get the Spanish reply (US numbers)."""
        if language == "es":
            return self.spanish_help_message(kind)
        code = self.country_code(country)
        local, where = self._numbers(country)
        lines = [EMERGENCY_OPENING if kind == EMERGENCY else CRISIS_OPENING]
        if kind == EMERGENCY:
            lines.append(f"- Emergency: {local.emergency}{where} now, especially if someone is hard to wake, "
                         "breathing slowly, having a seizure or has chest pain.")
            lines.append(f"- Poisoning or too much of a medicine: {local.poison_line}{where}.")
            lines.append(f"- If this involved hurting yourself, also {local.crisis_line}.")
        else:
            text_line = f", {local.text_line}" if local.text_line else ""
            lines.append(f"- Talk to someone now: {local.crisis_line}{text_line}{where}.")
            lines.append(f"- If you are in danger right now: {local.emergency}{where}.")
        if code is None:
            lines.append(
                f"- Outside the US: {self.fallback['crisis_line']}, or {self.fallback['emergency']}. "
                "Tell me your country and I'll give you the numbers there."
            )
        lines.append(CRISIS_CLOSING)
        return "\n".join(lines)

    def spanish_help_message(self, kind: str) -> str:
        """The crisis or emergency reply in Spanish (US numbers: 988 has Spanish-speaking counsellors)."""
        spanish = self.spanish
        if kind == EMERGENCY:
            lines = [spanish["emergency_opening"], f"- {spanish['poison']}", f"- {spanish['crisis_line']}"]
        else:
            lines = [spanish["crisis_opening"], f"- {spanish['crisis_line']}", f"- {spanish['emergency']}"]
        lines += [f"- {spanish['elsewhere']}", spanish["closing"]]
        return "\n".join(lines)

    def _numbers(self, country: str | None) -> tuple[CrisisResources, str]:
        """The named country's numbers, else the default country's with " in the US" to say whose they are."""
        known = self.country_code(country) is not None
        return self.for_country(country if known else self.default_country), "" if known else " in the US"

    def check_in_help(self, country: str | None) -> str:
        """The help line that comes with the check-in question: the US one (CHECK_IN_HELP) unless the person
        named another country."""
        if self.country_code(country) in (None, self.default_country):
            return CHECK_IN_HELP
        local = self.for_country(country)
        return f"If you are, please reach out now: {local.crisis_line}; in an emergency, {local.emergency}."

    def medical_check(self, country: str | None) -> str:
        """One line for a check-in the classifier asked for on hearing an emergency: when to call for help now."""
        local, where = self._numbers(country)
        return (f"If you feel very unwell right now (chest pain or pressure, trouble breathing, fainting, a racing "
                f"heart that won't settle), {local.emergency}{where} now; if you took too much of a medicine, "
                f"{local.poison_line}{where}.")

    def poison_note(self, country: str | None) -> str:
        """One line for a reaction told in the past: what to do if it happens again."""
        local, where = self._numbers(country)
        return (f"If a reaction like that happens again, get help at once: {local.poison_line}{where}, "
                f"or {local.emergency}{where} if someone is very unwell.")


@dataclass(frozen=True)
class AdviceRequest:
    """A request for personal medical advice: its kind, what to call it, and whether the article speaks to it."""

    kind: str
    what: str
    covered: bool
    topic: str | None = None
    ask: str | None = None  # who to ask and why, when not the usual doctor or pharmacist


# A request the learned advice model heard and no pattern named: refused in general terms, with what the article says.
LEARNED_ADVICE = AdviceRequest("learned", "your own situation", True)


class AdviceGuard:
    """Recognises requests for personal medical advice (dose, start/stop/switch, interactions, pregnancy...).

    A kind matches when one of its patterns does and, if it has `when` patterns, one of those too (the message
    tells of a treatment the person is having: "after my second infusion... is this normal?")."""

    def __init__(self, directory: Path = SAFETY_DIR, learned: bool = True) -> None:
        # learned: whether the learned advice model (bot/advice_model.py) may refuse what no pattern matched
        self.learned = learned
        spec = _load_yaml("personal_advice.yml", directory)["kinds"]
        self.kinds = [
            (
                AdviceRequest(kind, entry["what"], bool(entry["covered"]), entry.get("topic"), entry.get("ask")),
                _compile(entry["patterns"]),
                _compile(entry.get("when") or []),
            )
            for kind, entry in spec.items()
        ]

    def check(self, text: str) -> AdviceRequest | None:
        normal = normalise(text)
        for request, patterns, when in self.kinds:
            if any(pattern.search(normal) for pattern in patterns) and (
                not when or any(pattern.search(normal) for pattern in when)):
                return request
        if self.learned:
            from bot.advice_model import ADVICE, get_advice_model

            model, settings = get_advice_model()
            if model.probability(ADVICE, normal) >= settings.threshold:
                return LEARNED_ADVICE
        return None


@dataclass(frozen=True)
class Uncovered:
    """A subject the article does not cover, and the nearest topic it does."""

    what: str
    nearest: str
    related: str | None = None  # the id of the one fact that truly relates, given beside the gap (optional)


class CoverageGuard:
    """Recognises questions about subjects the article does not cover (data/safety/not_covered.yml)."""

    def __init__(self, directory: Path = SAFETY_DIR) -> None:
        spec = _load_yaml("not_covered.yml", directory)["subjects"]
        # A subject may list `names` (word in the message: how to name it): the gap then names what was asked
        # about ("The article doesn't say anything about endometriosis.") instead of the subject's whole list.
        self.subjects = [
            (Uncovered(entry["what"], entry["nearest"], entry.get("related")), _compile(entry["patterns"]),
             entry.get("names") or {})
            for entry in spec
        ]
        self.named = [re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b") if names else None
                      for _, _, names in self.subjects]
        # every subject's names together, for a condition asked beside one the article discusses
        self.all_names = "|".join(re.escape(name) for _, _, names in self.subjects for name in names)

    def unnamed_alongside(self, question: str, named: list[str]) -> tuple[str, str] | None:
        """"Is it the silver bullet for anxiety and depression?": a condition the article never discusses (one of a
        subject's `names`) joined by "and" or "or" to one it does (`named`: how the message wrote those) is two
        questions. Returns (the question about the named one, the question about the other), normalised; or
        None."""
        normal, names = normalise(question), self.all_names
        if not names or not named:
            return None
        spoken = "|".join(re.escape(normalise(words)) for words in named)
        joined = "(?:and|or|&|plus|/)"
        pair = re.search(rf"\b(?:(?P<a>{names}) {joined} (?P<b>{spoken})|(?P<c>{spoken}) {joined} (?P<d>{names}))\b",
                         normal)
        if pair is None:
            return None
        other, known = (pair["a"], pair["b"]) if pair["a"] else (pair["d"], pair["c"])
        start, end = pair.span()
        return normal[:start] + known + normal[end:], normal[:start] + other + normal[end:]

    def check(self, text: str) -> Uncovered | None:
        normal = normalise(text)
        for (subject, patterns, names), named in zip(self.subjects, self.named, strict=True):
            if any(pattern.search(normal) for pattern in patterns):
                found = named.search(normal) if named else None  # the first name in the message
                return replace(subject, what=names[found.group(1)]) if found else subject
        return None


def mentions_suicide(text: str) -> bool:
    """True when a message names suicide at all (even as a research question): the answer adds a help line."""
    return bool(re.search(r"su[iy]?c[iy]?d|suis[iy]d|self[- ]?harm", normalise(text)))


# --- bad input --------------------------------------------------------------------------------------------

EMPTY = "empty"
NO_WORDS = "no_words"
NOT_ENGLISH = "not_english"
GIBBERISH = "gibberish"

INPUT_REPLIES = {
    EMPTY: "I didn't get a message there. You can ask me about ketamine, Spravato (esketamine), "
    "dextromethorphan or memantine, for example \"What is Spravato?\"",
    NO_WORDS: "I can only read words, not emoji or symbols on their own. Could you type your question? "
    "For example: \"Does ketamine help fibromyalgia?\"",
    NOT_ENGLISH: "Sorry, I can only answer in English for now. "
    "If you are in crisis, please call your local emergency number or find a helpline at findahelpline.com.",
    GIBBERISH: "I couldn't make sense of that message. Could you ask it again in a few words? "
    "For example: \"How much does Spravato cost?\"",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_TAG = re.compile(r"<[^>]{0,200}>")
_LATIN_WORD = re.compile(r"[a-z]{2,}")
def _without_markup(text: str) -> str:
    text = _CONTROL.sub(" ", text or "")
    text = html.unescape(_TAG.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def clean_text(text: str) -> str:
    """The message made safe to process: control characters and markup tags removed, whitespace collapsed,
    HTML entities decoded, and the length capped (the crisis guard reads the uncut text first)."""
    return _without_markup(text)[:MAX_MESSAGE_CHARS]


def input_problem(text: str) -> str | None:
    """Why a message cannot be answered as a question (EMPTY, NO_WORDS, NOT_ENGLISH, GIBBERISH), or None."""
    cleaned = _without_markup(text)
    if not cleaned:
        return EMPTY
    lowered = cleaned.lower()
    if not re.search(r"[^\W\d_]", lowered):
        return NO_WORDS
    letters = [char for char in lowered if char.isalpha()]
    latin = sum("a" <= char <= "z" for char in letters)
    if letters and latin / len(letters) < 0.5:
        return NOT_ENGLISH
    words = re.findall(r"[^\W\d_]+", lowered)
    if all(len(word) > MAX_WORD_CHARS for word in words):
        return GIBBERISH
    if not any(_LATIN_WORD.search(word) for word in words):
        return GIBBERISH
    if detect_language(cleaned) != "en":
        return NOT_ENGLISH
    return None


# The languages the detector chooses between: English, Spanish, and the other languages patients here are most
# likely to write in, so that Portuguese or Italian is not taken for Spanish. Measured against langid in
# scripts/compare_language_detectors.py (README, "Safety"): more accurate on Spanish, faster, less memory.
DETECTED_LANGUAGES = ("ENGLISH", "SPANISH", "FRENCH", "GERMAN", "PORTUGUESE", "ITALIAN")


@functools.lru_cache(maxsize=1)
def _language_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder  # loaded on first use, not at import

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in DETECTED_LANGUAGES)).build()


# Another language is named only when the detector is sure of it: a drug name or a two-word message ("memantine",
# "dxm dose") is too short to tell, and an English question must never be refused as foreign.
SURE_OF_LANGUAGE = 0.5
AHEAD_OF_ENGLISH = 0.2


@functools.lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """The ISO 639-1 code of the message's language among DETECTED_LANGUAGES; "en" when unsure."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return "en"
    values = _language_detector().compute_language_confidence_values(" ".join(words)[:MAX_MESSAGE_CHARS])
    confidence = {value.language.iso_code_639_1.name.lower(): value.value for value in values}
    best = max(confidence, key=confidence.__getitem__)
    if best == "en":
        return "en"
    sure = confidence[best] >= SURE_OF_LANGUAGE or confidence[best] - confidence.get("en", 0.0) >= AHEAD_OF_ENGLISH
    return best if sure else "en"


def is_spanish(text: str) -> bool:
    return detect_language(text) == "es"


@functools.lru_cache(maxsize=1)
def get_crisis_guard() -> CrisisGuard:
    return CrisisGuard()


@functools.lru_cache(maxsize=1)
def get_resources() -> Resources:
    return Resources()


@functools.lru_cache(maxsize=1)
def get_advice_guard() -> AdviceGuard:
    return AdviceGuard()


@functools.lru_cache(maxsize=1)
def get_coverage_guard() -> CoverageGuard:
    return CoverageGuard()
