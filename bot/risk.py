"""A learned second reader for the crisis guard: how likely a message is to carry a risk sign the patterns missed.

The guard's phrase patterns (data/safety/crisis.yml) catch what their authors foresaw; measured on safety sets by
authors it never saw, they miss one crisis message in four. This model learns from every development message
(data/safety/risk_examples.yml: crisis, emergency and calm messages from the development safety sets, and the tune
half's ordinary patient questions as calm) with word and character n-grams and a logistic regression (scikit-learn,
which Rasa already installs). It never raises an alarm: a message it finds likely risky (above a threshold chosen
leave-one-set-out by scripts/risk_examples.py --sweep) gets the check-in question with the help line, and its
answer. Long posts are read whole and two sentences at a time, so a sign said once among treatment questions is
not drowned out.

scripts/risk_examples.py fits it on the examples and stores its weights (data/safety/risk_model.npz: n-grams, idf,
coefficients; no pickle); a test checks they are what the examples give. Nothing is downloaded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot import ngram_model
from bot.facts import DATA_DIR
from bot.ngram_model import NgramModel, Settings

EXAMPLES = DATA_DIR / "safety" / "risk_examples.yml"
SETTINGS = DATA_DIR / "safety" / "risk_model.yml"
WEIGHTS = DATA_DIR / "safety" / "risk_model.npz"  # written by scripts/risk_examples.py

CRISIS = "crisis"
EMERGENCY = "emergency"
CALM = "calm"
KINDS = (CALM, CRISIS, EMERGENCY)


@dataclass(frozen=True)
class RiskReading:
    """The model's reading of one message: the probability of a crisis or an emergency, and which is likelier."""

    probability: float
    kind: str  # CRISIS or EMERGENCY


def load_settings() -> Settings:
    return ngram_model.load_settings(SETTINGS)


def load_examples() -> list[dict]:
    return ngram_model.load_examples(EXAMPLES)


class RiskModel(NgramModel):
    """Three classes: calm, crisis, emergency."""

    def read(self, text: str) -> RiskReading:
        """The riskiest window's reading."""
        probabilities = self.probabilities(text)
        calm = probabilities[:, self.columns[CALM]]
        worst = int(calm.argmin())
        crisis, emergency = (probabilities[worst, self.columns[kind]] for kind in (CRISIS, EMERGENCY))
        return RiskReading(float(1.0 - calm[worst]), EMERGENCY if emergency > crisis else CRISIS)


@functools.lru_cache(maxsize=1)
def get_risk_model() -> tuple[RiskModel, Settings]:
    return RiskModel.load(WEIGHTS), load_settings()
