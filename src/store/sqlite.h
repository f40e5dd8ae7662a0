/* What the files of the store share: this thread's connection, the
 * statement cache and small binding helpers, over the driver interface of
 * db.h (SQLite or PostgreSQL; the file names are the SQLite backend's from
 * before there were two). Not part of the store's interface (store.h); only
 * src/store/ includes it. */
#ifndef BF_STORE_SQLITE_H
#define BF_STORE_SQLITE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"
#include "store/db.h"
#include "store/store.h"

/* A statement's identity: for static SQL, the constant's address; for
 * composed SQL, its shape (kind, resource, options) and its filter bits. */
typedef struct stmt_key {
    uint64_t shape;
    uint64_t filters;
} stmt_key;

typedef struct stmt_slot {
    stmt_key key;
    db_stmt *stmt;
} stmt_slot;

typedef struct sq_sync sq_sync;

typedef struct conn {
    db_conn *db;
    stmt_slot *slots;
    size_t nslots, used;
    int tx_depth;
    bool tx_failed;
    bool tx_alone;         /* a batch's only transaction, without a savepoint (store_begin_alone) */
    bool search_defer;     /* new records' grams wait in search_pending (sq_search_defer) */
    size_t search_pending; /* records put there since the last flush, about */
    const void *reading;   /* the owner of the open read snapshot (store_read_begin), or NULL */
    sq_sync *sync;         /* the store's group commit, or NULL when commits are not waited for */
    bool in_commit;        /* store_commit is running COMMIT: the WAL hook keeps its token */
    uint64_t commit_token; /* the token of the commit store_commit ran, or 0 */
    bool sync_defer;       /* commits do not wait: their tokens go to sync_pending */
    uint64_t sync_pending; /* the latest token deferred since store_sync_defer */
    uint64_t sync_batch;   /* the batch its last write was left in (a ticket), or 0 */
    struct conn *next;     /* all connections of the store */
} conn;

/* Composes the SQL of a statement shape into b. */
typedef bf_result (*sql_builder)(buf *b, const void *ctx);

/* Fills err from the connection's last error and returns BF_ERR_STORE (or
 * BF_ERR_BUSY when the database stayed locked). */
bf_result sq_db_error(bf_error *err, db_conn *db, int rc, const char *what);

/* This thread's connection, opened on first use. */
bf_result sq_conn(store *st, conn **out, bf_error *err);

/* The cached statement for key, prepared from build() on first use; reset and
 * with bindings cleared, ready to bind. */
bf_result sq_stmt_get(conn *c, stmt_key key, sql_builder build, const void *ctx, db_stmt **out,
                      bf_error *err);

/* The cached statement of a constant SQL text (keyed by its address). */
bf_result sq_stmt_static(conn *c, const char *sql, db_stmt **out, bf_error *err);

/* This thread's connection and the cached statement of a constant SQL. */
bf_result sq_prepare(store *st, const char *sql, conn **c, db_stmt **s, bf_error *err);

/* A random id such as "opp_4k9x…" (in a). */
char *sq_new_id(arena *a, const char *prefix);

/* A text column copied into a, or NULL. */
const char *sq_column_text(arena *a, db_stmt *s, int col);

/* Binds text, or NULL when t is NULL. The text is not copied, so t must
 * stay valid until the statement is stepped for the last time: a copy could
 * fail for want of memory, and a step does not see a bind that failed (it
 * would write NULL in place of the value). */
int sq_bind_text(db_stmt *s, int idx, const char *t);

/* Room for one more element in an arena array of *cap elements holding n,
 * doubling it when full; NULL when out of memory. */
void *sq_arena_grow(arena *a, void *items, size_t n, size_t *cap, size_t size);

/* Gives the accounts and deals written before name keys were kept their keys
 * (sqlite_dedupe.c), a thousand a transaction. */
bf_result sq_fill_name_keys(db_conn *db, bf_error *err);

/* Reads the current row of s into row, an element of the array being collected. */
typedef void (*sq_row_reader)(arena *a, db_stmt *s, void *row);

