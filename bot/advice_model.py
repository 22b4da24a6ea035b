"""A learned second reader for the personal-advice guard: how likely a message is to ask for advice about the
writer's own situation in words the patterns (data/safety/personal_advice.yml) do not have.

Fitted by scripts/advice_examples.py on the tune half's patient messages (data/safety/advice_examples.yml: each
labelled advice or other by its author), stored as arrays (data/safety/advice_model.npz) and read with numpy
(bot/ngram_model.py). When no pattern matched and the probability of advice is at least the threshold (chosen
leaving one author's set out at a time: data/safety/advice_model.yml), the message is refused as personal advice,
with what the article says in general.
"""

from __future__ import annotations

import functools

from bot import ngram_model
from bot.facts import DATA_DIR
from bot.ngram_model import NgramModel, Settings

EXAMPLES = DATA_DIR / "safety" / "advice_examples.yml"
SETTINGS = DATA_DIR / "safety" / "advice_model.yml"
WEIGHTS = DATA_DIR / "safety" / "advice_model.npz"  # written by scripts/advice_examples.py

ADVICE = "advice"
OTHER = "other"


def load_settings() -> Settings:
    return ngram_model.load_settings(SETTINGS)


def load_examples() -> list[dict]:
    return ngram_model.load_examples(EXAMPLES)


@functools.lru_cache(maxsize=1)
def get_advice_model() -> tuple[NgramModel, Settings]:
    return NgramModel.load(WEIGHTS), load_settings()
