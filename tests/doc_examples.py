"""Reading the examples out of the README and docs/*.md, so a test can run them.

What counts as an example (the docs follow these rules; ``test_doc_examples`` runs them):

* In a ```` ```sh ```` block, every line that starts with ``carewatch`` is a command, run in
  document order in one folder per document. A ``# text`` line right after a command is a
  line of its output (stdout and stderr) and must be one, exactly; a ``# note`` at the end of
  the command's own line is a note.
* In a block without a language (a terminal transcript), ``$ carewatch …`` is a command and
  the lines after it, up to the next ``$``, are lines of its output.
* ``<!-- example-file: NAME -->`` before a block: the block is written to the file NAME before
  the commands that follow run.
* ``<!-- example-output: carewatch … -->`` before a block: the block is an excerpt of that
  command's output, run at that point. A line ``...`` stands for any lines; every other run of
  lines must appear as it is, in order. A ```` ```json ```` excerpt may use ``...`` and
  ``{...}`` inside the JSON: what it shows must be in the output, the elided parts may be
  anything.

Commands that never end (the live screen, ``--follow``, ``--live``, ``--listen``) are not run.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

MARKER = re.compile(r"^<!--\s*example-(file|output):\s*(.+?)\s*-->$")
#: Words that make a command one that does not end: it is shown, not run.
ENDLESS_OPTIONS = frozenset({"--follow", "--live", "--listen"})
ENDLESS_COMMANDS = frozenset({"monitor", "demo", "serve"})


@dataclass
class Block:
    """A fenced block: its language, its lines and the marker comment right before it."""

    language: str
    lines: list[str]
    marker: tuple[str, str] | None
    line_number: int


@dataclass
class Step:
    """One thing to do: write a file, run a command and check lines of its output, or run a
    command and check an excerpt."""

    kind: str  # "file", "command" (sh), "transcript" ($ lines), "excerpt" (marked block)
    where: str
    argv: list[str] = field(default_factory=list)
    text: str = ""
    expected: list[str] = field(default_factory=list)
    language: str = ""


def blocks(markdown: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with the comment line before each."""
    out: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            language = line[3:].strip()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            found = MARKER.match(before.strip())
            marker = (found.group(1), found.group(2)) if found else None
            out.append(Block(language, lines[i + 1 : j], marker, i + 1))
            i = j + 1
        else:
            i += 1
    return out


def is_endless(argv: list[str]) -> bool:
    """Whether the command keeps running until stopped (not run by the test)."""
    words = [a for a in argv if not a.startswith("-")]
    return not words or words[0] in ENDLESS_COMMANDS or bool(ENDLESS_OPTIONS & set(argv))


def command_argv(line: str) -> list[str]:
    """``carewatch report --db x  # a note`` -> ``["report", "--db", "x"]``."""
    words = shlex.split(line, comments=True)
    assert words and words[0] == "carewatch", line
    return words[1:]


def steps(markdown: str, name: str) -> list[Step]:
    """The examples of one document, in order."""
    out: list[Step] = []
    for block in blocks(markdown):
        where = f"{name} line {block.line_number}"
        if block.marker and block.marker[0] == "file":
            out.append(
                Step("file", where, text="\n".join(block.lines) + "\n", argv=[block.marker[1]])
            )
        elif block.marker and block.marker[0] == "output":
            argv = command_argv(block.marker[1])
            out.append(Step("excerpt", where, argv, expected=block.lines, language=block.language))
        elif block.language == "sh":
            for line in block.lines:
                if line.startswith("carewatch"):
                    out.append(Step("command", where, command_argv(line)))
                elif line.startswith("# ") and out and out[-1].kind == "command":
                    out[-1].expected.append(line[2:])
        elif block.language in ("", "console"):
            for line in block.lines:
                if line.startswith("$ carewatch"):
                    out.append(Step("transcript", where, command_argv(line[2:])))
                elif out and out[-1].kind == "transcript" and out[-1].where == where:
                    out[-1].expected.append(line)
    return out


def missing_excerpt(expected: list[str], output: str) -> str | None:
    """The first run of ``expected`` lines (split at ``...`` lines) that is not in ``output``
    in order, or ``None`` when the whole excerpt is there."""
    got = [line.rstrip() for line in output.splitlines()]
    runs: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == "...":
            runs.append([])
        else:
            runs[-1].append(line.rstrip())
    start = 0
    for run in (r for r in runs if r):
        found = next(
            (i for i in range(start, len(got) - len(run) + 1) if got[i : i + len(run)] == run),
            None,
        )
        if found is None:
            return "\n".join(run)
        start = found + len(run)
    return None


def json_excerpt(lines: list[str]) -> Any:
    """A JSON excerpt with ``...`` and ``{...}`` made into JSON (elided parts dropped)."""
    text = "\n".join(lines)
    text = text.replace("{...}", "{}")
    text = re.sub(r",\s*\.\.\.", "", text)
    text = re.sub(r"\.\.\.\s*,", "", text)
    return json.loads(text)


def json_contains(excerpt: Any, actual: Any, path: str = "") -> str | None:
    """Where ``excerpt`` differs from ``actual`` (every key shown must be there with the value
    shown; an empty object stands for any object), or ``None``."""
    if isinstance(excerpt, dict):
        if not isinstance(actual, dict):
            return f"{path or '(top)'}: expected an object"
        for key, value in excerpt.items():
            if key not in actual:
                return f"{path}.{key}: missing"
            problem = json_contains(value, actual[key], f"{path}.{key}")
            if problem:
                return problem
        return None
    if excerpt != actual:
        return f"{path}: shown {excerpt!r}, printed {actual!r}"
    return None