/* Steps s to its end, reading each row with read into a new array of
 * elements of size bytes in a, then resets s. *out and *n get the array (in
 * a) and its length; what names the query in an error. */
bf_result sq_collect(conn *c, db_stmt *s, arena *a, size_t size, sq_row_reader read,
                     const char *what, void **out, size_t *n, bf_error *err);

/* The columns of a record of spec, in the order sq_read_record reads them. */
bf_result sq_append_columns(buf *b, const resource_spec *spec);

/* Reads the current row of s (columns as sq_append_columns) into rec. */
void sq_read_record(arena *a, db_stmt *s, record *rec);

/* The kinds of composed statements (the shape's top bits). */
enum stmt_kind {
    K_GET = 1,
    K_INSERT,
    K_UPDATE,
    K_DELETE,
    K_EXISTS,
    K_LIST,
    K_LISTED,     /* is an id inside another resource's id list? options = field index */
    K_SET_WHERE,  /* bulk update of one field; options = set field, filters = where field */
    K_FUNNEL,     /* the funnel report; options = owner, owner id, team filters, viewer shape */
    K_VISIBLE,    /* does the viewer see a record? options = viewer shape */
    K_STALLED,    /* open deals without a stage change since; options = viewer shape, the
                     read of the deals aside, owner and team filters */
    K_ASIDE,      /* how many deals the viewer sees, theirs and aside; options = viewer shape */
    K_HANDOVERS,  /* handovers waiting of deals the viewer sees; options = viewer shape */
    K_KNOWLEDGE,  /* a search of the knowledge base; options = its shape */
    K_CUBE,       /* a report summary (migration 25); options = cube, filters, viewer shape */
    K_CHANGES,    /* deal changes and new deals since; options = which, viewer shape */
    K_UNDO,       /* the forecast's rows undone back to a moment; options = viewer shape */
    K_CALENDAR,   /* a calendar feed's reads (sqlite_calendar.c); options = viewer shape */
    K_TAGS_OF,    /* a record's tags as stored (migration 32) */
    K_TAG_COUNTS, /* the tags of the records a viewer sees; options = viewer shape */
    K_SEARCH,     /* a global search of one kind; options = its shape (sqlite_search.c) */
};

/* The cache key of a composed statement: kind, resource, options and filter
 * bits. Composed shapes have the top bit set; static ones are addresses,
 * below it. */
stmt_key sq_shape_key(enum stmt_kind kind, const resource_spec *spec, uint64_t options,
                      uint64_t filters);

/* Fills err from a failed write: a constraint names what was refused (409
 * in_use, 409 duplicate naming the unique field …), else sq_db_error. */
bf_result sq_constraint_error(bf_error *err, conn *c, int rc, const char *what);

/* Runs a write function inside a transaction of its own (or the caller's). */
#define IN_TRANSACTION(st, err, call)                                                              \
    do {                                                                                           \
        bf_result tx_r_ = store_begin((st), (err));                                                \
        if (tx_r_ != BF_OK)                                                                        \
            return tx_r_;                                                                          \
        tx_r_ = (call);                                                                            \
        if (tx_r_ != BF_OK) {                                                                      \
            store_rollback(st);                                                                    \
            return tx_r_;                                                                          \
        }                                                                                          \
        return store_commit((st), (err));                                                          \
    } while (0)

/* ---- group commit (sqlite_sync.c) ----------------------------------------------- */

/* Starts the flusher that makes the commits to the database at db_path
 * durable, several with one fdatasync of its -wal file. */
bf_result sq_sync_open(const char *db_path, sq_sync **out, bf_error *err);

/* Flushes what is committed and stops the flusher (no waits may follow). */
void sq_sync_close(sq_sync *s);

/* The flusher calls commit(ctx) when kicked, before its next flush: the
 * store commits the shared transaction there (see store_sqlite.c). */
void sq_sync_set_committer(sq_sync *s, void (*commit)(void *ctx), void *ctx);

/* Asks the flusher to call the committer soon (once, however many ask). */
void sq_sync_kick(sq_sync *s);

