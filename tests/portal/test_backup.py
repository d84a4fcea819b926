"""`manage.py backup` / `manage.py restore` (`make backup`, `make restore FILE=…`) round trips.

Each test works on its own throwaway database (a SQLite file, or a PostgreSQL database created
and dropped here), never on the suite's test database.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, database_url: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


# --- SQLite ----------------------------------------------------------------------------------------


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        return {
            "villages": db.execute("SELECT id, name FROM village ORDER BY id").fetchall(),
            "households": db.execute("SELECT id, village_id, head FROM household ORDER BY id").fetchall(),
        }


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "portal.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE village (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.execute("CREATE TABLE household (id INTEGER PRIMARY KEY, village_id INTEGER REFERENCES village(id), "
                   "head TEXT NOT NULL)")
        db.executemany("INSERT INTO village (id, name) VALUES (?, ?)", [(i, f"村{i}") for i in range(1, 6)])
        db.executemany("INSERT INTO household (village_id, head) VALUES (?, ?)",
                       [(1 + i % 5, f"户主{i}") for i in range(200)])
    return path


def test_sqlite_backup_and_restore_round_trip(tmp_path, sqlite_db):
    url = f"sqlite:///{sqlite_db}"
    before = _sqlite_rows(sqlite_db)
    target = tmp_path / "backups" / "portal.sqlite3"

    out = manage("backup", "--output", str(target), database_url=url)

    assert "备份完成" in out.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds personal data
    with sqlite3.connect(sqlite_db) as db:
        db.execute("DELETE FROM household WHERE id <= 50")
        db.execute("UPDATE village SET name = '改名' WHERE id = 1")
        db.execute("INSERT INTO village (id, name) VALUES (99, '新村')")
    assert _sqlite_rows(sqlite_db) != before

    restored = manage("restore", str(target), "--noinput", database_url=url)

    assert "恢复完成" in restored.stdout
    assert _sqlite_rows(sqlite_db) == before
    assert len(before["households"]) == 200


def test_backup_refuses_to_overwrite_a_file(tmp_path, sqlite_db):
    existing = tmp_path / "old.sqlite3"
    existing.write_bytes(b"keep me")

    result = manage("backup", "--output", str(existing), database_url=f"sqlite:///{sqlite_db}", check=False)

    assert result.returncode != 0
    assert "不会覆盖" in result.stderr
    assert existing.read_bytes() == b"keep me"


def test_restore_of_a_missing_or_corrupt_file_changes_nothing(tmp_path, sqlite_db):
    url = f"sqlite:///{sqlite_db}"
    before = _sqlite_rows(sqlite_db)
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)

    missing = manage("restore", str(tmp_path / "nope.sqlite3"), "--noinput", database_url=url, check=False)
    broken = manage("restore", str(corrupt), "--noinput", database_url=url, check=False)

    assert missing.returncode != 0 and "备份文件不存在" in missing.stderr
    assert broken.returncode != 0 and "无法读取备份文件" in broken.stderr
    assert _sqlite_rows(sqlite_db) == before


def test_restore_asks_before_replacing_the_data(tmp_path, sqlite_db):
    url = f"sqlite:///{sqlite_db}"
    target = tmp_path / "b.sqlite3"
    manage("backup", "--output", str(target), database_url=url)
    with sqlite3.connect(sqlite_db) as db:
        db.execute("DELETE FROM household")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}

    answer = subprocess.run([sys.executable, "manage.py", "restore", str(target)], cwd=ROOT, env=env, input="no\n",
                            capture_output=True, text=True, timeout=120)

    assert answer.returncode != 0 and "已取消" in answer.stderr
    assert _sqlite_rows(sqlite_db)["households"] == []


def test_make_targets_call_the_commands():
    makefile = (ROOT / "Makefile").read_text()

    assert "manage.py backup" in makefile
    assert "manage.py restore $(FILE)" in makefile


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _pg_connect(dbname: str):  # type: ignore[no-untyped-def]
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                           password=s["PASSWORD"] or None, dbname=dbname, autocommit=True)


def _pg_url(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


def _pg_counts(dbname: str) -> dict[str, int]:
    from psycopg import sql

    with _pg_connect(dbname) as db:
        tables = [row[0] for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
                for t in tables}


@pytest.fixture
def throwaway_pg():  # type: ignore[no-untyped-def]
    from psycopg import sql

    name = f"portal_backup_rt_{os.getpid()}"
    with _pg_connect("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _pg_connect("postgres") as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_backup_and_restore_round_trip_the_demo_data(tmp_path, throwaway_pg):
    url = _pg_url(throwaway_pg)
    manage("migrate", "--noinput", database_url=url)
    manage("seed_demo", database_url=url, timeout=900)
    # Rows the demo may not create yet, so that the round trip always carries real data.
    manage("shell", "-c", (
        "from django.contrib.auth.models import Group, User\n"
        "from portal.audit import audit\n"
        "User.objects.get_or_create(username='backup-probe', defaults={'first_name': '原名'})\n"
        "Group.objects.get_or_create(name='backup-probe')\n"
        "audit('login', username='backup-probe')\n"
    ), database_url=url)
    before = _pg_counts(throwaway_pg)
    assert before["auth_user"] >= 1 and before["portal_auditevent"] >= 1 and before["django_migrations"] > 10
    dump = tmp_path / "portal.dump"

    manage("backup", "--output", str(dump), database_url=url)

    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    with _pg_connect(throwaway_pg) as db:
        db.execute("INSERT INTO auth_group (name) VALUES ('after-backup')")
        db.execute("UPDATE auth_user SET first_name = '改过'")
        db.execute("DELETE FROM portal_auditevent")
        db.execute("DELETE FROM django_celery_beat_periodictask")
    assert _pg_counts(throwaway_pg) != before

    manage("restore", str(dump), "--noinput", database_url=url)

    assert _pg_counts(throwaway_pg) == before
    with _pg_connect(throwaway_pg) as db:
        assert db.execute("SELECT count(*) FROM auth_group WHERE name = 'after-backup'").fetchone()[0] == 0
        names = db.execute("SELECT first_name FROM auth_user WHERE username = 'backup-probe'").fetchone()
        assert names == ("原名",)
