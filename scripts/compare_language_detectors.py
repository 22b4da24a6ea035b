"""Compare language detectors on short and long messages: which tells Spanish from English best, and how fast.

    python scripts/compare_language_detectors.py

Messages: the Spanish and English items of tests/safety/eval/ (crisis, emergency, non-crisis posts) plus the
short chat turns of SHORT below. Prints accuracy on Spanish and on English, milliseconds per message and the
memory each adds (langid is measured first, so lingua's figure is what it adds on top)."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "safety" / "eval"

# Short turns, the hardest case for any detector (labels: es or en).
SHORT = [
    ("hola", "es"), ("gracias", "es"), ("ayuda", "es"), ("no se", "es"), ("tengo miedo", "es"),
    ("que es spravato", "es"),
    ("sirve la ketamina?", "es"), ("quiero morir", "es"), ("estoy mal", "es"), ("me duele todo", "es"),
    ("hi", "en"), ("thanks", "en"), ("help", "en"), ("ok", "en"), ("yes", "en"), ("no", "en"), ("more", "en"),
    ("what is spravato", "en"), ("ketamine for fibro?", "en"), ("dxm dose", "en"), ("is it safe", "en"),
    ("tell me more", "en"), ("i want to die", "en"), ("cost?", "en"), ("memantine", "en"), ("fibromyalgia", "en"),
]


def messages() -> list[tuple[str, str]]:
    danger = yaml.safe_load((EVAL / "danger.yml").read_text(encoding="utf-8"))
    calm = yaml.safe_load((EVAL / "not_crisis.yml").read_text(encoding="utf-8"))
    items = [(entry["text"], "es") for entry in danger["spanish"]]
    items += [(entry["text"], "en") for entry in danger["crisis"] + danger["emergency"]]
    items += [(entry["text"], "en") for entry in calm["not_crisis"]]
    return items + SHORT


def lingua_detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.GERMAN, Language.PORTUGUESE,
                 Language.ITALIAN]
    detector = LanguageDetectorBuilder.from_languages(*languages).build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "en"

    return detect


def langid_detector():
    import langid

    langid.set_languages(["en", "es", "fr", "de", "pt", "it"])
    return lambda text: langid.classify(text)[0]


def shipped_detector():
    """What the bot uses: lingua, naming another language only when sure (bot/safety.py)."""
    sys.path.insert(0, str(ROOT))
    from bot.safety import detect_language

    return detect_language


def main() -> None:
    items = messages()
    print(f"{len(items)} messages ({sum(lang == 'es' for _, lang in items)} Spanish)")
    print("| detector | Spanish right | English right | short turns right | ms per message | memory added, MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    detectors = (("langid", langid_detector), ("lingua-language-detector", lingua_detector),
                 ("lingua as shipped (sure or English)", shipped_detector))
    for name, build in detectors:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        detect = build()
        for text, _ in items[:5] + SHORT[:3]:
            detect(text)  # loads the models
        memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        start = time.perf_counter()
        found = [detect(text) for text, _ in items]
        elapsed = (time.perf_counter() - start) * 1000 / len(items)
        spanish = [got == "es" for got, (_, lang) in zip(found, items, strict=True) if lang == "es"]
        english = [got == "en" for got, (_, lang) in zip(found, items, strict=True) if lang == "en"]
        short = [got == lang for got, (_, lang) in zip(found[-len(SHORT):], SHORT, strict=True)]
        print(f"| {name} | {sum(spanish)}/{len(spanish)} | {sum(english)}/{len(english)} | "
              f"{sum(short)}/{len(short)} | {elapsed:.2f} | {memory:.0f} |")


if __name__ == "__main__":
    main()
