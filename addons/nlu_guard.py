"""NLU components that put safety before understanding.

`InputGuard` runs first: it checks the whole message for crisis or emergency wording and for unreadable input,
then cleans and caps the text so a huge or hostile message cannot slow or confuse the rest of the pipeline.
`SafetyOverride` runs last: whatever the classifier thought, a message the guard flagged gets the intent
`crisis`, `emergency` or `bad_input` with confidence 1.0, so the rules answer it before anything else. A request
for personal medical advice that the classifier sent anywhere but the answer action becomes `ask_personal_advice`,
so it is always refused (the answer action refuses it too, keeping the classifier's topic for the general
facts). The classifier backs
the guard up: its own crisis or emergency prediction stands when it is confident (`classifier_min_confidence`);
a hesitant one ("what's on tv tonight?") falls to the next intent, so idioms don't get a crisis reply.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety import clean_text, get_advice_guard, get_crisis_guard, input_problem

SAFETY_FLAG = "safety_flag"  # set on the message by InputGuard, read by CrisisGuard
CLASSIFIER_INTENT = "classifier_intent"  # what the classifier alone predicted (kept for evaluation)
BAD_INPUT_INTENT = "bad_input"
ADVICE_INTENT = "ask_personal_advice"
UNREADABLE_STAND_IN = "unreadable message"
HELP_INTENTS = ("crisis", "emergency")  # also the flags InputGuard sets for them


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Flags crisis, emergency, unreadable and personal-advice messages, then cleans and caps the text."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            flag = get_crisis_guard().check(text)
            if flag is None and input_problem(text) is not None:
                flag = BAD_INPUT_INTENT
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
            if flag in (*HELP_INTENTS, BAD_INPUT_INTENT):
                self._override(message, flag)
                continue
            if predicted.get("name") in HELP_INTENTS:
                if predicted.get("confidence", 0) >= self.classifier_min_confidence:
                    continue  # the classifier's own crisis call stands
                self._fall_to_next_intent(message)
            name = str((message.get(INTENT) or {}).get("name"))
            if flag == ADVICE_INTENT and not (name.startswith("ask_") or name == "inform"):
                self._override(message, flag)
        return messages

    @staticmethod
    def _override(message: Message, intent_name: str) -> None:
        intent = {"name": intent_name, "confidence": 1.0}
        ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != intent_name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)

    @staticmethod
    def _fall_to_next_intent(message: Message) -> None:
        ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") not in HELP_INTENTS]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
