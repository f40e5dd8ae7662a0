/* bingfa backup and restore on PostgreSQL (docs/backup.md).
 *
 * The copy is pg_dump's custom format, taken in a snapshot that bingfa
 * exports (store_pg_snapshot), so the size, tables and schema version it
 * prints are those of the very snapshot dumped. pg_dump is PostgreSQL's own
 * tool: it writes every table, sequence, function, trigger and index the
 * migrations made, and pg_restore loads the rows before it makes the
 * indexes, keys and triggers, so no trigger runs twice and no foreign key
 * needs an order. It must be of the server's major version or newer.
 *
 * The restore sends pg_restore's script through psql as one transaction
 * that bingfa begins and commits only once pg_restore has written the whole
 * script without a fault: a restore that fails leaves the database as it was.
 * The connection's password, if the URI has one, goes to the programs in
 * their environment (PGPASSWORD), not in their arguments. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/backup.h"
#include "cli/cli.h"
#include "cli/proc.h"
#include "core/backup.h"

/* What pg_restore writes of an archive's table of contents or of
 * schema_migrations: small, whatever the data. */
#define LIST_MAX (64u << 20)

typedef struct pg_target {
    char uri[4096]; /* without its password */
    char password[1024];
} pg_target;

static bool split_uri(const char *db, pg_target *t)
{
    if (!backup_uri_without_password(db, t->uri, sizeof(t->uri), t->password,
                                     sizeof(t->password))) {
        cli_error("the database URI is too long");
        return false;
    }
    return true;
}

/* Reads the archive at file back: its table of contents (tables), its
 * schema_migrations (checked as bingfa's: schema_version), and with whole,
 * every byte of it (pg_restore writing the whole script to /dev/null). */
static bool check_archive(const bk_args *a, const char *file, bool whole, store_copy_info *info)
{
    char fopt[4200];
    snprintf(fopt, sizeof(fopt), "%s", file);
    char *list_argv[] = {"pg_restore", "--list", fopt, NULL};
    char *data_argv[] = {"pg_restore", "--data-only", "--table=schema_migrations", "-f", "-",
                         fopt,         NULL};
    char *whole_argv[] = {"pg_restore", "-f", "/dev/null", fopt, NULL};
    char *text;
    size_t len;
    bf_error err = {0};
    if (proc_output(a->pg_bin, list_argv, NULL, LIST_MAX, &text, &len) != 0) {
        cli_error("%s: pg_restore cannot read it", file);
        free(text);
        return false;
    }
    info->tables = backup_list_tables(text, len);
    free(text);
    if (proc_output(a->pg_bin, data_argv, NULL, LIST_MAX, &text, &len) != 0) {
        cli_error("%s: pg_restore cannot read its schema_migrations", file);
        free(text);
        return false;
    }
    backup_version *rows = calloc(4096, sizeof(*rows));
    size_t n = 0;
    bf_result r = rows == NULL ? bf_fail(&err, BF_ERR_NOMEM, NULL, NULL, "out of memory")
                               : backup_parse_copy(text, len, rows, 4096, &n, &err);
    if (r == BF_OK)
        r = store_check_versions(rows, n < 4096 ? n : 4096, &info->schema_version, &err);
    free(rows);
    free(text);
    if (r != BF_OK) {
        cli_error("%s: %s", file, err.message);
        return false;
    }
    if (whole && proc_run(a->pg_bin, whole_argv, -1, NULL) != 0) {
        cli_error("%s: pg_restore cannot read it to its end", file);
        return false;
    }
    return true;
}

/* pg_dump of the snapshot id into fd. */
static int run_pg_dump(const bk_args *a, const pg_target *t, const char *id, int fd)
{
    char snapshot[200], dbname[4200];
    snprintf(snapshot, sizeof(snapshot), "--snapshot=%s", id);
    snprintf(dbname, sizeof(dbname), "--dbname=%s", t->uri);
    /* Large objects: bingfa makes none (documents are bytea), and leaving
     * them out keeps transaction statements out of the restore's script. */
    char *argv[] = {
        "pg_dump", "--format=custom", "--no-blobs", "--lock-wait-timeout=60s", snapshot, dbname,
        NULL};
    return proc_run(a->pg_bin, argv, fd, t->password);
}

