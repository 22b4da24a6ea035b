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
    entity_reports = [path for path in sorted(out.glob("*_report.json")) if path.name != "intent_report.json"]
    # The shipped pipeline's extractor is VocabularyEntityTagger; compared variants may use another one.
    report = next((path for path in entity_reports if path.name == ENTITY_REPORT), None)
    report = report or (entity_reports[0] if entity_reports else None)
    entities = json.loads(report.read_text(encoding="utf-8")) if report else {}
    errors = json.loads((out / "intent_errors.json").read_text(encoding="utf-8")) if (
        out / "intent_errors.json").exists() else []
    pairs = Counter(
        tuple(sorted((error["intent"], error["intent_prediction"]["name"]))) for error in errors
    )
    entity_avg = entities.get("micro avg") or entities.get("weighted avg") or {"f1-score": None}
    return {
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "intent_accuracy": intents.get("accuracy"),
        "entity_f1": entity_avg["f1-score"],
        "messages": intents["macro avg"]["support"],
        "most_confused": [{"pair": list(pair), "errors": count} for pair, count in pairs.most_common(5)],
        "errors": [{"text": e["text"], "intent": e["intent"], "predicted": e["intent_prediction"]["name"]}
                   for e in errors],
    }


def heldout_messages() -> list[tuple[str, str]]:
    """(text as typed, intent) for every held-out example, entity markup removed."""
    import re

    import yaml

    pairs = []
    for path in sorted(HELDOUT.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in (data or {}).get("nlu", []) if isinstance(data, dict) else []:
            for line in block["examples"].splitlines():
                if line.strip():
                    pairs.append((re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip()[2:]), block["intent"]))
    return pairs


def annotated_entities() -> list[tuple[str, set[tuple[int, int, str]]]]:
    """(text as typed, {(start, end, label)}) for every held-out example, from its [text](label) markup."""
    import re

    import yaml

    examples = []
    for path in sorted(HELDOUT.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in (data or {}).get("nlu", []) if isinstance(data, dict) else []:
            for line in block["examples"].splitlines():
                if not line.strip():
                    continue
                marked, text, spans = line.strip()[2:], "", set()
                position = 0
                for match in re.finditer(r"\[([^\]]+)\]\(([^)]+)\)", marked):
                    text += marked[position:match.start()]
                    spans.add((len(text), len(text) + len(match.group(1)), match.group(2)))
                    text += match.group(1)
                    position = match.end()
                examples.append((text + marked[position:], spans))
    return examples


def entity_span_f1(model: Path) -> float:
    """Micro F1 of exact (start, end, label) entity spans on the held-out set, for any entity extractor."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    examples = annotated_entities()

    async def predict() -> list[set[tuple[int, int, str]]]:
        found = []
        for text, _ in examples:
            parsed = await agent.parse_message(text)
            found.append({(e["start"], e["end"], e["entity"]) for e in parsed.get("entities", [])})
        return found

    predicted = asyncio.run(predict())
    true_positives = sum(len(gold & guess) for (_, gold), guess in zip(examples, predicted, strict=True))
    gold_total = sum(len(gold) for _, gold in examples)
    guess_total = sum(len(guess) for guess in predicted)
    precision = true_positives / guess_total if guess_total else 0.0
    recall = true_positives / gold_total if gold_total else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def threshold_sweep(model: Path, thresholds=(0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)) -> list[dict]:
    """For each fallback threshold: the share of held-out messages answered (top confidence >= threshold) and
    how many of those were routed right. Reads the classifier's ranking under any nlu_fallback."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    pairs = heldout_messages()

    async def top(text: str) -> tuple[str, float]:
        parsed = await agent.parse_message(text)
        ranking = [entry for entry in parsed.get("intent_ranking") or [] if entry["name"] != "nlu_fallback"]
        best = ranking[0] if ranking else parsed["intent"]
        if parsed["intent"]["confidence"] == 1.0:  # set by the safety guard
            best = parsed["intent"]
        return best["name"], best["confidence"]

    async def run() -> list[tuple[str, float]]:
        return [await top(text) for text, _ in pairs]

    predictions = asyncio.run(run())
    rows = []
    for threshold in thresholds:
        answered = [(name, intent) for (name, confidence), (_, intent) in zip(predictions, pairs, strict=True)
                    if confidence >= threshold]
        right = sum(name == intent for name, intent in answered)
        rows.append({"threshold": threshold, "answered": len(answered) / len(pairs),
                     "right_when_answered": right / len(answered) if answered else 0.0,
                     "wrong_answers": len(answered) - right})
    return rows


def evaluate(model: Path, out: Path) -> dict:
    run_rasa_test(model, out)
    summary = summarise(out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu")
    parser.add_argument("--sweep", action="store_true", help="also sweep the fallback threshold")
    args = parser.parse_args(argv)
    summary = evaluate(args.model, args.out)
    if args.sweep:
        summary["threshold_sweep"] = threshold_sweep(args.model)
        (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        print("fallback threshold sweep (held-out): threshold, answered, right when answered, wrong answers")
        for row in summary["threshold_sweep"]:
            print(f"  {row['threshold']:.2f}  {row['answered']:6.1%}  {row['right_when_answered']:6.1%}  "
                  f"{row['wrong_answers']}")
    print(f"held-out messages: {summary['messages']}")
    print(f"intent macro-F1:   {summary['intent_macro_f1']:.3f}  (accuracy {summary['intent_accuracy']:.3f})")
    entity_f1 = summary["entity_f1"]
    print(f"entity F1:         {'-' if entity_f1 is None else round(entity_f1, 3)}")
    print("most confused intent pairs:")
    for entry in summary["most_confused"]:
        print(f"  {entry['pair'][0]} <-> {entry['pair'][1]}: {entry['errors']}")
    print(f"reports and intent_confusion_matrix.png in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
