"""report.html: one self-contained page (figures inlined as PNG) with a drill-down per question."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from eval import plots
from eval.html_trace import render_trace
from eval.summary import COUNT_METRICS, LATENCY_METRICS, QUALITY_METRICS

_LABELS = {
    "recall@1": "Anteil der relevanten Dokumente unter der ersten Passage",
    "recall@3": "… unter den ersten 3 Passagen",
    "recall@5": "… unter den ersten 5 Passagen",
    "recall@10": "… unter den ersten 10 Passagen",
    "mrr@10": "1 / Rang des ersten relevanten Treffers",
    "ndcg@10": "Rangqualität, relevante Treffer oben",
    "citation_recall": "Antwortsätze, die von ihren Quellen gestützt werden (ALCE)",
    "citation_precision": "Quellenangaben, die nötig und passend sind (ALCE)",
    "answer_correctness": "Referenzaussagen, die die Antwort enthält",
    "abstention_precision": "Enthaltungen, bei denen es wirklich keine Antwort gab",
    "abstention_recall": "Unbeantwortbare Fragen, bei denen sich das System enthielt",
    "expected_cited": "Beantwortbare Fragen, deren erwartetes Dokument zitiert wird (Wilson)",
    "unanswerable_declined": "Unbeantwortbare Fragen, die abgelehnt werden (Wilson)",
    "leaked_passages": "Gesperrte Passagen, gefunden + zitiert + wörtlich übernommen (muss 0 sein)",
    "leaked_retrieved": "… davon in der Suche gefunden",
    "leaked_cited": "… davon als Quelle zitiert",
    "leaked_quoted": "… davon wörtlich in der Antwort",
    "search_p50_ms": "Suche, Median",
    "search_p95_ms": "Suche, 95. Perzentil",
    "ask_p50_ms": "Antwort, Median",
    "ask_p95_ms": "Antwort, 95. Perzentil",
}
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #d9e2ec;padding:.25rem .55rem;
text-align:left;vertical-align:top;font-size:.92rem}th{background:#f0f4f8}td.num{text-align:right;
font-variant-numeric:tabular-nums}.ok{color:#1f7a3a;font-weight:600}.bad{color:#b42318;font-weight:600}
.muted{color:#627d98}.figs{display:flex;flex-wrap:wrap;gap:1rem}.figs img{border:1px solid #d9e2ec}
details{border:1px solid #d9e2ec;border-radius:4px;margin:.35rem 0;padding:.3rem .6rem}
summary{cursor:pointer}blockquote{margin:.4rem 0;padding:.3rem .7rem;background:#f7f9fb;
border-left:3px solid #9fb3c8;font-size:.9rem;white-space:pre-wrap}.badge{display:inline-block;
padding:0 .4rem;border-radius:3px;font-size:.8rem;margin-left:.3rem;background:#e4e7eb}
.badge.bad{background:#fde8e8}.badge.ok{background:#e3f9e5}
"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return escape(str(value))


def _cell(content: object, css: str = "") -> str:
    """A table cell; strings are escaped, numbers formatted and right-aligned."""
    if isinstance(content, int | float) and not isinstance(content, bool):
        return f"<td class='num {css}'>{_number(content)}</td>"
    return f"<td class='{css}'>{escape(str(content))}</td>"


def _table(head: Sequence[str], rows: Sequence[str]) -> str:
    header = "".join(f"<th>{escape(title)}</th>" for title in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def _verdict(supported: bool, yes: str = "gestützt", no: str = "nicht gestützt") -> str:
    return f"<td class='{'ok' if supported else 'bad'}'>{yes if supported else no}</td>"


def _delta(deltas: Mapping[str, Any], name: str, lower_is_better: bool) -> str:
    entry = deltas.get(name)
    if not entry:
        return "<td class='muted'>–</td>"
    change = entry["delta"]
    better = change < 0 if lower_is_better else change > 0
    css = "muted" if change == 0 else ("ok" if better else "bad")
    return f"<td class='num {css}'>{change:+.3f}</td>"


def _metrics_table(document: Mapping[str, Any]) -> str:
    deltas = document.get("compare", {}).get("deltas", {})
    head = ["Metrik", "Wert", "95-%-Intervall", "n", "Bedeutung"] + (
        ["Δ zum Vergleichslauf"] if deltas else []
    )
    rows = []
    for name in (*QUALITY_METRICS, *COUNT_METRICS, *LATENCY_METRICS):
        entry = document.get(name)
        if entry is None:
            continue
        if isinstance(entry, Mapping):
            value, interval, n = entry["value"], f"{entry['ci_low']:.3f} – {entry['ci_high']:.3f}", entry["n"]
        else:
            value, interval, n = entry, "", ""
        css = "bad" if name == "leaked_passages" and value else ""
        row = (
            _cell(name)
            + _cell(value, css)
            + _cell(interval, "num")
            + _cell(n, "num")
            + _cell(_LABELS.get(name, ""))
        )
        if deltas:
            row += _delta(deltas, name, lower_is_better=name in COUNT_METRICS or name in LATENCY_METRICS)
        rows.append(f"<tr>{row}</tr>")
    return _table(head, rows)


def _gate(document: Mapping[str, Any]) -> str:
    gate = document.get("gate")
    if not gate:
        return ""
    if gate["passed"]:
        return f"<p class='ok'>Schwellenwerte ({escape(gate['thresholds'])}) eingehalten.</p>"
    items = "".join(f"<li>{escape(line)}</li>" for line in gate["failures"])
    return f"<p class='bad'>Schwellenwerte ({escape(gate['thresholds'])}) verletzt:</p><ul>{items}</ul>"


def _validation(validation: Mapping[str, Any] | None) -> str:
    if validation is None:
        return "<p class='muted'>Der Prüfer wurde in diesem Lauf nicht validiert.</p>"
    splits = [
        f"<tr>{_cell(split)}{_cell(row['n'])}{_cell(row['accuracy'])}{_cell(row['kappa'])}</tr>"
        for split, row in validation.get("by_split", {}).items()
    ]
    kinds = [
        f"<tr>{_cell(kind)}{_cell(row['n'])}{_cell(row['accuracy'])}</tr>"
        for kind, row in validation["by_kind"].items()
    ]
    errors = "".join(
        f"<li>{escape(e['id'])} ({escape(e['kind'])}, "
        f"Label {'gestützt' if e['label'] else 'nicht gestützt'}): {escape(e['sentence'])}</li>"
        for e in validation.get("errors", [])
    )
    v = validation
    return (
        f"<p>Prüfer <b>{escape(v['judge'])}</b> auf {v['pairs']} handbeschrifteten Paaren "
        f"(eval/data/judge_pairs.jsonl): Genauigkeit <b>{v['accuracy']:.3f}</b>, "
        f"Cohens κ <b>{v['kappa']:.3f}</b> (richtig gestützt {v['true_positive']}, "
        f"fälschlich gestützt {v['false_positive']}, richtig abgelehnt {v['true_negative']}, "
        f"fälschlich abgelehnt {v['false_negative']}). „heldout“: nach Festlegung der Regeln "
        "geschrieben, nie zum Abstimmen benutzt.</p>"
        + _table(["Teil", "n", "Genauigkeit", "κ"], splits)
        + "<details><summary>Genauigkeit nach Art des Paars</summary>"
        + _table(["Art", "n", "Genauigkeit"], kinds)
        + f"</details><details><summary>Falsch beurteilte Paare</summary><ul>{errors}</ul></details>"
    )


def _badge(text: str, good: bool) -> str:
    return f"<span class='badge {'ok' if good else 'bad'}'>{escape(text)}</span>"


def _badges(record: Mapping[str, Any]) -> str:
    badges = []
    if record["error"]:
        badges.append(_badge("Fehler", False))
    elif record["abstained"]:
        badges.append(_badge("enthalten", not record["answerable"]))
    elif not record["answerable"]:
        badges.append(_badge("beantwortet, obwohl unbeantwortbar", False))
    for key, label in (
        ("recall@10", "Recall@10"),
        ("citation_recall", "Belegt"),
        ("correctness", "Aussagen"),
    ):
        if record[key] is not None:
            badges.append(_badge(f"{label} {record[key]:.2f}", record[key] == 1))
    leaks = sum(len(v) for v in record["leaks"].values())
    if leaks:
        badges.append(_badge(f"{leaks} Leck(s)", False))
    return "".join(badges)


def _context(record: Mapping[str, Any]) -> str:
    parts = [f"relevant: {escape(', '.join(record['relevant']) or '–')}"]
    if record["user"] != "anonymous":
        parts.append(f"Nutzer {escape(record['user'])}")
    parts.append(f"Suche {record['search_ms']:.0f} ms · Antwort {record['ask_ms']:.0f} ms")
    if record["unresolved"]:
        parts.append(f"<span class='bad'>nicht im Bestand: {escape(', '.join(record['unresolved']))}</span>")
    if record["note"]:
        parts.append(escape(record["note"]))
    return f"<p class='muted'>{' · '.join(parts)}</p>"


def _sentences(record: Mapping[str, Any]) -> str:
    rows = [
        f"<tr>{_cell(s['text'])}{_cell(', '.join(map(str, s['citations'])) or '–')}{_verdict(s['supported'])}"
        f"{_cell(s['reason'])}{_cell(' '.join('✓' if p else '✗' for p in s['precise']))}</tr>"
        for s in record["sentences"]
    ]
    return _table(["Satz", "Quellen", "Urteil", "Begründung", "präzise"], rows) if rows else ""


def _claims(record: Mapping[str, Any]) -> str:
    rows = [
        f"<tr>{_cell(c['claim'])}{_verdict(c['supported'], 'enthalten', 'fehlt')}{_cell(c['reason'])}</tr>"
        for c in record["claims"]
    ]
    return _table(["Referenzaussage", "Urteil", "Begründung"], rows) if rows else ""


def _citations(record: Mapping[str, Any]) -> str:
    parts = []
    for citation in record["citations"]:
        label = " · ".join(
            x for x in (citation["reference"], citation["title"], f"S. {citation['page']}") if x
        )
        parts.append(
            f"<p>[{citation['n']}] {escape(label)} "
            f"<span class='muted'>{escape(citation['source'])}</span></p>"
            f"<blockquote>{escape(citation['text'])}</blockquote>"
        )
    return "".join(parts)


def _retrieved(record: Mapping[str, Any]) -> str:
    rows = [
        f"<tr>{_cell(rank)}{_cell('✓' if p['relevant'] else '')}{_cell(p['reference'])}{_cell(p['title'])}"
        f"{_cell(p['source'], 'muted')}</tr>"
        for rank, p in enumerate(record["retrieved"], start=1)
    ]
    if not rows:
        return ""
    table = _table(["Rang", "relevant", "Nummer", "Titel", "Quelle"], rows)
    return f"<details><summary>Suchtreffer (Top 10)</summary>{table}</details>"


def _question(record: Mapping[str, Any]) -> str:
    """One question's drill-down: answer, judged sentences, claims, citations, search results."""
    error = f"<p class='bad'>{escape(record['error'])}</p>" if record["error"] else ""
    leaks = (
        f"<p class='bad'>Lecks: {escape(str(record['leaks']))}</p>" if any(record["leaks"].values()) else ""
    )
    return (
        f"<details id='{escape(record['id'])}'><summary><b>{escape(record['id'])}</b> "
        f"{escape(record['question'])}{_badges(record)}</summary>"
        + _context(record)
        + error
        + f"<p><b>Antwort:</b> {escape(record['answer'])}</p>"
        + _sentences(record)
        + _claims(record)
        + _citations(record)
        + render_trace(record.get("trace"))
        + _retrieved(record)
        + leaks
        + "</details>"
    )


