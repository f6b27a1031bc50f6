"""The council process as data: papers, consultations, meetings, agenda items and their results.

``records`` holds the typed records a source produces (from OParl crawls); ``results`` maps
the council's wording of a result to a small set of outcomes; ``state`` tells where a paper
stands from its consultations. All pure: the crawler builds the records, the store keeps them.
"""
