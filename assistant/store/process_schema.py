"""The tables of the council process in the catalog database (see ``process_tables``).

Ids are the OParl URLs as crawled; lists of organisations are JSON arrays; flags are 0/1 or
NULL when the source does not state them. ``source`` is the System URL a row came from.
"""

from __future__ import annotations

PROCESS_GENERATION = "process_generation"  # meta key

PROCESS_SCHEMA = """
CREATE TABLE IF NOT EXISTS process_organizations (
    org_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS process_papers (
    paper_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    name TEXT NOT NULL,
    paper_type TEXT NOT NULL,
    date TEXT,
    originator TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS process_papers_doc ON process_papers(doc_id);
CREATE TABLE IF NOT EXISTS process_consultations (
    consultation_id TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL,
    source TEXT NOT NULL,
    position INTEGER NOT NULL,
    meeting_id TEXT NOT NULL,
    agenda_item_id TEXT NOT NULL,
    organizations TEXT NOT NULL,
    bodies TEXT NOT NULL,
    role TEXT NOT NULL,
    authoritative INTEGER
);
CREATE INDEX IF NOT EXISTS process_consultations_paper ON process_consultations(paper_id);
CREATE INDEX IF NOT EXISTS process_consultations_item ON process_consultations(agenda_item_id);
CREATE TABLE IF NOT EXISTS process_links (
    paper_id TEXT NOT NULL,
    linked_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (paper_id, linked_id, kind)
);
CREATE INDEX IF NOT EXISTS process_links_linked ON process_links(linked_id);
CREATE TABLE IF NOT EXISTS process_meetings (
    meeting_id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    start TEXT NOT NULL,
    day TEXT,
    organizations TEXT NOT NULL,
    bodies TEXT NOT NULL,
    public INTEGER,
    cancelled INTEGER NOT NULL,
    invitation_doc TEXT NOT NULL,
    results_protocol_doc TEXT NOT NULL,
    verbatim_protocol_doc TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS process_meetings_day ON process_meetings(day);
CREATE TABLE IF NOT EXISTS process_agenda_items (
    item_id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    source TEXT NOT NULL,
    number TEXT NOT NULL,
    position INTEGER,
    name TEXT NOT NULL,
    public INTEGER,
    result TEXT NOT NULL,
    outcome TEXT NOT NULL,
    resolution_text TEXT NOT NULL,
    resolution_file TEXT NOT NULL,
    consultation_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS process_agenda_items_meeting ON process_agenda_items(meeting_id);
CREATE INDEX IF NOT EXISTS process_agenda_items_consultation ON process_agenda_items(consultation_id);
"""
