"""addons/speedups.py keeps Rasa's behaviour: the same event classes, the same action-reply checks, the same replies
from the action server over a shared connection."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

import addons  # noqa: F401  (applies the speedups)
from addons import speedups

ROOT = Path(__file__).resolve().parents[2]


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


EVENTS_ACCEPTED_OR_NOT = [
    {"event": "slot", "name": "topic", "value": "cost"},
    {"event": "slot", "name": "topic"},  # no value
    {"event": "slot", "value": 1, "timestamp": "yesterday"},
    {"event": "bot", "text": "hello", "data": {"custom": {"kind": "answer", "facts": [{"id": "a"}]}}},
    {"event": "bot", "text": None, "metadata": "not an object"},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                                                   "entities": [{"entity": "drug", "value": "ketamine"}]}},
    {"event": "user", "parse_data": {"entities": [{"entity": "drug"}]}},  # an entity without a value
    {"event": "user", "parse_data": {"intent": {"confidence": "high"}}},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
    {"event": "action", "hide_rule_turn": "yes"},
    {"event": "entities", "entities": []},
    {"event": "entities"},
    {"event": "session_started"}, {"event": "restart", "timestamp": 1.5}, {"event": "followup", "name": "x"},
    {"event": "no_such_event"}, {"event": 3}, {"name": "no type"}, "not an object", None,
]


@pytest.mark.parametrize("event", EVENTS_ACCEPTED_OR_NOT)
def test_action_replies_are_accepted_and_refused_exactly_as_rasas_schema_does(event):
    schema = RemoteAction.action_response_format_spec()
    for reply in ({"events": [event], "responses": [{"text": "hi"}]}, {"events": [{"event": "restart"}, event]}):
        try:
            jsonschema.validate(reply, schema)
            rasa_accepts = True
        except jsonschema.ValidationError:
            rasa_accepts = False
        try:
            accepted = RemoteAction("action_answer", None)._validate_action_result(reply)
        except jsonschema.ValidationError:
            accepted = False
        assert accepted == rasa_accepts, reply


@pytest.mark.parametrize("reply", [{}, {"events": None}, {"responses": "no"}, {"events": [], "responses": [3]}, []])
def test_replies_without_events_are_judged_as_rasas_schema_does(reply):
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except jsonschema.ValidationError:
        rasa_accepts = False
    try:
        accepted = RemoteAction("action_answer", None)._validate_action_result(reply)
    except (jsonschema.ValidationError, AttributeError):
        accepted = False
    assert accepted == rasa_accepts, reply


def test_applied_once():
    speedups.apply()
    assert RemoteAction._validate_action_result is speedups.validate_action_result


# --- one shared session for the action server ------------------------------------------------------------------

class CountingServer:
    """A small HTTP server that echoes JSON and tells the client's port (one per connection)."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        async def answer(request: web.Request) -> web.Response:
            peer = request.transport.get_extra_info("peername")[1]  # the client's port: one per connection
            return web.json_response({"echo": await request.json(), "peer": peer})

        app = web.Application()
        app.router.add_post("/webhook", answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.runner.cleanup()


async def _three_calls(endpoint: EndpointConfig) -> list[int]:
    return [(await endpoint.request(json={"n": n}, method="post"))["peer"] for n in range(3)]


def test_action_calls_share_one_connection_and_get_the_same_replies():
    async def scenario():
        server = CountingServer()
        await server.start()
        try:
            peers = await _three_calls(EndpointConfig(f"http://127.0.0.1:{server.port}/webhook"))
            reply = await EndpointConfig(f"http://127.0.0.1:{server.port}/webhook").request(json={"a": 1})
        finally:
            await speedups.close_sessions()
            await server.stop()
        return peers, reply

    peers, reply = asyncio.run(scenario())
    assert len(set(peers)) == 1, "each call opened a new connection"
    assert reply["echo"] == {"a": 1}


def test_a_call_after_the_action_server_restarted_still_gets_its_reply():
    async def scenario():
        server = CountingServer()
        await server.start()
        endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
        try:
            first = await endpoint.request(json={"n": 1})
            port = server.port
            await server.stop()  # closes the kept-alive connection
            server = CountingServer()
            await server.start(port)
            second = await endpoint.request(json={"n": 2})
        finally:
            await speedups.close_sessions()
            await server.stop()
        return first, second

    first, second = asyncio.run(scenario())
    assert first["echo"] == {"n": 1} and second["echo"] == {"n": 2}


def test_an_endpoint_with_credentials_keeps_rasas_own_request(monkeypatch):
    called = []

    async def rasa_request(self, *args, **kwargs):
        called.append(self.url)
        return {"ok": True}

    monkeypatch.setattr(speedups, "_rasa_request", rasa_request)
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", token="secret")
    endpoint.headers = {"X-Key": "1"}
    assert asyncio.run(endpoint.request(json={})) == {"ok": True} and called == ["http://127.0.0.1:1/webhook"]


def test_a_process_that_never_stopped_its_server_exits_without_aiohttp_warnings(tmp_path):
    script = tmp_path / "call_once.py"
    script.write_text(
        "import asyncio\n"
        "from aiohttp import web\n"
        "import addons  # noqa: F401\n"
        "from rasa.utils.endpoints import EndpointConfig\n"
        "async def main():\n"
        "    async def answer(request):\n"
        "        return web.json_response({'ok': 1})\n"
        "    app = web.Application()\n"
        "    app.router.add_post('/webhook', answer)\n"
        "    runner = web.AppRunner(app)\n"
        "    await runner.setup()\n"
        "    site = web.TCPSite(runner, '127.0.0.1', 0)\n"
        "    await site.start()\n"
        "    port = site._server.sockets[0].getsockname()[1]\n"
        "    print(await EndpointConfig(f'http://127.0.0.1:{port}/webhook').request(json={}))\n"
        "    await runner.cleanup()\n"
        "asyncio.run(main())\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-W", "default", str(script)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0 and "{'ok': 1}" in run.stdout, run.stderr[-2000:]
    assert "Unclosed" not in run.stderr and "connector.close" not in run.stderr, run.stderr[-2000:]


# --- the intent classifier's coefficients --------------------------------------------------------------------------

def test_intent_scores_are_unchanged_and_the_coefficients_are_stored_column_by_column():
    import scipy.sparse
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from sklearn.linear_model import LogisticRegression

    rows = scipy.sparse.random(60, 300, density=0.05, format="csr", random_state=1)
    labels = [f"intent_{number % 4}" for number in range(60)]
    classifier = LogisticRegressionClassifier.create(
        LogisticRegressionClassifier.get_default_config(), LocalModelStorage(Path("unused")), Resource("lr"),
        ExecutionContext(None, "lr"))
    classifier.clf = LogisticRegression(max_iter=300).fit(rows, labels)
    assert not classifier.clf.coef_.flags.f_contiguous  # as scikit-learn leaves it: the slow layout
    expected = classifier.clf.predict_proba(rows[:5])

    def message(row: int) -> Message:
        message = Message(data={TEXT: "text"})
        message.add_features(Features(rows[row].tocoo(), FEATURE_TYPE_SENTENCE, TEXT, "featurizer"))
        return message

    messages = classifier.process([message(row) for row in range(5)])
    assert classifier.clf.coef_.flags.f_contiguous
    for row, processed in enumerate(messages):
        ranking = {entry["name"]: entry["confidence"] for entry in processed.get("intent_ranking")}
        for column, intent in enumerate(classifier.clf.classes_):
            assert abs(ranking[intent] - expected[row][column]) < 1e-12
