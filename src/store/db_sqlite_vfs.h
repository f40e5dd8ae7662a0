/* The SQLite files' layer of the SQLite driver (db_sqlite_vfs.c). Only the
 * driver includes it. */
#ifndef BF_STORE_DB_SQLITE_VFS_H
#define BF_STORE_DB_SQLITE_VFS_H

/* Registers the layer over SQLite's "unix" files (once; not thread-safe, as
 * SQLite's own configuration is not) and answers its name for
 * sqlite3_open_v2, or NULL when it cannot be (the files are then opened
 * plainly). */
const char *db_sqlite_vfs_register(void);

#endif
