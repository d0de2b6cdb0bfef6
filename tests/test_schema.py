"""`salesplay schema [KIND]`: JSON Schema for editor completion, from the validating models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from salesplay.models import MODELS

#: the contract's table of required fields (section 4)
REQUIRED = {
    "catalog": ["company", "tiers"],
    "product": ["name", "summary", "capabilities"],
    "competitor": ["name", "type", "summary", "reviewed"],
    "differentiator": ["claim", "type", "backed_by", "reviewed"],
    "destination": ["name", "promise"],
    "path": ["destination", "name", "steps"],
    "play": ["name", "summary", "why_do_anything", "why_now", "why_us", "discovery", "next_steps"],
    "partner": ["name", "tier"],
}


def schema(tmp_path: Path, *kind: str) -> Any:
    result = run_cli("schema", *kind, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
    return json.loads(result.stdout)


def test_play_schema_is_json_with_why_us(tmp_path: Path) -> None:
    play = schema(tmp_path, "play")
    assert play["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert play["type"] == "object"
    assert play["additionalProperties"] is False
    why_us = play["properties"]["why_us"]
    assert (why_us["type"], why_us["minItems"], why_us["items"]) == ("array", 1, {"type": "string"})
    assert why_us["description"] == "differentiator ids"


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_required_fields_match_the_contract(tmp_path: Path, kind: str) -> None:
    assert sorted(schema(tmp_path, kind)["required"]) == sorted(REQUIRED[kind])


def test_all_kinds_without_argument(tmp_path: Path) -> None:
    everything = schema(tmp_path)
    assert list(everything) == list(MODELS)
    assert everything["play"] == schema(tmp_path, "play")
    # a term is any text with something visible (patternProperties), its meaning too
    glossary = everything["glossary"]
    assert glossary["additionalProperties"] is False
    ((pattern, meaning),) = glossary["patternProperties"].items()
    assert meaning == {"type": "string", "pattern": pattern}


def test_schema_details_editors_rely_on(tmp_path: Path) -> None:
    competitor = schema(tmp_path, "competitor")
    assert competitor["properties"]["reviewed"]["format"] == "date"
    assert competitor["properties"]["type"]["enum"] == ["vendor", "status-quo", "diy"]
    catalog = schema(tmp_path, "catalog")
    # the alias users write, not the Python name
    assert "launch-ready" in catalog["$defs"]["Confidence"]["properties"]
    assert catalog["$defs"]["Confidence"]["additionalProperties"] is False


def test_schema_title_names_the_kind(tmp_path: Path) -> None:
    assert schema(tmp_path, "play")["title"] == "salesplay play"


def test_unknown_kind_exits_2_with_did_you_mean(tmp_path: Path) -> None:
    result = run_cli("schema", "plya", cwd=tmp_path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.lines == [
        "salesplay: error: unknown kind 'plya' (did you mean 'play'?); kinds: catalog, glossary,"
        " product, competitor, differentiator, destination, path, play, partner, feed"
    ]  # feed too, which it takes (an output's schema): it was left out of the list


def _yaml_as_an_editor_reads(path: Path) -> Any:
    """A catalog file as yaml-language-server reads it (YAML 1.2: dates stay text)."""
    import yaml

    class Reader(yaml.SafeLoader):
        pass

    Reader.yaml_implicit_resolvers = {
        k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(path.read_text("utf-8"), Loader=Reader)


def test_the_editor_schema_flags_names_addresses_and_websites_check_refuses(
    tmp_path: Path,
) -> None:
    """A blank name, `email: Alex Doe` and `website: javascript:…` passed the schema (the
    editor showed them as fine) and failed `check`. Every sample file still passes."""
    import jsonschema

    partner = jsonschema.Draft202012Validator(schema(tmp_path, "partner"))
    good = {"name": "Harbor Lane", "tier": "gold"}
    contact = {"name": "Alex Doe", "email": "alex@harbor.example", "website": "www.harbor.example"}
    assert not list(partner.iter_errors({**good, "contact": contact}))
    for bad in (
        {**good, "name": "  "},
        {**good, "contact": {**contact, "email": "Alex Doe"}},
        {**good, "contact": {**contact, "website": "javascript:alert(1)"}},
    ):
        assert list(partner.iter_errors(bad)), bad
    sample = Path(__file__).resolve().parent.parent / "plays"
    for kind, folder in (("partner", "partners"), ("competitor", "competitors")):
        validator = jsonschema.Draft202012Validator(schema(tmp_path, kind))
        for path in sorted((sample / folder).glob("*.yaml")):
            assert not list(validator.iter_errors(_yaml_as_an_editor_reads(path))), path
    catalog = jsonschema.Draft202012Validator(schema(tmp_path, "catalog"))
    assert not list(catalog.iter_errors(_yaml_as_an_editor_reads(sample / "catalog.yaml")))


def test_the_editor_schema_refuses_what_check_refuses_in_names_websites_glossary_and_dates(
    tmp_path: Path,
) -> None:
    """The schema took a name of U+2800, U+200B or U+00AD alone, a website hiding another host
    behind `@`, a blank glossary term or meaning, a locale listed twice and a date written
    with slashes; check refuses each."""
    import jsonschema

    def validator(kind: str) -> jsonschema.Draft202012Validator:
        return jsonschema.Draft202012Validator(
            schema(tmp_path, kind), format_checker=None
        )  # `format: date` is a note only, as in editors following 2020-12

    partner = validator("partner")
    good = {"name": "Harbor Lane", "tier": "gold"}
    assert not list(partner.iter_errors({**good, "name": "Müller ⠀& Søn\u200b"}))
    for blank in ("\u2800", "\u200b", "\u00ad", "\u200b\u2800 "):
        assert list(partner.iter_errors({**good, "name": blank})), repr(blank)
    for site in ("https://blueriver.example@evil.example", "a@b.com", "java script.example"):
        contact = {"website": site}
        assert list(partner.iter_errors({**good, "contact": contact})), site
    for site in ("www.münchen.example", "https://x_y.example:8080/a?b=1", "blue-river.example"):
        assert not list(partner.iter_errors({**good, "contact": {"website": site}})), site
    glossary = validator("glossary")
    assert not list(glossary.iter_errors({"RPO": "recovery point objective"}))
    for bad in ({"": "x"}, {"\u200b": "x"}, {"RPO": " "}, {"RPO": "\u2800"}):
        assert list(glossary.iter_errors(bad)), bad
    catalog = validator("catalog")
    base = {"company": {"name": "N"}, "tiers": ["gold"]}
    assert not list(catalog.iter_errors({**base, "locales": ["de", "ja"]}))
    assert list(catalog.iter_errors({**base, "locales": ["de", "ja", "de"]}))
    competitor = validator("competitor")
    card = {"name": "Acme", "type": "vendor", "summary": "S", "reviewed": "2026-11-01"}
    assert not list(competitor.iter_errors(card))
    assert list(competitor.iter_errors({**card, "reviewed": "2026/11/01"}))
