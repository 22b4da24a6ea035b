"""Evaluate the trained NLU model on the held-out set (tests/heldout): intent and entity reports, the confusion
matrix (PNG), macro-F1, entity F1 and the most confused intent pairs.

    python scripts/evaluate.py [--model models/current.tar.gz] [--out results/nlu]

Rasa writes the reports; this script runs it and prints the figures that matter (also to results/nlu/summary.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "heldout"
ENTITY_REPORT = "VocabularyEntityTagger_report.json"


def run_rasa_test(model: Path, out: Path) -> None:
    """`rasa test nlu` on the held-out folder; Rasa writes the reports and the confusion matrix into `out`."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = [str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--model", str(model),
               "--nlu", str(HELDOUT), "--out", str(out), "--quiet"]
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def summarise(out: Path) -> dict:
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    entities = json.loads((out / ENTITY_REPORT).read_text(encoding="utf-8"))
    errors = json.loads((out / "intent_errors.json").read_text(encoding="utf-8")) if (
        out / "intent_errors.json").exists() else []
    pairs = Counter(
        tuple(sorted((error["intent"], error["intent_prediction"]["name"]))) for error in errors
    )
    entity_avg = entities.get("micro avg") or entities.get("weighted avg")
    return {
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "intent_accuracy": intents.get("accuracy"),
        "entity_f1": entity_avg["f1-score"],
        "messages": intents["macro avg"]["support"],
        "most_confused": [{"pair": list(pair), "errors": count} for pair, count in pairs.most_common(5)],
        "errors": [{"text": e["text"], "intent": e["intent"], "predicted": e["intent_prediction"]["name"]}
                   for e in errors],
    }


def evaluate(model: Path, out: Path) -> dict:
    run_rasa_test(model, out)
    summary = summarise(out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu")
    args = parser.parse_args(argv)
    summary = evaluate(args.model, args.out)
    print(f"held-out messages: {summary['messages']}")
    print(f"intent macro-F1:   {summary['intent_macro_f1']:.3f}  (accuracy {summary['intent_accuracy']:.3f})")
    print(f"entity F1:         {summary['entity_f1']:.3f}")
    print("most confused intent pairs:")
    for entry in summary["most_confused"]:
        print(f"  {entry['pair'][0]} <-> {entry['pair'][1]}: {entry['errors']}")
    print(f"reports and intent_confusion_matrix.png in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
