"""What carewatch writes on disk about callers (README, "Privacy: what is kept where").

The report cache (carewatch/kpicache.py, carewatch/report/sections.py) keeps a finished day's
callers to call back and the notes of "What callers wanted" by their calls' primary keys:
no caller's number and no note is in a cache file, with ``[privacy]`` masking callers or not,
and the report read from the cache is the report read without it. The cache's folders are
made 0700 and its files 0600.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from carewatch.cachedir import make_folder, write_kept
from carewatch.config import Config, parse_config
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import build_report
from carewatch.report.sections import decode_callbacks, decode_requests
from carewatch.store import Store
from tests.test_kpicache import CONFIG, both
from tests.test_kpicache_sections import CALLER, _lost
from tests.test_report import DAY, NOW, at, fill

#: The note of tests/test_report.py's call d1, and the caller's digits as they are logged.
NOTE = "tracking link sent"
DIGITS = "025550"


@pytest.fixture(params=[True, False], ids=["masked", "whole-numbers"])
def config(request: pytest.FixtureRequest) -> Config:
    return parse_config({**CONFIG, "privacy": {"mask_callers": request.param}})


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    fill(s)
    s.ingest("pbx", [(1, CallUpdate("lost-1", _lost(at(DAY, 16))))])
    yield s
    s.close()


def _cache_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_the_report_cache_holds_no_callers_number_and_no_note(
    store: Store, config: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    text, js = both(store, config, folder)  # checked equal to the report without the cache
    report = json.loads(js)
    assert [c["call_id"] for c in report["callbacks"]] == ["lost-1"]
    assert NOTE in [n["note"] for r in report["requests"] for n in r["notes"]]
    files = _cache_files(folder)
    assert files
    for file in files:
        kept = file.read_text(encoding="utf-8")
        assert CALLER not in kept and DIGITS not in kept.replace(" ", ""), file
        assert NOTE not in kept, file
    # read back from the cache: the same callers and notes, masked as the config says
    assert both(store, config, folder) == [text, js]
    shown = json.loads(js)["callbacks"][0]["caller"]
    assert shown == (CALLER if not config.privacy.mask_callers else "+** ** **** 1234")


def test_a_kept_section_whose_call_is_gone_is_computed_again(
    store: Store, config: Config, tmp_path: Path
) -> None:
    """A call-back or a note the cache names by a call the database no longer has (erased)
    gives nothing back: the report computes the section again."""
    assert (
        decode_callbacks(store, {"callbacks": [[999999, "x", 0.0, None, "abandoned", 1, 1]]})
        is None
    )
    gone = [["shipping", 1, 1.0, False, [], [["x", 0.0, None, None, None, None, 999999]], 1]]
    assert decode_requests(store, {"requests": gone}) is None
    assert decode_callbacks(store, {"callbacks": []}) == []


def test_the_report_cache_is_its_users_only(
    store: Store, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "home" / ".cache" / "carewatch"
        build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config, folder))
    finally:
        os.umask(old)
    files = _cache_files(folder)
    assert files
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    for made in {f.parent for f in files} | {folder, folder.parent}:
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made


def test_a_cache_folder_that_is_there_keeps_its_permissions(tmp_path: Path) -> None:
    """A site that made a shared cache folder on purpose ($CAREWATCH_CACHE) keeps it so; what
    carewatch makes inside it is 0700."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o750)
    write_kept(shared / "kpis-x" / "a.json", "{}", 5)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750
    assert stat.S_IMODE((shared / "kpis-x").stat().st_mode) == 0o700
    assert stat.S_IMODE((shared / "kpis-x" / "a.json").stat().st_mode) == 0o600
    make_folder(shared / "kpis-x")  # there already: nothing to do


def test_a_folder_shared_with_a_group_lets_the_group_read_what_is_kept(tmp_path: Path) -> None:
    """The shared cache of docs/reports.md (`install -d -m 2770 -g carewatch`): the ingester's
    kept day is read by the managers' reports, users of the same group. So what is made in a
    set-group-ID folder is shared the same way: folders 2770, files 0640 (nothing for
    others); the files hold no caller's number and no note (the test above)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o2770)
    old = os.umask(0o077)  # the ingester's own umask does not undo the sharing
    try:
        write_kept(shared / "kpis-x" / "a.json", "{}", 5)
    finally:
        os.umask(old)
    assert stat.S_IMODE((shared / "kpis-x").stat().st_mode) == 0o2770
    assert stat.S_IMODE((shared / "kpis-x" / "a.json").stat().st_mode) == 0o640
    assert (shared / "kpis-x" / "a.json").stat().st_gid == shared.stat().st_gid
