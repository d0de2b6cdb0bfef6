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


class _Named:
    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


class _Both(dict[str, object]):
    """A mapping whose instances may also have attributes of their own."""

    name: str


READS = "{{ it.name }}|{{ it.format }}|{{ it.table is mapping }}|{{ it.table.pop is defined }}"


def _fresh(source: str, **context: object) -> str:
    """`source` rendered by an environment that has read nothing yet: the sandbox's rules
    asked for every attribute."""
    return make_env(None, html=False).from_string(source).render(**context)


@pytest.mark.parametrize("first", [True, False])
def test_an_attribute_read_again_answers_as_the_sandbox_did(first: bool) -> None:
    """A (type, name) read as a plain attribute once is read again without asking the
    sandbox's rules: the same answers every time, whatever the instance holds. A missing
    attribute is still an item of that name or undefined, a table still read-only, and a
    str's `format` still the sandbox's own."""
    env = make_env(None, html=False)
    page = env.from_string(READS)
    things: list[object] = [
        _Named(name="a", format="f", table={"k": 1}),
        _Named(name="b", format="{0.__class__}", table={}),
        {"name": "m", "format": "x", "table": {}},  # the same names as items of a mapping
    ]
    if not first:
        things.reverse()
    for it in [*things, *things]:
        assert page.render(it=it) == _fresh(READS, it=it)
    view = _Named(name="v", format="f", table={"k": 1})
    assert page.render(it=view) == "v|f|True|False"  # the view's table read-only: no `pop`
    # a str's format is wrapped by the sandbox, after a plain `format` was read as before
    fmt = env.from_string("{{ s.format(x) }}")
    with pytest.raises(jinja2.exceptions.SecurityError):
        fmt.render(s="{0.__class__}", x=1)
    assert fmt.render(s="{0}!", x=1) == "1!"
    # a field that holds a str's `format` on another instance, whatever the field's name:
    # the sandbox's wrapper still
    for field in ("format", "fmt"):
        read = env.from_string("{{ it." + field + " }}")
        assert read.render(it=_Named(**{field: "plain"})) == "plain"  # a plain read first
        call = env.from_string("{{ it." + field + "(1) }}")
        assert call.render(it=_Named(**{field: "{0}!".format})) == "1!"
        with pytest.raises(jinja2.exceptions.SecurityError):
            call.render(it=_Named(**{field: "{0.__class__}".format}))
    # an instance without the attribute: an item of that name, else undefined, as before
    with pytest.raises(jinja2.exceptions.UndefinedError):
        env.from_string("{{ it.name }}").render(it=_Named())
    named = env.from_string("{{ it.name }}")
    with_attribute = _Both()
    with_attribute.name = "attribute"
    assert named.render(it=with_attribute) == "attribute"
    item = _Both(name="item")
    assert named.render(it=item) == "item" == _fresh("{{ it.name }}", it=item)
    # and a private attribute of the type stays refused after its fields were read
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ it.__dict__ }}").render(it=view)
