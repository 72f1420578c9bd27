"""Measurements of the poll benchmarks: RSS and its per-phase peaks, CPU by thread, `Phase` (wall time, CPU,
memory and server request counts of one phase) and cProfile summaries.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import os
import pstats
import resource
import threading
import time
from pathlib import Path
from typing import Any

from feed_server import Control


def _status_kb(field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def hwm_mb() -> float:
    return _status_kb("VmHWM") / 1024


_PEAK_KB = 0  # the process peak seen before any VmHWM reset


def _ru_maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def reset_hwm() -> bool:
    """Reset VmHWM (Linux >= 4.0) so that each phase gets its own peak; False where not permitted.

    The reset lowers ru_maxrss too (both read the same high-water mark), so the peak so far is kept first."""
    global _PEAK_KB
    _PEAK_KB = max(_PEAK_KB, _ru_maxrss_kb(), _status_kb("VmHWM"))
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def max_rss_mb() -> float:
    """Peak RSS of this process over the whole run: ru_maxrss, combined with the peaks kept across resets."""
    return max(_PEAK_KB, _ru_maxrss_kb(), _status_kb("VmHWM")) / 1024


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each live thread, grouped: event loop, db writer, db reader, other threads."""
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        tid = thread.native_id
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        except (OSError, TypeError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        if thread is threading.main_thread():
            group = "loop"
        elif thread.name.startswith("clausewatch-db-writer"):
            group = "db_writer"
        elif thread.name.startswith("clausewatch-db-reader"):
            group = "db_reader"
        else:
            group = "threads"
        found[group] = found.get(group, 0.0) + seconds
    return found


class Phase:
    """Wall time, process CPU (split by thread), server request counts and memory of one phase."""

    def __init__(self, name: str, n: int, control: Control | None) -> None:
        self.name = name
        self.n = n
        self.control = control
        self.result: dict[str, Any] = {"name": name}

    async def __aenter__(self) -> Phase:
        gc.collect()
        self.hwm_reset = reset_hwm()
        self.counts = await self.control.counts() if self.control else {}
        self.cpu = process_cpu()
        self.threads = thread_cpu()
        self.started = time.perf_counter()
        return self

    async def __aexit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.started
        cpu = process_cpu() - self.cpu
        threads_now = thread_cpu()
        split = {k: round(v - self.threads.get(k, 0.0), 2) for k, v in threads_now.items()}
        split["exited_threads"] = round(max(0.0, cpu - sum(split.values())), 2)
        self.result.update(
            seconds=round(seconds, 3),
            ms_per_source=round(seconds * 1000 / self.n, 3) if self.n else None,
            cpu_seconds=round(cpu, 2),
            cpu_by_thread={k: v for k, v in split.items() if v},
            rss_mb=round(rss_mb(), 1),
            phase_peak_rss_mb=round(hwm_mb(), 1) if self.hwm_reset else None,
        )
        if self.control:
            after = await self.control.counts()
            self.result["server"] = {k: v - self.counts.get(k, 0) for k, v in after.items() if v - self.counts.get(k, 0)}


def profile_rows(profiler: cProfile.Profile, limit: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({
            "function": f"{_short_path(filename)}:{line}({function})",
            "calls": nc, "tottime": round(tt, 3), "cumtime": round(ct, 3),
            "tottime_share": round(tt / total, 3) if total else 0.0,
        })
    rows.sort(key=lambda row: row["tottime"], reverse=True)
    return rows[:limit]


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
