"""Understanding a message as patients write it: which sentences ask something, which tell the story around it,
and which drugs, conditions and forms each part names.

Real messages are often a post: a greeting, a story, what was tried, a worry, then one or more questions, maybe a
"thanks". `understand()` returns a `Query`: the question sentences (what retrieval ranks against), the context
(what retrieval may lean on for entities, never for words), and the entities of each. It is plain data in, plain
data out, and knows nothing of Rasa.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

import yaml

from bot.facts import FACTS_DIR
from bot.safety import normalise
from bot.vocabulary import get_tagger

# A sentence ends at . ! ? ; or a line break (posts are often written one thought per line), not at the point of
# an abbreviation ("the risks vs. benefits", "Dr. Podell", "e.g. Lyrica").
SENTENCE_BREAK = re.compile(
    r"(?<![Vv]s\.)(?<!\b[Dd]r\.)(?<!\b[Mm]r\.)(?<!\b[Mm]s\.)(?<!\b[Mm]rs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bapprox\.)"
    r"(?<=[.!?;])\s+|\s*\n+\s*"
)
QUESTION_OPENING = re.compile(
    r"^(?:(?:and|but|so|also|ok|okay|and so|or)[, ]+)?"
    r"(?:how|what|whats|what's|which|is|isn't|isnt|are|aren't|arent|does|doesn't|doesnt|do|did|can|could|will|"
    r"would|who|whom|why|where|should|any|has|have|was|were|tell me|explain|describe|"
    r"when(?= (?:will|does|do|did|is|are|can|could|should|would)\b))\b",
    re.IGNORECASE,
)
# Requests that ask without a question mark or a question word ("I'd love to know if...", "wondering whether").
REQUEST = re.compile(
    r"\b(?:wonder(?:ing)?|curious|want(?:ed)? to know|like to know|love to know|anyone know|does anybody know|"
    r"any (?:info|information|evidence|research|studies|data)|need to know|trying to (?:find out|understand)|"
    r"can you (?:tell|explain|give)|please (?:tell|explain))\b",
    re.IGNORECASE,
)
# Whole sentences that are only social: a greeting, thanks, an apology for asking, "long time lurker"; not one that
# goes on to ask ("quick question: is it covered by insurance?", "sorry if this is dumb but does it last?").
SOCIAL = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|dear \w+)\b[\w ,!'-]*|"
    r"(?:thanks?|thank you|thx|ty|many thanks|cheers)\b[\w ,!'-]*|"
    r"(?:sorry|apologies)(?: if| for)\b[^?]*|long[- ]time (?:lurker|reader)\b[^?]*|quick (?:one|question)\b[^?]*|"
    r"(?:any|all) (?:help|advice|thoughts|input)\b[\w ,!'-]*(?:appreciated|welcome)?)$",
    re.IGNORECASE,
)
# A greeting that opens a sentence which then goes on ("hi all, quick one. ..." / "Hey, so I've been..."), or a
# lead-in to one more question ("thank u. one more, does it help the fatigue?", "ok last q, anything on metabolites?").
LEADING_SOCIAL = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?: (?:all|everyone|there|guys|folks))?[,!.]*\s+"
    r"|(?:so|ok|okay|well|um+|hmm+)[,]\s+"
    r"|(?:(?:ok|okay|and|so|also|thanks|thx)\s+)?(?:one more(?: thing| question| q)?|last (?:one|thing|question|q)"
    r"|quick (?:one|question|q)|another (?:one|question|q))[,:]\s+)+",
    re.IGNORECASE,
)

# A question of at most this many words right after another question continues it ("Days? Weeks?").
FRAGMENT_WORDS = 2

# Words by which a question points back at the story before it.
POINTING = re.compile(
    r"\b(?:it|its|that|this|these|those|they|them|their|there|he|she|his|her|one|ones|the two|both)\b", re.IGNORECASE
)

# A question that only asks whether what was just said holds ("Is true?", "Really?", "correct?"): written
# without "it" or "that" by many, it points back all the same.
BARE_CHECK = re.compile(
    r"^\W*(?:(?:is|it'?s|its)\s+)?(?:true|right|correct|real|really|accurate|legit|so|the case)\W*$", re.IGNORECASE
)

# Phrases whose "it" or "that" stands for nothing said before.
IDIOMS = re.compile(r"\b(?:when|where) it comes to\b|\bit (?:seems|sounds) like\b|\bas it turns out\b", re.IGNORECASE)

# A sentence in which the writer tells what they have or how old they are (not what they read or heard).
SELF_DESCRIPTION = re.compile(
    r"^\W*(?:i have|i've had|ive had|i've got|ive got|i (?:was|got|have been|'ve been|ve been) diagnosed|"
    r"i'?m \d+|i am \d+)\b(?! (?:read|heard|seen|been told|noticed|found|learned|come across))",
    re.IGNORECASE,
)

DRUG, CONDITION, FORM = "drug", "condition", "form"
# The forms in which the article gives only ketamine (DXM and memantine are pills; a nasal spray may be Spravato).
KETAMINE_ONLY_FORMS = frozenset({"iv_infusion", "gel"})

# A follow-up that only swaps the drug, condition or form of the last question ("and for fibro?", "what about
# DXM?", "is it the same for ME/CFS?"): with the names taken out, only these words are left.
SWAP_WORDS = frozenset(
    "and or but so ok okay what whats how about for with in on the a an then also too same is it its that true "
    "still any anything people patients someone who have has got those".split()
)
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Query:
    """One message, understood: the questions it asks, the story around them, and the entities of each.

    `drugs`/`conditions`/`forms` are named in the question sentences; `context_drugs`/`context_conditions` only in
    the rest of the message or carried from earlier turns. A question that names no drug leans on the context's.
    """

    text: str
    questions: tuple[str, ...]
    context: tuple[str, ...] = ()  # the sentences that do not ask, in message order
    drugs: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    context_drugs: tuple[str, ...] = ()
    context_conditions: tuple[str, ...] = ()
    topic: str | None = None  # a topic prior (from NLU or an earlier turn), or None
    antecedents: tuple[str, ...] = ()  # the sentence before a question that refers back ("Is that true?")
    near: tuple[str, ...] = ()  # a follow-up's last answer (fact ids): its paragraphs and section rank higher
    near_weight: float = 1.0  # how much more they do for a follow-up that points back ("who said that?")

    @property
    def question_text(self) -> str:
        """The words retrieval ranks against: the question sentences together."""
        return " ".join(self.questions) or self.text

    @property
    def focus_text(self) -> str:
        """The questions and the sentences they point back to: what the message is about."""
        return " ".join((*self.antecedents, *self.questions)) or self.text

    @property
    def background(self) -> str:
        """The story around the questions, less the sentences they point back to."""
        return " ".join(sentence for sentence in self.context if sentence not in self.antecedents)

    def each_question(self) -> list[Query]:
        """One query per question, each keeping the story, its antecedent and the context's entities; a
        question that names no drug or condition leans on the other questions' (they become its context)."""
        if len(self.questions) < 2:
            return [self]
        tagger = get_tagger()
        queries = []
        for question in self.questions:
            tagged = tagger.tag(question)
            others = tuple(q for q in self.questions if q != question)
            queries.append(
                replace(
                    self,
                    questions=(question,),
                    context=(*self.context, *others) if not _values(tagged, DRUG) else self.context,
                    drugs=_values(tagged, DRUG),
                    conditions=_values(tagged, CONDITION),
                    forms=_values(tagged, FORM),
                    context_drugs=tuple(dict.fromkeys((*self.context_drugs, *self.drugs))),
                    context_conditions=tuple(dict.fromkeys((*self.context_conditions, *self.conditions))),
                )
            )
        return queries

    @property
    def all_drugs(self) -> tuple[str, ...]:
        """The drugs the question is about: its own, else those of the context; but a question that names a way
        only ketamine is given in the article ("does insurance pay for the infusions?" after a reply on memantine)
        is about ketamine."""
        if not self.drugs and set(self.forms) & KETAMINE_ONLY_FORMS and not {"ketamine", "esketamine"} & set(
                self.context_drugs):
            return ("ketamine",)
        return self.drugs or self.context_drugs

    @property
    def all_conditions(self) -> tuple[str, ...]:
        return self.conditions or self.context_conditions


