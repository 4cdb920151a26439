"""Simplified Chinese is the source language; every string has its English translation."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[1] / "src" / "onestop"
CATALOGUES = sorted(SRC.glob("*/locale/en/LC_MESSAGES/django.po"))


def _entries(text: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for each entry of a .po file, header excluded."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        strings: dict[str, list[str]] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                strings.setdefault(key, []).append(match.group(2))
            elif line.startswith('"') and key:
                strings[key].append(line.strip()[1:-1])
        strings = {k: [ast.literal_eval(f'"{part}"') for part in v] for k, v in strings.items()}
        msgid = "".join(strings.get("msgid", []))
        if not msgid:
            continue
        msgstrs = ["".join(v) for k, v in strings.items() if k.startswith("msgstr")]
        entries.append((msgid, msgstrs, "fuzzy" in block.split("msgid")[0]))
    return entries


def test_every_app_has_an_english_catalogue() -> None:
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"core", "accounts", "portal", "workbench", "policy", "catalogue"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete_and_compiled(po: Path) -> None:
    entries = _entries(po.read_text(encoding="utf-8"))
    assert entries
    missing = [msgid for msgid, msgstrs, fuzzy in entries if fuzzy or not all(msgstrs)]
    assert not missing, f"untranslated or fuzzy in {po}: {missing[:10]}"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = [
        msgid
        for msgid, msgstrs, _fuzzy in entries
        if len(msgstrs) == 1 and compiled.get(msgid) != msgstrs[0]
    ]
    assert not stale, f"{mo} is out of date with the .po (run `make messages`): {stale[:5]}"


@pytest.mark.django_db
def test_pages_switch_to_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Public Security Online Services Platform" in html
    assert "公安政务服务，一网通办" not in html
    assert "Public lists" in client.get("/services/").content.decode()
