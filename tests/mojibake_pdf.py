"""PDFs whose text layer lies: the page shows German text, but copying it gives garbage.

Written by hand (no library makes such files on purpose): one page in Helvetica with
WinAnsiEncoding, so it renders (and OCR reads) the real text, and a ``ToUnicode`` map that sends
every character code elsewhere, as fonts without a usable Unicode map do in real exports:

* ``private``: into the private-use area (U+F000 + code), as symbolic TrueType fonts do;
* ``controls``: onto control characters, as subset fonts with glyph ids as codes do;
* ``scripts``: onto letters of Latin, Cyrillic and Greek in turn (mojibake of a wrong map).

``invisible=True`` draws the text in render mode 3 (invisible): the page looks blank, so OCR
finds nothing either.
"""

from __future__ import annotations

_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_GREEK = "αβγδεζηθικλμνξοπρστυφχψω"


def _target(code: int, mapping: str) -> int:
    if mapping == "private":
        return 0xF000 + code
    if mapping == "controls":
        return 1 + code % 26
    if mapping == "scripts":
        if code < 0x41:  # blanks, digits and punctuation stay as they are
            return code
        alphabet = (None, _CYRILLIC, _GREEK)[code % 3]
        return code if alphabet is None else ord(alphabet[code % len(alphabet)])
    raise ValueError(f"unknown mapping {mapping!r}")


def _to_unicode(mapping: str) -> bytes:
    entries = [f"<{code:02X}> <{_target(code, mapping):04X}>" for code in range(0x20, 0x100)]
    blocks = []
    for start in range(0, len(entries), 100):  # a bfchar block holds at most 100 entries
        block = entries[start : start + 100]
        blocks.append(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _literal(line: str) -> bytes:
    data = line.encode("cp1252")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def mojibake_pdf(lines: list[str], mapping: str, invisible: bool = False) -> bytes:
    """One A4 page showing ``lines`` in 16-point Helvetica, its text layer garbled by ``mapping``."""
    return pdf_pages([(lines, mapping)], invisible)


def pdf_pages(pages: list[tuple[list[str], str | None]], invisible: bool = False) -> bytes:
    """A4 pages showing their lines; a page's mapping garbles its text layer (None: a true one)."""
    count = len(pages)
    # Objects: 1 catalog, 2 page tree, then per page: page, font, content, ToUnicode map.
    kids = " ".join(f"{3 + 4 * n} 0 R" for n in range(count)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    for n, (lines, mapping) in enumerate(pages):
        font, contents, cmap_ref = (4 + 4 * n + k for k in range(3))
        content = b"BT /F1 16 Tf 20 TL 72 760 Td " + (b"3 Tr " if invisible else b"")
        content += b" ".join(_literal(line) + b" Tj T*" for line in lines) + b" ET"
        to_unicode = b" /ToUnicode %d 0 R" % cmap_ref if mapping else b""
        cmap = _to_unicode(mapping) if mapping else b""
        objects += [
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, contents),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding%s >>"
            % to_unicode,
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
        ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
