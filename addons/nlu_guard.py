"""NLU components that put safety before understanding.

`InputGuard` runs first: it checks the whole message for crisis or emergency wording and for unreadable input,
then cleans and caps the text so a huge or hostile message cannot slow or confuse the rest of the pipeline.
`CrisisGuard` runs last: whatever the classifier thought, a message the guard flagged gets the intent `crisis`,
`emergency` or `bad_input` with confidence 1.0, so the rules answer it before anything else. The classifier backs
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

from bot.safety import clean_text, get_crisis_guard, input_problem

SAFETY_FLAG = "safety_flag"  # set on the message by InputGuard, read by CrisisGuard
CLASSIFIER_INTENT = "classifier_intent"  # what the classifier alone predicted (kept for evaluation)
BAD_INPUT_INTENT = "bad_input"
HELP_INTENTS = ("crisis", "emergency")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Flags crisis, emergency and unreadable messages, then cleans and caps the text for the pipeline."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.enabled = config.get("enabled", True)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"enabled": True}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            flag = get_crisis_guard().check(text) if self.enabled else None
            if flag is None and input_problem(text) is not None:
                flag = BAD_INPUT_INTENT
            message.set(SAFETY_FLAG, flag)
            message.set(TEXT, clean_text(text) or " ")
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisGuard(GraphComponent):
    """Overrides the predicted intent with the guard's flag (crisis, emergency, bad_input)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
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
            if not flag:
                if predicted.get("name") in HELP_INTENTS and predicted.get("confidence", 0) < self.classifier_min_confidence:
                    self._fall_to_next_intent(message)
                continue
            intent = {"name": flag, "confidence": 1.0}
            ranking = [intent] + [
                entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") != flag
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    @staticmethod
    def _fall_to_next_intent(message: Message) -> None:
        ranking = [entry for entry in (message.get(INTENT_RANKING_KEY) or []) if entry.get("name") not in HELP_INTENTS]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
