"""addons/speedups.py keeps Rasa's behaviour: the same event classes, the same action-reply checks."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

import addons  # noqa: F401  (applies the speedups)
from addons import speedups


def rasa_resolve_by_type(type_name, default=None):
    """Rasa 3.6.21's own lookup, for comparison."""
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return default


def test_every_event_type_resolves_to_the_same_class_as_in_rasa():
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_resolve_by_type(cls.type_name)


def test_events_round_trip():
    for event in (UserUttered("hi", {"name": "greet"}), ActionExecuted("action_listen"), SlotSet("topic", "cost"),
                  SessionStarted()):
        assert Event.from_parameters(event.as_dict()) == event


def test_unknown_event_names_behave_as_in_rasa():
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_action_replies_are_still_checked():
    action = RemoteAction("action_answer", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "topic", "value": "cost"}],
                                           "responses": [{"text": "hello"}]})
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "no_such_event"}], "responses": []})
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_applied_once():
    speedups.apply()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
