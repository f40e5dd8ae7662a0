/* Backups: copying and checking a database (see store.h, docs/backup.md).
 *
 * SQLite. The copy is SQLite's online backup (sqlite3_backup_step) in one
 * step: one read transaction, so the copy is exactly what had been committed
 * when it began. A stepped backup ends its read transaction between steps,
 * and when another connection writes in between — a server under load, every
 * few milliseconds — it begins again, so under steady writes it might never
 * end. In WAL mode (every bingfa connection sets it, and it stays in the
 * file) a reader holds no writer up: the server goes on writing while the
 * copy is made; only checkpoints cannot pass the reader, so the -wal file
 * grows until the copy ends. VACUUM INTO would make the same snapshot,
 * compacted, but builds every index again (some thirty on deals) where the
 * backup copies pages, so its read transaction, and the log's growth, would
 * last several times longer. The copy is a rollback-journal file: one file,
 * no -wal to forget; bingfa makes it WAL again when it next opens it.
 *
 * PostgreSQL. pg_dump makes the copy (see cli/backup.c); here, a snapshot is
 * exported for it and the database is read in that snapshot. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/embedded.h"
#include "store/db.h"

extern const embedded_file store_migration_files[];

/* The most rows of schema_migrations a bingfa database can have: far more
 * than there will be migrations. */
#define MAX_VERSIONS 4096

/* The name of migration version of this binary, or NULL. */
static const char *known_migration(int version)
{
    for (size_t i = 0; store_migration_files[i].name != NULL; i++)
        if (atoi(store_migration_files[i].name) == version)
            return store_migration_files[i].name;
    return NULL;
}

bf_result store_check_versions(const backup_version *rows, size_t n, int *version, bf_error *err)
{
    return backup_check_versions(rows, n, known_migration, version, err);
}

/* ---- SQLite ------------------------------------------------------------------------- */

static bf_result sl_fail(bf_error *err, sqlite3 *db, int rc, const char *what, const char *path)
{
    int base = rc & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (base == SQLITE_NOMEM)
        return BF_ERR_NOMEM;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return bf_fail(err, BF_ERR_BUSY, "in_use", NULL, "%s: %s is in use by another process (%s)",
                       what, path, msg);
    if (base == SQLITE_NOTADB || base == SQLITE_CORRUPT)
        return bf_fail(err, BF_ERR_INVALID, "corrupt", NULL, "%s: %s is not a sound database: %s",
                       what, path, msg);
    return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s: %s: %s", what, path, msg);
}

/* Opens path, which must exist, with flags; a busy timeout of busy_ms. */
static bf_result sl_open_existing(const char *path, int flags, int busy_ms, sqlite3 **out,
                                  bf_error *err)
{
    struct stat sb;
    *out = NULL;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return bf_fail(err, BF_ERR_NOT_FOUND, "not_found", NULL, "no database file at %s", path);
    int rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        bf_result r = sl_fail(err, *out, rc, "opening", path);
        sqlite3_close(*out);
        *out = NULL;
        return r;
    }
    sqlite3_extended_result_codes(*out, 1);
    sqlite3_busy_timeout(*out, busy_ms);
    return BF_OK;
}

/* The first column of the first row of sql, as text, into out (cap). */
static int sl_first_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *s;
    out[0] = '\0';
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* fsync of the file at path. */
static bf_result sync_file(const char *path, bf_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        if (fd >= 0)
            close(fd);
        return bf_fail(err, BF_ERR_IO, "io_error", NULL, "cannot sync %s", path);
    }
    close(fd);
    return BF_OK;
}

/* Copies src into the open, empty database dst in one step, waiting out a
 * moment when the source is locked (a WAL being recovered). */
static bf_result sl_backup(sqlite3 *dst, sqlite3 *src, const char *path, bf_error *err)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL)
        return sl_fail(err, dst, sqlite3_errcode(dst), "copying", path);
    int rc = SQLITE_OK;
    for (int tries = 0; tries < 100; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    int finish = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return sl_fail(err, src, rc, "copying", path);
    if (finish != SQLITE_OK)
        return sl_fail(err, dst, finish, "copying", path);
    return BF_OK;
}

/* The copy as a rollback-journal file (the backup copied the source's header,
 * WAL mode included). */
static bf_result sl_journal_delete(sqlite3 *dst, const char *out, bf_error *err)
{
    char mode[16];
    int rc = sl_first_text(dst, "PRAGMA journal_mode=DELETE", mode, sizeof(mode));
    if (rc != SQLITE_OK)
        return sl_fail(err, dst, rc, "writing the copy", out);
    if (strcmp(mode, "delete") != 0)
        return bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                       "the copy %s stayed in journal mode %s", out, mode);
    return BF_OK;
}