/* The token of a commit whose frames are in the -wal file (from the WAL
 * hook, on the committing thread): tokens only grow. */
uint64_t sq_sync_committed(sq_sync *s);

/* Blocks until the commit of token is on disk; an error when it cannot be. */
bf_result sq_sync_wait(sq_sync *s, uint64_t token, bf_error *err);

/* Calls w->done once the commit of token is on disk (or cannot be): on the
 * flusher thread, or at once on this one when it is decided already. */
void sq_sync_notify(sq_sync *s, uint64_t token, store_waiter *w);

/* Whether a flush failed (writes are refused from then on). */
bool sq_sync_failed(sq_sync *s);

/* Fills err with the failure of a flush; returns BF_ERR_STORE. */
bf_result sq_sync_error(bf_error *err);

/* ---- shared write transactions (sqlite_batch.c) --------------------------------- */

/* What became of the batches: which committed, with what commit token, and
 * who waits for the open one. */
typedef struct sq_batch sq_batch;

typedef enum sq_batch_state {
    SQ_BATCH_OPEN,      /* still being filled */
    SQ_BATCH_COMMITTED, /* committed (durable once its token is flushed) */
    SQ_BATCH_FAILED,    /* rolled back: nothing of it was kept */
} sq_batch_state;

/* A new record of batches, the first one open; commits are made durable by
 * sync (NULL: at once). The caller frees it with sq_batch_free. */
bf_result sq_batch_new(sq_sync *sync, sq_batch **out);

/* Frees b; nobody may wait on it any more. */
void sq_batch_free(sq_batch *b);

/* The number of the open batch: the ticket of a transaction left in it. */
uint64_t sq_batch_current(sq_batch *b);

/* Ends the open batch (committed with token, 0 when it wrote nothing, or
 * failed), answers its waiters and opens the next one. */
void sq_batch_end(sq_batch *b, bool ok, uint64_t token);

/* What batch seq came to; *token is its commit's token when committed. */
sq_batch_state sq_batch_state_of(sq_batch *b, uint64_t seq, uint64_t *token);

/* Calls w->done exactly once, when batch seq is on disk or failed: at once
 * when that is known, else from the thread that ends it or the flusher. */
void sq_batch_notify(sq_batch *b, uint64_t seq, store_waiter *w);

/* Blocks until batch seq is on disk; an error when it failed. */
bf_result sq_batch_wait(sq_batch *b, uint64_t seq, bf_error *err);

/* The viewer's part of a statement: a WITH clause naming `people`, the few
 * users whose deals the viewer sees, to put before SELECT; nothing for NULL,
 * admin, partners and implementation, who need none. */
bf_result sq_append_visibility_with(buf *b, const viewer *v);

/* The condition that keeps only rows of spec the viewer sees ("1" for all),
 * checked on each row (t names the row's table or alias) through indexes. */
bf_result sq_append_visibility_where(buf *b, const resource_spec *spec, const char *t,
                                     const viewer *v);

/* Whether the viewer sees deals through `people` (their owners and deal
 * teams): salespeople, consultants and managers. */
bool sq_visibility_by_people(const viewer *v);

/* The deals a viewer who is not an admin sees other than by one of their
 * people owning them (the deal team of someone else's deal, a partner
 * registration, a hand-over): a condition on deal row t led by an indexed
 * set of ids, so a statement reads only those deals. */
bf_result sq_append_deals_aside(buf *b, const viewer *v, const char *t);

/* The bits of a statement's shape that the viewer changes (0 for all). */
uint64_t sq_visibility_shape(const viewer *v);

/* Binds the viewer's parameters (?90 user id, ?91 name, ?92 partner, ?93 team). */
void sq_bind_viewer(db_stmt *s, const viewer *v);

/* How a list of deals (or stalled deals) for a viewer who sees deals
 * through people is read: a page per person and the deals seen aside not
 * at all (there are none), one by one through the deal teams, or picked
 * out of the sort's index; or the whole list from the sort's index, each
 * deal checked (SQ_WALK_ALL). */
