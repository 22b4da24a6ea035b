"""Rasa adapters that run inside the Rasa server: NLU components, the REST channel, the tracker and lock stores.
Logic lives in bot/. Importing the package applies addons/speedups.py (Rasa imports it when it loads our
channel, stores or components)."""

from addons import speedups

speedups.apply()
