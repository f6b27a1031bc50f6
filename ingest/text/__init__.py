"""German text analysis shared by chunking, metadata, BM25, the answerers and the judge.

One module per job, imported directly (``from ingest.text.sentences import split_sentences``):

* ``words``: lower-cased, stemmed content words without stop words (BM25, answer scoring).
* ``sentences``: German sentence boundaries that survive abbreviations, ordinals, dates and
  hard-wrapped PDF lines.
* ``headings``: the section headings and list items of council papers; sentences break around them.
* ``months``: the one table of German month names and their numbers.

The package imports none of them itself: ``words`` loads the stemmer and bm25s' stop word list
(scipy with it), which chunking in the ingest worker processes does not need.
"""
