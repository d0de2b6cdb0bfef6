"""Decks from editions: the public destination pitch and the rep enablement deck per play."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from salesplay import richtext
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.images import side_for
from salesplay.labels import quoted
from salesplay.render.slides import DeckError, Logo, Overflow, PathStep, SlideSpec
from salesplay.render.templates import find_file
from salesplay.richtext import Para, Run
from salesplay.views import ClaimView, CustomerProof, Edition, Matchup, PathView, PlayView

MASTER_NAME = "deck.pptx"

#: a locale's gettext: an edition's `labels.gettext` (labels.py); msgids are English.
Tr = Callable[[str], str]


def master_path(project_templates: Path | None) -> Path:
    """The project's deck.pptx when it has one, else the built-in master."""
    found = find_file(project_templates, MASTER_NAME)
    if found is None:
        raise FileNotFoundError(MASTER_NAME)
    return found


@dataclass(frozen=True)
class DeckMaster:
    """The deck master in use, checked, and the longest side, in pixels, that the company
    logo needs on it (its logo boxes at images.SLOT_PPI)."""

    path: Path
    logo_side: int


def checked_master(project_templates: Path | None) -> DeckMaster:
    """The deck master, proven usable before anything renders; a located DeckError otherwise."""
    try:
        master = master_path(project_templates)
    except FileNotFoundError:
        where = (project_templates or Path("templates")) / MASTER_NAME
        raise DeckError("no deck.pptx master found", Location(where, 1, 0)) from None
    if not master.resolve().is_relative_to(master.parent.resolve()):
        # a symlink out of templates/ would copy any file's contents into every deck
        raise DeckError("deck.pptx leads outside its folder", Location(master, 1, 0))
    info = master.stat()
    return DeckMaster(master, side_for(_logo_inches(str(master), info.st_size, info.st_mtime_ns)))


def master_warnings(project_templates: Path | None) -> list[Diagnostic]:
    """A warning at the project's deck master for each optional layout it names with a
    slip (`Statment`): its slides go on the stand-in layout, not the brand team's design."""
    if project_templates is None:
        return []
    master = project_templates / MASTER_NAME
    if not master.is_file():
        return []
    from salesplay.render.pptx_master import OPTIONAL_LAYOUTS, optional_layout_slips

    return [
        Diagnostic(
            Location(master, 1, 0),
            Severity.WARNING,
            f"deck master has no layout named {name!r}, so its slides go on"
            f" {OPTIONAL_LAYOUTS[name]!r}: rename its layout {found!r} to {name!r}",
            "deck-master",
        )
        for name, found in optional_layout_slips(master)
    ]


@functools.lru_cache(maxsize=8)
def _logo_inches(master: str, _size: int, _mtime_ns: int) -> float:
    """check_master, once a process for each master file as it is (a project's is filled
    on each layout to check it: each locale's plan, and `serve`'s every build, ask again)."""
    from salesplay.render.pptx_deck import check_master  # python-pptx: only to open one

    return check_master(Path(master))


#: a one-paragraph slide up to this long is a statement: large, in the middle of the slide.
STATEMENT_CHARS = 200
# A customer result's headline figure: a percentage, else "to <n unit>", else "<n> <unit>".
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_TO_FIGURE = re.compile(r"\bto (\d+(?:[.,]\d+)?\s?[A-Za-z]+)")
_FIGURE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:(?:million|billion|thousand)\b|[A-Za-z]+)")


def _md(text: str | None) -> tuple[Para, ...]:
    return richtext.parse(text) if text else ()


def _bullets(items: Iterable[str]) -> tuple[Para, ...]:
    out: list[Para] = []
    for item in items:
        for para in richtext.parse(item):
            out.append(Para(para.runs, bullet=True, level=para.level))
    return tuple(out)


def _heading(text: str) -> Para:
    return Para((Run(text, bold=True),))


