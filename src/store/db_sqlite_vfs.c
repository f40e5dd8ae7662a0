/* The SQLite files' layer over SQLite's own ("unix"): everything passes
 * through to it, except that a new frame written to a -wal file goes in one
 * write, not two. SQLite writes a frame's 24-byte header and then its page
 * right behind it, a pwrite each; a create's commit writes some forty
 * frames, so a third of its writes were frame headers. Here the header of a
 * new frame (past every frame written since the log began, so not a rewrite
 * of an older frame's checksums) is held, and the page SQLite writes next,
 * right behind it, goes out with it in one write. Any other call of this
 * layer on the same thread, on any file — a read, a sync, a lock, the -shm
 * barrier SQLite passes before it makes frames visible in its index —
 * sends a held header alone first. So a header is held only between two
 * calls of one connection's commit on one thread: before the commit makes
 * its frames visible, or returns and the group commit syncs the -wal file,
 * every header is written. Syncs, and so durability, are as before. */
#include "store/db_sqlite_vfs.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VFS_NAME "bingfa"
#define WAL_FRAME_HEADER 24

typedef struct vfs_file {
    sqlite3_file base;
    sqlite3_file *real; /* SQLite's own file, in the same allocation, after this */
    bool wal;
    sqlite3_int64 end;     /* the end of the frames written since the log began */
    bool held;             /* header holds a frame header not written */
    sqlite3_int64 held_at; /* its offset */
    unsigned char header[WAL_FRAME_HEADER];
    unsigned char *frame; /* header and page, for the one write; NULL until needed */
    int frame_size;
} vfs_file;

static sqlite3_vfs vfs_shim;
static sqlite3_vfs *vfs_real;

/* The file whose frame header this thread holds, or NULL. */
static _Thread_local struct vfs_file *vfs_holding;

static vfs_file *file_of(sqlite3_file *f)
{
    return (vfs_file *)f;
}

/* Writes the held header alone, if there is one. */
static int send_held(vfs_file *f)
{
    if (!f->held)
        return SQLITE_OK;
    f->held = false;
    vfs_holding = NULL;
    return f->real->pMethods->xWrite(f->real, f->header, WAL_FRAME_HEADER, f->held_at);
}

/* Sends the header this thread holds, on whichever file: every call of
 * this layer but the write that follows a header begins with it. */
static int send_holding(void)
{
    return vfs_holding != NULL ? send_held(vfs_holding) : SQLITE_OK;
}

static int vfs_close(sqlite3_file *file)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    if (rc == SQLITE_OK)
        rc = send_held(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    free(f->frame);
    f->frame = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int vfs_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, buf, amt, off);
}

/* The held header and the page behind it, in one write. */
static int write_frame(vfs_file *f, const void *page, int amt)
{
    if (f->frame_size < WAL_FRAME_HEADER + amt) {
        unsigned char *bigger = realloc(f->frame, (size_t)(WAL_FRAME_HEADER + amt));
        if (bigger == NULL)
            return send_held(f) == SQLITE_OK ? SQLITE_NOMEM : SQLITE_IOERR_WRITE;
        f->frame = bigger;
        f->frame_size = WAL_FRAME_HEADER + amt;
    }
    memcpy(f->frame, f->header, WAL_FRAME_HEADER);
    memcpy(f->frame + WAL_FRAME_HEADER, page, (size_t)amt);
    f->held = false;
    vfs_holding = NULL;
    int rc = f->real->pMethods->xWrite(f->real, f->frame, WAL_FRAME_HEADER + amt, f->held_at);
    if (rc == SQLITE_OK && f->held_at + WAL_FRAME_HEADER + amt > f->end)
        f->end = f->held_at + WAL_FRAME_HEADER + amt;
    return rc;
}

static int vfs_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    vfs_file *f = file_of(file);
    if (f->held && off == f->held_at + WAL_FRAME_HEADER)
        return write_frame(f, buf, amt);
    int rc = send_holding();
    if (rc != SQLITE_OK)
        return rc;
    /* A new frame's header (past every frame written, not a rewrite of an
     * older one's checksums): SQLite writes its page right behind it. */
    if (f->wal && amt == WAL_FRAME_HEADER && off >= f->end) {
        memcpy(f->header, buf, WAL_FRAME_HEADER);
        f->held_at = off;
        f->held = true;
        vfs_holding = f;
        return SQLITE_OK;
    }
    rc = f->real->pMethods->xWrite(f->real, buf, amt, off);
    if (rc == SQLITE_OK && f->wal)
        f->end = off == 0 || off + amt > f->end ? off + amt : f->end; /* 0: the log begins again */
    return rc;
}

