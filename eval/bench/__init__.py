"""`make bench`: speed and memory of ingest, search and the API, against the naive llama-index pipeline."""