def _labelled(label: str, text: str | None, bullet: bool = True) -> tuple[Para, ...]:
    """'Label: text' with the label in bold, as one paragraph per Markdown paragraph.

    Text that opens with a list keeps its items as bullets under the label line, one level
    in, rather than merging the first item into the label.
    """
    paras = list(richtext.parse(text or ""))
    if not paras:
        return (Para((Run(label, bold=True),), bullet=bullet),)
    if paras[0].bullet or paras[0].number is not None:
        depth = 1 if bullet else 0
        items = [replace(p, level=p.level + depth) for p in paras]
        return (Para((Run(label, bold=True),), bullet=bullet), *items)
    first = Para((Run(f"{label}: ", bold=True), *paras[0].runs), bullet=bullet)
    return (first, *paras[1:])


def _notes(*parts: tuple[str, str | None]) -> str:
    """'Label: text' for each part with text, so no note ends in an empty label."""
    lines = [f"{label}: {richtext.plain(text)}" for label, text in parts if text and text.strip()]
    return "\n".join(line for line in lines if not line.endswith(": "))


def _content(title: str, body: tuple[Para, ...], notes: str = "") -> SlideSpec:
    """A Content slide, or a Statement slide when the body is one short paragraph (a lone
    list item loses its bullet: one line in a corner is what a statement slide avoids)."""
    if len(body) == 1 and len(body[0].text) <= STATEMENT_CHARS:
        statement = Para(body[0].runs)
        return SlideSpec("Statement", title, body=(statement,), notes=notes)
    return SlideSpec("Content", title, body=body, notes=notes)


def _columns(
    title: str, left: tuple[Para, ...], right: tuple[Para, ...], notes: str = ""
) -> SlideSpec:
    """Two columns side by side; one column's worth on a Content or Statement slide."""
    if left and right:
        return SlideSpec("Two Content", title, body=left, body2=right, notes=notes)
    return _content(title, left or right, notes)


#: a number and the word after it, in any script ("40 Minuten", "40分")
_ANY_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s?[^\W\d_]+")


def big_number(result: str, language: str = "en") -> str | None:
    """The headline figure of a customer result ("31 %", "40 minutes"), if it has one.

    Which of two figures is the result ("from 3 days to 40 minutes") is read from English
    words only: in another language a result with more than one figure has none, since
    "von 3 Tagen auf 40 Minuten" had shown the 3 days it was cut from."""
    text = richtext.plain(result)
    percents = _PERCENT.findall(text)
    if percents:
        return str(percents[-1])
    if not language.startswith("en"):
        figures = list(_ANY_FIGURE.finditer(text))
        return _figure(text, figures[0]) if len(figures) == 1 else None
    for pattern, group in ((_TO_FIGURE, 1), (_FIGURE, 0)):
        found = pattern.search(text)
        if found:
            figure = found.group(group)
            # an acronym that is no plural is a kind, not the unit: "62 SaaS apps", not
            # "62 SaaS" (but "300 VMs" stays)
            unit = figure.split()[-1]
            noun = _COUNTED.match(text, found.end(group))
            if noun and unit != unit.lower() and not unit.endswith("s"):
                figure += noun.group(0)
            return figure
    return None


#: a plural noun right after a figure's word, as "apps" after "62 SaaS"
_COUNTED = re.compile(r" [a-z]+s\b")


def _figure(text: str, found: re.Match[str]) -> str:
    """A figure and its unit as the text writes it: with the vowel marks the unit's last
    letter carries ("14 عامًا" was cut to "14 عام"), and in a script written without spaces
    only the counter after the number ("14年", not "14年分のテープカタログを取り込み")."""
    figure, end = found.group(0), found.end()
    number = re.match(r"\d+(?:[.,]\d+)?\s?", figure)
    unit = figure[number.end() :] if number else ""
    if unit and richtext.UNSPACED_RE.match(unit):
        return figure[: len(figure) - len(unit) + 1]
    while end < len(text) and unicodedata.category(text[end])[0] in "LM":
        end += 1  # a vowel mark ends no word: the unit goes on after it
    return text[found.start() : end]