def sentences(text: str) -> list[str]:
    """The sentences of a message, stripped, without empty ones."""
    return [part.strip() for part in SENTENCE_BREAK.split(text.strip()) if part and part.strip()]


def is_social(sentence: str) -> bool:
    """A greeting, thanks or apology with nothing else in it."""
    return bool(SOCIAL.match(sentence.strip(" .!")))


def is_question(sentence: str) -> bool:
    """A sentence that asks: it ends with "?", opens with a question word, or asks in so many words."""
    body = LEADING_SOCIAL.sub("", sentence.strip())
    return body.rstrip().endswith("?") or bool(QUESTION_OPENING.match(body)) or bool(REQUEST.search(body))


def names_in(text: str) -> list:
    """The drug, condition and form names of a text, in order (not countries)."""
    return [entity for entity in get_tagger().tag(text) if entity.label in (DRUG, CONDITION, FORM)]


def without_names(text: str) -> str:
    """The text with its drug, condition and form names taken out ("does ketamine help fibro?" -> "does help ?")."""
    kept, end = [], 0
    for entity in names_in(text):
        kept.append(text[end:entity.start])
        end = entity.end
    kept.append(text[end:])
    return " ".join("".join(kept).split())


# The words that open a subject-swapping follow-up and say nothing themselves ("and", "what about", "ok so").
SWAP_OPENING = re.compile(
    r"^(?:(?:and|or|but|so|ok|okay|then|also|what|whats|what's|how|about|is|it|its|the|same)\b[\s,]*)+", re.IGNORECASE
)


