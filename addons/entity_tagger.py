"""Tags drugs, conditions, forms and countries with spaCy's PhraseMatcher, from the fact base vocabulary.

The names come from data/facts/vocabulary.yml and data/safety/crisis_resources.yml, so the words the bot
understands and the words its facts are filed under can never drift apart. Values are the canonical names
(e.g. "the nasal spray" -> esketamine, "fibro" -> fibromyalgia).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.vocabulary import get_tagger


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class VocabularyEntityTagger(GraphComponent, EntityExtractorMixin):
    """Finds drug, condition, form and country entities by exact (case-insensitive) phrase match."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VocabularyEntityTagger:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        tagger = get_tagger()
        for message in messages:
            found = [
                {"entity": entity.label, "value": entity.value, "start": entity.start, "end": entity.end,
                 "confidence_entity": 1.0}
                for entity in tagger.tag(message.get(TEXT) or "")
            ]
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
