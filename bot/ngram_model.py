"""A small text classifier for the safety layer's learned readers (bot/risk.py, bot/advice_model.py).

Word 1-2-grams and character 3-5-grams (TF-IDF) into a logistic regression (scikit-learn, which Rasa already
installs), fitted by a script on examples kept in data/ and stored as arrays (n-grams, idf, coefficients; no pickle):
the bot reads messages with numpy alone. Long posts are read whole and two sentences at a time, so what is said once
among other talk is not drowned out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

# Windows are cut at sentence ends: a sign said once in a long post is read with its neighbour, not with the post.
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Settings:
    threshold: float
    regularisation: float


def load_settings(path: Path) -> Settings:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Settings(float(spec["threshold"]), float(spec["regularisation"]))


def load_examples(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]


def windows(text: str) -> list[str]:
    """The whole message, and each pair of neighbouring sentences when it has more than one."""
    parts = [part for part in SENTENCE_END.split(text) if part.strip()]
    if len(parts) < 2:
        return [text]
    return [text, *(" ".join(parts[i:i + 2]) for i in range(len(parts) - 1))]


class NgramModel:
    """Word 1-2-grams and character 3-5-grams (TF-IDF, each L2-normalised, side by side) into a logistic regression
    with balanced class weights.

    `fit` fits it with scikit-learn (scripts and tests); the bot loads the fitted weights from a .npz file and reads
    a message with numpy alone, as vectorizer.transform and predict_proba would: fitting in the server took about a
    second and left some 40 MB with the allocator."""

    def __init__(self, vocabularies: tuple[dict[str, int], dict[str, int]], idf: tuple[np.ndarray, np.ndarray],
                 coef: np.ndarray, intercept: np.ndarray, classes: tuple[str, ...]) -> None:
        self.vocabularies, self.idf, self.coef, self.intercept, self.classes = (
            vocabularies, idf, coef, intercept, classes)
        self.analyzers = tuple(vectorizer().build_analyzer() for vectorizer in _vectorizers())
        self.columns = {kind: number for number, kind in enumerate(classes)}

    @classmethod
    def fit(cls, texts: list[str], kinds: list[str], regularisation: float) -> NgramModel:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(*(vectorizer() for vectorizer in _vectorizers()))
        classifier = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
        make_pipeline(features, classifier).fit(texts, kinds)
        fitted = [vectorizer for _, vectorizer in features.transformer_list]
        return cls(tuple(vectorizer.vocabulary_ for vectorizer in fitted),
                   tuple(vectorizer.idf_ for vectorizer in fitted),
                   classifier.coef_, classifier.intercept_, tuple(classifier.classes_))

    @classmethod
    def fit_examples(cls, examples: list[dict], regularisation: float,
                     prepare: Callable[[str], str] = lambda text: text) -> NgramModel:
        """A model fitted on `examples` (dicts with text and kind), each text passed through `prepare` first (as it
        will be at reading time)."""
        return cls.fit([prepare(example["text"]) for example in examples], [example["kind"] for example in examples],
                       regularisation)

    def save(self, path: Path) -> None:
        terms = [np.array(sorted(vocabulary, key=vocabulary.get)) for vocabulary in self.vocabularies]
        np.savez_compressed(path, word_terms=terms[0], char_terms=terms[1], word_idf=self.idf[0],
                            char_idf=self.idf[1], coef=self.coef, intercept=self.intercept,
                            classes=np.array(self.classes))

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        with np.load(path, allow_pickle=False) as stored:
            vocabularies = tuple({str(term): column for column, term in enumerate(stored[f"{part}_terms"])}
                                 for part in ("word", "char"))
            return cls(vocabularies, (stored["word_idf"], stored["char_idf"]), stored["coef"], stored["intercept"],
                       tuple(str(kind) for kind in stored["classes"]))

    def same_as(self, other: NgramModel, tolerance: float = 1e-4) -> bool:
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
        if logits.shape[1] == 1:  # two classes: scikit-learn keeps one row of coefficients, for the second class
            logits = np.hstack([np.zeros_like(logits), logits])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def probability(self, kind: str, text: str) -> float:
        """The probability of `kind` in the window of `text` where it is highest."""
        return float(self.probabilities(text)[:, self.columns[kind]].max())

def _vectorizers():
    """The two vectorizers' settings (a factory each: unfitted, or fitted by RiskModel.fit)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (lambda: TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True))
