"""The database under the API tests: a SQLite file, or a PostgreSQL
database of the test cluster (pg_cluster.py) when BINGFA_TEST_STORE is
postgresql. A fresh database for each server that asks, dropped when the
test process ends; and plain SQL on either, for the tests that look behind
the API.

Environment:
  BINGFA_TEST_STORE   sqlite (default) or postgresql
  BINGFA_PG_CLUSTER   the state file pg_cluster.py start wrote (postgresql)
"""

import atexit
import json
import os
import sqlite3
import subprocess
import uuid
from contextlib import closing
from urllib.parse import quote


def on_postgres():
    """Whether the tests run on PostgreSQL."""
    return os.environ.get("BINGFA_TEST_STORE", "sqlite") == "postgresql"


class DbError(Exception):
    """A statement the database refused (either database)."""


_cluster = None
_created = []


def cluster():
    """What pg_cluster.py start wrote: bin, socket, user."""
    global _cluster
    if _cluster is None:
        path = os.environ.get("BINGFA_PG_CLUSTER")
        if not path:
            raise RuntimeError("BINGFA_TEST_STORE=postgresql needs BINGFA_PG_CLUSTER, the state "
                               "file of pg_cluster.py start")
        with open(path) as f:
            _cluster = json.load(f)
    return _cluster


def dsn(name):
    """The URI of database name in the test cluster."""
    c = cluster()
    return "postgresql:///%s?host=%s&user=%s" % (name, quote(c["socket"], safe="/"), c["user"])


def _psql(target, script, variables=()):
    c = cluster()
    cmd = [os.path.join(c["bin"], "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
           "-d", target]
    for i, v in enumerate(variables):
        cmd += ["-v", "p%d=%s" % (i + 1, v)]
    res = subprocess.run(cmd, input=script, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise DbError(res.stderr.strip() or res.stdout.strip())
    return res.stdout


def _drop_created():
    for name in _created:
        try:
            _psql(dsn("postgres"), 'DROP DATABASE IF EXISTS "%s" WITH (FORCE);\n' % name)
        except (DbError, OSError, subprocess.TimeoutExpired):
            pass


def fresh_db(tmpdir, filename="bingfa.db"):
    """A new, empty database: the path of filename in tmpdir for SQLite, the
    URI of a new database in the test cluster for PostgreSQL."""
    if not on_postgres():
        return os.path.join(tmpdir, filename)
    name = "t_%d_%s" % (os.getpid(), uuid.uuid4().hex[:12])
    _psql(dsn("postgres"), 'CREATE DATABASE "%s";\n' % name)
    if not _created:
        atexit.register(_drop_created)
    _created.append(name)
    return dsn(name)


def _pg_script(sql, params):
    """sql with its ? parameters as psql variables :'p1', :'p2', …"""
    parts = sql.split("?")
    if len(parts) - 1 != len(params):
        raise ValueError("%d parameters for %r" % (len(params), sql))
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += ":'p%d'" % (i + 1) + part
    return out


def query(db, sql, params=()):
    """The rows of a SELECT (? parameters) on db, as tuples of Python values."""
    if not on_postgres():
        with closing(sqlite3.connect(db, timeout=10)) as conn:
            return conn.execute(sql, params).fetchall()
    # Each row as a JSON object of its columns, in order (name the columns apart).
    script = "SELECT COALESCE(json_agg(q), '[]') FROM (%s) q;\n" % _pg_script(sql, params)
    rows = json.loads(_psql(db, script, [str(p) for p in params]))
    return [tuple(r.values()) for r in rows]


def execute(db, sql, params=()):
    """Runs one statement (? parameters) on db, committed; DbError when the
    database refuses it."""
    if not on_postgres():
        with closing(sqlite3.connect(db, timeout=10)) as conn:
            try:
                conn.execute(sql, params)
                conn.commit()
            except sqlite3.DatabaseError as e:
                raise DbError(str(e))
        return
    _psql(db, _pg_script(sql, params) + ";\n", [str(p) for p in params])


def tables(db):
    """The names of the tables of db."""
    if not on_postgres():
        return {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {r[0] for r in query(db, "SELECT table_name FROM information_schema.tables "
                                    "WHERE table_schema = current_schema()")}
