"""rasa-sdk actions: thin adapters between the tracker and bot/ (see bot/answer.py for what is said)."""
