"""Compare NLU pipeline choices on the held-out set: train each variant of config.yml (NLU only) and report
intent macro-F1, entity F1, training time and parse latency. Used to choose the pipeline in config.yml.

    python scripts/compare_pipelines.py [--variants shipped spacy-lemmas regex-entities diet diet-no-transformer]

Writes results/pipelines/<variant>/ (reports) and results/pipelines/summary.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.evaluate import entity_span_f1, evaluate  # noqa: E402

OUT = ROOT / "results" / "pipelines"
LOOKUPS = OUT / "lookups.yml"
SPACY_DIR = OUT / "spacy_en"


def replace(pipeline: list[dict], name: str, new: list[dict]) -> list[dict]:
    result = []
    for component in pipeline:
        result.extend(new if component["name"] == name else [component])
    return result


def variants(config: dict) -> dict[str, dict]:
    """Each variant changes one thing of the shipped config."""
    base = config["pipeline"]
    found: dict[str, list[dict]] = {"shipped": base}
    # With spaCy lemmas for the features: SpacyNLP loads our blank English + lookup-lemmatizer pipeline.
    found["spacy-lemmas"] = replace(
        base, "WhitespaceTokenizer",
        [{"name": "SpacyNLP", "model": str(SPACY_DIR)}, {"name": "SpacyTokenizer"}],
    )
    # Without the spaCy PhraseMatcher tagger: Rasa's RegexEntityExtractor over lookup tables of the same words.
    found["regex-entities"] = replace(
        base, "addons.entity_tagger.VocabularyEntityTagger",
        [{"name": "RegexEntityExtractor", "use_lookup_tables": True, "use_regexes": False, "case_sensitive": False}],
    )
    diet = {"name": "DIETClassifier", "epochs": 60, "entity_recognition": False, "constrain_similarities": True,
            "random_seed": 7}
    found["diet"] = replace(base, "LogisticRegressionClassifier", [diet])
    found["diet-no-transformer"] = replace(
        base, "LogisticRegressionClassifier", [{**diet, "number_of_transformer_layers": 0}]
    )
    return {name: {**config, "pipeline": pipeline} for name, pipeline in found.items()}


def write_lookups() -> Path:
    """Lookup tables built from the fact base vocabulary, for the regex-entities variant."""
    from bot.facts import load_fact_base

    base = load_fact_base()
    groups = {"drug": base.drugs, "condition": base.conditions, "form": base.forms}
    nlu = [{"lookup": label, "examples": "".join(f"- {word}\n" for words in names.values() for word in words)}
           for label, names in groups.items()]
    LOOKUPS.parent.mkdir(parents=True, exist_ok=True)
    LOOKUPS.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, sort_keys=False), encoding="utf-8")
    return LOOKUPS


def parse_latency_ms(model: Path, texts: list[str]) -> float:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> float:
        await agent.parse_message("warm up")
        start = time.perf_counter()
        for text in texts:
            await agent.parse_message(text)
        return (time.perf_counter() - start) * 1000 / len(texts)

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    every = variants(config)
    parser.add_argument("--variants", nargs="+", default=list(every), choices=list(every))
    args = parser.parse_args(argv)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    rasa = str(ROOT / ".venv" / "bin" / "rasa")
    lookups = write_lookups()
    from bot.nlp import build_pipeline

    build_pipeline().to_disk(SPACY_DIR)
    summary = {}
    for name in args.variants:
        folder = OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        config_path = folder / "config.yml"
        config_path.write_text(yaml.safe_dump(every[name], sort_keys=False), encoding="utf-8")
        nlu = ["--nlu", str(ROOT / "data" / "nlu")] if name != "regex-entities" else ["--nlu", str(folder / "nlu")]
        if name == "regex-entities":
            (folder / "nlu").mkdir(exist_ok=True)
            for path in (ROOT / "data" / "nlu").glob("*.yml"):
                (folder / "nlu" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
            (folder / "nlu" / "lookups.yml").write_text(lookups.read_text(encoding="utf-8"), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([rasa, "train", "nlu", "-c", str(config_path), *nlu, "--out", str(folder), "--fixed-model-name",
                        "model", "--quiet"], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        train_s = time.perf_counter() - start
        model = folder / "model.tar.gz"
        result = evaluate(model, folder / "report")
        # The same exact-span measure for every variant (rasa test writes no report for some extractors).
        entity_f1 = entity_span_f1(model)
        texts = [line[2:] for line in (ROOT / "tests" / "safety" / "near_miss.yml").read_text().splitlines()
                 if line.startswith("  - ")]
        summary[name] = {"intent_macro_f1": result["intent_macro_f1"], "entity_f1": entity_f1,
                         "train_seconds": round(train_s, 1), "parse_ms": round(parse_latency_ms(model, texts), 1)}
        print(name, summary[name], flush=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"\n{'variant':16} {'intent F1':>10} {'span F1':>10} {'train s':>8} {'parse ms':>9}")
    for name, row in summary.items():
        entity = "-" if row["entity_f1"] is None else f"{row['entity_f1']:.3f}"
        print(f"{name:16} {row['intent_macro_f1']:10.3f} {entity:>10} {row['train_seconds']:8.1f} "
              f"{row['parse_ms']:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
