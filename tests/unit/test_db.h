/* The database of a unit test of the store: SQLite by default, or a fresh
 * database of the PostgreSQL test cluster when BINGFA_TEST_STORE is
 * postgresql (BINGFA_PG_CLUSTER names the state file tests/api/pg_cluster.py
 * wrote: its socket directory and user). */
#ifndef BF_TESTS_TEST_DB_H
#define BF_TESTS_TEST_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether the tests run on PostgreSQL. */
static inline bool test_db_postgres(void)
{
    const char *kind = getenv("BINGFA_TEST_STORE");
    return kind != NULL && strcmp(kind, "postgresql") == 0;
}

/* The URI of database name in the test cluster into out; false when the
 * cluster's state cannot be read. */
static inline bool test_db_uri(const char *name, char *out, size_t cap)
{
    const char *state = getenv("BINGFA_PG_CLUSTER");
    json_t *j = state ? json_load_file(state, 0, NULL) : NULL;
    const char *socket = json_string_value(json_object_get(j, "socket"));
    const char *user = json_string_value(json_object_get(j, "user"));
    bool ok = socket != NULL && user != NULL &&
              (size_t)snprintf(out, cap, "postgresql:///%s?host=%s&user=%s", name, socket,
                               user) < cap;
    json_decref(j);
    return ok;
}

/* Runs one statement on the test database uri (PostgreSQL); false on failure. */
static inline bool test_db_run(const char *uri, const char *sql)
{
    PGconn *pg = PQconnectdb(uri);
    PGresult *res = PQstatus(pg) == CONNECTION_OK ? PQexec(pg, sql) : NULL;
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "test database: %s\n", PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    return ok;
}

/* Runs one statement on the cluster's maintenance database; false on failure. */
static inline bool test_db_admin(const char *sql)
{
    char uri[512];
    return test_db_uri("postgres", uri, sizeof(uri)) && test_db_run(uri, sql);
}

/* A new, empty database into out: sqlite_path itself for SQLite (":memory:"
 * or a file), a new database of the cluster for PostgreSQL; false when it
 * cannot be made. */
static inline bool test_db_fresh(const char *sqlite_path, char *out, size_t cap)
{
    if (!test_db_postgres())
        return (size_t)snprintf(out, cap, "%s", sqlite_path) < cap;
    static unsigned counter;
    char name[64], sql[128];
    snprintf(name, sizeof(name), "u_%d_%u", (int)getpid(), ++counter);
    snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
    return test_db_admin(sql) && test_db_uri(name, out, cap);
}

/* Drops a database test_db_fresh made on PostgreSQL (nothing for SQLite). */
static inline void test_db_drop(const char *uri)
{
    const char *name = strncmp(uri, "postgresql:///", 14) == 0 ? uri + 14 : NULL;
    if (!test_db_postgres() || name == NULL)
        return;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%.*s\" WITH (FORCE)",
             (int)strcspn(name, "?"), name);
    test_db_admin(sql);
}

#endif
