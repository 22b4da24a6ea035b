"""Links that open the article at the paragraph a fact comes from, with a URL text fragment.

`passage_url(para)` is the article's URL plus `#:~:text=start,end`: a few words from the start and the end of
that paragraph, kept in the paragraph index (data/facts/paragraphs.yml, written by scripts/index_article.py).
A browser that supports text fragments scrolls to the paragraph and highlights it; one that doesn't simply
opens the article. A paragraph without fragment words gets the plain URL.

Only PyYAML and the standard library: the lean action server imports this without Rasa or spaCy.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import quote

import yaml

FACTS_DIR = Path(__file__).resolve().parent.parent / "data" / "facts"


def encode_term(text: str) -> str:
    """One text-fragment term, percent-encoded as the Text Fragments spec asks: everything but letters, digits
    and `_.~` is escaped, including `-`, `,` and `&`, which the fragment syntax itself uses."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(start: str, end: str | None = None) -> str:
    """`#:~:text=start,end` (or `#:~:text=start` when there is no end)."""
    terms = [encode_term(start)] + ([encode_term(end)] if end else [])
    return "#:~:text=" + ",".join(terms)


@functools.lru_cache(maxsize=1)
def _article_url() -> str:
    source = yaml.safe_load((FACTS_DIR / "source.yml").read_text(encoding="utf-8"))
    return str(source["url"])


@functools.lru_cache(maxsize=1)
def _fragments() -> dict[int, str]:
    index = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8")) or []
    return {int(entry["para"]): text_fragment(entry["start"], entry.get("end"))
            for entry in index if entry.get("start")}


def article_url() -> str:
    """The article's URL, from data/facts/source.yml."""
    return _article_url()


def passage_url(para: int | None) -> str:
    """The article's URL opening at paragraph `para` (numbered from 1 as in the paragraph index); the plain URL
    for a paragraph with no fragment words (a heading, the footer, an unknown number or None)."""
    try:
        return _article_url() + _fragments().get(int(para), "")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _article_url()
