"""The template environment's own fast paths answer exactly as Jinja's stock ones do."""

from __future__ import annotations

import gettext

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from salesplay.labels import Labels
from salesplay.render.templates import make_env


class _German(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return {"Hello %(name)s": "Hallo %(name)s", "100%% sure": "100%% sicher"}.get(
            message, message
        )


CASES = [
    '{{ _("Hello %(name)s", name=who) }}',
    '{{ gettext("Hello %(name)s", name=who) }}',
    '{{ _("100%% sure") }}',
    '{{ _("plain") ~ "|" ~ _("Hello %(name)s", name="<i>") }}',
    "{% trans %}Hello {{ who }}{% endtrans %}",
    '{% for n in [1, 2, 3] %}{{ _("100%% sure") }} {{ _("plain") }} {% endfor %}',
]


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("html", [True, False])
def test_gettext_answers_as_jinjas_newstyle_gettext(source: str, html: bool) -> None:
    """`_` is one call instead of Jinja's four nested ones: the same text, autoescaped on
    an HTML page (the variables too), placeholders formatted, `%%` read as `%`."""
    labels = Labels("de", _German())
    ours = make_env(None, html=html, labels=labels)
    stock = SandboxedEnvironment(autoescape=html, extensions=["jinja2.ext.i18n"])
    stock.install_gettext_translations(_German(), newstyle=True)  # type: ignore[attr-defined]
    who = "<b>Ana & Bo</b>"
    made = ours.from_string(source).render(who=who)
    assert made == stock.from_string(source).render(who=who)
    assert ("&lt;b&gt;" in made) == (html and "who" in source)
    # a label without variables is formatted once per environment, then reused
    assert ours.from_string(source).render(who=who) == made


def test_a_label_formatted_once_is_its_environments_own() -> None:
    page = '{{ _("100%% sure") }}'
    german = make_env(None, labels=Labels("de", _German()))
    english = make_env(None)
    assert german.from_string(page).render() == "100% sicher"
    assert english.from_string(page).render() == "100% sure"
    assert german.from_string(page).render() == "100% sicher"
    text = make_env(None, html=False, labels=Labels("de", _German()))
    assert text.from_string('{{ _("<b>") }}').render() == "<b>"  # not escaped as HTML


def test_gettext_with_a_missing_placeholder_fails_as_jinjas_does() -> None:
    env = make_env(None, labels=Labels("de", _German()))
    with pytest.raises(KeyError):
        env.from_string('{{ _("Hello %(name)s") }}').render()


class _HasMro:
    mro = "an attribute of its own"


def test_an_attribute_allowed_on_one_type_stays_refused_on_another() -> None:
    """The sandbox remembers its answers by (type, name): `mro` of an object that has one is
    fine, `mro` of a class stays refused after it."""
    env = make_env(None)
    page = env.from_string("{{ thing.mro }}")
    assert page.render(thing=_HasMro()) == "an attribute of its own"
    with pytest.raises(jinja2.exceptions.SecurityError):
        page.render(thing=str)
    assert page.render(thing=_HasMro()) == "an attribute of its own"
