/* What bingfa backup and bingfa restore share between their SQLite part
 * (backup_cmd.c) and their PostgreSQL part (backup_pg.c). */
#ifndef BF_CLI_BACKUP_H
#define BF_CLI_BACKUP_H

#include <stdbool.h>

#include "store/store.h"

typedef struct bk_args {
    const char *db;     /* --db, else BINGFA_DB */
    const char *file;   /* OUT of backup, IN of restore */
    const char *pg_bin; /* --pg-bin: where pg_dump, pg_restore and psql are; NULL: PATH */
    bool force;         /* replace OUT, or restore over a database */
} bk_args;

/* A monotonic clock, in seconds. */
double bk_now(void);

/* Whether path exists (as anything). */
bool bk_exists(const char *path);

/* Renames partial to path (replacing it only when replace), then syncs the
 * directory; false after saying why. */
bool bk_place(const char *partial, const char *path, bool replace);

/* Prints "bingfa: WHAT in N s" and the size, tables and schema version of
 * the copy at path. */
void bk_print(const char *what, const char *path, const store_copy_info *info, double secs);

/* Prints what a restore did, and whether the next open upgrades it. */
void bk_print_restored(const bk_args *a, const store_copy_info *info, double secs);

/* bingfa backup of a PostgreSQL database into a->file, by way of partial. */
int bk_backup_pg(const bk_args *a, const char *partial);

/* bingfa restore of a pg_dump archive into a PostgreSQL database. */
int bk_restore_pg(const bk_args *a);

#endif
