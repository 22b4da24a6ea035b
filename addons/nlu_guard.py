"""NLU components that put safety before understanding.

`InputGuard` runs first: it reads the whole message with the safety guard (bot/safety.py: crisis, emergency,
check-in tiers) and for unreadable input, then cleans and caps the text so a huge or hostile message cannot slow
or confuse the rest of the pipeline. `DestructiveIntentGuard` keeps a misread from even asking to delete a
conversation. `SafetyOverride` runs last: whatever the classifier thought, a message the guard flagged gets the
intent `crisis`, `emergency`, `check_in` or `bad_input` with confidence 1.0, so the rules answer it before
anything else. A request for personal medical advice that the classifier sent anywhere but the answer action
becomes `ask_personal_advice`, so it is always refused. The classifier backs the guard up without ever replacing
an answer on its own: its confident crisis or emergency call (`classifier_min_confidence`) becomes a check-in
(the question, the help line, and the answer); a hesitant one falls to the next intent.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.constants import CLASSIFIER_INTENT, INPUT_CHECK, MESSAGE_LANGUAGE
from bot.memory import release_free_memory
from bot.safety import CHECK_IN, clean_text, detect_language, get_advice_guard, get_crisis_guard, input_problem

SAFETY_FLAG = "safety_flag"  # set on the message by InputGuard, read by SafetyOverride
PAST_REACTION = "safety_past_reaction"  # a reaction told in the past: no alarm, the answer
BAD_INPUT_INTENT = "bad_input"
ADVICE_INTENT = "ask_personal_advice"
UNREADABLE_STAND_IN = "unreadable message"
HELP_INTENTS = ("crisis", "emergency")  # also the flags InputGuard sets for them
CHECK_IN_INTENT = CHECK_IN  # an ambiguous message: the answer action asks "Are you having thoughts of ending..."
SAFETY_INTENTS = (*HELP_INTENTS, CHECK_IN_INTENT)


def warm_up() -> None:
    """Load what InputGuard uses on every message: the guards, and every model of the language detector. lingua
    loads a language's models when a message first needs them, and not every message needs all: these do
    (measured: after them, thousands of other messages load nothing more)."""
    get_crisis_guard().assess(WARM_UP_TEXTS[0])
    get_advice_guard().check(WARM_UP_TEXTS[0])
    for text in WARM_UP_TEXTS:
        input_problem(text)


WARM_UP_TEXTS = ("how much does spravato cost?", "quiero morir esta noche", "je veux mourir ce soir",
                 "ich will heute sterben", "quero morrer hoje", "voglio morire stasera")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Flags crisis, emergency, ambiguous (check-in), unreadable and personal-advice messages, then cleans and caps
    the text. Distress without a risk sign is not flagged: the answer action adds its line and still answers."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> InputGuard:
        """For serving: the guards and the language detector's models are loaded now rather than on the first
        patient's message, then the memory lingua freed while loading them goes back to the system (about 45 MB,
        bot/memory.py)."""
        guard = cls.create(config, model_storage, resource, execution_context)
        warm_up()
        release_free_memory()
        return guard

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            assessment = get_crisis_guard().assess(text)
            flag = assessment.tier if assessment.tier in (*HELP_INTENTS, CHECK_IN_INTENT) else None
            message.set(PAST_REACTION, assessment.past_reaction)
            message.set(MESSAGE_LANGUAGE, assessment.language, add_to_output=True)
            problem = input_problem(text) if flag is None else None
            if problem is not None:
                flag = BAD_INPUT_INTENT
                message.set(INPUT_CHECK, {"problem": problem, "language": detect_language(text)}, add_to_output=True)
            if flag is None and get_advice_guard().check(text) is not None:
                flag = ADVICE_INTENT
            message.set(SAFETY_FLAG, flag)
            # An unreadable message may hold no features at all, which the classifier cannot take: it is
            # answered from the flag, so the classifier gets a neutral stand-in.
            message.set(TEXT, UNREADABLE_STAND_IN if flag == BAD_INPUT_INTENT else clean_text(text))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(GraphComponent):
    """Overrides the predicted intent with the guard's flag (crisis, emergency, bad_input, personal advice)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.classifier_min_confidence = float(config.get("classifier_min_confidence", 0.8))

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"classifier_min_confidence": 0.8}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            flag = message.get(SAFETY_FLAG)
            predicted = message.get(INTENT) or {}
            message.set(CLASSIFIER_INTENT, predicted.get("name"), add_to_output=True)
            if flag in (*HELP_INTENTS, BAD_INPUT_INTENT, CHECK_IN_INTENT):
                override_intent(message, flag)
                continue
            if predicted.get("name") in SAFETY_INTENTS:
                # The guard saw no risk sign. A confident classifier still gets the person asked (the check-in,
                # which carries the help line and keeps the answer); a hesitant one, or a reaction told in the
                # past, falls to the next intent. Only the guard's clear signs replace the answer with help.
                confident = predicted.get("confidence", 0) >= self.classifier_min_confidence
                if confident and not message.get(PAST_REACTION):
                    override_intent(message, CHECK_IN_INTENT)
                    continue
                fall_to_next_intent(message, SAFETY_INTENTS)
            name = str((message.get(INTENT) or {}).get("name"))
            if flag == ADVICE_INTENT and not (name.startswith("ask_") or name == "inform"):
                override_intent(message, flag)
        return messages


