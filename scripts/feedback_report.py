"""Summarise the widget's thumbs up/down (addons/feedback.py) by fact, by reason and by intent.

Usage: python scripts/feedback_report.py [folder]   (default: FEEDBACK_DIR, else var/feedback/)
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

NO_REASON = "(none given)"


def default_folder() -> Path:
    """FEEDBACK_DIR, else var/feedback/: as addons/feedback.py stores it (without importing Rasa to find out)."""
    return Path(os.environ.get("FEEDBACK_DIR") or ROOT / "var" / "feedback")


def load(folder: Path) -> tuple[list[dict[str, Any]], int]:
    """Every stored vote in `folder` (feedback-*.jsonl), and how many lines could not be read."""
    entries, skipped = [], 0
    for path in sorted(folder.glob("feedback-*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                if entry.get("vote") in ("up", "down"):
                    entries.append(entry)
                    continue
            except (json.JSONDecodeError, AttributeError):
                pass
            skipped += bool(line.strip())
    return entries, skipped


def summarise(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts: in total, per fact (up, down, reasons of the downs), per reason of a down vote, per intent."""
    total: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    facts: dict[str, dict[str, Any]] = defaultdict(lambda: {"up": 0, "down": 0, "reasons": Counter()})
    intents: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        vote = entry["vote"]
        total[vote] += 1
        intents[str(entry.get("intent"))][vote] += 1
        if vote == "down":
            reasons[entry.get("reason") or NO_REASON] += 1
        for fact in entry.get("facts") or []:
            facts[fact][vote] += 1
            if vote == "down" and entry.get("reason"):
                facts[fact]["reasons"][entry["reason"]] += 1
    return {
        "total": {"up": total["up"], "down": total["down"]},
        "facts": {fact: {"up": c["up"], "down": c["down"], "reasons": dict(c["reasons"])} for fact, c in facts.items()},
        "reasons": dict(reasons),
        "intents": {intent: {"up": c["up"], "down": c["down"]} for intent, c in intents.items()},
    }


def report(summary: dict[str, Any], skipped: int = 0) -> str:
    """The summary as plain text tables, the facts with the most thumbs down first."""
    up, down = summary["total"]["up"], summary["total"]["down"]
    if not up + down:
        return "No feedback yet." + (f" ({skipped} unreadable line(s) skipped.)" if skipped else "")
    lines = [f"Feedback: {up + down} votes, {up} up, {down} down."]
    if skipped:
        lines.append(f"({skipped} line{'s' if skipped != 1 else ''} skipped: not readable.)")
    lines += ["", "By fact (most thumbs down first):", f"  {'fact':40} {'up':>4} {'down':>5}  reasons"]
    for fact, c in sorted(summary["facts"].items(), key=lambda item: (-item[1]["down"], -item[1]["up"], item[0])):
        why = ", ".join(f"{reason} {n}" for reason, n in sorted(c["reasons"].items(), key=lambda r: -r[1]))
        lines.append(f"  {fact:40} {c['up']:>4} {c['down']:>5}  {why}")
    lines += ["", "Reasons given with a thumbs down:"]
    lines += [f"  {reason:40} {n:>4}" for reason, n in sorted(summary["reasons"].items(), key=lambda r: -r[1])]
    lines += ["", "By intent:", f"  {'intent':40} {'up':>4} {'down':>5}"]
    for intent, c in sorted(summary["intents"].items(), key=lambda item: (-item[1]["down"], item[0])):
        lines.append(f"  {intent:40} {c['up']:>4} {c['down']:>5}")
    return "\n".join(lines)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default_folder()
    entries, skipped = load(folder)
    print(f"Folder: {folder}")
    print(report(summarise(entries), skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
