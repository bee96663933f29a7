"""CPU time per request, read from /proc (Linux).

Throughput and latency on a machine other work shares move with that work; the CPU time a
server and its PostgreSQL backends spend per request moves much less, so the comparison
scripts print both. A process that starts and ends within one run is not seen: keep the
servers' connection pools at least as large as the load's concurrency.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

_PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")  # what /proc/<pid>/stat counts CPU time in


def _ticks(pid: int) -> int | None:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: count fields after its closing ")".
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in (_PROC / str(pid) / "task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def with_descendants(pids: Iterable[int]) -> set[int]:
    """The processes and all their children (uvicorn's workers, PostGraphile's cluster)."""
    found: set[int] = set()
    pending = list(pids)
    while pending:
        pid = pending.pop()
        if pid not in found:
            found.add(pid)
            pending.extend(_children(pid))
    return found


def database_backends(database: str) -> set[int]:
    """PostgreSQL's backend processes serving connections to `database`."""
    found: set[int] = set()
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # A backend's title: "postgres: [<cluster>:] <user> <database> <client> <state>".
        words = title.split()
        if words[:1] == ["postgres:"] and database in words[2:4]:
            found.add(int(entry.name))
    return found


@dataclass
class CpuMeter:
    """Counts the CPU a server's processes and a database's backends use while it is open."""

    server_pids: set[int]
    database: str
    server_seconds: float = 0.0
    database_seconds: float = 0.0
    _before: dict[tuple[str, int], int] = field(default_factory=dict)

    def _sample(self) -> dict[tuple[str, int], int]:
        processes = [("server", pid) for pid in with_descendants(self.server_pids)]
        processes += [("database", pid) for pid in database_backends(self.database)]
        sample = {}
        for kind, pid in processes:
            ticks = _ticks(pid)
            if ticks is not None:
                sample[kind, pid] = ticks
        return sample

    def __enter__(self) -> CpuMeter:
        self._before = self._sample()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for (role, pid), ticks in self._sample().items():
            used = (ticks - self._before.get((role, pid), 0)) / _TICKS_PER_SECOND
            if role == "database":
                self.database_seconds += used
            else:
                self.server_seconds += used

    def per_request(self, requests: float) -> str:
        if requests <= 0:
            return "CPU per request: no requests"
        return (
            f"CPU per request: server {self.server_seconds / requests * 1000:.2f} ms, "
            f"PostgreSQL {self.database_seconds / requests * 1000:.2f} ms"
        )