def proof_quote(proof: CustomerProof, tr: Tr) -> str:
    """A customer's result as its Proof slide quotes it, in the quotation marks of the
    deck's language (`tr` gives its labels)."""
    return quoted(richtext.plain(proof.result), tr)


def _proof_slide(
    proof: CustomerProof, tr: Tr, language: str, notes: str = "", sep: str = ", "
) -> SlideSpec:
    """The customer's result as a big number over the quote, or as a quote alone."""
    quote = (Para((Run(proof_quote(proof, tr)),)),)
    industry = (
        proof.industry
        if proof.industry and proof.industry.lower() not in proof.customer.lower()
        else None
    )
    # the locale's comma ("Contoso Health، الرعاية الصحية"), as a card's lists have it
    who = sep.join(x for x in (proof.customer, industry) if x)
    figure = big_number(proof.result, language)
    if figure:
        number = (Para((Run(figure),)),)
        return SlideSpec("Proof", tr("Proof"), subtitle=who, body=number, body2=quote, notes=notes)
    return SlideSpec("Statement", tr("Proof"), subtitle=who, body=quote, notes=notes)


def _handled(company: str | None, tr: Tr) -> str | None:
    return tr("Handled by %(company)s") % {"company": company} if company else None


def _steps(
    path: PathView, tr: Tr, *, public: bool, current: int | None = None
) -> tuple[PathStep, ...]:
    # a kit's step outside the kit has neither play nor texts: it reads "Handled by <company>"
    return tuple(
        PathStep(
            # a stage and a milestone are Markdown: plain on a slide, as on a card
            label=(
                richtext.plain(s.stage or "")
                or s.play_name
                or _handled(s.handled_by, tr)
                or tr("Step %(n)s") % {"n": s.number}
            )
            if public
            # a step whose play is not in the edition is said so, its stage the caption as
            # on every other step: the stage as its label read like a play's name
            else s.label(tr),
            caption=richtext.plain((s.milestone or "") if public else (s.stage or "")),
            current=s.number == current,
        )
        for s in path.steps
    )


def _stale(days: int | None, tr: Tr) -> tuple[Para, ...]:
    if days is None:
        return ()
    text = tr("Stale: intel on them reviewed %(days)s days ago") % {"days": days}
    return (Para((Run(text, bold=True, italic=True),)),)


def _claim_paras(claim: ClaimView, ed: Edition) -> tuple[Para, ...]:
    tr = ed.labels.gettext
    badge = tr("Unique") if claim.type == "unique" else tr("Comparative")
    paras = list(_labelled(badge, claim.claim))
    if claim.label:
        paras.append(Para((Run(claim.label, italic=True),), bullet=True, level=1))
    if claim.stale_days is not None:
        paras.append(
            Para(
                (
                    Run(
                        tr("Stale: last verified %(days)s days ago") % {"days": claim.stale_days},
                        italic=True,
                    ),
                ),
                True,
                1,
            )
        )
    for proof in claim.proof:
        paras += [Para(p.runs, bullet=True, level=1) for p in richtext.parse(proof.text)]
    return tuple(paras)


