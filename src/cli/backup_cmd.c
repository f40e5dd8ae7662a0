/* bingfa backup and bingfa restore (docs/backup.md): a consistent copy of
 * the database while servers write to it, and that copy brought back.
 *
 * A copy is written to a hidden file beside its destination, checked,
 * synced, then renamed into place and its directory synced: the destination
 * is the whole checked copy or is not there (or is what it was). SQLite
 * copies and checks are the store's (store_backup.c); PostgreSQL's copy is
 * pg_dump's custom format, read back by pg_restore (see backup_pg.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/backup.h"
#include "cli/cli.h"
#include "core/backup.h"

static const char usage_text[] = "usage: bingfa backup [--db DB] [--force] [--pg-bin DIR] OUT\n"
                                 "       bingfa restore [--db DB] [--force] [--pg-bin DIR] IN\n";

double bk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The options of both commands; 0, or 2 after saying why. */
static int parse_args(const char *cmd, int argc, char **argv, bk_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            a->db = argv[++i];
        } else if (strcmp(argv[i], "--pg-bin") == 0 && i + 1 < argc) {
            a->pg_bin = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            a->force = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 3;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("%s: unexpected option '%s'", cmd, argv[i]);
            fputs(usage_text, stderr);
            return 2;
        } else if (a->file == NULL) {
            a->file = argv[i];
        } else {
            cli_error("%s: one file only ('%s' and '%s')", cmd, a->file, argv[i]);
            return 2;
        }
    }
    if ((a->db = cli_db(a->db, NULL)) == NULL || a->file == NULL) {
        cli_error("%s: --db DB (or BINGFA_DB) and a file are required", cmd);
        fputs(usage_text, stderr);
        return 2;
    }
    return 0;
}

bool bk_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* fsync of path's directory, so that a rename in it survives a power loss. */
static bool sync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok)
        cli_error("cannot sync directory %s: %s", dir, strerror(errno));
    return ok;
}

bool bk_place(const char *partial, const char *path, bool replace)
{
    if (!replace) {
        /* A hard link fails when path exists, so nothing there is replaced
         * even by one who made it since the start; on a file system without
         * links, the check and the rename are two steps. */
        if (link(partial, path) == 0) {
            unlink(partial);
            return sync_dir_of(path);
        }
        if (errno == EEXIST) {
            cli_error("%s exists now; nothing was replaced (give --force to replace it)", path);
            return false;
        }
        if (bk_exists(path)) {
            cli_error("%s exists; nothing was replaced", path);
            return false;
        }
    }
    if (rename(partial, path) != 0) {
        cli_error("cannot rename %s to %s: %s", partial, path, strerror(errno));
        return false;
    }
    return sync_dir_of(path);
}

void bk_print(const char *what, const char *path, const store_copy_info *info, double secs)
{
    struct stat sb;
    char size[32] = "?";
    if (stat(path, &sb) == 0)
        backup_format_size((int64_t)sb.st_size, size, sizeof(size));
    printf("bingfa: %s in %.1f s\n", what, secs);
    printf("  %s: %s, %d tables, schema version %d (this bingfa: %d)\n", path, size, info->tables,
           info->schema_version, store_schema_latest());
}

/* bingfa backup on SQLite: the store's copy into partial, checked. */
static int backup_sqlite(const bk_args *a, const char *partial)
{
    bf_error err = {0};
    bool wal;
    store_copy_info info;
    double start = bk_now();
    if (store_sqlite_copy(a->db, partial, &wal, &err) != BF_OK ||
        store_sqlite_check(partial, &info, &err) != BF_OK) {
        cli_error("backup of %s: %s", a->db, err.message);
        return 1;
    }
    if (!bk_place(partial, a->file, a->force))
        return 1;
    char what[4200];
    snprintf(what, sizeof(what),
             "backed up %s to %s (SQLite online backup%s), checked: "
             "integrity_check ok, foreign_key_check ok",
             a->db, a->file, wal ? ", WAL mode: writers went on" : "");
    bk_print(what, a->file, &info, bk_now() - start);
    if (info.schema_version > store_schema_latest())
        printf("  note: the database is newer than this bingfa; restore it with a bingfa that "
               "knows version %d\n",
               info.schema_version);
    return 0;
}

int cli_backup(int argc, char **argv)
{
    bk_args a;
    int rc = parse_args("backup", argc, argv, &a);
    if (rc != 0)
        return rc == 3 ? 0 : rc;
    if (bk_exists(a.file) && !a.force) {
        cli_error("backup: %s exists; give --force to replace it", a.file);
        return 1;
    }
    char partial[4200];
    if (!backup_partial_name(a.file, (long)getpid(), partial, sizeof(partial))) {
        cli_error("backup: the name %s is not a file's", a.file);
        return 2;
    }
    unlink(partial); /* left by a process that had this pid and was killed */
    int status = store_is_postgres(a.db) ? bk_backup_pg(&a, partial) : backup_sqlite(&a, partial);
    unlink(partial);
    return status;
}

