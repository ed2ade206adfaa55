"""The competency questions: each one a SPARQL query in graph/queries with its answer asserted.

Queries are generic: a question about one incident declares ``# parameter: ?incident inv:Incident``
and is run here for every incident of the graph; answers about a particular case bind it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from graph.parameters import bind_parameters, query_parameters
from graph.query import run_query

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
QUERY_FILES = sorted(QUERIES.glob("cq-*.rq"))
ID = "https://w3id.org/inviolable/id/"
QUITO_RAID = f"{ID}incident/2024-04-05-quito-mexican-embassy-raid"
MINNEAPOLIS = f"{ID}incident/2026-01-27-minneapolis-ecuadorian-consulate-attempted-entry"
TRIPOLI = f"{ID}incident/2012-02-tripoli-russian-embassy-attack"
WASHINGTON = f"{ID}incident/2019-05-washington-venezuelan-embassy-police-entry"
WARSAW = f"{ID}incident/2023-04-29-warsaw-russian-embassy-school-seizure"
INCIDENT = "https://w3id.org/inviolable/ontology#Incident"


@pytest.fixture(scope="module")
def store(engine_store):
    """The built dataset on each engine: every competency test runs on both (tests/conftest.py)."""
    return engine_store


def query_text(number: int) -> str:
    return (QUERIES / f"cq-{number:02d}.rq").read_text(encoding="utf-8")


def answer(store, number: int, **values: str) -> list[dict[str, str]]:
    """Rows of competency query ``number`` as plain strings (unbound variables left out)."""
    result = run_query(store, bind_parameters(query_text(number), values))
    names = [variable.value for variable in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


def incidents(store) -> list[str]:
    return sorted(row["i"].value for row in run_query(store, "SELECT DISTINCT ?i { ?i a inv:Incident }"))


def by(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {row[key]: row for row in rows}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_competency_query_files_start_with_their_question(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# {int(path.stem[3:])}. ")


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_competency_query_names_no_incident_and_matches_no_label_text(path):
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "/id/incident/" not in body, "a question about one incident takes it as a # parameter:"
    assert not re.search(r"\b(CONTAINS|REGEX|STRSTARTS|STRENDS)\s*\(\s*(\?\w*label|STR\(\?\w*label)", body, re.I)


@pytest.mark.parametrize("path", [p for p in QUERY_FILES if any(
    parameter.type == INCIDENT for parameter in query_parameters(p.read_text(encoding="utf-8")))], ids=lambda p: p.stem)
def test_competency_parameterised_query_runs_for_every_incident(store, path):
    """Bound to each incident in turn, the query answers for that incident only (it selects ?incident)."""
    text = path.read_text(encoding="utf-8")
    answered = set()
    for incident in incidents(store):
        result = run_query(store, bind_parameters(text, {"incident": incident}))
        assert "incident" in [variable.value for variable in result.variables]
        bound = {row["incident"].value for row in result}
        assert bound <= {incident}, f"{path.stem} bound to {incident} answered for {bound}"
        answered |= bound
    assert answered, f"{path.stem} answered for no incident"


def test_cq01_lists_every_incident_of_the_graph(store):
    assert {row["incident"] for row in answer(store, 1)} == set(incidents(store))


def test_cq01_entries_into_mission_premises(store):
    rows = by(answer(store, 1), "incident")
    raid, attempt = rows[QUITO_RAID], rows[MINNEAPOLIS]
    assert (raid["date"], raid["city"], raid["missionState"], raid["actingState"]) == (
        "2024-04-05", "Quito", "Mexico", "Ecuador")
    assert "National Police of Ecuador" in raid["agencies"]
    assert raid["status"] == "completed"
    assert raid["dateTime"] == "2024-04-05T22:00:00-05:00"
    assert (attempt["date"], attempt["city"], attempt["missionState"], attempt["actingState"]) == (
        "2026-01-27", "Minneapolis", "Ecuador", "United States")
    assert attempt["dateTime"] == "2026-01-27T11:00:00-06:00"
    assert "U.S. Immigration and Customs Enforcement" in attempt["agencies"]
    assert attempt["status"] == "thwarted"


def test_cq01_crowd_attack_with_month_only_inferred_date_and_no_acting_state(store):
    rows = by(answer(store, 1), "incident")
    tripoli = rows[TRIPOLI]
    assert "date" not in tripoli and tripoli["inferredDate"] == "2012-02"
    assert "actingState" not in tripoli
    assert "crowds of Syrian protesters" in tripoli["actors"]
    assert "attack on a mission by private persons or a crowd" in tripoli["kinds"]
    germany = rows[f"{ID}incident/2012-02-germany-syrian-embassy-attack"]
    assert "city" not in germany and germany["mission"] == "Embassy of Syria in Germany"
    warsaw = rows[WARSAW]
    assert (warsaw["date"], warsaw["actingState"], warsaw["missionState"]) == ("2023-04-29", "Poland", "Russia")
    assert "seizure of mission property" in warsaw["kinds"]
    assert rows[WASHINGTON]["inferredDate"] == "2019-05"


def test_cq02_reactions_to_the_quito_raid(store):
    rows = answer(store, 2, incident=QUITO_RAID)
    actors = {row["actor"] for row in rows}
    assert {"Argentina", "Brazil", "Chile", "Colombia", "Nicaragua", "United States", "Uruguay", "Venezuela",
            "Mexico", "European Union", "United Nations", "Inter-American Commission on Human Rights"} <= actors
    assert actors & {"Organization of American States", "Permanent Council of the Organization of American States",
                     "General Secretariat of the Organization of American States"}
    kinds: dict[str, set[str]] = {}
    conventions: dict[str, set[str]] = {}
    for row in rows:
        kinds.setdefault(row["actor"], set()).update(row["kinds"].split(", "))
        conventions.setdefault(row["actor"], set()).update(filter(None, row.get("conventions", "").split("; ")))
    assert "break or reduce diplomatic relations" in kinds["Nicaragua"]
    assert "close mission" in kinds["Venezuela"]
    assert "criticize or denounce" in kinds["Argentina"]
    assert "appeal for dialogue or settlement" in kinds["Chile"]
    vcdr, caracas = "Vienna Convention on Diplomatic Relations", "Convention on Diplomatic Asylum (Caracas, 1954)"
    assert {vcdr, caracas} <= conventions["Argentina"]
    assert {vcdr, caracas} <= conventions["Brazil"]
    for actor in ("Chile", "United States", "European Union"):
        assert vcdr in conventions[actor], actor
    assert caracas in conventions["Uruguay"]
    dated = {row["actor"]: row.get("when") for row in rows if "close mission" in row["kinds"]}
    assert dated["Venezuela"] == "2024-04-16"


def test_cq02_reactions_to_the_tripoli_attack(store):
    kinds = {row["actor"]: set(row["kinds"].split(", ")) for row in answer(store, 2, incident=TRIPOLI)}
    assert {"apologize", "pledge to investigate"} <= kinds["Libya"]
    assert "criticize or denounce" in kinds["Russia"]


def test_cq03_conventions_engaged_by_each_incident(store):
    rows = answer(store, 3)
    raid = [r for r in rows if r["incident"] == "Raid on the Embassy of Mexico in Quito"]
    attempt = [r for r in rows if r["incident"].startswith("Attempted entry by an ICE agent")]
    assert any(r["convention"] == "Vienna Convention on Diplomatic Relations" and r["claimant"] == "Mexico"
               and r.get("against") == "Ecuador" for r in raid)
    assert any(r["convention"] == "Vienna Convention on Consular Relations" and r["claimant"] == "Ecuador"
               and r.get("against") == "United States"
               and "article" not in r for r in attempt)  # the article number is in the inference layer only
    tripoli = [r for r in rows if r["incident"].startswith("Attack by Syrian protesters")]
    assert any(r["claimant"] == "Konstantin Dolgov" and r["convention"] == "Vienna Convention on Diplomatic Relations"
               for r in tripoli)


def test_cq04_officials_at_the_time_of_each_incident(store):
    rows = answer(store, 4)
    held = {(row["date"], row["state"], row["role"], row["person"]) for row in rows}
    assert ("2024-04-05", "Ecuador", "minister of foreign affairs", "Gabriela Sommerfeld") in held
    assert ("2024-04-05", "Ecuador", "president", "Daniel Noboa") in held
    assert ("2024-04-05", "Mexico", "president", "Andrés Manuel López Obrador") in held
    assert ("2026-01-27", "Ecuador", "minister of foreign affairs", "Gabriela Sommerfeld") in held
    assert ("2026-01-27", "Ecuador", "president", "Daniel Noboa") in held


def test_cq05_timeline_of_the_quito_case_in_date_order(store):
    rows = answer(store, 5, incident=QUITO_RAID)
    assert {row["incident"] for row in rows} == {QUITO_RAID}
    whens = [row["when"] for row in rows if "when" in row]
    assert whens == sorted(whens)
    assert "2023-12-17" in whens
    labels = " | ".join(row["label"] for row in rows)
    for fragment in ("asylum", "persona non grata", "raid", "hunger strike", "resolution"):
        assert fragment in labels.lower(), fragment
    decision = [row for row in rows if "provisional measures" in row["label"].lower() and "ICJ" in row["label"]]
    assert decision and decision[-1]["when"].startswith("2024-05")
    assert len(rows) >= 25


def test_cq05_every_incident_appears_in_its_own_timeline(store):
    for incident in incidents(store):
        events = {row["event"] for row in answer(store, 5, incident=incident)}
        assert incident in events, incident


def test_cq05_timeline_of_the_warsaw_case_resolves_later_that_day(store):
    rows = answer(store, 5, incident=WARSAW)
    ordash = [row for row in rows if row["event"].endswith("ordash-report-on-russian-embassy-school")]
    assert ordash and ordash[0]["when"] == "2023-04-29"


def test_cq06_states_that_broke_or_reduced_relations(store):
    rows = {(row["state"], row.get("date"), row["how"]) for row in answer(store, 6)
            if row["incident"] == "Raid on the Embassy of Mexico in Quito"}
    assert ("Mexico", "2024-04-05", "break or reduce diplomatic relations") in rows
    assert ("Nicaragua", "2024-04-06", "break or reduce diplomatic relations") in rows
    assert ("Venezuela", "2024-04-16", "close mission") in rows


def test_cq07_proceedings_at_the_international_court_of_justice(store):
    rows = by(answer(store, 7), "applicant")
    mexico, ecuador = rows["Mexico"], rows["Ecuador"]
    assert (mexico["respondent"], mexico["filed"]) == ("Ecuador", "2024-04-11")
    assert "provisional measures" in mexico["requests"].lower()
    assert mexico["outcome"] == "declined"
    assert (ecuador["respondent"], ecuador["filed"]) == ("Mexico", "2024-04-29")


def test_cq08_vote_on_the_oas_permanent_council_resolution(store):
    votes = {row["state"]: row["position"] for row in answer(store, 8)
             if row.get("date") == "2024-04-10" and row.get("body", "").startswith("Permanent Council")}
    assert votes == {"Ecuador": "against", "El Salvador": "abstention", "Mexico": "absent"}


def test_cq09_states_that_acted_and_protested(store):
    rows = answer(store, 9)
    assert {row["state"] for row in rows} == {"Ecuador"}


def test_cq10_officials_in_more_than_one_incident(store):
    rows = answer(store, 10)
    people = {row["person"] for row in rows}
    assert {"Gabriela Sommerfeld", "Daniel Noboa"} <= people
    sommerfeld = [row for row in rows if row["person"] == "Gabriela Sommerfeld"]
    assert len(sommerfeld) == 2 and all("minister of foreign affairs" in row["roles"] for row in sommerfeld)


def _rows(store, sparql: str) -> list[dict[str, str]]:
    result = run_query(store, sparql)
    names = [variable.value for variable in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


def test_cq11_every_fact_with_each_span_of_its_node_and_the_references_overlapping_it(store):
    """The whole answer, unbound, against the question put together from three plain lookups in Python."""
    spans = _rows(store, "SELECT ?evidence ?source ?document ?start ?end { ?evidence oa:hasSource ?source ; "
                         "oa:hasSelector ?selector . ?selector oa:start ?start ; oa:end ?end . "
                         "?source schema:name ?document }")
    citations = _rows(store, "SELECT ?source ?reference ?url ?publisher ?from ?to { ?citation oa:motivatedBy "
                             "inv:citing ; oa:hasBody ?reference ; oa:hasTarget ?backed . ?backed oa:hasSource "
                             "?source ; oa:hasSelector ?selector . ?selector oa:start ?from ; oa:end ?to . "
                             "?reference schema:url ?url OPTIONAL { ?reference schema:isPartOf|schema:publisher "
                             "?publisher } }")
    facts = _rows(store, "SELECT ?value ?evidence { ?subject ?property ?value ; prov:wasDerivedFrom ?evidence }")
    expected: Counter = Counter()
    for span in spans:
        backing = [c for c in citations if c["source"] == span["source"]
                   and int(c["from"]) < int(span["end"]) and int(span["start"]) < int(c["to"])]
        rows = [{"reference": c["reference"], "url": c["url"], **({"publisher": c["publisher"]}
                                                                  if "publisher" in c else {})}
                for c in backing] or [{}]
        for fact in (f for f in facts if f["evidence"] == span["evidence"]):
            for row in rows:
                whole = {"value": fact["value"], "document": span["document"], "evidence": span["evidence"],
                         "start": span["start"], "end": span["end"], **row}
                expected[tuple(sorted(whole.items()))] += 1
    answered = answer(store, 11)
    assert Counter(tuple(sorted(row.items())) for row in answered) == expected
    assert any("reference" in row for row in answered) and any("reference" not in row for row in answered)
    starts = [int(row["start"]) for row in answered]
    assert starts == sorted(starts)


def test_cq03_each_engagement_answered_once_with_its_claimant(store):
    rows = answer(store, 3)
    assert len(rows) == len({tuple(sorted(row.items())) for row in rows})
    assert all(row["incident"] and row["convention"] and row["claimant"] for row in rows)
    raid = {(row["convention"], row["claimant"], row.get("against")) for row in rows
            if row["incident"] == "Raid on the Embassy of Mexico in Quito"}
    assert ("Vienna Convention on Diplomatic Relations", "Mexico", "Ecuador") in raid


def test_cq12_reactions_of_international_organizations(store):
    rows = answer(store, 12, incident=QUITO_RAID)
    through: dict[str, set[str]] = {}
    for row in rows:
        through.setdefault(row["organization"], set()).update(row.get("throughWhom", "").split(", "))
    assert {"United Nations", "European Union", "Organization of American States",
            "Inter-American Commission on Human Rights"} <= set(through)
    assert through["United Nations"] & {"Stéphane Dujarric", "António Guterres"}
    assert through["European Union"] & {"Peter Stano", "Josep Borrell"}


def test_cq13_disputed_claims(store):
    rows = answer(store, 13)
    # the document does not report Mexico disputing Ecuador's asylum position (inference layer only)
    assert not any(row["claimant"] == "Ecuador" and "Mexico" in row["disputedBy"] and "asylum" in row["claim"].lower()
                   for row in rows)
    assert any(row["claimant"] == "Mexico" and "Ecuador" in row["disputedBy"] for row in rows)
