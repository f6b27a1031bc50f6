"""Answers without an LLM: quote the sentences of the documents that answer the question.

The question is split into its parts and the kind of fact each asks for (``answer_types``); the
retrieved passages, and the chunks next to them in the best documents, become candidate
sentences with their features (``evidence``); documents off the subject are set aside, the
candidates are scored by meaning, words and kind of fact, and a coherent answer is chosen
(``selection``); the evidence of its document decides whether to answer at all (``abstention``).
The answer quotes each sentence cleaned for reading (``quotes``) with its ``[n]`` citation. A
question asking which faction or body gets the document's originator in front of the quote
("Antrag A/2025/014 (Fraktion Bündnis 90/Die Grünen): …"), backed by the same citation.
With ``explain`` the response carries the trace of every considered sentence and why it was or
was not quoted.
"""

from __future__ import annotations

import re

from assistant.answering.abstention import evidence_of, should_abstain
from assistant.answering.answer_types import AnswerKind, can_state, question_parts
from assistant.answering.calibration import Calibration, calibration_for
from assistant.answering.evidence import Candidate, Evidence, EvidenceGatherer
from assistant.answering.quotes import Quote
from assistant.answering.selection import choose, mark_off_subject, parts_answered_by_metadata, score
from assistant.answering.sentence_vectors import SentenceVectors
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.models import Passage
from assistant.schemas import AnswerTrace, AskResponse, Citation, ConsideredDocument, ConsideredSentence
from assistant.store.store import Store

ABSTENTION = "Dazu habe ich in den Dokumenten, auf die Sie Zugriff haben, keine belastbare Antwort gefunden."
BELOW_EVIDENCE = "Beleg unter der Schwelle: keine Antwort"
# A sentence that leans on the one before it ("Hierfür wurden 600.000 € bereitgestellt.") is
# quoted together with it.
_ANAPHOR = re.compile(
    r"^(?:hierfür|hierzu|hierbei|dafür|dazu|davon|damit|dabei|darüber|darin|deshalb|daher|dies|diese[rsmn]?"
    r"|sie|er|es|deren|dessen)\b",
    re.IGNORECASE,
)
_TRACE_SENTENCES = 60


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        store: Store,
        settings: Settings,
        sentence_vectors: SentenceVectors | None = None,
    ) -> None:
        self._embedder = embedder
        self._settings = settings
        self._gatherer = EvidenceGatherer(store)
        self._vectors = sentence_vectors or SentenceVectors(embedder)
        self.calibration: Calibration = calibration_for(embedder.name, settings)

    def answer_from(self, question: str, passages: list[Passage], explain: bool = False) -> AskResponse:
        """The extractive answer from passages already retrieved (also the LLM mode's fallback)."""
        evidence, chosen, abstain, strength = self._decide(question, passages)
        trace = self._trace(evidence, chosen, abstain, strength) if explain and evidence else None
        if abstain or evidence is None:
            return AskResponse(
                question=question,
                answer=ABSTENTION,
                abstained=True,
                mode=self.mode,
                citations=[],
                trace=trace,
            )
        return self._compose(question, evidence, chosen).model_copy(update={"trace": trace})

    def covers(self, question: str, passages: list[Passage]) -> bool:
        """Do the passages answer the question at all (the LLM is asked only then)?"""
        return not self._decide(question, passages)[2]

    def _decide(
        self, question: str, passages: list[Passage]
    ) -> tuple[Evidence | None, list[Candidate], bool, float]:
        if not passages:
            return None, [], True, 0.0
        parts = question_parts(question)
        evidence = self._gatherer.gather(question, parts, self._embedder.embed_query(question), passages)
        mark_off_subject(evidence, self.calibration)
        ranked = score(evidence, self.calibration, self._vectors, self._settings.answer_embed_sentences)
        kinds = [part.kind for part in parts]
        chosen = choose(ranked, kinds, self.calibration, self._settings.answer_max_sentences)
        abstain, strength = should_abstain(chosen, kinds, self.calibration)
        if abstain:
            for candidate in chosen:
                candidate.reason = BELOW_EVIDENCE
        return evidence, chosen, abstain, strength

    # -- the answer --------------------------------------------------------------------------

    def _compose(self, question: str, evidence: Evidence, chosen: list[Candidate]) -> AskResponse:
        documents = list(dict.fromkeys(c.document.doc_id for c in chosen))
        ordered = sorted(
            chosen,
            key=lambda c: (documents.index(c.document.doc_id), c.passage.chunk.index, c.quote.start),
        )
        numbers: dict[str, int] = {}  # chunk id → citation number
        passages: dict[str, Passage] = {}
        highlights: dict[str, list[tuple[int, int]]] = {}
        sentences = []
        kinds = [part.kind for part in evidence.parts]
        # A faction named in another document's sentence is not the one the best paper is from.
        best = chosen[0].passage.document
        actor_open = bool(parts_answered_by_metadata(chosen[0], kinds)) and not any(
            can_state(AnswerKind.ACTOR, c.quote.text) for c in chosen if c.passage.document is best
        )
        prefixed: set[str] = set()
        quoted = {c.quote.text for c in chosen}
        for candidate in ordered:
            quote = _with_antecedent(candidate, evidence, quoted)
            chunk = candidate.passage.chunk
            number = numbers.setdefault(chunk.chunk_id, len(numbers) + 1)
            passages[chunk.chunk_id] = candidate.passage
            spans = highlights.setdefault(chunk.chunk_id, [])
            spans.extend((chunk.start + start, chunk.start + end) for start, end in quote.spans)
            text = quote.text
            document = candidate.passage.document
            if actor_open and document is best and document.doc_id not in prefixed:
                prefixed.add(document.doc_id)  # the faction asked for, from the paper's metadata
                text = f"{_designation(candidate)} ({document.originator}): {text}"
            sentences.append(f"{text} [{number}]")
        citations = [
            citation_of(number, passages[chunk_id], sorted(set(highlights[chunk_id])))
            for chunk_id, number in numbers.items()
        ]
        return AskResponse(
            question=question,
            answer=" ".join(sentences),
            abstained=False,
            mode=self.mode,
            citations=sorted(citations, key=lambda c: c.n),
        )

    def _trace(
        self, evidence: Evidence, chosen: list[Candidate], abstain: bool, strength: float
    ) -> AnswerTrace:
        quoted = [c for c in chosen if not abstain]
        others = sorted(
            (c for c in evidence.candidates if all(c is not q for q in quoted)),
            key=lambda c: (c.semantic is None, -c.score),
        )
        sentences = [_considered(c, True) for c in quoted] + [_considered(c, False) for c in others]
        sentences += [
            ConsideredSentence(
                text=item.text,
                doc_id=document.doc_id,
                reference=document.document.reference,
                page=0,
                retrieved=True,
                semantic=None,
                lexical=0.0,
                states_kind=False,
                score=0.0,
                quoted=False,
                reason=item.reason,
            )
            for document, item in evidence.unquotable
        ]
        return AnswerTrace(
            kinds=[part.kind.value for part in evidence.parts],
            evidence=round(strength, 4),
            min_evidence=self.calibration.min_evidence,
            documents=[
                ConsideredDocument(
                    doc_id=d.doc_id,
                    reference=d.document.reference,
                    title=d.document.title,
                    semantic=round(d.semantic, 4),
                    lexical=round(d.lexical, 4),
                    evidence=round(evidence_of(d, self.calibration), 4),
                    set_aside=d.off_subject,
                )
                for d in evidence.documents
            ],
            sentences=sentences[:_TRACE_SENTENCES],
        )