/* Refuses to restore a file onto itself. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* bingfa restore on SQLite: the backup copied into partial and checked,
 * then renamed over the target, which is held meanwhile (no one has it open). */
static int restore_sqlite(const bk_args *a, const char *partial)
{
    bf_error err = {0};
    bool wal;
    store_copy_info info;
    store_file_hold *hold = NULL;
    double start = bk_now();
    bool target = bk_exists(a->db);
    if (target && store_sqlite_hold(a->db, &hold, &err) != BF_OK) {
        cli_error("restore: %s", err.message);
        return 1;
    }
    int status = 1;
    if (store_sqlite_copy(a->file, partial, &wal, &err) != BF_OK ||
        store_sqlite_check(partial, &info, &err) != BF_OK) {
        cli_error("restore: %s: %s", a->file, err.message);
    } else if (info.schema_version > store_schema_latest()) {
        cli_error("restore: %s is at schema version %d, newer than this bingfa's %d; restore it "
                  "with a newer bingfa",
                  a->file, info.schema_version, store_schema_latest());
    } else {
        /* Held, the target is in rollback-journal mode: a -wal or -shm
         * beside it is stale, and must not be read with the new file. */
        char side[4200];
        snprintf(side, sizeof(side), "%s-wal", a->db);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", a->db);
        unlink(side);
        status = bk_place(partial, a->db, target) ? 0 : 1;
    }
    store_sqlite_release(hold);
    if (status == 0)
        bk_print_restored(a, &info, bk_now() - start);
    return status;
}

void bk_print_restored(const bk_args *a, const store_copy_info *info, double secs)
{
    char what[4200];
    snprintf(what, sizeof(what), "restored %s into %s", a->file, cli_db_name(a->db));
    bk_print(what, store_is_postgres(a->db) ? a->file : a->db, info, secs);
    if (info->schema_version < store_schema_latest())
        printf("  bingfa %s brings it to schema version %d when it next opens it (serve or init)\n",
               BINGFA_VERSION, store_schema_latest());
}

/* What kind of file path is (its first bytes); BACKUP_UNKNOWN after saying
 * why when it cannot be read, or is a SQLite file cut short. */
static backup_kind kind_of(const char *path)
{
    unsigned char head[100] = {0};
    struct stat sb;
    FILE *f = fopen(path, "rb");
    if (f == NULL || fstat(fileno(f), &sb) != 0) {
        cli_error("restore: cannot read %s: %s", path, strerror(errno));
        if (f != NULL)
            fclose(f);
        return BACKUP_UNKNOWN;
    }
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    backup_kind k = backup_kind_of(head, n);
    bf_error err = {0};
    if (k == BACKUP_UNKNOWN)
        cli_error("restore: %s is neither a SQLite database nor a pg_dump archive", path);
    else if (k == BACKUP_SQLITE && backup_sqlite_whole(head, n, (int64_t)sb.st_size, &err) != BF_OK)
        cli_error("restore: %s: %s", path, err.message);
    else
        return k;
    return BACKUP_UNKNOWN;
}

int cli_restore(int argc, char **argv)
{
    bk_args a;
    int rc = parse_args("restore", argc, argv, &a);
    if (rc != 0)
        return rc == 3 ? 0 : rc;
    backup_kind k = kind_of(a.file);
    bool pg = store_is_postgres(a.db);
    if (k == BACKUP_UNKNOWN)
        return 1;
    if (k != (pg ? BACKUP_PG_ARCHIVE : BACKUP_SQLITE)) {
        cli_error("restore: %s is a %s backup; restore it into a %s", a.file,
                  k == BACKUP_SQLITE ? "SQLite" : "PostgreSQL (pg_dump)",
                  k == BACKUP_SQLITE ? "SQLite file" : "postgresql:// database");
        return 1;
    }
    if (pg)
        return bk_restore_pg(&a);
    if (bk_exists(a.db) && !a.force) {
        cli_error("restore: %s exists; give --force to replace it (stop its servers first)", a.db);
        return 1;
    }
    if (same_file(a.file, a.db)) {
        cli_error("restore: %s is the database itself", a.file);
        return 1;
    }
    char partial[4200];
    if (!backup_partial_name(a.db, (long)getpid(), partial, sizeof(partial))) {
        cli_error("restore: the name %s is not a file's", a.db);
        return 2;
    }
    unlink(partial);
    int status = restore_sqlite(&a, partial);
    unlink(partial);
    return status;
}
