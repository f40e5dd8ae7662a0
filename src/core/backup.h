/* Backups (bingfa backup, bingfa restore): the pure parts. Which schema
 * versions a copy holds and whether they are bingfa's, a PostgreSQL URI with
 * its password taken out (so that it goes to pg_dump through the environment,
 * not its command line), the name of a copy being written, sizes for people.
 * No I/O here: the store copies and checks databases, the command line runs
 * the programs and moves the files. */
#ifndef BF_CORE_BACKUP_H
#define BF_CORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* One row of schema_migrations: a version and the name of its migration. */
typedef struct backup_version {
    int version;
    char name[96];
} backup_version;

/* The rows of schema_migrations in the text pg_restore writes for that
 * table's data (`pg_restore --data-only --table schema_migrations -f -`):
 * the lines between "COPY … schema_migrations … FROM stdin;" and "\.", their
 * columns split by tabs (version, name, applied_at). At most cap rows go into
 * out, *n gets how many there are. BF_ERR_INVALID when there is no such COPY
 * or a line is not a version and a name. */
bf_result backup_parse_copy(const char *text, size_t len, backup_version *out, size_t cap,
                            size_t *n, bf_error *err);

/* The tables in the table of contents pg_restore --list writes: its lines
 * "ID; OID OID TABLE SCHEMA NAME OWNER" (not TABLE DATA, not comments). */
int backup_list_tables(const char *text, size_t len);

/* Checks that rows (in any order) are a bingfa database's schema_migrations:
 * versions 1, 2, … N each once, and each version this binary knows has the
 * name of its migration (known(v): that name, NULL past the binary's latest).
 * *version gets N. BF_ERR_INVALID ("not_bingfa") naming what is wrong. A
 * version past the binary's latest is not refused here: the caller decides
 * (a restore refuses it, a backup says so). */
bf_result backup_check_versions(const backup_version *rows, size_t n,
                                const char *(*known)(int version), int *version, bf_error *err);

/* Copies a postgresql:// URI into uri (cap bytes) without its password, the
 * userinfo's (user:PASSWORD@) and a password=… parameter's alike, and
 * writes the password, percent-decoded, into password (pcap bytes; "" when
 * there is none). false when either does not fit. */
bool backup_uri_without_password(const char *in, char *uri, size_t cap, char *password,
                                 size_t pcap);

/* The name of the file a copy is written to before it is renamed to path:
 * in path's directory (a rename within one file system is atomic), hidden,
 * and the process's own: "DIR/.BASE.partial-PID". false when it does not fit. */
bool backup_partial_name(const char *path, long pid, char *out, size_t cap);

/* What a file holds, by its first bytes (head, n of them): a SQLite
 * database ("SQLite format 3"), a pg_dump archive of the custom format
 * ("PGDMP"), or neither. */
typedef enum backup_kind {
    BACKUP_UNKNOWN = 0,
    BACKUP_SQLITE,
    BACKUP_PG_ARCHIVE,
} backup_kind;
backup_kind backup_kind_of(const unsigned char *head, size_t n);

/* Whether a SQLite file whose first bytes are head (n of them, at least
 * the 100 of its header) and whose size is size holds every page its header
 * counts: a copy cut short (a transfer that stopped) reads as zeros past its
 * end, which PRAGMA integrity_check does not see inside a value. A header
 * whose count is not valid (written by an old SQLite) is not refused.
 * BF_ERR_INVALID ("truncated") saying how much is missing. */
bf_result backup_sqlite_whole(const unsigned char *head, size_t n, int64_t size, bf_error *err);

/* bytes for people: "812 B", "3.4 KiB", "12.0 MiB", "1.25 GiB". */
void backup_format_size(int64_t bytes, char *out, size_t cap);

#endif
