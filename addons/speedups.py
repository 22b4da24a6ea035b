"""Four fixes to per-turn work that Rasa Open Source 3.6.21 repeats needlessly (measured with
scripts/profile_turn.py; figures in the README). They keep Rasa's behaviour and are checked by
tests/store/test_speedups.py; `apply()` is called once, when Rasa imports our add-ons.

1. Every custom action's reply is checked against a JSON schema with `jsonschema.validate`, which first checks
   the schema itself against the JSON Schema meta-schema: about 5 ms of every turn went there. The schema never
   changes, so it is checked once and the compiled validators are reused; each event is checked against the part
   of the schema for its type only (about 3 ms more; the same events are accepted and refused).
2. Reading a conversation turns each stored event back into an object by searching all of Rasa's event classes,
   recomputing the class tree for every event: most of the cost of loading a conversation. The lookup by type
   name is now built once (Rasa's events are all defined when rasa.shared.core.events is imported).
3. Every call to the action server opened a new HTTP client session and connection, and closed it after the
   reply (about 1.5 ms of every turn). Calls now share one session per event loop, whose connections are kept
   alive for less time than the action server keeps them (so a connection it is closing is never reused); a
   request on a connection the server closed anyway (it restarted) is sent once more on a new one. Endpoints
   with credentials, headers or a CA file keep Rasa's own request. `close_sessions()` closes them at shutdown.
4. The intent classifier scores a message as X @ coef_.T. scikit-learn stores coef_ row by row, so its transpose
   is not contiguous and scipy copied the whole coefficient matrix on every message (about 2 ms a turn). The
   matrix is stored column by column once, on first use; the scores are the same.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import warnings
from functools import lru_cache, wraps
from typing import Any

import aiohttp
import numpy as np
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, ClientResponseError, EndpointConfig, concat_url

_applied = False


@lru_cache(maxsize=1)
def _action_result_validators() -> tuple[Any, Any, dict[str, Any]]:
    """Validators for Rasa's action-reply schema: the reply without its events, any one event, and one event of each
    type. The schema accepts an event when it matches exactly one of its alternatives, one per event type; they
    differ in the event's type name, so an event of a known type matches that alternative or none. Checking it
    against that alternative alone is the same check without trying the other 22 (about 3 ms a turn)."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    events = schema["properties"]["events"]
    reply = {**schema, "properties": {**schema["properties"],
                                      "events": {key: value for key, value in events.items() if key != "items"}}}
    any_event = events["items"]
    common = {key: value for key, value in any_event.items() if key != "oneOf"}
    by_type = {alternative["properties"]["event"]["const"]: validator_class({"allOf": [common, alternative]})
               for alternative in any_event["oneOf"]}
    return validator_class(reply), validator_class(any_event), by_type


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's RemoteAction._validate_action_result: the schema is checked once, and each event only against the
    alternative for its type."""
    reply, any_event, by_type = _action_result_validators()
    try:
        reply.validate(result)
        for event in result.get("events") or ():
            type_name = event.get("event") if isinstance(event, dict) else None
            validator = by_type.get(type_name) if isinstance(type_name, str) else None
            (validator or any_event).validate(event)
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


# Below sanic's keep-alive timeout (5 s, which rasa-sdk's action server keeps).
KEEPALIVE_SECONDS = 2.0
_rasa_request = EndpointConfig.request
_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


def _shared_session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        for other in [other for other in _sessions if other.is_closed()]:
            del _sessions[other]  # loops that ended (tests): their sessions can't be used or closed any more
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
        session = aiohttp.ClientSession(connector=connector,
                                        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
        _sessions[loop] = session
    return session


@atexit.register
def _close_sessions_at_exit() -> None:
    """A process that never stopped its server (a script, a test) closes the shared connections as it exits, so
    aiohttp has no unclosed session to warn about (closing the connector needs no event loop)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # aiohttp prefers awaiting it; there is no loop left
        for session in _sessions.values():
            with contextlib.suppress(Exception):  # its loop may be gone: nothing left to tidy then
                session.connector.close()
    _sessions.clear()


async def close_sessions() -> None:
    """Close this event loop's shared session (the channel calls it when the server stops)."""
    session = _sessions.pop(asyncio.get_running_loop(), None)
    if session is not None and not session.closed:
        await session.close()


async def request_on_shared_session(self: EndpointConfig, method: str = "post", subpath: str | None = None,
                                    content_type: str | None = "application/json", compress: bool = False,
                                    **kwargs: Any) -> Any:
    """Rasa's EndpointConfig.request on the loop's shared session (the same headers, parameters and errors)."""
    if self.basic_auth or self.headers or self.cafile:
        return await _rasa_request(self, method, subpath, content_type, compress, **kwargs)
    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    url = concat_url(self.url, subpath)
    params = self.combine_parameters(kwargs)
    for attempt in (1, 2):
        try:
            async with _shared_session().request(method, url, headers=headers, params=params, compress=compress,
                                                 **kwargs) as response:
                if response.status >= 400:
                    raise ClientResponseError(response.status, response.reason, await response.content.read())
                try:
                    return await response.json()
                except aiohttp.ContentTypeError:
                    return None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
            if attempt == 2:
                raise
    return None


def with_column_major_coefficients(process: Any) -> Any:
    """LogisticRegressionClassifier.process, with coef_ stored column by column so that X @ coef_.T copies nothing."""
    @wraps(process)
    def wrapper(self: LogisticRegressionClassifier, messages: Any) -> Any:
        coefficients = getattr(self.clf, "coef_", None)  # None before training
        if coefficients is not None and not coefficients.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(coefficients)
        return process(self, messages)

    return wrapper


def apply() -> None:
    global _applied
    if _applied:
        return
    LogisticRegressionClassifier.process = with_column_major_coefficients(LogisticRegressionClassifier.process)
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    EndpointConfig.request = request_on_shared_session
    _applied = True
