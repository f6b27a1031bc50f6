"""Answer composers: extractive (default, no LLM)."""
