"""Links to the passage: bot/passages.py builds `#:~:text=start,end` links from the paragraph index, and each
fragment finds its own paragraph in the article (checked where the article is beside the checkout)."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import unquote

import pytest
import yaml

from bot.facts import FACTS_DIR
from bot.passages import article_url, encode_term, passage_url, text_fragment
from scripts.index_article import normalise, paragraphs
from tests.conftest import ARTICLE, ROOT

INDEX = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8"))
WITH_FRAGMENT = [entry for entry in INDEX if entry.get("start")]
needs_article = pytest.mark.skipif(not ARTICLE.exists(),
                                   reason="the article is not beside this checkout (../shared/source)")


def terms(url: str) -> list[str]:
    """The decoded terms of a URL's text fragment."""
    _, _, fragment = url.partition("#:~:text=")
    return [unquote(term) for term in fragment.split(",")]


def test_every_factual_paragraph_has_fragment_words():
    factual = {entry["para"] for entry in INDEX if entry["kind"] == "fact"}
    assert factual == {entry["para"] for entry in WITH_FRAGMENT}


def test_every_fact_links_to_its_passage(base):
    for fact in base.facts:
        url = passage_url(fact.para)
        assert url.startswith(article_url() + "#:~:text="), fact.id


@pytest.mark.parametrize("para", [1, 6, 83, 999, None, "x"])
def test_a_paragraph_without_fragment_gets_the_plain_url(para):
    assert passage_url(para) == article_url()


def test_fragment_terms_are_encoded_as_the_spec_asks():
    assert encode_term("pain-reducing, a & b") == "pain%2Dreducing%2C%20a%20%26%20b"
    assert text_fragment("one two", "three") == "#:~:text=one%20two,three"
    assert text_fragment("whole heading") == "#:~:text=whole%20heading"
    for entry in WITH_FRAGMENT:  # no raw character that the fragment syntax or a URL would misread
        fragment = passage_url(entry["para"]).partition("#:~:text=")[2]
        assert not set(fragment) & set(" -&#\"'<>"), entry["para"]
        assert terms(passage_url(entry["para"])) == [entry["start"]] + ([entry["end"]] if "end" in entry else [])


def test_passages_imports_neither_rasa_nor_tensorflow():
    code = "import sys, bot.passages as p; p.passage_url(4); print(sorted(m for m in sys.modules if m.split('.')[0] " \
           "in ('rasa', 'rasa_sdk', 'tensorflow', 'spacy')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@needs_article
@pytest.mark.parametrize("entry", WITH_FRAGMENT, ids=lambda entry: f"para{entry['para']}")
def test_fragment_finds_its_own_paragraph_in_the_article(entry):
    """As a browser does: the first match of the start words on the page, then the first match of the end words
    after it; both must be inside this paragraph, start before end, and on word boundaries."""
    every = paragraphs(ARTICLE.read_text(encoding="utf-8"))
    document = normalise("\n".join(every))
    begin = len(normalise("\n".join(every[: entry["para"] - 1]))) + (1 if entry["para"] > 1 else 0)
    finish = begin + len(normalise(every[entry["para"] - 1]))
    found = terms(passage_url(entry["para"]))
    assert 1 <= len(found) <= 2
    start = document.find(found[0].lower())
    assert begin <= start < finish, f"the start words first occur outside paragraph {entry['para']}"
    assert start == begin or not document[start - 1].isalnum()
    if len(found) == 1:
        assert start + len(found[0]) <= finish
        return
    end = document.find(found[1].lower(), start + len(found[0]))
    assert start + len(found[0]) <= end and end + len(found[1]) <= finish, "the end is not after the start here"
    assert end + len(found[1]) == len(document) or not document[end + len(found[1])].isalnum()


@needs_article
def test_the_index_on_disk_is_the_one_the_script_writes():
    from scripts.index_article import index

    assert index(ARTICLE.read_text(encoding="utf-8")) == INDEX
