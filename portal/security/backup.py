"""Database backup and restore: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API.

Both read the connection from the `default` database settings (that is, DATABASE_URL), so
`make backup` and `make restore FILE=…` work against whatever the portal itself uses.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from core.errors import DomainError


class BackupError(DomainError):
    code = "backup_failed"


def _db(alias: str = "default") -> dict[str, Any]:
    return connections[alias].settings_dict


def _vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def default_backup_path(alias: str = "default") -> Path:
    suffix = "dump" if _vendor(alias) == "postgresql" else "sqlite3"
    return Path(settings.BACKUP_DIR) / f"portal-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        # Through the environment, never the command line (visible to every user in `ps`).
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} 未安装（apt-get install postgresql-client）/ {tool} is not installed")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} 失败 / failed: {result.stderr.strip()[-2000:]}")


def backup_database(output: Path | None = None, *, alias: str = "default") -> Path:
    """Write a consistent copy of the database to `output` (a new file) and return its path."""
    output = Path(output) if output else default_backup_path(alias)
    output.parent.mkdir(parents=True, exist_ok=True)
    db = _db(alias)
    vendor = _vendor(alias)
    if vendor == "postgresql":
        args, env = _pg_args(db)
        # -Fc: compressed custom format, restorable table by table; pg_dump reads one snapshot.
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(output),
              str(db["NAME"])], env)
    elif vendor == "sqlite":
        tmp = output.with_name(output.name + ".partial")
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(tmp))
        try:
            # The online backup API copies a consistent snapshot even while others write.
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        tmp.replace(output)
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {vendor}")
    os.chmod(output, 0o600)  # it holds personal data
    return output


def restore_database(source: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with a backup made by backup_database()."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"备份文件不存在 / no such backup file: {source}")
    db = _db(alias)
    vendor = _vendor(alias)
    # Let go of this process's connection so nothing of ours holds locks during the restore.
    connections[alias].close()
    if vendor == "postgresql":
        args, env = _pg_args(db)
        # One transaction: the restore either fully replaces the data or changes nothing.
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", *args, "--dbname", str(db["NAME"]), str(source)], env)
    elif vendor == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(str(db["NAME"]))
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"备份文件已损坏 / the backup file is corrupt: {source}")
            with live:
                backup.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"无法读取备份文件 / cannot read the backup: {exc}") from exc
        finally:
            live.close()
            backup.close()
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {vendor}")
