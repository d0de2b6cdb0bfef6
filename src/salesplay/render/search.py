"""The portal's search index: what it holds of each play and competitor, and its script."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from salesplay import richtext
from salesplay.labels import N_
from salesplay.render import html
from salesplay.render.portal import PlayCard
from salesplay.views import Edition

#: the global the index script assigns (portal.js reads it): fetch() of JSON fails from
#: file://, so the index is a script, not a JSON file.
INDEX_GLOBAL = "SALESPLAY_INDEX"


def _plain(texts: Iterable[str]) -> list[str]:
    return [richtext.plain(t) for t in texts]


#: words a rep says around what they heard ("customer says their backups are on tape"): the
#: search index lists them, and a query's words among them need not match (portal.js). Not
#: "no" or "not": "no budget" is an objection. A label: each language's .po gives its own
#: words ("Kunde sagt …"), and an edition lists its language's and these, since untranslated
#: text stays in English. Japanese words are not split by spaces: its list is short.
# TRANSLATORS: not a sentence: the words of your language a seller says around what a
# customer said, separated by spaces (the, their, says, customer); never "no" or "not"
STOP_WORDS_LABEL = N_(
    "a an the and or but of to in on at by for from with into onto about as is are was were "
    "be been being am do does did has have had having it its this that these those there their "
    "theirs they them we our ours us you your yours he she his her him i me my what which who "
    "whom how when where why will would can could should shall may might must just so than then "
    "too very also still some any all own such only say says said saying tell tells told ask "
    "asks asked think thinks thought want wants wanted customer customers client clients "
    "prospect prospects buyer buyers"
)


def fold(text: str) -> str:
    """`text` as portal.js folds it to compare words: accents dropped, lower case."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F).lower()


def stop_words(gettext: Callable[[str], str] = str) -> list[str]:
    """The stop words of an edition in the language of `gettext`, and English's, folded."""
    words = f"{gettext(STOP_WORDS_LABEL)} {STOP_WORDS_LABEL}".split()
    return list(dict.fromkeys(fold(w) for w in words))


#: competitor types the play card tags (macros.html), so "status quo" finds the plays against it.
COMPETITOR_KINDS = {"status-quo": N_("status quo"), "diy": N_("do it yourself")}


def search_entries(
    cards: Iterable[PlayCard], gettext: Callable[[str], str] = str
) -> list[dict[str, Any]]:
    """What the search index holds per play — and nothing else (it is scanned for leaks).

    Every field is plain text a rep may read on the play's card (or its path, in the
    playbook) in the rep edition: what reps type into the search box is rarely a play's name
    but a word of an objection, a question, a claim, or what the customer is going through.
    `gettext` translates the competitor tags ("status quo") into the edition's language.
    """
    entries = []
    for c in cards:
        play = c.play
        steps = [pos.step for pos in play.positions]
        claims = [richtext.plain(claim.claim) for claim in play.why_us]
        claims += [
            richtext.plain(v.detail)
            for claim in play.why_us
            for v in claim.versus
            if v.detail and any(m.competitor.id == v.competitor.id for m in play.competitors)
        ]
        entries.append(
            {
                "id": play.id,
                "name": play.name,
                "summary": richtext.plain(play.summary),
                "triggers": _plain(play.triggers),
                "competitors": list(c.competitors),
                "industries": list(c.industries),
                "personas": list(c.personas),
                "destinations": list(c.destinations),
                "objections": _plain(o.objection for o in play.objections),
                "responses": _plain(o.response for o in play.objections),
                "discovery": _plain(play.discovery),
                "claims": list(dict.fromkeys(claims)),
                "proof": [f"{p.customer}: {richtext.plain(p.result)}" for p in play.proof],
                "talk_tracks": _plain(m.talk_track for m in play.competitors if m.talk_track),
                "landmines": _plain(t for m in play.competitors for t in m.landmines),
                "why_anything": _plain(t for t in (play.why_do_anything,) if t),
                "why_now": _plain(t for t in (play.why_now,) if t),
                # the play's place on its paths: the customer's stage, the goal, the signals
                "stages": _unique(_plain(s.stage for s in steps if s.stage)),
                "goals": _unique(_plain(s.milestone for s in steps if s.milestone)),
                "signals": _unique(_plain(t for s in steps for t in s.entry_signals)),
                "qualification": _plain(play.qualification),
                "next_steps": _plain(play.next_steps),
                "handoff": _plain(t for t in (play.handoff,) if t),
                # the jargon decoder: [term, meaning] of each glossary term the card uses, so
                # that "recovery point objective" finds the plays that say RPO
                "jargon": [[term, richtext.plain(meaning)] for term, meaning in play.decoder],
                "kinds": _unique(
                    f"{m.competitor.name} ({gettext(COMPETITOR_KINDS[m.competitor.type])})"
                    for m in play.competitors
                    if m.competitor.type in COMPETITOR_KINDS
                ),
            }
        )
    return entries


def _unique(texts: Iterable[str]) -> list[str]:
    """`texts` without repeats, in order (two paths may share a step's stage)."""
    return list(dict.fromkeys(texts))


def competitor_entries(edition: Edition, links: html.Links) -> list[dict[str, Any]]:
    """The edition's competitors: what reps know of them, and where their card is."""
    return [
        {
            "id": cid,
            "name": comp.name,
            "href": links.competitor(cid) or "",
            "strengths": _plain(comp.strengths),
            "weaknesses": _plain(comp.weaknesses),
            "dismiss": richtext.plain(comp.quick_dismiss) if comp.quick_dismiss else "",
        }
        for cid, comp in edition.competitors.items()
    ]


def js_json(value: object) -> str:
    """JSON safe to embed in a script: '<' escaped so no '</script>' can close it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def search_index_js(edition: Edition, cards: Iterable[PlayCard], links: html.Links) -> str:
    index = {
        "plays": search_entries(cards, edition.labels.gettext),
        "competitors": competitor_entries(edition, links),
        "stop_words": stop_words(edition.labels.gettext),
    }
    return f"window.{INDEX_GLOBAL} = {js_json(index)};\n"