def pitch_slides(ed: Edition, destination_id: str) -> list[SlideSpec]:
    """Customer-facing destination pitch (give it the public edition)."""
    dest = ed.destinations[destination_id]
    company = ed.company
    tr = ed.labels.gettext
    slides = [SlideSpec("Title", dest.name, subtitle=richtext.plain(dest.promise))]
    if dest.why_change and dest.why_now:
        slides.append(
            _columns(
                tr("Why change, and why now"),
                (_heading(tr("Why change")), *_md(dest.why_change)),
                (_heading(tr("Why now")), *_md(dest.why_now)),
            )
        )
    elif dest.why_change or dest.why_now:
        title = tr("Why change") if dest.why_change else tr("Why now")
        slides.append(_content(title, _md(dest.why_change or dest.why_now)))
    if dest.outcomes:
        slides.append(_content(tr("What you get"), _bullets(dest.outcomes)))
    for path in dest.paths:
        if path.steps:
            slides.append(SlideSpec("Path", path.name, steps=_steps(path, tr, public=True)))
    refs = {c.ref for p in dest.products for c in p.capabilities}
    claims = [
        c for c in ed.differentiators.values() if refs.intersection(b.ref for b in c.backed_by)
    ]
    if claims:
        body = tuple(p for c in claims for p in _claim_paras(c, ed))
        slides.append(_content(tr("Why %(company)s") % {"company": company.name}, body))
    sep = ed.labels.list_separator
    slides += [
        _proof_slide(pr, tr, ed.labels.locale, sep=sep)
        for _, pr in pitch_proofs(ed, destination_id)
    ]
    closing = " · ".join(x for x in (company.tagline, company.website) if x)
    slides.append(SlideSpec("Closing", company.name, subtitle=closing))
    return slides


def pitch_proofs(ed: Edition, destination_id: str) -> list[tuple[str, CustomerProof]]:
    """The customer proofs a destination's pitch deck shows, each with its play's id."""
    return [(pid, pr) for pid, pl in ed.plays.items() for pr in pl.proof if _on(pl, destination_id)]


def _on(play: PlayView, destination_id: str) -> bool:
    return any(p.path.destination == destination_id for p in play.positions)


def _against(m: Matchup, tr: Tr) -> SlideSpec:
    comp = m.competitor
    left = list(_stale(comp.stale_days, tr))
    if comp.quick_dismiss:
        left += _labelled(tr("Quick dismiss"), comp.quick_dismiss, bullet=False)
    left += _md(m.talk_track)
    if m.landmines:
        left += [_heading(tr("Landmines")), *_bullets(m.landmines)]
    right: list[Para] = []
    if comp.strengths:
        right += [_heading(tr("Where they win")), *_bullets(comp.strengths)]
    if comp.weaknesses:
        right += [_heading(tr("Where they are weak")), *_bullets(comp.weaknesses)]
    notes = _notes((tr("Who they are"), comp.summary))
    return _columns(tr("Against %(name)s") % {"name": comp.name}, tuple(left), tuple(right), notes)


def enablement_slides(ed: Edition, play_id: str) -> list[SlideSpec]:
    """The battlecard as slides, with speaker notes (give it the rep edition)."""
    play = ed.plays[play_id]
    tr = ed.labels.gettext
    slides = [
        SlideSpec(
            "Title",
            play.name,
            subtitle=richtext.plain(play.summary),
            notes=tr("Run this deck with your team before the first customer call."),
        )
    ]
    for pos in play.positions[:2]:
        step = pos.step
        slides.append(
            SlideSpec(
                "Path",
                tr("Where it fits: %(path)s") % {"path": pos.path.name},
                steps=_steps(pos.path, tr, public=False, current=step.number),
                notes="\n".join(
                    x
                    for x in (
                        tr("This play is step %(n)s of %(total)s.")
                        % {"n": step.number, "total": len(pos.path.steps)},
                        _notes((tr("Stage"), step.stage), (tr("Milestone"), step.milestone)),
                    )
                    if x
                ),
            )
        )
    slides.append(
        _columns(
            tr("Why do anything? Why now?"),
            (_heading(tr("Why do anything")), *_md(play.why_do_anything))
            if play.why_do_anything
            else (),
            ((_heading(tr("Why now")), *_md(play.why_now)) if play.why_now else ())
            + (_bullets(play.triggers) if play.triggers else ()),
            notes=tr("Open with the cost of doing nothing; the status quo is the main competitor."),
        )
    )
    if play.why_us:
        body = tuple(p for c in play.why_us for p in _claim_paras(c, ed))
        slides.append(
            _content(
                tr("Why us"),
                body,
                notes=tr("Never commit to anything labelled not available."),
            )
        )
    if play.discovery:
        qualify = "; ".join(richtext.plain(q) for q in play.qualification)
        slides.append(
            _content(
                tr("Discovery questions"),
                _bullets(play.discovery),
                notes=_notes((tr("Qualify"), qualify)),
            )
        )
    if play.objections:
        # an objection never ends a slide without its answer
        body = tuple(
            p
            for o in play.objections
            for p in (
                *(replace(p, keep_with_next=True) for p in _labelled(tr("They say"), o.objection)),
                *_labelled(tr("You answer"), o.response),
            )
        )
        slides.append(_content(tr("Objections"), body))
    slides += [_against(m, tr) for m in play.competitors]
    slides += [
        _proof_slide(pr, tr, ed.labels.locale, sep=ed.labels.list_separator) for pr in play.proof
    ]
    body = _labelled(tr("Hand off"), play.handoff) if play.handoff else ()
    if body or play.next_steps:
        slides.append(_content(tr("Next steps"), body + _bullets(play.next_steps)))
    if play.decoder:
        body = tuple(p for term, meaning in play.decoder for p in _labelled(term, meaning))
        slides.append(_content(tr("Jargon decoder"), body))
    slides.append(SlideSpec("Closing", ed.company.name, subtitle=richtext.plain(play.name)))
    return slides