def override_intent(message: Message, intent_name: str) -> None:
    """Set the intent, with full confidence, at the head of the ranking (the guards' decisions)."""
    intent = {"name": intent_name, "confidence": 1.0}
    ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != intent_name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


def fall_to_next_intent(message: Message, dropped: tuple[str, ...]) -> None:
    """Replace the predicted intent with the likeliest one that is not in `dropped`."""
    ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") not in dropped]
    if ranking:
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DestructiveIntentGuard(GraphComponent):
    """A typed request to destroy data must be unmistakable before the bot even asks to confirm it.

    The classifier's `forget_me` (or any intent listed in `intents`) stands only when it is confident
    (`min_confidence`) and the message has no question content (no drug, condition or form named, no topic cue
    such as cost or side effects). Otherwise the message falls to its next intent and is answered: "why won't my
    insurance cover ketamine?" must never turn into a deletion prompt. Buttons send payloads, which skip NLU."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DestructiveIntentGuard:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.intents = tuple(config.get("intents") or ("forget_me",))
        self.min_confidence = float(config.get("min_confidence", 0.9))
        # The command itself, typed as the whole message ("forget me", "Forget me."), is unmistakable however
        # unsure the classifier is of two words: it gets the first intent (and still only the question).
        self.commands = frozenset(command_key(command) for command in config.get("commands") or ())

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intents": ["forget_me"], "min_confidence": 0.9, "commands": []}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if command_key(message.get(TEXT) or "") in self.commands and not message.get(SAFETY_FLAG):
                override_intent(message, self.intents[0])
                continue
            predicted = message.get(INTENT) or {}
            if predicted.get("name") not in self.intents:
                continue
            unsure = predicted.get("confidence", 0.0) < self.min_confidence
            if unsure or has_question_content(message.get(TEXT) or "", message.get(ENTITIES) or []):
                fall_to_next_intent(message, self.intents)
        return messages


def command_key(text: str) -> str:
    """A message as a command: lower case, the words only ("Forget me." and "forget me" are one command)."""
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def has_question_content(text: str, entities: list[dict[str, Any]]) -> bool:
    """True when a message is about the treatments: it names a drug, condition or form, or a topic cue."""
    from bot.understand import cue_topic  # only needed for these few messages

    return any(entity.get("entity") in ("drug", "condition", "form") for entity in entities) or (
        cue_topic(text) is not None
    )
