"""The answer trace in report.html: per question, which sentences were quoted and why the others
were not (the extractive answerer's record of every sentence it considered)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

_TRACE_ROWS = 25  # the quoted sentences and the best of the others; questions.json keeps all


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _sentence_row(sentence: Mapping[str, Any]) -> str:
    quoted = sentence["quoted"]
    verdict = "<td class='ok'>zitiert</td>" if quoted else f"<td>{escape(sentence['reason'] or '–')}</td>"
    where = sentence["reference"] or sentence["doc_id"]
    if sentence["page"]:
        where += f", S. {sentence['page']}"
    return (
        f"<tr>{verdict}<td>{escape(sentence['text'])}</td><td class='muted'>{escape(where)}</td>"
        f"<td class='num'>{_number(sentence['semantic'])}</td><td class='num'>{sentence['lexical']:.3f}</td>"
        f"<td>{'✓' if sentence['states_kind'] else ''}</td><td class='num'>{sentence['score']:.3f}</td></tr>"
    )


def _document_row(document: Mapping[str, Any]) -> str:
    label = " · ".join(x for x in (document["reference"], document["title"]) if x)
    return (
        f"<tr><td>{escape(label)}</td><td class='num'>{document['semantic']:.3f}</td>"
        f"<td class='num'>{document['lexical']:.3f}</td><td class='num'>{document['evidence']:.3f}</td>"
        f"<td>{escape(document['set_aside'] or '–')}</td></tr>"
    )


def render_trace(trace: Mapping[str, Any] | None) -> str:
    """A collapsed section: the kinds of fact asked for, the evidence against its minimum, the
    documents considered, and the sentences (quoted first, then the others with their reason)."""
    if not trace:
        return ""
    kinds = ", ".join(trace["kinds"]) or "–"
    decision = "ausreichend" if trace["evidence"] >= trace["min_evidence"] else "zu schwach: Enthaltung"
    documents = "".join(_document_row(d) for d in trace["documents"])
    sentences = trace["sentences"]
    rows = "".join(_sentence_row(s) for s in sentences[:_TRACE_ROWS])
    more = len(sentences) - _TRACE_ROWS
    return (
        "<details class='trace'><summary>Warum diese Sätze (Antwortspur)</summary>"
        f"<p class='muted'>Gefragt: {escape(kinds)} · Evidenz {trace['evidence']:.3f} "
        f"(Minimum {trace['min_evidence']:.3f}, {decision})</p>"
        "<table><tr><th>Dokument</th><th>Bedeutung</th><th>Wörter</th><th>Evidenz</th>"
        f"<th>beiseitegelegt</th></tr>{documents}</table>"
        "<table><tr><th>zitiert / Grund</th><th>Satz</th><th>Quelle</th><th>Bedeutung</th>"
        f"<th>Wörter</th><th>Art</th><th>Wert</th></tr>{rows}</table>"
        + (f"<p class='muted'>… {more} weitere Sätze in questions.json</p>" if more > 0 else "")
        + "</details>"
    )