bf_result store_sqlite_copy(const char *path, const char *out, bool *wal, bf_error *err)
{
    sqlite3 *src = NULL, *dst = NULL;
    char mode[16] = "";
    *wal = false;
    bf_result r = sl_open_existing(path, SQLITE_OPEN_READWRITE, 5000, &src, err);
    if (r == BF_OK) {
        int rc = sqlite3_exec(src, "PRAGMA query_only=1", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sl_first_text(src, "PRAGMA journal_mode", mode, sizeof(mode));
        if (rc != SQLITE_OK)
            r = sl_fail(err, src, rc, "reading", path);
        *wal = strcmp(mode, "wal") == 0;
    }
    int fd = r == BF_OK ? open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    if (r == BF_OK && fd < 0)
        r = bf_fail(err, BF_ERR_IO, "io_error", NULL, "cannot create %s: %s", out, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (r == BF_OK) {
        int rc = sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(dst, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", NULL, NULL,
                              NULL);
        if (rc != SQLITE_OK)
            r = sl_fail(err, dst, rc, "writing the copy", out);
    }
    if (r == BF_OK)
        r = sl_backup(dst, src, path, err);
    if (r == BF_OK)
        r = sl_journal_delete(dst, out, err);
    sqlite3_close(dst);
    sqlite3_close(src);
    if (r == BF_OK)
        r = sync_file(out, err);
    return r;
}

/* PRAGMA integrity_check, then foreign_key_check: BF_ERR_INVALID with the
 * first fault. */
static bf_result sl_sound(sqlite3 *db, const char *path, bf_error *err)
{
    char first[200];
    int rc = sl_first_text(db, "PRAGMA integrity_check", first, sizeof(first));
    if (rc != SQLITE_OK)
        return sl_fail(err, db, rc, "checking", path);
    if (strcmp(first, "ok") != 0)
        return bf_fail(err, BF_ERR_INVALID, "corrupt", NULL, "%s fails PRAGMA integrity_check: %s",
                       path, first);
    rc = sl_first_text(db,
                       "SELECT \"table\" || ' row ' || rowid || ' refers to a missing ' || "
                       "parent FROM pragma_foreign_key_check",
                       first, sizeof(first));
    if (rc != SQLITE_OK)
        return sl_fail(err, db, rc, "checking", path);
    if (first[0] != '\0')
        return bf_fail(err, BF_ERR_INVALID, "corrupt", NULL,
                       "%s fails PRAGMA foreign_key_check: %s", path, first);
    return BF_OK;
}

/* Reads schema_migrations of db and checks them (store_check_versions). */
static bf_result sl_versions(sqlite3 *db, const char *path, int *version, bf_error *err)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "SELECT version, name FROM schema_migrations", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_ERROR
                   ? bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                             "%s has no schema_migrations table: not a bingfa database", path)
                   : sl_fail(err, db, rc, "checking", path);
    backup_version *rows = calloc(MAX_VERSIONS, sizeof(*rows));
    size_t n = 0;
    if (rows == NULL) {
        sqlite3_finalize(s);
        return BF_ERR_NOMEM;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < MAX_VERSIONS) {
        const unsigned char *name = sqlite3_column_text(s, 1);
        rows[n].version = sqlite3_column_int(s, 0);
        snprintf(rows[n].name, sizeof(rows[n].name), "%s", name ? (const char *)name : "");
        n++;
    }
    sqlite3_finalize(s);
    bf_result r = rc == SQLITE_ROW || rc == SQLITE_DONE
                      ? store_check_versions(rows, n, version, err)
                      : sl_fail(err, db, rc, "checking", path);
    free(rows);
    return r;
}

bf_result store_sqlite_check(const char *path, store_copy_info *info, bf_error *err)
{
    sqlite3 *db;
    memset(info, 0, sizeof(*info));
    bf_result r = sl_open_existing(path, SQLITE_OPEN_READONLY, 5000, &db, err);
    if (r == BF_OK)
        r = sl_sound(db, path, err);
    if (r == BF_OK)
        r = sl_versions(db, path, &info->schema_version, err);
    if (r == BF_OK) {
        char n[32];
        int rc = sl_first_text(db,
                               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                               n, sizeof(n));
        if (rc != SQLITE_OK)
            r = sl_fail(err, db, rc, "checking", path);
        info->tables = atoi(n);
    }
    sqlite3_close(db);
    return r;
}

struct store_file_hold {
    sqlite3 *db;
};

