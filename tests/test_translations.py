"""Every catalogue is complete and keeps its placeholders; the portal speaks Polish by default."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
# A python-format placeholder: %(name) with optional flags, width and precision, then its type.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa]")
COUNT = {"%(num)d"}  # the number Flask-Babel's ngettext passes itself


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The app reads .mo files: compile each catalogue that is missing or older than its .po."""
    for po in CATALOGUES:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(mo.name + ".tmp")
        with partial.open("wb") as handle:
            write_mo(handle, _read(po))
        partial.replace(mo)
    # Flask-Babel caches catalogues process-wide: drop any loaded before the .mo files existed.
    domain = vars(babel).get("domain_instance")  # a cached_property, made on first use
    if domain is not None:
        domain.cache.clear()


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_catalogue_is_complete(path):
    catalogue = _read(path)
    assert not catalogue.fuzzy, f"{path}: the header is marked fuzzy, so it would not compile"
    incomplete = [
        message.id
        for message in catalogue
        if message.id
        and (message.fuzzy or not all(message.string if message.pluralizable else [message.string]))
    ]
    assert not incomplete, f"{path}: untranslated or fuzzy entries: {incomplete}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_translations_keep_placeholders(path):
    wrong = []
    for message in _read(path):
        if not message.id or not message.string:
            continue
        if not message.pluralizable:
            if _placeholders(message.string) != _placeholders(message.id):
                wrong.append((message.id, message.string))
            continue
        singular, plural = (_placeholders(text) for text in message.id)
        for index, form in enumerate(message.string):
            # Form 0 (n == 1 in Polish) may follow either English form and leave out the count.
            allowed = [plural] if index else [singular, plural, singular - COUNT, plural - COUNT]
            if form and _placeholders(form) not in allowed:
                wrong.append((message.id, form))
    assert not wrong, f"{path}: placeholders dropped or changed: {wrong}"


def test_polish_by_default_english_on_request(client):
    assert "Zaloguj się" in client.get("/auth/login").get_data(as_text=True)
    assert "Sign in" in client.get("/auth/login?lang=en").get_data(as_text=True)
