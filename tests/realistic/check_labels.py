"""Check tests/realistic/*.yml parse and that every label id exists in data/facts/facts.yml; print counts."""

from __future__ import annotations

import collections
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def label_kind(item: dict) -> str:
    return item["label"] if isinstance(item["label"], str) else "facts"


def problems(where: str, label: str | list[str], ids: set[str], gap: str | None = None) -> list[tuple[str, str]]:
    found = []
    if isinstance(label, str):
        if label not in ("not_covered", "advice"):
            found.append((where, label))
        if label == "not_covered" and not gap and where.startswith("q"):
            found.append((where, "missing gap"))
        return found
    if not 1 <= len(label) <= 3:
        found.append((where, "len"))
    found += [(where, fact_id) for fact_id in label if fact_id not in ids]
    return found


def main() -> None:
    ids = {fact["id"] for fact in yaml.safe_load((ROOT / "data/facts/facts.yml").read_text(encoding="utf-8"))}
    dev = yaml.safe_load((ROOT / "tests/realistic/dev.yml").read_text(encoding="utf-8"))["questions"]
    conversations = [
        conversation
        for name in ("conversations.yml", "conversations2.yml")
        for conversation in yaml.safe_load((ROOT / "tests/realistic" / name).read_text(encoding="utf-8"))[
            "conversations"]
    ]
    bad: list[tuple[str, str]] = []
    assert len({question["id"] for question in dev}) == len(dev)
    for question in dev:
        assert question["kind"] in ("single", "post") and question["split"] in ("tune", "heldout")
        bad += problems(question["id"], question["label"], ids, question.get("gap"))
    for conversation in conversations:
        assert 2 <= len(conversation["turns"]) <= 4 and conversation["split"] in ("tune", "heldout")
        for number, turn in enumerate(conversation["turns"]):
            bad += problems(f"{conversation['id']}.{number}", turn["label"], ids)
    print("bad:", bad)
    total = len(dev)
    for name, key in (("kind", lambda q: q["kind"]), ("label", label_kind), ("split", lambda q: q["split"])):
        counts = collections.Counter(map(key, dev))
        print(name, {value: f"{count} ({count / total:.0%})" for value, count in counts.items()})
    turns = [turn for conversation in conversations for turn in conversation["turns"]]
    print("conversations", len(conversations), "turns", len(turns), collections.Counter(map(label_kind, turns)))


if __name__ == "__main__":
    main()
