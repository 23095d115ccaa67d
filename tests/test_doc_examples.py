"""The examples of the README and docs/*.md run, and print what the docs show.

The rules for what is an example are in ``tests/doc_examples.py``. Each document runs in a
folder of its own that sees the project's ``tests/data`` and ``config``, in the zone
Europe/Rome, with the report's printing time fixed by ``SOURCE_DATE_EPOCH`` (2026-11-23 08:05
UTC), so the documents can show whole reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carewatch.cli import main
from tests.doc_examples import (
    Step,
    is_endless,
    json_contains,
    json_excerpt,
    missing_excerpt,
    steps,
)

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
PRINTED_AT = "1795421100"  # 2026-11-23 08:05 UTC


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """One command in this process: its exit status and what it printed (stdout, stderr)."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def check(step: Step, status: int, output: str) -> None:
    shown = f"carewatch {' '.join(step.argv)} ({step.where})"
    if step.kind == "excerpt" and step.language == "json":
        problem = json_contains(json_excerpt(step.expected), json.loads(output))
        assert problem is None, f"{shown}: {problem}"
        return
    if step.kind in ("excerpt", "transcript"):
        missing = missing_excerpt(step.expected, output)
    else:
        missing = missing_excerpt([line for e in step.expected for line in (e, "...")], output)
    assert missing is None, f"{shown} does not print, as the docs say:\n{missing}\n---\n{output}"
    if not step.expected or not any(line.startswith("carewatch: ") for line in step.expected):
        assert status == 0, f"{shown} failed ({status}):\n{output}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_examples_of_a_document_run_as_shown(
    document: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "data").symlink_to(ROOT / "tests" / "data")
    (tmp_path / "config").symlink_to(ROOT / "config")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "Europe/Rome")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PRINTED_AT)
    ran = 0
    for step in steps((ROOT / document).read_text(encoding="utf-8"), document):
        if step.kind == "file":
            (tmp_path / step.argv[0]).write_text(step.text, encoding="utf-8")
            continue
        if is_endless(step.argv):
            continue
        status, output = run(step.argv, capsys)
        check(step, status, output)
        ran += 1
    if document == "README.md":
        assert ran >= 10, "the README's examples were not found"


def test_the_readme_session_reports_a_day_with_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walkthrough's report is of a simulated day, not an empty one."""
    monkeypatch.chdir(tmp_path)
    readme = steps((ROOT / "README.md").read_text(encoding="utf-8"), "README.md")
    commands = [s.argv for s in readme if s.kind == "command" and not is_endless(s.argv)]
    simulate = next(a for a in commands if a[0] == "simulate")
    report = next(a for a in commands if a[0] == "report" and "--config" not in a)
    assert run(simulate, capsys)[0] == 0
    assert run(["ingest", "logs/queue_log", "--db", "cw.db"], capsys)[0] == 0
    status, output = run([*report, "--format", "json"], capsys)
    assert status == 0
    assert json.loads(output)["kpis"]["offered"] > 0


def test_the_excerpt_check_finds_a_stale_line() -> None:
    output = "a\nb\nc\nd\n"
    assert missing_excerpt(["a", "b", "...", "d"], output) is None
    assert missing_excerpt(["b", "a"], output) == "b\na"
    assert missing_excerpt(["a", "...", "x"], output) == "x"
    shown = json_excerpt(['{"kpis": {"offered": 50, ...}, "same": {...}, ...}'])
    assert json_contains(shown, {"kpis": {"offered": 50, "x": 1}, "same": {"y": 2}}) is None
    assert json_contains(shown, {"kpis": {"offered": 49}, "same": {}}) is not None
