"""Date expressions in a document, normalised with dateparser, relative ones resolved with a recorded rule.

``dateparser.search.search_dates`` finds the expressions and normalises them; the period it
reports (day, month, year) gives the datatype (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``).
What dateparser cannot know is what a relative expression is relative to:

- ``yesterday``, ``today``, ``two days ago``, a month and day without a year: the document's date
  (``schema:datePublished`` in the manifest); without one, a month and day take the year of the
  date with a year mentioned last before them;
- a weekday alone (``on Tuesday``): the latest such day on or before the document's date (a news
  item dated on a Thursday that says "on Thursday" means that day);
- ``the following day``, ``the next day``, ``the day before``, ``the previous day``: the last day
  named in the same or the previous sentence, else the first day named in the paragraph, else the
  first day named in the document, else the document's date;

each result records the rule it followed and its anchor. What cannot be anchored is reported
unresolved rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from dateparser.date import DateDataParser
from dateparser.search import search_dates

from graph.draft.text import Sentence

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = ("yesterday", "today", "tomorrow", "ago", "last", "next", "this", "tonight")
# Narrative expressions dateparser does not resolve: days after the date mentioned last.
NARRATIVE = {"the following day": 1, "the next day": 1, "the day after": 1, "the day before": -1,
             "the previous day": -1, "the preceding day": -1, "a day later": 1, "two days later": 2}
_TRAILING = re.compile(r"(?:[\s,]+(?:on|in|the|of|at|and))+[\s,]*$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:on|in|the|of|at|since|by|from|until|during)\s+)+", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d|2100)\b")


@dataclass(frozen=True)
class DateMention:
    """A date expression at ``start``–``end``: its value (ISO form of its precision) and how it was read."""

    start: int
    end: int
    text: str
    value: str | None
    precision: str
    rule: str
    anchor: str | None

    @property
    def datatype(self) -> str:
        """The XML Schema datatype of :attr:`value`."""
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]


@cache
def _parser(anchor: dt.date | None) -> DateDataParser:
    return DateDataParser(languages=["en"], settings=_settings(anchor))


def _settings(anchor: dt.date | None) -> dict[str, object]:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if anchor is not None:
        settings["RELATIVE_BASE"] = dt.datetime(anchor.year, anchor.month, anchor.day)
    return settings


def _plausible(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    lowered = [w.lower() for w in words]
    if any(w in _RELATIVE for w in lowered):
        return True
    if any(w[0].isupper() and w.lower() in _MONTHS + _WEEKDAYS for w in words):
        return True
    return bool(_YEAR.search(text)) and not any(w.lower() not in ("the", "on", "in", "of") for w in words)


def _iso(value: dt.date, precision: str) -> str:
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@dataclass
class _Context:
    """What earlier sentences said: the days of the previous sentence, the paragraph's first day, the year."""

    previous: list[dt.date]
    paragraph_first: dt.date | None = None
    paragraph: int = -1
    year: int | None = None
    document_first: dt.date | None = None


def find_dates(text: str, sentences: list[Sentence], *, anchor: dt.date | None) -> list[DateMention]:
    """Every date expression in ``sentences`` of ``text``, in document order."""
    found: list[DateMention] = []
    context = _Context(previous=[])
    for sentence in sentences:
        paragraph = text.rfind("\n\n", 0, sentence.start)
        if paragraph != context.paragraph:
            context.paragraph, context.paragraph_first = paragraph, None
        piece = text[sentence.start:sentence.end]
        mentions = _in_sentence(piece, sentence.start, anchor=anchor, context=context)
        days = [dt.date.fromisoformat(m.value) for m in mentions if m.value is not None and m.precision == "day"]
        context.paragraph_first = context.paragraph_first or (days[0] if days else None)
        context.previous = days or []
        for mention in mentions:
            if mention.value is not None and mention.rule == "as written" and mention.precision != "year":
                context.year = int(mention.value[:4])
            if mention.value is not None and mention.precision == "day":
                context.document_first = context.document_first or dt.date.fromisoformat(mention.value)
        found.extend(mentions)
    return found


def _narrative_base(context: _Context, anchor: dt.date | None, earlier: list[dt.date]) -> tuple[dt.date, str] | None:
    if earlier:
        return earlier[-1], "the day named last in the sentence"
    if context.previous:
        return context.previous[-1], "the day named last in the previous sentence"
    if context.paragraph_first is not None:
        return context.paragraph_first, "the first day named in the paragraph"
    if context.document_first is not None:
        return context.document_first, "the first day named in the document"
    if anchor is not None:
        return anchor, "the document's date"
    return None


