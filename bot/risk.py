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
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.facts import DATA_DIR

EXAMPLES = DATA_DIR / "safety" / "risk_examples.yml"
SETTINGS = DATA_DIR / "safety" / "risk_model.yml"
WEIGHTS = DATA_DIR / "safety" / "risk_model.npz"  # written by scripts/risk_examples.py

CRISIS = "crisis"
EMERGENCY = "emergency"
CALM = "calm"
KINDS = (CALM, CRISIS, EMERGENCY)

# Windows are cut at sentence ends: a sign said once in a long post is read with its neighbour, not with the post.
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class RiskReading:
    """The model's reading of one message: the probability of a crisis or an emergency, and which is likelier."""

    probability: float
    kind: str  # CRISIS or EMERGENCY


@dataclass(frozen=True)
class Settings:
    threshold: float
    regularisation: float


def load_settings(path: Path = SETTINGS) -> Settings:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Settings(float(spec["threshold"]), float(spec["regularisation"]))


def load_examples(path: Path = EXAMPLES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]


def windows(text: str) -> list[str]:
    """The whole message, and each pair of neighbouring sentences when it has more than one."""
    parts = [part for part in SENTENCE_END.split(text) if part.strip()]
    if len(parts) < 2:
        return [text]
    return [text, *(" ".join(parts[i:i + 2]) for i in range(len(parts) - 1))]


class RiskModel:
    """Word 1-2-grams and character 3-5-grams (TF-IDF, each L2-normalised, side by side) into a three-way logistic
    regression (calm, crisis, emergency) with balanced class weights.

    `fit` fits it with scikit-learn (scripts and tests); the bot loads the fitted weights from
    data/safety/risk_model.npz and reads a message with numpy alone, as vectorizer.transform and predict_proba
    would: fitting in the server took about a second and left some 40 MB with the allocator."""

    def __init__(self, vocabularies: tuple[dict[str, int], dict[str, int]], idf: tuple[np.ndarray, np.ndarray],
                 coef: np.ndarray, intercept: np.ndarray, classes: tuple[str, ...]) -> None:
        self.vocabularies, self.idf, self.coef, self.intercept, self.classes = (
            vocabularies, idf, coef, intercept, classes)
        self.analyzers = tuple(vectorizer().build_analyzer() for vectorizer in _vectorizers())
        self.columns = {kind: classes.index(kind) for kind in KINDS}

    @classmethod
    def fit(cls, texts: list[str], kinds: list[str], regularisation: float) -> RiskModel:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(*(vectorizer() for vectorizer in _vectorizers()))
        classifier = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
        make_pipeline(features, classifier).fit(texts, kinds)
        fitted = [vectorizer for _, vectorizer in features.transformer_list]
        return cls(tuple(vectorizer.vocabulary_ for vectorizer in fitted),
                   tuple(vectorizer.idf_ for vectorizer in fitted),
                   classifier.coef_, classifier.intercept_, tuple(classifier.classes_))

    def save(self, path: Path) -> None:
        terms = [np.array(sorted(vocabulary, key=vocabulary.get)) for vocabulary in self.vocabularies]
        np.savez_compressed(path, word_terms=terms[0], char_terms=terms[1], word_idf=self.idf[0],
                            char_idf=self.idf[1], coef=self.coef, intercept=self.intercept,
                            classes=np.array(self.classes))

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        with np.load(path, allow_pickle=False) as stored:
            vocabularies = tuple({str(term): column for column, term in enumerate(stored[f"{part}_terms"])}
                                 for part in ("word", "char"))
            return cls(vocabularies, (stored["word_idf"], stored["char_idf"]), stored["coef"], stored["intercept"],
                       tuple(str(kind) for kind in stored["classes"]))

    def same_as(self, other: RiskModel, tolerance: float = 1e-4) -> bool:
        """The same n-grams and, to rounding (the solver's last digits may differ by machine), the same weights."""
        return (self.vocabularies == other.vocabularies and self.classes == other.classes
                and all(np.allclose(a, b, atol=tolerance) for a, b in zip(self.idf, other.idf, strict=True))
                and np.allclose(self.coef, other.coef, atol=tolerance)
                and np.allclose(self.intercept, other.intercept, atol=tolerance))

    def _logits(self, text: str) -> np.ndarray:
        """The classifier's decision function for one text: vectorizer.transform of both vectorizers, side by side,
        times the coefficients (only the columns of the n-grams the text has)."""
        logits = self.intercept.astype(float)
        offset = 0
        for analyzer, vocabulary, idf in zip(self.analyzers, self.vocabularies, self.idf, strict=True):
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if counts:
                columns = np.fromiter(counts, dtype=int, count=len(counts))
                weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[columns]
                logits = logits + self.coef[:, offset + columns] @ (weights / np.linalg.norm(weights))
            offset += len(vocabulary)
        return logits

    def probabilities(self, text: str) -> np.ndarray:
        """predict_proba of each window of `text`: one row per window, one column per class."""
        logits = np.stack([self._logits(window) for window in windows(text)])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def read(self, text: str) -> RiskReading:
        """The riskiest window's reading."""
        probabilities = self.probabilities(text)
        calm = probabilities[:, self.columns[CALM]]
        worst = int(calm.argmin())
        crisis, emergency = (probabilities[worst, self.columns[kind]] for kind in (CRISIS, EMERGENCY))
        return RiskReading(float(1.0 - calm[worst]), EMERGENCY if emergency > crisis else CRISIS)


def _vectorizers():
    """The two vectorizers' settings (a factory each: unfitted, or fitted by RiskModel.fit)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (lambda: TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True))


def fit(examples: list[dict], regularisation: float, prepare=lambda text: text) -> RiskModel:
    """A model fitted on `examples` (dicts with text and kind), each text passed through `prepare` first (the
    guard's normalisation without denials, as at reading time)."""
    return RiskModel.fit([prepare(example["text"]) for example in examples],
                         [example["kind"] for example in examples], regularisation)


@functools.lru_cache(maxsize=1)
def get_risk_model() -> tuple[RiskModel, Settings]:
    return RiskModel.load(WEIGHTS), load_settings()