int bk_backup_pg(const bk_args *a, const char *partial)
{
    pg_target t;
    store_snapshot *snap;
    store_copy_info info, dumped = {0};
    char id[128];
    bf_error err = {0};
    double start = bk_now();
    if (!split_uri(a->db, &t))
        return 1;
    if (store_pg_snapshot(a->db, &snap, id, sizeof(id), &info, &err) != BF_OK) {
        cli_error("backup of %s: %s", cli_db_name(a->db), err.message);
        return 1;
    }
    int fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        cli_error("backup: cannot create %s: %s", partial, strerror(errno));
    int status = fd < 0 ? -1 : run_pg_dump(a, &t, id, fd);
    store_pg_snapshot_end(snap);
    explicit_bzero(t.password, sizeof(t.password));
    bool synced = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (fd < 0 || status != 0 || !synced) {
        cli_error("backup of %s: %s", cli_db_name(a->db),
                  fd < 0    ? "cannot create the copy"
                  : !synced ? "cannot sync the copy"
                            : "pg_dump failed");
        return 1;
    }
    if (!check_archive(a, partial, true, &dumped))
        return 1;
    if (dumped.schema_version != info.schema_version) {
        cli_error("backup: the archive holds schema version %d, the snapshot had %d",
                  dumped.schema_version, info.schema_version);
        return 1;
    }
    if (!bk_place(partial, a->file, a->force))
        return 1;
    char what[4200];
    snprintf(what, sizeof(what),
             "backed up %s to %s (pg_dump, custom format, one snapshot), read back whole",
             cli_db_name(a->db), a->file);
    bk_print(what, a->file, &info, bk_now() - start);
    return 0;
}

/* Writes all of data[0..n) to fd; false when the reader has gone. */
static bool write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
    }
    return true;
}

/* Copies what pg_restore writes (from) to psql (to), between the restore's
 * BEGIN and, when pg_restore ended well, its COMMIT. */
static bool pump(const bk_args *a, pid_t restore, int from, int to)
{
    static char chunk[1 << 16];
    bool ok =
        write_all(to, store_pg_restore_begin(a->force), strlen(store_pg_restore_begin(a->force)));
    for (ssize_t n; ok;) {
        n = read(from, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        ok = write_all(to, chunk, (size_t)n);
    }
    close(from);
    ok = proc_wait(restore, "pg_restore") == 0 && ok;
    if (ok)
        ok = write_all(to, store_pg_restore_commit(), strlen(store_pg_restore_commit()));
    close(to); /* without COMMIT, psql ends and the server rolls the transaction back */
    return ok;
}

/* pg_restore of a->file | psql into t, as one transaction. */
static bool restore_script(const bk_args *a, const pg_target *t)
{
    char file[4200], dbname[4200];
    snprintf(file, sizeof(file), "%s", a->file);
    snprintf(dbname, sizeof(dbname), "--dbname=%s", t->uri);
    char *restore_argv[] = {
        "pg_restore", "--no-owner", "--no-privileges", "--no-comments", "-f", "-", file, NULL};
    char *psql_argv[] = {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-", dbname, NULL};
    int out[2], in[2];
    if (proc_pipe(out) != 0)
        return false;
    if (proc_pipe(in) != 0) {
        close(out[0]);
        close(out[1]);
        return false;
    }
    pid_t restore = proc_start(a->pg_bin, restore_argv, -1, out[1], NULL);
    close(out[1]);
    pid_t psql = restore < 0 ? -1 : proc_start(a->pg_bin, psql_argv, in[0], -1, t->password);
    close(in[0]);
    if (psql < 0) {
        close(out[0]);
        close(in[1]);
        if (restore >= 0)
            proc_wait(restore, "pg_restore");
        return false;
    }
    void (*was)(int) = signal(SIGPIPE, SIG_IGN); /* psql may stop reading at an error */
    bool pumped = pump(a, restore, out[0], in[1]);
    int psql_status = proc_wait(psql, "psql");
    signal(SIGPIPE, was);
    return pumped && psql_status == 0;
}

int bk_restore_pg(const bk_args *a)
{
    pg_target t;
    store_copy_info info;
    bf_error err = {0};
    int tables, sessions;
    double start = bk_now();
    if (!split_uri(a->db, &t) || !check_archive(a, a->file, false, &info))
        return 1;
    if (info.schema_version > store_schema_latest()) {
        cli_error("restore: %s is at schema version %d, newer than this bingfa's %d; restore it "
                  "with a newer bingfa",
                  a->file, info.schema_version, store_schema_latest());
        return 1;
    }
    if (store_pg_target(a->db, &tables, &sessions, &err) != BF_OK) {
        cli_error("restore: %s: %s", cli_db_name(a->db), err.message);
        return 1;
    }
    if (tables > 0 && !a->force) {
        cli_error("restore: %s has %d tables; give --force to replace everything in it",
                  cli_db_name(a->db), tables);
        return 1;
    }
    if (sessions > 0) {
        cli_error("restore: %s is in use by %d bingfa connection%s (servers or commands); stop "
                  "them first",
                  cli_db_name(a->db), sessions, sessions == 1 ? "" : "s");
        return 1;
    }
    bool ok = restore_script(a, &t);
    explicit_bzero(t.password, sizeof(t.password));
    if (!ok) {
        cli_error("restore into %s failed; it was one transaction, so the database is as it was",
                  cli_db_name(a->db));
        return 1;
    }
    store_copy_info restored;
    if (store_pg_restored(a->db, &restored, &err) != BF_OK) {
        cli_error("restore: reading %s back: %s", cli_db_name(a->db), err.message);
        return 1;
    }
    bk_print_restored(a, &restored, bk_now() - start);
    return 0;
}