def asked_about(last_question: str, follow_up: str) -> str:
    """The last question asked again about the follow-up's drug or condition: its name takes the place of the
    last question's name of the same kind ("how much does spravato cost?" + "what about ketamine infusions?" ->
    "how much does ketamine infusions cost?"), or joins the end when there is none ("how long does it last?" +
    "and for fibro?" -> "how long does it last for fibro?")."""
    new, old = names_in(follow_up), names_in(last_question)
    same_kind = [entity for entity in old if new and entity.label == new[0].label] or [
        # a drug and a form name treatments alike ("how much per infusion?" + "and the spray?")
        entity for entity in old if new and {entity.label, new[0].label} == {"drug", "form"}]
    if new and same_kind:
        span = same_kind[0]
        return f"{last_question[:span.start]}{new[0].text}{last_question[span.end:]}"
    tail = SWAP_OPENING.sub("", follow_up.strip()).strip(" ?.!")
    return f"{last_question.strip().rstrip('?.! ')} {tail}?"


def swaps_subject(text: str) -> bool:
    """A follow-up that only names another drug, condition or form ("and for fibro?", "what about DXM?"): it asks
    the last question again about that. A remark after a comma that asks nothing is story, not part of the swap
    ("ok what about memantine, my aunt takes it for memory")."""
    text = without_remark(text)
    if not names_in(text):
        return False
    return all(word in SWAP_WORDS for word in WORD.findall(without_names(text).lower()))


def without_remark(text: str) -> str:
    """The text before a comma when what follows it asks nothing ("what about memantine, my aunt takes it")."""
    head, comma, remark = text.partition(",")
    return head if comma and remark.strip() and not is_question(remark.strip()) else text


def refers_back(sentence: str) -> bool:
    """A question that points at something said before it ("Is that true?", "Does it help?"); an idiom's "it"
    points at nothing ("Who does it make sense for when it comes to pain?" leans on no earlier sentence for "it"
    in "when it comes to")."""
    return bool(POINTING.search(IDIOMS.sub(" ", sentence)) or BARE_CHECK.match(sentence))


@dataclass(frozen=True)
class Post:
    """A message cut into the sentences that ask, the ones they point back to, and the rest."""

    questions: list[str]
    context: list[str]
    antecedents: list[str]


