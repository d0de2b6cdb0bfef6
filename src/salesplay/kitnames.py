"""Where each file lives in a partner kit, and how long a path Windows gives it unpacked.

Light on purpose: `check` reads it (a kit's deepest path, see audit.py) without importing
what makes kits.
"""

from __future__ import annotations

#: the kit's folder for the partner's own sellers, and the one for their customers
TEAM = "for-your-team"
CUSTOMERS = "for-your-customers"
#: the team part's note of what changed for the tier since the partner's previous kit
WHATS_NEW = "whats-new"


# Where each file lives inside a kit's folder: the one answer, for the kit, its index and
# the partner feeds' links.
def card_name(play: str) -> str:
    """A play's partner battlecard in the kit."""
    return f"{TEAM}/battlecards/{play}.pdf"


def enablement_name(play: str) -> str:
    """A play's enablement deck in the kit."""
    return f"{TEAM}/decks/{play}-enablement.pptx"


def competitor_name(competitor: str) -> str:
    """A competitor's card in the kit."""
    return f"{TEAM}/competitors/{competitor}.pdf"


def brief_name(play: str) -> str:
    """A public play's customer brief in the kit."""
    return f"{CUSTOMERS}/briefs/{play}.pdf"


def pitch_name(destination: str) -> str:
    """A destination's customer pitch deck in the kit."""
    return f"{CUSTOMERS}/decks/{destination}-pitch.pptx"


def folder_of(partner_id: str, locale: str, source_locale: str) -> str:
    """The folder a kit unpacks to: the partner's id, with the locale for a kit in another
    language than the source (muller-son-de), so that a partner's kits in two languages
    unpack side by side instead of over each other."""
    return partner_id if locale == source_locale else f"{partner_id}-{locale}"


#: the longest path Windows opens: MAX_PATH (260) less the NUL that ends it. Explorer's
#: "Extract all" stops at the first file past it ("path too long"), and 7-Zip, which
#: writes it, leaves a file PowerPoint and Acrobat cannot open
WINDOWS_MAX_PATH = 259
#: the longest user name Windows allows (its folder is C:\Users\<name>)
USER_NAME = 20
#: where Explorer's "Extract all" (and 7-Zip's "Extract to <name>\") unpacks `<partner>.zip`
#: by default, for a user name of USER_NAME characters: `C:\Users\<name>\Downloads\`,
#: then a folder named as the zip
UNPACKED_AT = len("C:\\Users\\") + USER_NAME + len("\\Downloads\\")


def unpacked_length(partner_id: str, name: str) -> int:
    """The length of the path Windows gives member `name` (`<folder>/…`) of the partner's
    kit, `<partner>.zip` in every language, unpacked where "Extract all" puts it."""
    return UNPACKED_AT + len(partner_id) + 1 + len(name)