def _in_sentence(piece: str, offset: int, *, anchor: dt.date | None, context: _Context) -> list[DateMention]:
    results: list[DateMention] = []
    used: list[tuple[int, int]] = []
    for matched, _ in search_dates(piece, languages=["en"], settings=_settings(anchor)) or []:
        expression = _TRAILING.sub("", _LEADING.sub("", matched)).strip(" ,.;")
        if not expression or not _plausible(expression):
            continue
        at = _position(piece, expression, used)
        if at is None:
            continue
        used.append((at, at + len(expression)))
        if _names_a_thing(piece, at, expression):
            continue
        mention = _read(expression, anchor, context.year)
        if mention is not None:
            value, precision, rule, base = mention
            results.append(DateMention(offset + at, offset + at + len(expression), expression, value, precision,
                                       rule, base))
    lowered = piece.lower()
    for phrase, days in NARRATIVE.items():
        at = lowered.find(phrase)
        if at == -1 or any(a < at + len(phrase) and at < b for a, b in used):
            continue
        earlier = [dt.date.fromisoformat(m.value) for m in results
                   if m.value is not None and m.precision == "day" and m.start < offset + at]
        found = _narrative_base(context, anchor, earlier)
        if found is None:
            value, rule, base = None, "unresolved: relative to an earlier date, and none is known", None
        else:
            day, which = found
            value, base = (day + dt.timedelta(days=days)).isoformat(), day.isoformat()
            rule = f"{abs(days)} day(s) {'after' if days > 0 else 'before'} {which}"
        results.append(DateMention(offset + at, offset + at + len(phrase), piece[at:at + len(phrase)], value, "day",
                                   rule, base))
        used.append((at, at + len(phrase)))
    return sorted(results, key=lambda m: m.start)


def _names_a_thing(piece: str, at: int, expression: str) -> bool:
    """True for a bare year that qualifies a name ("the 1961 Vienna Convention", "2023 general election")."""
    if not re.fullmatch(r"\d{4}", expression):
        return False
    following = piece[at + len(expression):].lstrip()
    return bool(re.match(r"[A-Z]|[a-z]+ (?:election|elections|earthquake|convention|treaty|constitution)\b",
                         following))


def _position(piece: str, expression: str, used: list[tuple[int, int]]) -> int | None:
    start = 0
    while (at := piece.find(expression, start)) != -1:
        if not any(a < at + len(expression) and at < b for a, b in used):
            return at
        start = at + 1
    return None


def _read(expression: str, anchor: dt.date | None,
          year: int | None) -> tuple[str | None, str, str, str | None] | None:
    """(value, precision, rule, anchor) of one expression, or None when dateparser cannot read it."""
    data = _parser(anchor).get_date_data(expression)
    if data.date_obj is None:
        return None
    precision = data.period if data.period in ("day", "month", "year") else "day"
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", expression)]
    has_year = bool(_YEAR.search(expression))
    base = anchor.isoformat() if anchor is not None else None
    if any(w in _RELATIVE for w in words):
        if anchor is None:
            return None, precision, "unresolved: relative to the document's date, which is unknown", None
        return _iso(data.date_obj.date(), precision), precision, "relative to the document's date", base
    weekdays = [w for w in words if w in _WEEKDAYS]
    if weekdays and not has_year and not any(w in _MONTHS for w in words) and not re.search(r"\d", expression):
        if anchor is None:
            return None, "day", "unresolved: a weekday, and the document has no date", None
        back = (anchor.weekday() - _WEEKDAYS.index(weekdays[0])) % 7
        return ((anchor - dt.timedelta(days=back)).isoformat(), "day",
                "the latest such weekday on or before the document's date", base)
    if not has_year:
        if anchor is not None:
            return _iso(data.date_obj.date(), precision), precision, "year taken from the document's date", base
        if year is None:
            return None, precision, "unresolved: no year in the text, and no earlier year to take", None
        value = data.date_obj.date().replace(year=year) if not (data.date_obj.month == 2 and data.date_obj.day == 29) \
            else data.date_obj.date()
        return _iso(value, precision), precision, "year taken from the date with a year mentioned last", str(year)
    return _iso(data.date_obj.date(), precision), precision, "as written", None


__all__ = ["NARRATIVE", "DateMention", "find_dates"]
