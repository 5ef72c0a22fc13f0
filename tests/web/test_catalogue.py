"""Every user-visible string in the code and templates has its French translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
PYBABEL = Path(sys.executable).parent / "pybabel"


def test_french_catalogue_covers_every_message(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    po = ROOT / "app/translations/fr/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        french = {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(handle) if m.id
        }
    missing = sorted(
        m
        for m in wanted
        if not french.get(m) or (isinstance(french[m], tuple) and not all(french[m]))
    )
    assert missing == []


def test_compiled_catalogue_matches_its_source() -> None:
    """The committed .mo is what the app reads: it must hold what the .po says."""
    from babel.messages.mofile import read_mo

    po = ROOT / "app/translations/fr/LC_MESSAGES/messages.po"
    with po.open("rb") as p, po.with_suffix(".mo").open("rb") as m:
        source, compiled = read_po(p), read_mo(m)
    assert _entries(source) == _entries(compiled)


def _entries(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(x.id): key(x.string) for x in catalog if x.id and x.string}
