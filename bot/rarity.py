"""How common an English word is (wordfreq's Zipf scale), without wordfreq's word list in memory.

    from bot.rarity import zipf_frequency
    zipf_frequency("ketamine")   # the same value as wordfreq.zipf_frequency("ketamine", "en")

wordfreq keeps a dict of every English word it knows (321,000 of them) in memory once asked about one word: about
55 MB in the action server with its imports. Here the values come from a table on disk (SQLite, standard library),
read one word at a time and remembered for the most recent words. The table holds, for every word of wordfreq's
English list, the value wordfreq itself gives for it, so the values are exactly wordfreq's:

- a word of the list: its stored value;
- a word of ASCII lower-case letters that is not in the list: the value wordfreq gives every such word (stored at
  build time too; wordfreq's tokenizer keeps such a word whole, so it is unknown to it as well);
- anything else not in the list (other characters, which wordfreq may split into several tokens): wordfreq itself,
  imported only then.

tests/bot/test_rarity.py checks the values against wordfreq for thousands of words, known and unknown.

The table is built from wordfreq in a separate process (`python -m bot.rarity build`, which `make setup` runs), so
that the serving process never holds the list; when it is missing, the first call builds it so. Its name carries
wordfreq's version, so an upgrade of wordfreq builds a new one. Where: RARITY_TABLE when set, otherwise
var/cache/ in the checkout, or, when that cannot be written (the systemd unit of the action server), the user's
cache folder (XDG_CACHE_HOME or ~/.cache)/treatment-bot/.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "en"
_ASCII_WORD = re.compile(r"[a-z]+")
# Not in wordfreq's English list, and ASCII lower-case: what wordfreq says of such a word is stored with this key.
_UNKNOWN_PROBE = "qzxjvqzxjvqzxjv"
_UNKNOWN_KEY = "unknown_ascii_word"


def _table_name() -> str:
    return f"rarity-{LANGUAGE}-wordfreq-{version('wordfreq')}.sqlite3"


def _candidates() -> list[Path]:
    if os.environ.get("RARITY_TABLE"):
        return [Path(os.environ["RARITY_TABLE"])]
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [ROOT / "var" / "cache" / _table_name(), cache_home / "treatment-bot" / _table_name()]


def build(path: Path) -> Path:
    """Write the table to `path` (atomically: a reader never sees half of it). Imports wordfreq: run it in a
    process of its own (`python -m bot.rarity build`), not in a server."""
    import wordfreq

    path.parent.mkdir(parents=True, exist_ok=True)
    words = wordfreq.get_frequency_dict(LANGUAGE)
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with sqlite3.connect(temporary) as db:
            db.execute("CREATE TABLE zipf (word TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value REAL NOT NULL)")
            db.executemany("INSERT INTO zipf VALUES (?, ?)",
                           ((word, wordfreq.zipf_frequency(word, LANGUAGE)) for word in sorted(words)))
            assert _UNKNOWN_PROBE not in words
            db.execute("INSERT INTO meta VALUES (?, ?)",
                       (_UNKNOWN_KEY, wordfreq.zipf_frequency(_UNKNOWN_PROBE, LANGUAGE)))
        db.close()
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def ensure_table() -> Path:
    """The table's path, building it (in a separate process) where it can be written when none exists."""
    candidates = _candidates()
    for path in candidates:
        if path.exists():
            return path
    errors = []
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(path.parent, os.W_OK):
                raise PermissionError(f"{path.parent} is not writable")
        except OSError as error:
            errors.append(f"{path}: {error}")
            continue
        done = subprocess.run([sys.executable, "-m", "bot.rarity", "build", str(path)], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode == 0 and path.exists():
            return path
        errors.append(f"{path}: {done.stderr.strip()[-500:]}")
    raise RuntimeError("cannot build the word-frequency table: " + "; ".join(errors))


class _Table:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.unknown = 0.0

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            path = ensure_table()
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self.unknown = db.execute("SELECT value FROM meta WHERE key = ?", (_UNKNOWN_KEY,)).fetchone()[0]
            self._db = db
        return self._db

    def lookup(self, word: str) -> float | None:
        with self._lock:
            row = self._connect().execute("SELECT value FROM zipf WHERE word = ?", (word,)).fetchone()
        return None if row is None else row[0]


_table = _Table()


@functools.lru_cache(maxsize=8192)
def zipf_frequency(word: str) -> float:
    """wordfreq.zipf_frequency(word, "en"), exactly (see the module's docstring)."""
    value = _table.lookup(word)
    if value is not None:
        return value
    if _ASCII_WORD.fullmatch(word):
        return _table.unknown
    import wordfreq  # characters wordfreq may tokenize in its own way: ask it (rare; loads its list)

    return wordfreq.zipf_frequency(word, LANGUAGE)


def main(argv: list[str]) -> int:
    if argv[:1] != ["build"] or len(argv) > 2:
        print("usage: python -m bot.rarity build [PATH]  (default: the first writable place, if none exists)",
              file=sys.stderr)
        return 2
    path = build(Path(argv[1])) if len(argv) == 2 else ensure_table()
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
