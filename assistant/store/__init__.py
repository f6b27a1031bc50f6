"""The store: SQLite catalog, Chroma vectors and the BM25 index, kept consistent with each other."""
