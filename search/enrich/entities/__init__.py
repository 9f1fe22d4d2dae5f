"""Named entities of articles: extraction (``extractors``), the aliases file
(``aliases``) and canonicalisation across the corpus (``canonical``).

Typical build::

    aliases = load_aliases(operator_files)
    extractor = make_extractor("spacy", aliases)
    resolver = EntityResolver(aliases)
    mentions = list(extractor.extract(texts))   # cache by extractor.version
    for m in mentions:
        resolver.observe(m)
    entities = [resolver.resolve(m, tags) for m, tags in zip(mentions, all_tags)]
"""

from search.enrich.entities.aliases import AliasEntry, Aliases, load_aliases
from search.enrich.entities.canonical import EntityResolver, MergePolicy
from search.enrich.entities.extractors import (
    EXTRACTORS,
    Extractor,
    GazetteerExtractor,
    Mention,
    NoExtractor,
    SpacyExtractor,
    make_extractor,
)

__all__ = [
    "EXTRACTORS",
    "AliasEntry",
    "Aliases",
    "EntityResolver",
    "Extractor",
    "GazetteerExtractor",
    "Mention",
    "MergePolicy",
    "NoExtractor",
    "SpacyExtractor",
    "load_aliases",
    "make_extractor",
]