bf_result store_sqlite_hold(const char *path, store_file_hold **out, bf_error *err)
{
    sqlite3 *db;
    *out = NULL;
    bf_result r = sl_open_existing(path, SQLITE_OPEN_READWRITE, 1000, &db, err);
    if (r != BF_OK)
        return r;
    /* Leaving WAL mode needs every other connection closed: a server keeps
     * a lock on the file from its first read until it stops. */
    char mode[16];
    int rc = sl_first_text(db, "PRAGMA journal_mode=DELETE", mode, sizeof(mode));
    if (rc == SQLITE_OK && strcmp(mode, "delete") != 0)
        rc = SQLITE_BUSY;
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        r = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
                ? bf_fail(err, BF_ERR_BUSY, "in_use", NULL,
                          "%s is in use (a bingfa server or command has it open); stop it first",
                          path)
                : sl_fail(err, db, rc, "opening", path);
        sqlite3_close(db);
        return r;
    }
    *out = malloc(sizeof(**out));
    if (*out == NULL) {
        sqlite3_close(db);
        return BF_ERR_NOMEM;
    }
    (*out)->db = db;
    return BF_OK;
}

void store_sqlite_release(store_file_hold *h)
{
    if (h == NULL)
        return;
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h->db);
    free(h);
}

/* ---- PostgreSQL ---------------------------------------------------------------------- */

/* The first column of the first row of sql on c as an integer, or its text
 * into text (cap) when text is not NULL. */
static bf_result pg_first(db_conn *c, const char *sql, int64_t *num, char *text, size_t cap,
                          bf_error *err)
{
    db_stmt *s;
    if (db_prepare(c, sql, strlen(sql), &s) != DB_OK)
        return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s", db_message(c));
    int rc = db_step(s);
    if (rc == DB_ROW && num != NULL)
        *num = db_column_int64(s, 0);
    if (rc == DB_ROW && text != NULL) {
        const char *t = db_column_text(s, 0);
        snprintf(text, cap, "%s", t ? t : "");
    }
    db_finalize(s);
    if (rc == DB_ERROR)
        return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s", db_message(c));
    return BF_OK;
}

static const char SQL_PG_TABLES[] = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                                    "current_schema()";

/* info of the bingfa database on c (in its transaction, if one is open). */
static bf_result pg_info(db_conn *c, store_copy_info *info, bf_error *err)
{
    int64_t tables = 0;
    bf_result r = pg_first(c, SQL_PG_TABLES, &tables, NULL, 0, err);
    info->tables = (int)tables;
    db_stmt *s;
    if (r != BF_OK)
        return r;
    static const char sql[] = "SELECT version, name FROM schema_migrations";
    if (db_prepare(c, sql, sizeof(sql) - 1, &s) != DB_OK)
        return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                       "the database has no schema_migrations table: not a bingfa database");
    backup_version *rows = calloc(MAX_VERSIONS, sizeof(*rows));
    size_t n = 0;
    int rc = DB_ERROR;
    while (rows != NULL && (rc = db_step(s)) == DB_ROW && n < MAX_VERSIONS) {
        const char *name = db_column_text(s, 1);
        rows[n].version = db_column_int(s, 0);
        snprintf(rows[n].name, sizeof(rows[n].name), "%s", name ? name : "");
        n++;
    }
    db_finalize(s);
    r = rows == NULL     ? BF_ERR_NOMEM
        : rc == DB_ERROR ? bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s", db_message(c))
                         : store_check_versions(rows, n, &info->schema_version, err);
    free(rows);
    return r;
}

static bf_result pg_connect(const char *uri, db_conn **out, bf_error *err)
{
    store_options opt = {.busy_timeout_ms = 60000, .synchronous_full = true};
    bf_result r = db_open(uri, &opt, out, err);
    if (r == BF_OK && db_exec(*out, "SET application_name = 'bingfa backup'") != DB_OK) {
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s", db_message(*out));
        db_close(*out);
    }
    return r;
}

struct store_snapshot {
    db_conn *c;
};

bf_result store_pg_snapshot(const char *uri, store_snapshot **out, char *id, size_t cap,
                            store_copy_info *info, bf_error *err)
{
    db_conn *c;
    *out = NULL;
    memset(info, 0, sizeof(*info));
    bf_result r = pg_connect(uri, &c, err);
    if (r != BF_OK)
        return r;
    if (db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != DB_OK)
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "%s", db_message(c));
    if (r == BF_OK)
        r = pg_first(c, "SELECT pg_export_snapshot()", NULL, id, cap, err);
    if (r == BF_OK)
        r = pg_info(c, info, err);
    if (r == BF_OK && (*out = malloc(sizeof(**out))) == NULL)
        r = BF_ERR_NOMEM;
    if (r != BF_OK) {
        db_close(c);
        return r;
    }
    (*out)->c = c;
    return BF_OK;
}