def split_post(text: str) -> Post:
    """The questions, context and antecedents of a message, in message order, social sentences dropped.

    A message with no sentence that asks ("ketamine for migraines", "my insurance denied it twice") is all
    question: a fragment is how many people ask. The antecedent of a question that refers back ("Is that
    right?") is the statement just before it."""
    parts = [sentence for sentence in sentences(text) if not is_social(sentence)]
    asking = [is_question(sentence) for sentence in parts]
    # "How fast is it? Days? Weeks?": a one- or two-word question right after a question goes on asking it.
    for number in range(len(parts) - 1, 0, -1):
        if asking[number] and asking[number - 1] and len(parts[number].split()) <= FRAGMENT_WORDS:
            parts[number - 1] = f"{parts[number - 1]} {parts.pop(number)}"
            asking.pop(number)
    if not any(asking):
        return Post(parts or [text.strip()], [], [])
    questions = [LEADING_SOCIAL.sub("", sentence).strip() for sentence, asks in zip(parts, asking, strict=True) if asks]
    context = [sentence for sentence, asks in zip(parts, asking, strict=True) if not asks]
    antecedents: list[str] = []

    def names_a_drug(number: int) -> bool:
        return any(entity.label == DRUG for entity in names_in(parts[number]))

    for number, (sentence, asks) in enumerate(zip(parts, asking, strict=True)):
        if asks and refers_back(sentence):
            statements = [i for i in range(number - 1, -1, -1) if not asking[i]]
            # the statement just before, and, when that one names no drug, the nearest one that does ("...says DXM
            # might help fibro. I'm 68 and the gabapentin only takes the edge off. Is there anything to it?")
            chosen = statements[:1]
            if chosen and not names_a_drug(chosen[0]):
                chosen += next(([i] for i in statements[1:] if names_a_drug(i)), [])
                # ...and the writer telling what they have ("I have CRPS in my left hand") is their story, not
                # what "Are they the same thing?" points at, once a statement about a drug is there to point at
                if len(chosen) == 2 and SELF_DESCRIPTION.search(parts[chosen[0]]):
                    chosen = chosen[1:]
            for i in chosen:
                if parts[i] not in antecedents:
                    antecedents.append(parts[i])
    return Post(questions, context, antecedents)


def _values(entities, label: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(entity.value for entity in entities if entity.label == label))


def understand(
    text: str,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
) -> Query:
    """The questions, context and entities of one message. `carried_*` come from earlier turns: they count as
    context, so a follow-up ("is it covered by insurance?") leans on the drug of the last answer."""
    post = split_post(text)
    tagger = get_tagger()
    asked = [entity for question in post.questions for entity in tagger.tag(question)]
    around = [entity for sentence in post.context for entity in tagger.tag(sentence)]
    return Query(
        text=text,
        questions=tuple(post.questions),
        context=tuple(post.context),
        antecedents=tuple(post.antecedents),
        drugs=_values(asked, DRUG),
        conditions=_values(asked, CONDITION),
        forms=_values(asked, FORM),
        context_drugs=tuple(dict.fromkeys((*_values(around, DRUG), *carried_drugs))),
        context_conditions=tuple(dict.fromkeys((*_values(around, CONDITION), *carried_conditions))),
        topic=topic,
    )


def whole_words(cues: list[str]) -> str:
    """A pattern matching any of the cue words or phrases as whole words (normalised text: see normalise)."""
    return r"(?<!\w)(" + "|".join(re.escape(cue) for cue in cues) + r")(?!\w)"


@functools.lru_cache(maxsize=1)
def topic_cues() -> list[tuple[str, re.Pattern[str]]]:
    """Each topic's cue words (data/facts/cues.yml) as one pattern, in the file's priority order."""
    with (FACTS_DIR / "cues.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    return [
        (entry["topic"], re.compile(whole_words(entry["cues"])))
        for entry in spec
    ]


def cue_topic(text: str) -> str | None:
    """The topic one question is about by its cue words, in the priority order of data/facts/cues.yml."""
    normal = normalise(text)
    return next((topic for topic, pattern in topic_cues() if pattern.search(normal)), None)