def continued_title(ed: Edition) -> str:
    """The title of a slide a slide overflows onto, in the edition's language
    ("%(title)s" is the slide's title)."""
    tr = ed.labels.gettext
    return tr("%(title)s (cont.)")


@dataclass(frozen=True)
class DeckLook:
    """What a deck reads of its edition besides its slides (the deck family's units carry
    this, not the edition, so that a deck's make pickles and travels to a standby)."""

    #: the company's name: the deck's author
    author: str
    as_of: date
    brand_color: str
    accent_color: str
    #: the edition's language, said on every run: spell-check, the CJK/complex-script faces
    language: str
    #: the title of a slide a slide overflows onto, in that language (continued_title)
    continued: str

    @classmethod
    def of(cls, ed: Edition) -> DeckLook:
        return cls(
            ed.company.name,
            ed.as_of,
            ed.brand.primary,
            ed.brand.accent,
            ed.labels.lang,
            continued_title(ed),
        )


def deck_bytes(
    look: DeckLook,
    slides: Sequence[SlideSpec],
    master: Path,
    title: str,
    logo: Logo | None = None,
    overflows: list[Overflow] | None = None,
) -> bytes:
    """The deck in the edition's brand colours, with ``logo`` on its title and closing;
    ``overflows`` is given each title, subtitle and quote too long for its box (build_deck)."""
    from salesplay.render.pptx_deck import build_deck

    return build_deck(
        master,
        slides,
        title=title,
        author=look.author,
        as_of=look.as_of,
        brand_color=look.brand_color,
        accent_color=look.accent_color,
        logo=logo,
        language=look.language,
        # the engine is handed the word: it imports no labels
        continued=look.continued,
        overflows=overflows,
    )


def partner_enablement_slides(ed: Edition, play_id: str) -> list[SlideSpec]:
    """The enablement deck for partners (partner edition) with "what's in it for you"."""
    slides = enablement_slides(ed, play_id)
    role = ed.plays[play_id].partner
    if role is None:
        return slides
    tr = ed.labels.gettext
    body: tuple[Para, ...] = ()
    # a label with nothing after it ("Your role" alone) says nothing: leave it out
    for label, text in ((tr("Your role"), role.role), (tr("Your value"), role.value)):
        if text and text.strip():
            body += _labelled(label, text)
    for label, text in role.program:
        body += _labelled(tr(label), text)
    opens = tr("Open to %(tier)s partners and above.") % {"tier": role.min_tier_name}
    body += (Para((Run(opens),)),)
    wiifm = _content(
        tr("What's in it for you"),
        body,
        # the deck is for the partner's own sellers: its notes speak to them
        notes=tr(
            "Check the margin and the services you can attach before you plan your first calls."
        ),
    )
    return [slides[0], wiifm, *slides[1:]]
