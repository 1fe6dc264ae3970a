"""Markdown tables of the annotation throughput bench (benchmarks/bench_annotation.py)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from benchmarks.annotation_server import ServerConfig
from benchmarks.loadgen import LoadResult
from benchmarks.machine import results_append


@dataclass
class RunRecord:
    config: ServerConfig
    result: LoadResult
    violations: dict
    ack_problems: list[str]
    load_after: float = 0.0  # 1-minute load average right after the run (other tenants show up here)
    server: dict | None = None  # kind -> LatencyStats of gunicorn's own request time
    cpu: dict | None = None  # CPU seconds during the run: gunicorn, postgres (whole server), loadgen

    @property
    def violation_count(self) -> int:
        return sum(len(rows) for rows in self.violations.values()) + len(self.ack_problems)


def _ms(v) -> str:
    return "-" if v is None else f"{v:.0f}" if v >= 100 else f"{v:.1f}"


TABLE_HEAD = ("| server | clients | cycles/s | cycle p50 | cycle p95 | next p50 | next p95 | submit p50 | submit p95 "
              "| replay p50 | errors | invariant violations | client CPU | load 1m |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def table(records: list[RunRecord]) -> str:
    rows = [TABLE_HEAD]
    for rec in records:
        r, lat = rec.result, rec.result.latencies
        rows.append(
            f"| {rec.config.label} | {r.clients} | {r.throughput:.1f} | {_ms(lat['cycle'].p50_ms)} | "
            f"{_ms(lat['cycle'].p95_ms)} | {_ms(lat['next'].p50_ms)} | {_ms(lat['next'].p95_ms)} | "
            f"{_ms(lat['submit'].p50_ms)} | {_ms(lat['submit'].p95_ms)} | {_ms(lat['replay'].p50_ms)} | "
            f"{r.error_count} | {rec.violation_count} | {100 * r.client_cpu_s / r.duration_s:.0f}% | "
            f"{rec.load_after:.1f} |"
        )
    return "\n".join(rows)


def cpu_table(records: list[RunRecord]) -> str:
    ncpu = os.cpu_count() or 1
    rows = ["| server | clients | cycles/s | gunicorn CPU ms/cycle | PostgreSQL CPU ms/cycle | loadgen CPU ms/cycle "
            f"| total | ceiling on {ncpu} cores (cycles/s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rec in records:
        if not rec.cpu or not rec.result.cycles:
            continue
        per = {k: None if v is None else v * 1000 / rec.result.cycles for k, v in rec.cpu.items()}
        if per["postgres"] is None:
            rows.append(f"| {rec.config.label} | {rec.result.clients} | {rec.result.throughput:.1f} | "
                        f"{per['gunicorn']:.1f} | n/a (per-request backends) | {per['loadgen']:.1f} | - | - |")
            continue
        total = sum(per.values())
        rows.append(f"| {rec.config.label} | {rec.result.clients} | {rec.result.throughput:.1f} | "
                    f"{per['gunicorn']:.1f} | {per['postgres']:.1f} | {per['loadgen']:.1f} | {total:.1f} | "
                    f"{ncpu * 1000 / total:.0f} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def server_table(records: list[RunRecord]) -> str:
    rows = ["| server | clients | srv next p50 | srv next p95 | srv submit p50 | srv submit p95 | "
            "client-seen next p50 | client-seen submit p50 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rec in records:
        if not rec.server:
            continue
        lat, srv = rec.result.latencies, rec.server
        rows.append(f"| {rec.config.label} | {rec.result.clients} | {_ms(srv['next'].p50_ms)} | "
                    f"{_ms(srv['next'].p95_ms)} | {_ms(srv['submit'].p50_ms)} | {_ms(srv['submit'].p95_ms)} | "
                    f"{_ms(lat['next'].p50_ms)} | {_ms(lat['submit'].p50_ms)} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def write_results(text: str, path: Path) -> None:
    results_append(path, text, preamble="# Annotation API benchmark results\n\nAppended by "
                   "`benchmarks/bench_annotation.py`; see `benchmarks/README.md` for what is measured.")