void store_pg_snapshot_end(store_snapshot *s)
{
    if (s == NULL)
        return;
    db_exec(s->c, "ROLLBACK");
    db_close(s->c);
    free(s);
}

bf_result store_pg_target(const char *uri, int *tables, int *bingfa_sessions, bf_error *err)
{
    db_conn *c;
    bf_result r = pg_connect(uri, &c, err);
    if (r != BF_OK)
        return r;
    int64_t t = 0, s = 0;
    r = pg_first(c, SQL_PG_TABLES, &t, NULL, 0, err);
    if (r == BF_OK)
        r = pg_first(c,
                     "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = "
                     "current_database() AND pid <> pg_backend_pid() AND application_name = "
                     "'bingfa'",
                     &s, NULL, 0, err);
    db_close(c);
    *tables = (int)t;
    *bingfa_sessions = (int)s;
    return r;
}

/* Objects an extension made (pg_trgm's functions) stay with it. */
#define PG_CLEAR                                                                                   \
    "DO $$\n"                                                                                      \
    "DECLARE r record;\n"                                                                          \
    "BEGIN\n"                                                                                      \
    "  FOR r IN SELECT c.relname, c.relkind FROM pg_catalog.pg_class c\n"                          \
    "           WHERE c.relnamespace = current_schema()::regnamespace\n"                           \
    "             AND c.relkind IN ('r', 'p', 'v', 'm', 'f')\n"                                    \
    "             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                          \
    "                             WHERE d.objid = c.oid AND d.deptype = 'e') LOOP\n"               \
    "    EXECUTE format('DROP %s IF EXISTS %I CASCADE',\n"                                         \
    "                   CASE r.relkind WHEN 'v' THEN 'VIEW'\n"                                     \
    "                                  WHEN 'm' THEN 'MATERIALIZED VIEW'\n"                        \
    "                                  WHEN 'f' THEN 'FOREIGN TABLE'\n"                            \
    "                                  ELSE 'TABLE' END,\n"                                        \
    "                   r.relname);\n"                                                             \
    "  END LOOP;\n"                                                                                \
    "  FOR r IN SELECT c.relname FROM pg_catalog.pg_class c\n"                                     \
    "           WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'\n"       \
    "             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                          \
    "                             WHERE d.objid = c.oid AND d.deptype = 'e') LOOP\n"               \
    "    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.relname);\n"                       \
    "  END LOOP;\n"                                                                                \
    "  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_catalog.pg_proc p\n"                       \
    "           WHERE p.pronamespace = current_schema()::regnamespace\n"                           \
    "             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                          \
    "                             WHERE d.objid = p.oid AND d.deptype = 'e') LOOP\n"               \
    "    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.f);\n"                              \
    "  END LOOP;\n"                                                                                \
    "  FOR r IN SELECT t.typname FROM pg_catalog.pg_type t\n"                                      \
    "           WHERE t.typnamespace = current_schema()::regnamespace\n"                           \
    "             AND t.typtype IN ('e', 'd', 'r', 'm')\n"                                         \
    "             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                          \
    "                             WHERE d.objid = t.oid AND d.deptype = 'e') LOOP\n"               \
    "    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);\n"                           \
    "  END LOOP;\n"                                                                                \
    "END $$;\n"

/* BEGIN, and the clearing waits for no lock longer than a minute: a restore
 * found no server on the database, so a lock held that long is a forgotten
 * session's (the script pg_restore writes sets its own lock_timeout). */
#define PG_BEGIN                                                                                   \
    "BEGIN;\nSET LOCAL lock_timeout = '60s';\nSET LOCAL client_min_messages = warning;\n"

const char *store_pg_restore_begin(bool clear)
{
    return clear ? PG_BEGIN PG_CLEAR : PG_BEGIN;
}

const char *store_pg_restore_commit(void)
{
    return "COMMIT;\n";
}

bf_result store_pg_restored(const char *uri, store_copy_info *info, bf_error *err)
{
    db_conn *c;
    memset(info, 0, sizeof(*info));
    bf_result r = pg_connect(uri, &c, err);
    if (r != BF_OK)
        return r;
    if (db_exec(c, "ANALYZE") != DB_OK)
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "ANALYZE: %s", db_message(c));
    if (r == BF_OK)
        r = pg_info(c, info, err);
    db_close(c);
    return r;
}
