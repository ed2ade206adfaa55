"""Source text made readable on a page: wikitext markup removed, and short quotes cut at word boundaries."""

from __future__ import annotations

import re

_REF = re.compile(r"<ref[^>/]*/>|<ref[^>]*>.*?</ref>|<ref[^>]*>.*$", re.S | re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_LINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_EXTERNAL = re.compile(r"\[https?://[^\s\]]+\s*([^\]]*)\]")
_EMPHASIS = re.compile(r"'{2,}")
_HEADING = re.compile(r"^=+\s*(.*?)\s*=+\s*$", re.M)
_SPACE = re.compile(r"\s+")
_LINE_START = re.compile(r"^[|*#:;\s]+(?:[a-z_ ]+=\s*)?")
#: The longest quote a page shows from a document: a few words, as the documents' licences allow.
QUOTE_WORDS = 12


def plain(text: str) -> str:
    """Text without wikitext: links keep their shown words; templates, references and tags are dropped.

    >>> plain("The [[Embassy of Mexico, Quito|embassy]] was '''raided'''<ref>x</ref> {{cite|y}}.")
    'The embassy was raided .'
    >>> plain("| date = 5 April 2024")
    '5 April 2024'
    """
    for _ in range(3):  # nested templates, innermost first
        text = _TEMPLATE.sub("", text)
    text = _REF.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EXTERNAL.sub(r"\1", text)
    text = _HEADING.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _TAG.sub("", text)
    text = text.replace("[[", "").replace("]]", "").replace("{{", "").replace("}}", "")
    return _LINE_START.sub("", _SPACE.sub(" ", text).strip())


def short_quote(text: str, words: int = QUOTE_WORDS) -> str:
    """The first ``words`` words of the plain text, with an ellipsis when cut.

    >>> short_quote("one two three four", 2)
    'one two …'
    """
    parts = plain(text).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
