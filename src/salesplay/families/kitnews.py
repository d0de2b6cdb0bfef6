"""Each partner kit's what's new: its tier's kit edition against the one of the revision its
previous kit was built from, told once per (tier, revision) and cached, never per partner."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from salesplay import changes, diff, jsonfile, kits
from salesplay.engine.records import key_of
from salesplay.engine.units import Unit
from salesplay.families.base import Sources, guarded, pdf_unit, scratch
from salesplay.locales import localized_path
from salesplay.models import Audience
from salesplay.views import Edition

#: an earlier revision's kit news needs only its partner edition (and its tiers' kits)
PARTNER_ONLY: tuple[Audience, ...] = ("partner",)


class NewsState(Protocol):
    """What of the kits' shared state (families.kits) the news fills in."""

    shared: kits.KitShared
    #: (tier, since) → the tier's whats-new PDF, one per distinct previous revision
    news: dict[kits.Member, Unit]
    #: (tier, since) → the cache file of its changes (reading an old revision is slow)
    news_cache: dict[kits.Member, str]
    #: the cache files of the partners' tiers at each previous revision (see _tiers_at)
    tiers_cache: set[str]


def plan_news(
    src: Sources,
    state: NewsState,
    ids: Sequence[str],
    revision: str | None,
    *,
    family: str,
    cache: str,
    kit_path: Callable[[str], str],
) -> None:
    """Each kit's whats-new: the changes of its tier's kit edition since the revision its
    previous kit was built from. Notes depend on (tier, previous revision) alone, so each
    distinct pair is made once (and an old revision read from git once), never per partner.
    The PDFs are units of `family`; the changes and tiers are cached under `cache`; a
    partner's kit is at `kit_path(partner_id)`."""
    from salesplay.imagecache import ImageCache

    shared = state.shared
    ped = shared.partner_edition
    for pid in ids:
        rel = localized_path(kit_path(pid), src.locale, src.locales[0])
        folder = kits.kit_folder(shared, pid)
        shared.since[pid] = kits.previous_since(src.out, pid, revision, rel, folder)
    before: dict[str, dict[str, Edition] | None] = {}  # since → its named editions

    def editions_then(since: str) -> dict[str, Edition] | None:
        if since not in before:
            # read in the kit's language, so translated texts compare with their
            # translations, not with the source
            # staleness at the day the previous kit was made (in `since`), else at this
            # build's: never at the commit's date, which would bring back stale claims that
            # kit left out
            before[since] = changes.editions_at(
                src.cat.root,
                since,
                ImageCache(src.out),
                PARTNER_ONLY,
                src.labels,
                src.cat.as_of,
                scratch(src),
            )
        return before[since]

    tiers_then: dict[str, dict[str, str]] = {}  # since → partner → its tier then
    for pid in ids:
        tier, since = ped.partners[pid].tier, shared.since[pid]
        then = tier
        if since and since != kits.NO_HISTORY:
            if since not in tiers_then:
                tiers_then[since] = _tiers_at(src, state, since, editions_then, cache)
            # a partner new since then had no kit of another tier
            then = tiers_then[since].get(pid, tier)
        news = shared.news_key[pid] = (tier, since if then == tier else f"{since}-from-{then}")
        if news in shared.whats_new:
            continue
        found: list[diff.Change] | None = None
        if since and since != kits.NO_HISTORY:
            # a revision's catalog never changes: the changes are cached by what they compare
            # told in the kit's language: a translated kit's changes are its locale's
            locale = (src.locale,) if src.translated else ()
            # worded with the kit's labels: a label a project rewords is told anew
            key = key_of(
                "kit-news",
                tier,
                since,
                ped.kits[tier].cards,
                src.labels.digest,
                src.git_objects,  # a partial clone's files of `since`, fetched since
                *locale,
                *news[1:],
            )
            name = f"{cache}/{key}.json"
            state.news_cache[news] = name
            hit, found = _cached_changes(src.out, name)
            if not hit:
                old = editions_then(since)
                if old is not None:
                    # the kit the partner had then (its tier's kit edition, of the tier it had)
                    # against the one it has: only what it held and holds
                    kit = ped.kits[tier].cards
                    found = diff.edition_changes(old.get(f"partner-{then}"), kit, src.labels)
                _store_changes(src, name, found)
        page = guarded(
            Path("kits"),
            kits.whats_new_page,
            src.env,
            ped.kits[tier],
            since,
            found,
            revision,
            fonts_css=src.theme_file("fonts.css").resolve().as_uri(),
        )
        shared.whats_new[news] = found
        state.news[news] = pdf_unit(
            src,
            family,
            f"partner-news/{tier}/{news[1].replace('@', '-at-') or 'first'}.pdf",
            page,
            src.labels.gettext("What's new"),
        )


def _tiers_at(
    src: Sources,
    state: NewsState,
    since: str,
    editions_then: Callable[[str], dict[str, Edition] | None],
    cache: str,
) -> dict[str, str]:
    """Each partner's tier at revision `since` (none when that revision cannot be read): from
    the cache, else from the partner edition of that revision (a revision never changes)."""
    from salesplay.write import read_output

    name = f"{cache}/{key_of('kit-tiers', since)}.json"
    state.tiers_cache.add(name)
    with contextlib.suppress(OSError, ValueError):
        found = jsonfile.loads(read_output(src.out, name))
        if isinstance(found, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in found.items()
        ):
            return found
    old = editions_then(since)
    partner = old.get("partner") if old is not None else None
    tiers = {} if partner is None else {pid: p.tier for pid, p in partner.partners.items()}
    src.keep(name, json.dumps(tiers, sort_keys=True).encode(), durable=False)
    return tiers


def _cached_changes(out: Path, name: str) -> tuple[bool, list[diff.Change] | None]:
    """(found, the changes) of a whats-new cache file; a bad file is a miss."""
    from salesplay.write import read_output

    try:
        data = jsonfile.loads(read_output(out, name))
        if data is None:
            return True, None
        return True, [
            diff.Change(d["kind"], d["action"], d["subject"], d["message"], tuple(d["fields"]))
            for d in data
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def _store_changes(src: Sources, name: str, found: list[diff.Change] | None) -> None:
    data = None if found is None else [c.as_dict() for c in found]
    src.keep(name, json.dumps(data, sort_keys=True).encode())
