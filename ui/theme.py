"""Look and in-page behaviour of the UI: a theme with local fonts only, the CSS, small scripts.

Gradio's themes may name web fonts; this one names only fonts the device already has, so the
page never asks a font service (or any other host) for anything.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

CSS_PATH = Path(__file__).with_name("style.css")
SYSTEM_FONTS = ("system-ui", "-apple-system", "'Segoe UI'", "Roboto", "'Noto Sans'", "Arial", "sans-serif")
MONO_FONTS = ("ui-monospace", "'SFMono-Regular'", "Menlo", "Consolas", "'DejaVu Sans Mono'", "monospace")


def build_theme() -> gr.themes.Base:
    return gr.themes.Default(primary_hue="blue", font=list(SYSTEM_FONTS), font_mono=list(MONO_FONTS))


def stylesheet() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


# Runs in each gr.HTML that shows links (conversation, results, document). ``trigger`` sends an
# event to the server; the server decides what the user may see, the script only asks. Gradio
# may re-create the component's inner element, so the listener sits on the block's wrapper (by
# its elem_id) and always calls the newest ``trigger``.
_LINKS = """
const root = document.getElementById('__ID__') || element;
root.__trigger = trigger;
if (!root.__linksBound) {
  root.__linksBound = true;
  root.addEventListener('click', (event) => {
    const meeting = event.target.closest('a[data-meeting]');
    if (meeting) {
      event.preventDefault();
      root.__trigger('click', {meeting: meeting.dataset.meeting});
      return;
    }
    const link = event.target.closest('a[data-doc]');
    if (link) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
      event.preventDefault();
      root.__trigger('click', {doc: link.dataset.doc, anchor: link.dataset.anchor || ''});
      return;
    }
    const example = event.target.closest('button[data-question]');
    if (example) {
      root.__trigger('submit', {question: example.dataset.question});
      return;
    }
    const jump = event.target.closest('a[href^="#"]');
    if (jump) {
      const target = document.getElementById(decodeURIComponent(jump.getAttribute('href').slice(1)));
      if (!target) return;
      event.preventDefault();
      document.querySelectorAll('.active-citation').forEach((e) => e.classList.remove('active-citation'));
      target.classList.add('active-citation');
      target.scrollIntoView({behavior: 'smooth', block: 'center'});
      if (target.hasAttribute('tabindex')) target.focus({preventScroll: true});
    }
  });
}
"""

# The document view also scrolls to the passage a link pointed at, once the document is drawn.
_SCROLL = """
if (!root.__scrollBound) {
  root.__scrollBound = true;
  let shown = null;
  new MutationObserver(() => {
    const article = root.querySelector('article[data-focus]');
    if (!article || article === shown) return;
    shown = article;
    // Wait a moment: the tab that shows the view becomes visible in the same update.
    setTimeout(() => {
      const target = article.dataset.focus && document.getElementById(article.dataset.focus);
      (target || article).scrollIntoView({block: target ? 'center' : 'start'});
    }, 150);
  }).observe(root, {childList: true, subtree: true});
}
"""


def link_script(elem_id: str) -> str:
    """The js_on_load of a gr.HTML with document links, example questions and footnotes."""
    return _LINKS.replace("__ID__", elem_id)


def document_script(elem_id: str) -> str:
    """:func:`link_script` plus scrolling to the focused passage of a newly shown document."""
    return link_script(elem_id) + _SCROLL
