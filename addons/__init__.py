"""Rasa adapters that run inside the Rasa server: NLU components and the REST channel. Logic lives in bot/."""
