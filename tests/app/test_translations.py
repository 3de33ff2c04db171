"""The interface is French first: every string the code marks is translated.

The French catalogue must cover every message extracted from the code and templates,
and the compiled .mo must match the .po (run `pybabel compile` after editing).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "eventapp" / "translations" / "fr" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "pgettext": ((1, "c"), 2)}


def _translated(entry) -> bool:
    if entry is None or entry.fuzzy:
        return False
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(strings)


def _extracted_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _french_catalogue():
    with open(CATALOGUE / "messages.po", "rb") as po:
        return read_po(po, locale="fr")


def test_every_message_has_a_french_translation():
    catalogue = _french_catalogue()
    missing = sorted(
        message for message in _extracted_messages() if not _translated(catalogue.get(message))
    )
    assert not missing, "untranslated (run pybabel extract/update, then translate):\n" + (
        "\n".join(missing[:50]))


def test_compiled_catalogue_is_up_to_date():
    compiled = io.BytesIO()
    write_mo(compiled, _french_catalogue())
    assert (CATALOGUE / "messages.mo").read_bytes() == compiled.getvalue(), (
        "messages.mo is stale: run `pybabel compile -d eventapp/translations`"
    )


def test_pages_are_french_by_default_and_english_on_request(app_config, app, client):
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    french = client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in french and "Se connecter" in french
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Sign in" in english
    # The choice sticks for the rest of the visit.
    assert "Sign in" in client.get("/login").get_data(as_text=True)
