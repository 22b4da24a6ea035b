"""The project's spaCy pipeline: a blank English tokenizer with a lookup lemmatizer (no downloaded model).

The same pipeline serves bot/ (ranking facts by lemma) and Rasa (SpacyNLP loads the copy that
`save_pipeline()` writes to var/spacy_en), so training and answering see the same tokens and lemmas.
"""

from __future__ import annotations

import functools
from pathlib import Path

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from bot.facts import PROJECT_ROOT

PIPELINE_DIR = PROJECT_ROOT / "var" / "spacy_en"


def build_pipeline() -> Language:
    """A blank English pipeline with lemmas from spacy-lookups-data (installed from PyPI, not downloaded)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def save_pipeline(path: Path = PIPELINE_DIR) -> Path:
    """Write the pipeline where Rasa's SpacyNLP loads it (config.yml `model: var/spacy_en`)."""
    build_pipeline().to_disk(path)
    return path


@functools.lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The pipeline, built once per process."""
    return build_pipeline()


def content_lemmas(text: str) -> list[str]:
    """Lower-case lemmas of the words in `text` that carry meaning (no stop words, no punctuation)."""
    doc = get_pipeline()(text.lower())
    return [
        token.lemma_
        for token in doc
        if not token.is_punct and not token.is_space and token.lower_ not in STOP_WORDS and token.lemma_.strip()
    ]


if __name__ == "__main__":
    print(f"spaCy pipeline written to {save_pipeline()}")
