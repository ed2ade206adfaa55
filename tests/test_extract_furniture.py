"""Page furniture of wikitext documents: what the extractor reads around the article's prose."""

from __future__ import annotations

import pytest

from graph.extract import wikitext
from graph.extract.furniture import extract_furniture
from graph.extract.turtle import Turtle
from graph.extract.wikitext import ExtractionError
from graph.sources import SourceDocument

DOCUMENT = SourceDocument("https://w3id.org/inviolable/id/source/test-page", "test-page", "test.wiki", "0" * 64, 0)
PAGE = """{{short description|A test page}}
{{Use mdy dates|date=March 2025}}
{{Infobox event
| image   = File:Scene.jpg
| caption = The scene<ref>a</ref>
}}
Text.
[[File:Door.png|thumb|upright|The [[door]] in 2020]]
<gallery>
File:One.png|First caption
File:Two.webm|Second caption
</gallery>
<!-- a note for editors -->
==See also==
* {{slink|Some page|A section}}
* [[Other page]]
==References==
{{DEFAULTSORT:Test page, a}}
"""


def furniture(text: str) -> tuple[str, str]:
    turtle = Turtle("test")
    assert extract_furniture(turtle, DOCUMENT, text, wikitext.parse("test", text), wiki="https://en.wikipedia.org/wiki/")
    return turtle.render(), text


def span(rendered: str, text: str, prop: str, subject: str = "<source/test-page>") -> str:
    block = rendered.split(f"\n{subject} ", 1)[1].split(" .\n", 1)[0]
    start, end = block.split(f"{prop} <evidence/test-page-", 1)[1].split(">", 1)[0].split("-")
    return text[int(start):int(end)]


def test_furniture_reads_short_description_comment_and_captions_as_spans():
    rendered, text = furniture(PAGE)
    assert span(rendered, text, "inv:shortDescription") == "A test page"
    assert span(rendered, text, "inv:editorComment") == "a note for editors"
    file = "<https://en.wikipedia.org/wiki/File:{}>".format
    assert span(rendered, text, "inv:caption", file("Scene.jpg")) == "The scene"
    assert span(rendered, text, "inv:caption", file("Door.png")) == "The [[door]] in 2020"
    assert span(rendered, text, "inv:caption", file("Two.webm")) == "Second caption"


@pytest.mark.parametrize("fragment", [
    'inv:dateFormat "mdy"', 'inv:dateFormatSince "2025-03"^^xsd:gYearMonth', 'inv:defaultSort "Test page, a"',
    "<https://en.wikipedia.org/wiki/Some_page#A_section>", "<https://en.wikipedia.org/wiki/Other_page>",
    "schema:video <https://en.wikipedia.org/wiki/File:Two.webm>", 'inv:placement "gallery"', 'inv:placement "infobox"',
])
def test_furniture_keeps_identifiers_as_values(fragment):
    assert fragment in furniture(PAGE)[0]


def test_furniture_ignores_links_outside_the_see_also_section():
    rendered, _ = furniture(PAGE)
    assert "wiki/Door>" not in rendered and "inv:seeAlso <https://en.wikipedia.org/wiki/Door" not in rendered


def test_furniture_refuses_a_date_format_template_without_a_month():
    text = "{{Use dmy dates|date=sometime}}\nText.\n"
    with pytest.raises(ExtractionError, match=r"test-page \(test.wiki\), line 1.*'sometime' is not a month and year"):
        furniture(text)
