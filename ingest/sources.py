"""Where `newsgraph ingest` finds its sources (files, folders, stdin) and how it sums them up."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# What a folder contributes: the formats the readers know.
SOURCE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".json", ".ninjs"}
STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One raw article to read: a file, or standard input."""

    label: str
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else ""

    def read(self) -> str:
        if self.path is None:
            return sys.stdin.read()
        return self.path.read_text(encoding="utf-8")


def collect_sources(arguments: Iterable[str]) -> tuple[list[Source], list[tuple[str, str]]]:
    """The sources the arguments name, in order, and the arguments that name nothing."""
    sources: list[Source] = []
    missing: list[tuple[str, str]] = []
    for argument in arguments:
        if argument == STDIN:
            sources.append(Source("<stdin>"))
            continue
        path = Path(argument)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES
            )
            sources.extend(Source(str(p), p) for p in found)
            if not found:
                missing.append((argument, "unreadable: the folder holds no .txt, .html or .json"))
        elif path.is_file():
            sources.append(Source(argument, path))
        else:
            missing.append((argument, "unreadable: no such file or folder"))
    return sources, missing


@dataclass
class IngestSummary:
    """Counts per outcome, and every failure with its path and reason."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: str, label: str) -> None:
        {"created": self.new, "updated": self.updated, "unchanged": self.unchanged}[status].append(
            label
        )

    def render(self) -> str:
        lines = [
            f"new {len(self.new)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)}"
        ]
        lines.extend(f"failed: {label}: {reason}" for label, reason in self.failed)
        return "\n".join(lines)