enum { SQ_ASIDE_NONE, SQ_ASIDE_BY_MEMBERS, SQ_ASIDE_WALK, SQ_WALK_ALL };

/* The way (SQ_*) a list of limit deals is read, from the viewer's counts:
 * persons in their people, the deals those own, all deals, the deals seen
 * aside; and whether the list names an owner. */
int sq_deals_read_choice(const store *st, int64_t persons, int64_t own, int64_t total,
                         int64_t aside, int limit, bool owner_filter);

/* For v, who sees deals through people: how many persons are in their
 * people, the deals those own, all deals, and the deals seen aside (deal
 * teams of other owners' deals). */
bf_result sq_count_deals_seen(conn *c, const viewer *v, int64_t counts[4], bf_error *err);

/* Chooses how a list of limit deals for v (who sees them through people)
 * is read, from how many deals v sees, their people's and aside, of how
 * many (owner_counts, aside_counts: migration 10), and whether the list
 * names an owner (whose index then leads). */
bf_result sq_choose_deals_read(store *st, conn *c, const viewer *v, int limit, bool owner_filter,
                               int *out, bf_error *err);

/* The parameter of slot k of ?tag= group g in a list's statement. */
#define SQ_TAG_PARAM(g, k) (100 + (int)(g)*LIST_TAGS_PER_GROUP + (int)(k))

/* Binds the tags of q's ?tag= groups (every slot of each group: those past
 * its tags repeat its first). */
void sq_bind_tag_groups(db_stmt *s, const list_query *q);

/* The bucket of whole days d falls in, as stage_flow keeps days (migration
 * 25): each of 0–6, then from 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270,
 * 365, 540 and 730. SQL text; d an expression. */
#define SQ_DAY_BUCKET(d)                                                                           \
    "CASE WHEN " d " < 7 THEN " d " WHEN " d " < 10 THEN 7 WHEN " d " < 14 THEN 10 WHEN " d        \
    " < 21 THEN 14 WHEN " d " < 30 THEN 21 WHEN " d " < 45 THEN 30 WHEN " d                        \
    " < 60 THEN 45 WHEN " d " < 90 THEN 60 WHEN " d " < 120 THEN 90 WHEN " d                       \
    " < 180 THEN 120 WHEN " d " < 270 THEN 180 "                                                   \
    "WHEN " d " < 365 THEN 270 WHEN " d " < 540 THEN 365 WHEN " d " < 730 THEN 540 ELSE 730 END"

/* Adds a new deal made closed (won, lost, abandoned) to the outcome
 * summaries of migration 25, after its row is written. */
bf_result sq_cube_add_closed(conn *c, const char *id, bool won, bf_error *err);

/* Adds a new stage change to stage_flow (migration 25): its entry and the
 * exit from the stage before, with the days spent there. Before or after the
 * change's row is written, not after a later one. */
bf_result sq_flow_add_change(conn *c, const stage_change *ch, bf_error *err);

/* ---- the global search's index (sqlite_search.c) ------------------------------- */

/* Brings the index up to date with the record of spec with this id, in the
 * write's transaction, after it was inserted or updated: its words and
 * grams; an account's contacts and deals too when its name or owner
 * changed. Nothing for a resource the search does not hold. */
bf_result sq_search_keep(store *st, conn *c, arena *a, const resource_spec *spec, const char *id,
                         bf_error *err);

/* From now to the end of c's transaction, the grams of records new to the
 * index are written sorted, many at a time: at sq_search_flush (the commit
 * calls it) or when enough wait. SQLite only; a search in the transaction
 * does not find them until then. */
bf_result sq_search_defer(conn *c, bf_error *err);

/* Writes the grams waiting (sq_search_defer), sorted, and ends the
 * deferral when end. */
bf_result sq_search_flush(store *st, conn *c, bool end, bf_error *err);

/* Takes the record of spec with this id out of the index, in the write's
 * transaction, after it was deleted. */
bf_result sq_search_forget(store *st, conn *c, const resource_spec *spec, const char *id,
                           bf_error *err);

#endif
