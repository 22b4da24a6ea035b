"""The treatment-options bot's core: fact base, retrieval, answers and safety, free of any chat framework."""