def _considered(candidate: Candidate, quoted: bool) -> ConsideredSentence:
    return ConsideredSentence(
        text=candidate.quote.text,
        doc_id=candidate.document.doc_id,
        reference=candidate.document.document.reference,
        page=candidate.passage.chunk.page,
        retrieved=candidate.retrieved,
        semantic=None if candidate.semantic is None else round(candidate.semantic, 4),
        lexical=round(candidate.lexical, 4),
        states_kind=all(candidate.states),
        score=round(candidate.score, 4),
        quoted=quoted,
        reason="" if quoted else candidate.reason,
    )


def _with_antecedent(candidate: Candidate, evidence: Evidence, quoted: set[str]) -> Quote:
    """The quote, with the sentence before it when it begins with a word pointing back (unless
    that sentence is quoted anyway)."""
    quote = candidate.quote
    if not _ANAPHOR.match(quote.text):
        return quote
    chunk_id = candidate.passage.chunk.chunk_id
    before = [
        c.quote
        for c in evidence.candidates
        if c.passage.chunk.chunk_id == chunk_id and c.quote.spans[-1][1] <= quote.spans[0][0]
    ]
    if not before:
        return quote
    previous = max(before, key=lambda q: q.spans[-1][1])
    if previous.text in quoted:
        return quote
    return Quote(previous.spans + quote.spans, f"{previous.text} {quote.text}")


def _designation(candidate: Candidate) -> str:
    document = candidate.passage.document
    return " ".join(part for part in (document.paper_type, document.reference) if part) or document.title


def citation_of(number: int, passage: Passage, highlights: list[tuple[int, int]]) -> Citation:
    """The response's record of ``passage`` cited as ``[number]`` (a record of the council
    process, when the passage is one)."""
    document, chunk = passage.document, passage.chunk
    return Citation(
        n=number,
        kind="record" if passage.record is not None else "passage",
        record=passage.record,
        doc_id=document.doc_id,
        reference=document.reference,
        title=document.title,
        paper_type=document.paper_type,
        paper_family=document.paper_family,
        date=document.date,
        source=document.source,
        url=document.url,
        page=chunk.page,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        highlights=highlights if passage.record is None else [],
        score=round(passage.score, 6),
    )
