"""The answerer the CLI, the API and the UI call: picks the mode, condenses follow-ups, retrieves.

Modes: ``extractive`` quotes sentences (no LLM); ``llm`` writes with the city's own LLM and checks
every sentence; ``auto`` is ``llm`` when ``RATSINFO_LLM_URL`` is set. A request may ask for a mode;
otherwise ``RATSINFO_ANSWER_MODE`` decides.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.access import Principal
from assistant.answering.conversation import MAX_HISTORY_TURNS, condense_question
from assistant.answering.events import AnswerStream, complete_events
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.answering.llm import ChatLLM
from assistant.answering.prompt import Turn
from assistant.config import Settings
from assistant.errors import ConfigurationError, InvalidRequestError
from assistant.models import Passage, SearchFilters
from assistant.retrieval import HybridRetriever
from assistant.schemas import AskResponse

MODES = ("auto", "llm", "extractive")


class Answerer:
    def __init__(
        self,
        retriever: HybridRetriever,
        extractive: ExtractiveAnswerer,
        generative: GenerativeAnswerer | None,
        llm: ChatLLM | None,
        settings: Settings,
    ) -> None:
        self._retriever = retriever
        self._extractive = extractive
        self._generative = generative
        self._llm = llm
        self._settings = settings

    @property
    def mode(self) -> str:
        """The mode a request without its own choice gets."""
        return self.resolve_mode(None)

    def resolve_mode(self, mode: str | None) -> str:
        """``llm`` or ``extractive`` for a requested mode (None: the configured one)."""
        requested = mode
        mode = mode or self._settings.answer_mode
        if mode not in MODES:
            raise InvalidRequestError(
                f"unknown answer mode {mode!r}; use one of {', '.join(MODES)}",
                german=f"Unbekannter Antwortmodus {mode!r}; möglich sind {', '.join(MODES)}.",
            )
        if mode == "auto":
            return "llm" if self._generative is not None else "extractive"
        if mode == "llm" and self._generative is None:
            message = (
                "the LLM mode needs a local LLM: set RATSINFO_LLM_URL (e.g. http://127.0.0.1:8080/v1) "
                "and RATSINFO_LLM_MODEL, or answer in the extractive mode"
            )
            german = (
                "Der LLM-Modus braucht ein lokales Sprachmodell: RATSINFO_LLM_URL (z. B. "
                "http://127.0.0.1:8080/v1) und RATSINFO_LLM_MODEL setzen, oder im extraktiven Modus "
                "antworten."
            )
            # Asked for by the request: the request is wrong; set in the configuration: that is.
            kind = InvalidRequestError if requested else ConfigurationError
            raise kind(message, german=german)
        return mode

    def stream(
        self,
        question: str,
        principal: Principal,
        filters: SearchFilters | None = None,
        history: Sequence[Turn] = (),
        mode: str | None = None,
        explain: bool = False,
    ) -> AnswerStream:
        """Retrieve now; the answer follows as the returned stream is iterated. ``explain``: an
        extractive answer carries the trace of how its sentences were chosen."""
        chosen = self.resolve_mode(mode)
        if len(history) > MAX_HISTORY_TURNS:
            history = list(history)[-MAX_HISTORY_TURNS:]
        standalone = condense_question(question, history, self._llm)
        passages = self._retriever.search(standalone, principal, filters, k=self._settings.top_k)
        generative = self._generative
        if chosen == "llm" and generative is not None:
            return AnswerStream(
                question, standalone, passages, lambda: generative.events(question, standalone, passages)
            )

        def extractive_events() -> Sequence[dict[str, object]]:
            response = self._extractive.answer_from(standalone, passages, explain)
            update = {"question": question}
            if standalone != question:
                update["standalone_question"] = standalone
            return list(complete_events(response.model_copy(update=update)))

        return AnswerStream(question, standalone, passages, lambda: iter(extractive_events()))

    def stream_composed(
        self, question: str, passages: list[Passage], composed: AskResponse, mode: str | None = None
    ) -> AnswerStream:
        """An answer already composed from data (the council process) over ``passages`` (its
        records and minutes). In LLM mode the model writes it from the same numbered sources, and
        every sentence is checked as usual; ``composed`` is the answer where that fails."""
        chosen = self.resolve_mode(mode)
        generative = self._generative
        if chosen == "llm" and generative is not None:
            return AnswerStream(
                question,
                question,
                passages,
                lambda: generative.events(question, question, passages, composed),
            )
        return AnswerStream(question, question, passages, lambda: complete_events(composed))

    def ask(
        self,
        question: str,
        principal: Principal,
        filters: SearchFilters | None = None,
        history: Sequence[Turn] = (),
        mode: str | None = None,
        explain: bool = False,
    ) -> AskResponse:
        """The complete answer (the stream run to its end)."""
        return self.stream(question, principal, filters, history, mode, explain).result()
