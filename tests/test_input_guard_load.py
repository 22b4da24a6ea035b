"""InputGuard.load (addons/nlu_guard.py), what the Rasa server runs when it loads the model: the guards and the
language detector's models are loaded before the first patient's message, then the memory lingua freed while
loading goes back to the system (bot/memory.py)."""

from __future__ import annotations

import pytest

from addons import nlu_guard
from addons.nlu_guard import WARM_UP_TEXTS, InputGuard
from bot import advice_model, memory, risk, safety


@pytest.fixture
def cold(monkeypatch):
    """Nothing loaded yet, as in a fresh Rasa process; the release recorded instead of made."""
    for cached in (safety._language_detector, safety.detect_language, safety.get_crisis_guard,
                   safety.get_advice_guard, risk.get_risk_model, advice_model.get_advice_model):
        cached.cache_clear()
    released = []
    monkeypatch.setattr(nlu_guard, "release_free_memory", lambda: released.append(True) or True)
    return released


def test_loading_the_model_loads_the_guards_and_every_language_model_then_releases_memory(cold):
    guard = InputGuard.load({}, None, None, None)

    assert isinstance(guard, InputGuard)
    assert safety._language_detector.cache_info().currsize == 1
    assert safety.get_crisis_guard.cache_info().currsize == 1 and safety.get_advice_guard.cache_info().currsize == 1
    assert risk.get_risk_model.cache_info().currsize == 1  # the learned risk model's weights, read once
    assert advice_model.get_advice_model.cache_info().currsize == 1  # and the advice model's
    # every warm-up text went through the detector: each of the six languages' models is in memory
    assert {safety.detect_language(text) for text in WARM_UP_TEXTS} == {"en", "es", "fr", "de", "pt", "it"}
    assert safety.detect_language.cache_info().hits >= len(WARM_UP_TEXTS)
    assert cold == [True], "the memory freed while loading is given back once"


def test_creating_for_training_loads_nothing(cold):
    InputGuard.create({}, None, None, None)
    assert safety._language_detector.cache_info().currsize == 0 and cold == []
    assert risk.get_risk_model.cache_info().currsize == 0


def test_a_message_after_loading_is_judged_as_before(cold):
    guard = InputGuard.load({}, None, None, None)
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "quiero morir esta noche"})
    guard.process([message])
    assert message.get(nlu_guard.SAFETY_FLAG) == "crisis"


def test_release_free_memory_asks_glibc_and_changes_no_value():
    values = {"kept": list(range(1000))}
    asked = memory.release_free_memory()
    assert asked is (memory._trim() is not None)
    assert values == {"kept": list(range(1000))}
