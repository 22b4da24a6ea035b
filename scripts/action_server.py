"""The action server on rasa-sdk alone: the actions package (actions/) without Rasa, TensorFlow or JAX.

    python -m scripts.action_server --port 5055 [--actions actions] [rasa-sdk's other options]

`rasa run actions` starts the same rasa-sdk server through the `rasa` command, which imports Rasa and with it
TensorFlow (about 500 MB more memory, and seconds more to start) though the actions use neither. Here the server is
rasa-sdk's own (`python -m rasa_sdk`), and two optional imports that libraries try are refused before anything
else loads: thinc (under spaCy) imports TensorFlow when it is installed, and bm25s imports JAX when it is installed.
Both fall back without them (thinc's TensorFlow shims and bm25s's JAX top-k are never used here: bot/rank.py
reads BM25 scores, not its top-k). tests/test_action_server.py checks, in a fresh process that loads the actions
the way this module does, that neither Rasa nor TensorFlow (nor JAX) is imported.

Third-party deprecation warnings are not shown unless VERBOSE is set. scripts/services.py starts it so for `make
run`, the tests, the benchmark and the systemd units.
"""

from __future__ import annotations

import logging
import os
import sys

# Imports that would succeed (they are installed, for Rasa) but that the action server must not pay for. A None in
# sys.modules makes `import tensorflow` raise ImportError, which thinc and bm25s treat as "not installed".
REFUSED_IMPORTS = ("tensorflow", "jax")
ACTIONS_PACKAGE = "actions"
LEVEL_OPTIONS = {"-v", "--verbose", "-vv", "--debug", "--quiet"}


def refuse_heavy_imports() -> None:
    """Make TensorFlow and JAX unimportable in this process. Call it before anything imports spaCy or bm25s."""
    for name in REFUSED_IMPORTS:
        if sys.modules.get(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]


def quiet_warnings() -> None:
    """Third-party deprecation warnings off unless VERBOSE is set (as in every make target)."""
    import warnings

    if os.environ.get("VERBOSE"):
        return
    with warnings.catch_warnings():  # Sanic turns deprecation warnings on ("once") when imported: undo that
        warnings.simplefilter("ignore")
        import sanic  # noqa: F401
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)


def load_actions(package: str = ACTIONS_PACKAGE) -> list[str]:
    """Register the package's actions as the server does (every module of it); the names of the actions."""
    refuse_heavy_imports()
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package(package)
    return sorted(executor.actions)


def main(argv: list[str] | None = None) -> None:
    refuse_heavy_imports()
    quiet_warnings()
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    parser.prog = "python -m scripts.action_server"
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    args.actions = args.actions or ACTIONS_PACKAGE
    if not LEVEL_OPTIONS & set(argv):  # as for the Rasa server: LOG_LEVEL, INFO by default
        args.loglevel = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    main_from_args(args)


if __name__ == "__main__":
    main()
