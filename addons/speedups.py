"""Two fixes to per-turn work that Rasa Open Source 3.6.21 repeats needlessly (measured with
scripts/profile_turn.py; figures in the README). Both keep Rasa's behaviour and are checked by
tests/store/test_speedups.py; `apply()` is called once, when Rasa imports our add-ons.

1. Every custom action's reply is checked against a JSON schema with `jsonschema.validate`, which first checks
   the schema itself against the JSON Schema meta-schema: about 5 ms of every turn went there. The schema never
   changes, so it is checked once and the compiled validator is reused.
2. Reading a conversation turns each stored event back into an object by searching all of Rasa's event classes,
   recomputing the class tree for every event: most of the cost of loading a conversation. The lookup by type
   name is now built once (Rasa's events are all defined when rasa.shared.core.events is imported).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_applied = False


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's RemoteAction._validate_action_result, with the schema checked once instead of every turn."""
    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


@lru_cache(maxsize=1)
def _event_classes() -> dict[str, type]:
    classes: dict[str, type] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)  # the first match wins, as in Rasa's own loop
    return classes


def resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """Rasa's Event.resolve_by_type, with the name-to-class table built once."""
    found = _event_classes().get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def apply() -> None:
    global _applied
    if _applied:
        return
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    _applied = True
