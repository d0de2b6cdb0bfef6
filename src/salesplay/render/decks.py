"""Decks from editions: the public destination pitch and the rep enablement deck per play."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from salesplay import richtext
from salesplay.diagnostics import Location
from salesplay.render.pptx_deck import DeckError, SlideSpec, build_deck, check_master
from salesplay.render.pptx_path import PathStep
from salesplay.render.templates import find_file
from salesplay.richtext import Para, Run
from salesplay.views import ClaimView, Edition, PathView, PlayView

MASTER_NAME = "deck.pptx"


def master_path(project_templates: Path | None) -> Path:
    """The project's deck.pptx when it has one, else the built-in master."""
    found = find_file(project_templates, MASTER_NAME)
    if found is None:
        raise FileNotFoundError(MASTER_NAME)
    return found


def checked_master(project_templates: Path | None) -> Path:
    """The deck master, proven usable before anything renders; a located DeckError otherwise."""
    try:
        master = master_path(project_templates)
    except FileNotFoundError:
        where = (project_templates or Path("templates")) / MASTER_NAME
        raise DeckError("no deck.pptx master found", Location(where, 1, 0)) from None
    if not master.resolve().is_relative_to(master.parent.resolve()):
        # a symlink out of templates/ would copy any file's contents into every deck
        raise DeckError("deck.pptx leads outside its folder", Location(master, 1, 0))
    check_master(master)
    return master


def _md(text: str | None) -> tuple[Para, ...]:
    return richtext.parse(text) if text else ()


def _bullets(items: Iterable[str]) -> tuple[Para, ...]:
    out: list[Para] = []
    for item in items:
        for para in richtext.parse(item):
            out.append(Para(para.runs, bullet=True, level=para.level))
    return tuple(out)


def _labelled(label: str, text: str | None, bullet: bool = True) -> tuple[Para, ...]:
    """'Label: text' with the label in bold, as one paragraph per Markdown paragraph."""
    paras = list(richtext.parse(text or ""))
    if not paras:
        return (Para((Run(label, bold=True),), bullet=bullet),)
    first = Para((Run(f"{label}: ", bold=True), *paras[0].runs), bullet=bullet)
    return (first, *paras[1:])


def _handled(company: str | None) -> str | None:
    return f"Handled by {company}" if company else None


def _steps(path: PathView, *, public: bool) -> tuple[PathStep, ...]:
    # a kit's step outside the kit has neither play nor texts: it reads "Handled by <company>"
    return tuple(
        PathStep(
            label=(s.stage or s.play_name or _handled(s.handled_by) or f"Step {s.number}")
            if public
            else (s.play_name or _handled(s.handled_by) or s.stage or ""),
            caption=(s.milestone or "") if public else (s.stage or ""),
        )
        for s in path.steps
    )


def _claim_paras(claim: ClaimView, ed: Edition) -> tuple[Para, ...]:
    badge = "Unique" if claim.type == "unique" else "Comparative"
    paras = list(_labelled(badge, claim.claim))
    if claim.label:
        paras.append(Para((Run(claim.label, italic=True),), bullet=True, level=1))
    if claim.stale_days is not None:
        paras.append(
            Para((Run(f"Last verified {claim.stale_days} days ago", italic=True),), True, 1)
        )
    for proof in claim.proof:
        paras += [Para(p.runs, bullet=True, level=1) for p in richtext.parse(proof.text)]
    return tuple(paras)


def pitch_slides(ed: Edition, destination_id: str) -> list[SlideSpec]:
    """Customer-facing destination pitch (give it the public edition)."""
    dest = ed.destinations[destination_id]
    company = ed.company
    slides = [SlideSpec("Title", dest.name, subtitle=richtext.plain(dest.promise))]
    if dest.why_change:
        slides.append(SlideSpec("Content", "Why change", body=_md(dest.why_change)))
    if dest.why_now:
        slides.append(SlideSpec("Content", "Why now", body=_md(dest.why_now)))
    if dest.outcomes:
        slides.append(SlideSpec("Content", "What you get", body=_bullets(dest.outcomes)))
    for path in dest.paths:
        if path.steps:
            slides.append(SlideSpec("Path", path.name, steps=_steps(path, public=True)))
    refs = {c.ref for p in dest.products for c in p.capabilities}
    claims = [
        c for c in ed.differentiators.values() if refs.intersection(b.ref for b in c.backed_by)
    ]
    if claims:
        body = tuple(p for c in claims for p in _claim_paras(c, ed))
        slides.append(SlideSpec("Content", f"Why {company.name}", body=body))
    proofs = [pr for pl in ed.plays.values() for pr in pl.proof if _on(pl, destination_id)]
    if proofs:
        body = tuple(p for pr in proofs for p in _labelled(pr.customer, pr.result))
        slides.append(SlideSpec("Content", "Proof", body=body))
    closing = " · ".join(x for x in (company.tagline, company.website) if x)
    slides.append(SlideSpec("Closing", company.name, subtitle=closing))
    return slides