def render_html(
    document: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    validation: Mapping[str, Any] | None,
    *,
    search_ms: Sequence[float],
    ask_ms: Sequence[float],
    previous_curve: Mapping[int, float] | None = None,
) -> str:
    """The whole report page."""
    meta = document["meta"]
    curve = {int(k): v for k, v in document["recall_curve"].items()}
    figures = [
        _img(plots.metric_bars(document, [n for n in QUALITY_METRICS if n != "recall@1"]), "Metriken"),
        _img(plots.recall_curve(curve, previous_curve), "Recall@k"),
        _img(plots.latency_histogram(search_ms, ask_ms), "Latenzen"),
    ]
    settings = ", ".join(f"{k}={v}" for k, v in meta["settings"].items())
    compared = document.get("compare", {}).get("previous", "")
    order = sorted(records, key=lambda r: (not r["error"], r["abstained"] == (not r["answerable"]), r["id"]))
    return (
        "<!doctype html><html lang='de'><head><meta charset='utf-8'>"
        f"<title>Evaluation {escape(meta['dataset'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Evaluation: {escape(meta['dataset'])}</h1>"
        f"<p class='muted'>{document['questions']} Fragen ({document['answerable']} beantwortbar, "
        f"{document['unanswerable']} unbeantwortbar) · Prüfer {escape(meta['judge'])} · "
        f"{escape(meta['created'])}"
        f"<br>{escape(settings)}"
        + (f"<br>Vergleich mit {escape(compared)}" if compared else "")
        + "</p>"
        + _gate(document)
        + "<h2>Metriken</h2>"
        + _metrics_table(document)
        + f"<div class='figs'>{''.join(figures)}</div>"
        + "<h2>Prüfer (Entailment-Urteil)</h2>"
        + _validation(validation)
        + "<h2>Fragen</h2>"
        + "<p class='muted'>Fehler zuerst, dann Fragen mit falscher Enthaltung oder Antwort.</p>"
        + "".join(_question(record) for record in order)
        + "</body></html>"
    )