static int vfs_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    if (rc == SQLITE_OK && f->end > size)
        f->end = size;
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int vfs_sync(sqlite3_file *file, int flags)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int vfs_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int vfs_lock(sqlite3_file *file, int level)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xLock(f->real, level);
}

static int vfs_unlock(sqlite3_file *file, int level)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xUnlock(f->real, level);
}

static int vfs_check_reserved_lock(sqlite3_file *file, int *out)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int vfs_file_control(sqlite3_file *file, int op, void *arg)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int vfs_sector_size(sqlite3_file *file)
{
    vfs_file *f = file_of(file);
    return f->real->pMethods->xSectorSize(f->real);
}

static int vfs_device_characteristics(sqlite3_file *file)
{
    vfs_file *f = file_of(file);
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int vfs_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int vfs_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void vfs_shm_barrier(sqlite3_file *file)
{
    vfs_file *f = file_of(file);
    (void)send_holding(); /* none is held here: new frames end with their page */
    f->real->pMethods->xShmBarrier(f->real);
}

static int vfs_shm_unmap(sqlite3_file *file, int delete_flag)
{
    vfs_file *f = file_of(file);
    int rc = send_holding();
    return rc != SQLITE_OK ? rc : f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int vfs_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **out)
{
    vfs_file *f = file_of(file);
    return f->real->pMethods->xFetch(f->real, off, amt, out);
}

static int vfs_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
    vfs_file *f = file_of(file);
    return f->real->pMethods->xUnfetch(f->real, off, p);
}

static const sqlite3_io_methods vfs_methods = {
    3,
    vfs_close,
    vfs_read,
    vfs_write,
    vfs_truncate,
    vfs_sync,
    vfs_file_size,
    vfs_lock,
    vfs_unlock,
    vfs_check_reserved_lock,
    vfs_file_control,
    vfs_sector_size,
    vfs_device_characteristics,
    vfs_shm_map,
    vfs_shm_lock,
    vfs_shm_barrier,
    vfs_shm_unmap,
    vfs_fetch,
    vfs_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                    int *out_flags)
{
    (void)vfs;
    vfs_file *f = file_of(file);
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = vfs_real->xOpen(vfs_real, name, f->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: not after a failed open. */
    f->base.pMethods = rc == SQLITE_OK && f->real->pMethods != NULL ? &vfs_methods : NULL;
    if (rc == SQLITE_OK && f->real->pMethods != NULL && f->real->pMethods->iVersion < 3) {
        f->real->pMethods->xClose(f->real);
        f->base.pMethods = NULL;
        rc = SQLITE_CANTOPEN;
    }
    return rc;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return vfs_real->xDelete(vfs_real, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return vfs_real->xAccess(vfs_real, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return vfs_real->xFullPathname(vfs_real, name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return vfs_real->xDlOpen(vfs_real, name);
}

static void vfs_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    vfs_real->xDlError(vfs_real, n, out);
}

static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *handle, const char *name))(void)
{
    (void)vfs;
    return vfs_real->xDlSym(vfs_real, handle, name);
}

static void vfs_dl_close(sqlite3_vfs *vfs, void *handle)
{
    (void)vfs;
    vfs_real->xDlClose(vfs_real, handle);
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return vfs_real->xRandomness(vfs_real, n, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return vfs_real->xSleep(vfs_real, us);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return vfs_real->xCurrentTime(vfs_real, out);
}

static int vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return vfs_real->xGetLastError ? vfs_real->xGetLastError(vfs_real, n, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return vfs_real->xCurrentTimeInt64(vfs_real, out);
}

const char *db_sqlite_vfs_register(void)
{
    if (vfs_real != NULL)
        return VFS_NAME;
    sqlite3_vfs *real = sqlite3_vfs_find("unix");
    if (real == NULL || real->iVersion < 2 || real->xCurrentTimeInt64 == NULL)
        return NULL;
    vfs_shim = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(vfs_file) + real->szOsFile,
        .mxPathname = real->mxPathname,
        .zName = VFS_NAME,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    vfs_real = real;
    if (sqlite3_vfs_register(&vfs_shim, 0) != SQLITE_OK) {
        vfs_real = NULL;
        return NULL;
    }
    return VFS_NAME;
}
