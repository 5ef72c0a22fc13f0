"""``flask policy load`` / ``policy dump`` through the real CLI runner."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import CalendarSource, Owner
from schedules import dump_boundaries, parse_boundaries
from tests.factories import boundaries_doc

ROOT = Path(__file__).resolve().parent.parent.parent


def write(tmp_path: Path, text: str, name: str = "b.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_creates_then_is_idempotent_then_updates(app, runner, tmp_path):
    path = write(tmp_path, dump_boundaries(parse_boundaries(boundaries_doc())))
    first = runner.invoke(args=["policy", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "created owner camille" in first.output
    again = runner.invoke(args=["policy", "load", str(path)])
    assert "owner camille unchanged" in again.output
    changed = boundaries_doc(limits={"max_days_ahead": 30})
    path.write_text(dump_boundaries(parse_boundaries(changed)), encoding="utf-8")
    updated = runner.invoke(args=["policy", "load", str(path)])
    assert "updated owner camille" in updated.output
    with app.app_context():
        owner = db.session.scalar(select(Owner))
        assert owner.boundaries["limits"]["max_days_ahead"] == 30


def test_dump_round_trips_the_example_file(app, runner):
    example = ROOT / "examples" / "boundaries.toml"
    assert runner.invoke(args=["policy", "load", str(example)]).exit_code == 0
    dumped = runner.invoke(args=["policy", "dump", "camille"])
    assert dumped.exit_code == 0
    assert dumped.output == example.read_text(encoding="utf-8")


def test_errors_name_the_field_and_change_nothing(app, runner, tmp_path):
    good = write(tmp_path, dump_boundaries(parse_boundaries(boundaries_doc())))
    runner.invoke(args=["policy", "load", str(good)])
    text = good.read_text(encoding="utf-8")
    bad_text = text.replace('"14:00-18:00"', '"14:00-13:00"', 1).replace(
        'timezone = "Europe/Paris"', 'timezone = "Europe/Pari"'
    )
    bad = write(tmp_path, bad_text, "bad.toml")
    result = runner.invoke(args=["policy", "load", str(bad)])
    assert result.exit_code == 1
    assert 'hours.mon[1]: "14:00-13:00" ends before it starts' in result.output
    assert 'owner.timezone: unknown time zone "Europe/Pari"' in result.output
    assert "nothing was changed" in result.output
    with app.app_context():
        owner = db.session.scalar(select(Owner))
        assert owner.timezone == "Europe/Paris"
        assert owner.boundaries["hours"]["mon"] == ["09:00-12:30", "14:00-18:00"]


def test_calendars_in_the_file_become_sources_and_follow_it(app, runner, tmp_path):
    feeds = [{"name": "Perso", "ics": "webcal://calendar.example.org/a.ics"}]
    path = write(tmp_path, dump_boundaries(parse_boundaries(boundaries_doc(calendars=feeds))))
    runner.invoke(args=["policy", "load", str(path)])
    with app.app_context():
        assert [s.name for s in db.session.scalars(select(CalendarSource))] == ["Perso"]
    path.write_text(dump_boundaries(parse_boundaries(boundaries_doc())), encoding="utf-8")
    runner.invoke(args=["policy", "load", str(path)])
    with app.app_context():
        assert db.session.scalars(select(CalendarSource)).all() == []


def test_dump_unknown_owner_fails(runner):
    result = runner.invoke(args=["policy", "dump", "nobody"])
    assert result.exit_code == 1
    assert "no owner with slug 'nobody'" in result.output
