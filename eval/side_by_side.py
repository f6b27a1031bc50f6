"""Several evaluation runs of one dataset side by side (e.g. the default model and ``hashing``):
a console table, side-by-side.json and side-by-side.html, one column per run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from eval.summary import HEADLINE_METRICS

# The rows of the comparison: the shares the answers are judged by first, then the rest.
_FIRST = ("expected_cited", "unanswerable_declined", "answer_correctness")
ROWS = (*_FIRST, *(name for name in HEADLINE_METRICS if name not in _FIRST))


def _value(entry: Any) -> str:
    if isinstance(entry, Mapping):
        counted = f" ({entry['k']}/{entry['n']})" if "k" in entry else ""
        return f"{entry['value']:.3f} [{entry['ci_low']:.3f}–{entry['ci_high']:.3f}]{counted}"
    return "–" if entry is None else str(entry)


def _rows(documents: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """(label, one cell per run): the metrics, then each tag's shares and correctness."""
    rows = [(name, [_value(doc.get(name)) for doc in documents.values()]) for name in ROWS]
    tags = sorted({tag for doc in documents.values() for tag in doc.get("by_tag", {})})
    for tag in tags:
        for name in _FIRST:
            cells = [_value(doc.get("by_tag", {}).get(tag, {}).get(name)) for doc in documents.values()]
            rows.append((f"{tag}: {name}", cells))
    return rows


def text_table(documents: Mapping[str, Mapping[str, Any]]) -> str:
    """The comparison for the console: value [95 % interval] (hits/n) per run."""
    rows = _rows(documents)
    width = max(len(label) for label, _ in rows) + 2
    columns = [max(len(name), *(len(cells[i]) for _, cells in rows)) + 2 for i, name in enumerate(documents)]
    lines = ["".ljust(width) + "".join(name.ljust(w) for name, w in zip(documents, columns, strict=True))]
    for label, cells in rows:
        lines.append(label.ljust(width) + "".join(c.ljust(w) for c, w in zip(cells, columns, strict=True)))
    return "\n".join(lines)


def write_side_by_side(directory: Path, documents: Mapping[str, Mapping[str, Any]]) -> Path:
    """side-by-side.json (the runs' metrics documents by name) and side-by-side.html; returns the
    HTML path. Each run's own report lies in the subfolder of its name."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "side-by-side.json").write_text(
        json.dumps(documents, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    head = "".join(f"<th><a href='{escape(name)}/report.html'>{escape(name)}</a></th>" for name in documents)
    body = "".join(
        f"<tr><td>{escape(label)}</td>{''.join(f'<td>{escape(cell)}</td>' for cell in cells)}</tr>"
        for label, cells in _rows(documents)
    )
    dataset = next(iter(documents.values()))["meta"]["dataset"] if documents else ""
    html = (
        "<!doctype html><html lang='de'><head><meta charset='utf-8'>"
        f"<title>Vergleich {escape(dataset)}</title><style>body{{font-family:system-ui,sans-serif;"
        "margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #d9e2ec;padding:.25rem .55rem;"
        "text-align:left}</style></head><body>"
        f"<h1>Vergleich der Modelle: {escape(dataset)}</h1>"
        "<p>Wert [95-%-Intervall] (Treffer/Anzahl); Anteile mit Wilson-, Mittelwerte mit "
        "Bootstrap-Intervall.</p>"
        f"<table><tr><th>Metrik</th>{head}</tr>{body}</table></body></html>"
    )
    path = directory / "side-by-side.html"
    path.write_text(html, encoding="utf-8")
    return path
