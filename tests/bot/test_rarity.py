"""bot/rarity.py gives exactly wordfreq's English Zipf values (Answerability.rarity in bot/rank.py depends on them,
and the not-covered decisions on it), without wordfreq's word list in the serving process."""

from __future__ import annotations

import random
import string
import subprocess
import sys

import pytest
import wordfreq

from bot import rarity

ENGLISH = wordfreq.get_frequency_dict("en")


def sample_known(count: int = 3000) -> list[str]:
    words = sorted(ENGLISH)
    chooser = random.Random(12)
    return wordfreq.top_n_list("en", 500) + chooser.sample(words, count)


def sample_unknown(count: int = 2000) -> list[str]:
    chooser = random.Random(34)
    made = set()
    while len(made) < count:
        made.add("".join(chooser.choice(string.ascii_lowercase) for _ in range(chooser.randint(3, 14))))
    # misspellings and made-up drug names of the kind patients type
    made |= {"ketamin", "spravatoo", "fibromyalgiaa", "esketamin", "zuranolonee", "psilocibin", "qwertyuiop"}
    return sorted(made - set(ENGLISH))


@pytest.mark.parametrize("words", [sample_known(), sample_unknown()], ids=["known", "unknown"])
def test_same_values_as_wordfreq(words):
    assert len(words) > 1000
    differing = [(word, rarity.zipf_frequency(word), wordfreq.zipf_frequency(word, "en")) for word in words
                 if rarity.zipf_frequency(word) != wordfreq.zipf_frequency(word, "en")]
    assert differing == []


def test_unknown_words_are_really_unknown_to_wordfreq():
    assert {wordfreq.zipf_frequency(word, "en") for word in sample_unknown()} == {0.0}


def test_other_characters_are_asked_of_wordfreq():
    for word in ("café", "naïve", "qué", "don't", "covid19", "ketamine-assisted", "fibromyalgíá"):
        assert rarity.zipf_frequency(word) == wordfreq.zipf_frequency(word, "en"), word


def test_the_serving_process_never_holds_wordfreq():
    """Asking about ordinary words imports neither wordfreq nor its list (a fresh process, as a server)."""
    code = ("import sys; from bot.rarity import zipf_frequency; "
            "values = [zipf_frequency(w) for w in ('the', 'ketamine', 'fibromyalgia', 'qzxwvut')]; "
            "assert values[0] > 7 and values[-1] == 0.0, values; "
            "assert 'wordfreq' not in sys.modules, 'wordfreq imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_table_is_built(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "table.sqlite3"
    monkeypatch.setenv("RARITY_TABLE", str(path))
    assert rarity.ensure_table() == path and path.exists()
    assert rarity.ensure_table() == path  # built once
