"""The Rasa server: `rasa <arguments>` (e.g. `run --model ...`), without JAX and without deprecation noise.

    python -m scripts.rasa_server run --model models/current.tar.gz --port 5005 ...

TensorFlow, which Rasa imports, imports JAX when it is installed (for TFLite conversion, which Rasa never does);
refusing it saves about 65 MB per Rasa process. Third-party deprecation warnings are left out of the log unless
VERBOSE is set. Everything else is the `rasa` command itself. scripts/services.py starts Rasa so for `make run`,
the tests, the benchmark and the systemd units.
"""

from __future__ import annotations

import sys

from scripts.action_server import quiet_warnings

REFUSED_IMPORTS = ("jax",)


def main(argv: list[str] | None = None) -> int:
    for name in REFUSED_IMPORTS:
        if sys.modules.get(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]  # `import jax` raises ImportError
    quiet_warnings()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