def _on(play: PlayView, destination_id: str) -> bool:
    return any(p.path.destination == destination_id for p in play.positions)


def enablement_slides(ed: Edition, play_id: str) -> list[SlideSpec]:
    """The battlecard as slides, with speaker notes (give it the rep edition)."""
    play = ed.plays[play_id]
    slides = [
        SlideSpec(
            "Title",
            play.name,
            subtitle=richtext.plain(play.summary),
            notes="Run this deck with your team before the first customer call.",
        )
    ]
    for pos in play.positions[:2]:
        slides.append(
            SlideSpec(
                "Path",
                f"Where it fits: {pos.path.name}",
                steps=_steps(pos.path, public=False),
                notes=f"This play is step {pos.step.number}: {richtext.plain(pos.step.stage or '')}"
                f" Milestone: {richtext.plain(pos.step.milestone or '')}",
            )
        )
    slides.append(
        SlideSpec(
            "Two Content",
            "Why do anything? Why now?",
            body=_labelled("Why do anything", play.why_do_anything, bullet=False),
            body2=_labelled("Why now", play.why_now, bullet=False)
            + (_bullets(play.triggers) if play.triggers else ()),
            notes="Open with the cost of doing nothing; the status quo is the main competitor.",
        )
    )
    if play.why_us:
        body = tuple(p for c in play.why_us for p in _claim_paras(c, ed))
        slides.append(
            SlideSpec(
                "Content",
                "Why us",
                body=body,
                notes="Never commit to anything labelled not available.",
            )
        )
    slides.append(
        SlideSpec(
            "Content",
            "Discovery questions",
            body=_bullets(play.discovery),
            notes="Qualify: " + "; ".join(richtext.plain(q) for q in play.qualification),
        )
    )
    if play.objections:
        body = tuple(
            p
            for o in play.objections
            for p in (*_labelled("They say", o.objection), *_labelled("You answer", o.response))
        )
        slides.append(SlideSpec("Content", "Objections", body=body))
    for m in play.competitors:
        body = _md(m.talk_track) + _bullets(f"Landmine: {lm}" for lm in m.landmines)
        notes = richtext.plain(m.competitor.summary)
        slides.append(SlideSpec("Content", f"Against {m.competitor.name}", body=body, notes=notes))
    if play.proof:
        body = tuple(p for pr in play.proof for p in _labelled(pr.customer, pr.result))
        slides.append(SlideSpec("Content", "Proof", body=body))
    body = _labelled("Hand off", play.handoff) if play.handoff else ()
    slides.append(SlideSpec("Content", "Next steps", body=body + _bullets(play.next_steps)))
    if play.decoder:
        body = tuple(p for term, meaning in play.decoder for p in _labelled(term, meaning))
        slides.append(SlideSpec("Content", "Jargon decoder", body=body))
    slides.append(SlideSpec("Closing", ed.company.name, subtitle=richtext.plain(play.name)))
    return slides


def deck_bytes(ed: Edition, slides: list[SlideSpec], master: Path, title: str) -> bytes:
    return build_deck(
        master,
        slides,
        title=title,
        author=ed.company.name,
        as_of=ed.as_of,
        brand_color=ed.brand.primary,
    )


def partner_enablement_slides(ed: Edition, play_id: str) -> list[SlideSpec]:
    """The enablement deck for partners (partner edition) with "what's in it for you"."""
    slides = enablement_slides(ed, play_id)
    role = ed.plays[play_id].partner
    if role is None:
        return slides
    body = _labelled("Your role", role.role) + _labelled("Your value", role.value)
    for label, text in role.program:
        body += _labelled(label, text)
    body += (Para((Run(f"Open to {role.min_tier} partners and above."),)),)
    wiifm = SlideSpec(
        "Content",
        "What's in it for you",
        body=body,
        notes="Partners ask what's in it for them: lead with the margin and services attached.",
    )
    return [slides[0], wiifm, *slides[1:]]
