"""OCR of scanned PDF pages with Tesseract and its German language data, when installed.

Council exports often hold scanned letters and signed minutes: pages that are only an image.
Such pages are rendered with PDFium and read by the ``tesseract`` program (``apt-get install
tesseract-ocr tesseract-ocr-deu``). Without it, the document is reported as needing OCR instead
of being indexed with empty pages. Tesseract is called as a program rather than through a Python
binding: nothing to install in the virtual environment, and a crash stays in its process.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

OCR_LANGUAGE = "deu"
_DPI = 300  # Tesseract's documented sweet spot for print
_MAX_PIXELS = 40_000_000  # a poster-sized page is scaled down rather than taking minutes
_TIMEOUT_S = 300  # per page


@functools.cache
def tesseract_languages() -> frozenset[str] | None:
    """Languages of the installed Tesseract, or None when there is no ``tesseract`` on PATH."""
    binary = shutil.which("tesseract")
    if binary is None:
        return None
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip())


def ocr_available() -> bool:
    languages = tesseract_languages()
    return languages is not None and OCR_LANGUAGE in languages


def ocr_fix() -> tuple[str, str]:
    """How to make OCR available here, in English and German (for the ingest report)."""
    if tesseract_languages() is None:
        return (
            "install Tesseract with German data (apt-get install tesseract-ocr tesseract-ocr-deu) "
            "and ingest again",
            "Tesseract mit deutschen Sprachdaten installieren (apt-get install tesseract-ocr "
            "tesseract-ocr-deu) und erneut einlesen",
        )
    return (
        "Tesseract lacks German language data: apt-get install tesseract-ocr-deu, then ingest again",
        "Tesseract fehlen die deutschen Sprachdaten: apt-get install tesseract-ocr-deu, dann erneut einlesen",
    )


def page_has_graphics(page: pdfium.PdfPage) -> bool:
    """Whether a page draws anything but text: a scan (image) or text turned into outlines (paths).

    A blank page draws nothing and needs no OCR.
    """
    return any(obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT for obj in page.get_objects(max_depth=4))


def ocr_page(page: pdfium.PdfPage) -> str:
    """Render one page and return Tesseract's text of it ("" when it finds none).

    Raises OSError or subprocess.SubprocessError when Tesseract fails.
    """
    width, height = page.get_size()  # in points, 1/72 inch
    scale = _DPI / 72
    if width * height * scale * scale > _MAX_PIXELS:
        scale = (_MAX_PIXELS / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    finished = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", OCR_LANGUAGE, "--dpi", str(round(72 * scale))],
        input=png.getvalue(),
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=True,
        # One thread each: extraction already runs one process per core.
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return finished.stdout.decode("utf-8", errors="replace")
