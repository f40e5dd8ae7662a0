/* The storage interface: the only door to the database. Every function here
 * is implemented by a backend (SQLite today, in store_sqlite.c); the core
 * and api layers never see SQL. Each calling thread gets its own database
 * connection with its own cache of prepared statements, so reads from
 * different threads never wait on one another. Results and records belong
 * to the arena passed in. */
#ifndef BF_STORE_STORE_H
#define BF_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/backup.h"
#include "core/knowledge.h"
#include "core/arena.h"
#include "core/record.h"
#include "core/result.h"
#include "core/search.h"
#include "core/stage.h"

typedef struct store store;

typedef struct store_options {
    int migrate_to; /* apply migrations up to this version; 0 = all */
    /* true (the default): a commit is acknowledged once it is on disk, so it
     * survives a crash of the process and of the machine; false: commits
     * are not waited for (they survive the process, not a power loss). */
    bool synchronous_full;
    int busy_timeout_ms; /* how long a writer waits for another process's write lock; 0 = 5000 */
    /* A bulk load (bingfa import): commits do not wait for the disk, the
     * page cache grows large and the write-ahead log is copied into the
     * database less often; store_checkpoint makes the load durable at its
     * end. A crash loses the last transactions, never corrupts. */
    bool bulk_load;
    /* A salesperson's, consultant's or manager's list of deals reads the
     * deals they see aside (through deal teams) one by one and sorts them
     * while there are fewer than this many; from this many on, it walks the
     * index of the sort asked and picks them out (a page costs about
     * page size x deals / deals seen aside). 0 = 4000. */
    int aside_walk_from;
    /* How a salesperson's, consultant's or manager's lists of deals (and
     * stalled deals) are read: STORE_DEALS_READ_AUTO chooses per request,
     * from how many deals the viewer sees, theirs and aside, the cheapest
     * of the ways below; the others force one (the tests compare them). */
    enum {
        STORE_DEALS_READ_AUTO = 0,
        STORE_DEALS_READ_BY_MEMBERS, /* a page per person, the deals aside one by one */
        STORE_DEALS_READ_ASIDE_WALK, /* a page per person, the deals aside from the sort's index */
        STORE_DEALS_READ_WALK_ALL,   /* the sort's index, each deal checked */
    } deals_read;
    /* Called with every statement a connection runs, its values bound in
     * (for tests that check query plans); NULL for none. */
    void (*trace)(void *ctx, const char *sql);
    void *trace_ctx;
} store_options;

/* Opens the database path names and applies pending migrations: a SQLite
 * file (created if needed), or a PostgreSQL database when path is a
 * postgresql:// or postgres:// URI (the database must exist). *out is owned
 * by the caller and closed with store_close. */
bf_result store_open(const char *path, const store_options *opt, store **out, bf_error *err);

/* Writes the database path names into out (cap bytes) fit to be printed: a
 * URI's password is replaced by "***". */
void store_describe(const char *path, char *out, size_t cap);

/* Whether path names a PostgreSQL database (a postgresql:// or postgres://
 * URI) rather than a SQLite file. */
bool store_is_postgres(const char *path);

/* Finalizes every statement, closes every thread's connection. Call once no
 * other thread uses the store. */
void store_close(store *st);

/* The schema version the database is at, and the latest this binary knows. */
int store_schema_version(store *st);
int store_schema_latest(void);

/* ---- backups (store_backup.c; docs/backup.md) -------------------------------------
 * A copy of a database is made and checked here; the command line (bingfa
 * backup, bingfa restore) names the files, renames them into place and runs
 * PostgreSQL's pg_dump and pg_restore. None of these migrate anything. */

/* What a copy of a database holds. */
typedef struct store_copy_info {
    int schema_version; /* the version of its schema_migrations */
    int tables;         /* its tables */
} store_copy_info;

/* The rows of schema_migrations checked against this binary's migrations
 * (backup_check_versions); *version gets the version they make. */
bf_result store_check_versions(const backup_version *rows, size_t n, int *version, bf_error *err);

/* SQLite: copies the database file path, which must exist and be a bingfa
 * database, into out, a new file (made 0600 here; it must not exist): one
 * read transaction, so the copy is what had been committed when it began,
 * while writers go on (WAL mode: a reader does not hold them up). Out is a
 * rollback-journal file (no -wal beside it), synced. *wal says whether path
 * was in WAL mode (else the copy went in steps of pages, sleeping between
 * them so that writers got in, and began again when one did). Nothing of
 * path is changed. */
bf_result store_sqlite_copy(const char *path, const char *out, bool *wal, bf_error *err);

/* SQLite: checks the copy at path (read only): PRAGMA integrity_check and
 * foreign_key_check, and that its schema_migrations is bingfa's; fills info.
 * BF_ERR_INVALID ("not_bingfa", "corrupt") saying what is wrong. */
bf_result store_sqlite_check(const char *path, store_copy_info *info, bf_error *err);

/* SQLite: holds the database file path so that no one else uses it while a
 * restore replaces it: its write-ahead log is copied into it and removed
 * (which SQLite does only when no other connection has the file open), then
 * an exclusive lock is taken and kept until store_sqlite_release. BF_ERR_BUSY
 * ("in_use") when another process has it open, such as a running server;
 * BF_ERR_INVALID when path is not a SQLite database. */
typedef struct store_file_hold store_file_hold;
bf_result store_sqlite_hold(const char *path, store_file_hold **out, bf_error *err);
void store_sqlite_release(store_file_hold *h);

/* PostgreSQL: opens a read-only REPEATABLE READ transaction on uri and
 * exports its snapshot (pg_export_snapshot) into id (cap bytes) for pg_dump
 * --snapshot, so that the dump is that snapshot; info is read in it. The
 * database must be a bingfa one. Kept open until store_pg_snapshot_end. */
typedef struct store_snapshot store_snapshot;
bf_result store_pg_snapshot(const char *uri, store_snapshot **out, char *id, size_t cap,
                            store_copy_info *info, bf_error *err);
void store_pg_snapshot_end(store_snapshot *s);

/* PostgreSQL: how many tables the current schema of uri has, and how many
 * other connections of bingfa (application_name 'bingfa': servers and
 * commands) the database has. */
bf_result store_pg_target(const char *uri, int *tables, int *bingfa_sessions, bf_error *err);

/* PostgreSQL: the SQL a restore's script is sent between, so that it is one
 * transaction, committed only once the whole script has been sent: what
 * begins it (with clear, dropping first every table, view, sequence,
 * function and type of the current schema that no extension owns: a restore
 * over a database, --force) and what commits it. */
const char *store_pg_restore_begin(bool clear);
const char *store_pg_restore_commit(void);

/* PostgreSQL: after a restore, gathers the planner's statistics (ANALYZE:
 * a restore leaves none) and fills info. */
bf_result store_pg_restored(const char *uri, store_copy_info *info, bf_error *err);

/* Makes the calling thread's statements ask stop(ctx) every few thousand
 * steps of their work and end, with BF_ERR_BUSY, when it answers true (a
 * report whose client went away); stop NULL asks nothing again. */
bf_result store_set_interrupt(store *st, bool (*stop)(void *ctx), void *ctx, bf_error *err);

/* Explicit transactions for a multi-step write (read, decide, write). They
 * nest: only the outermost begin/commit reach the database. Every write
 * function below runs in its own transaction when called outside one. */
bf_result store_begin(store *st, bf_error *err);
/* store_begin for a large transaction (an import of many records): with
 * group commit it runs alone, after the open batch commits, without the
 * savepoint a batch gives each of its transactions, whose undo journal
 * SQLite walks from its start at the end of every statement. Ended by
 * store_commit or store_rollback; inside a transaction, store_begin. */
bf_result store_begin_alone(store *st, bf_error *err);
bf_result store_commit(store *st, bf_error *err);
void store_rollback(store *st);

/* A read snapshot for a request that only reads: the reads of this thread
 * that follow, until store_read_end, see the database as one transaction,
 * begun once. On SQLite every statement outside a transaction otherwise
 * begins and ends a read transaction of its own, and those locks took a
 * third of a read request's time; on PostgreSQL both do nothing.
 * The snapshot belongs to owner (a request): begun again by the same owner
 * it goes on; begun by another, the old one ends and a new one begins, so
 * no one reads a snapshot older than their own start. A write transaction
 * (store_begin) ends the snapshot first, so the reads after it see the
 * write. store_read_end ends owner's snapshot, or any with owner NULL. */
bf_result store_read_begin(store *st, const void *owner, bf_error *err);
void store_read_end(store *st, const void *owner);

/* ---- durability of commits ----------------------------------------------------
 * With synchronous_full, store_commit (and every write function) returns once
 * the commit is on disk; several threads' commits share one flush (see
 * sqlite_sync.c). A thread that can answer later instead of blocking (a
 * server worker) defers: its commits return at once, and it asks for a call
 * back once the last of them is on disk before it acknowledges anything.
 * The grouping is SQLite's (sqlite_sync.c); a backend whose server groups
 * commits itself (PostgreSQL) waits in its commit and defers nothing. */

/* A request to be called back once a commit is on disk: filled by the
 * caller (done, ctx) and kept by it until done has run. */
typedef struct store_waiter {
    void (*done)(void *ctx, bool durable); /* durable false: the flush failed */
    void *ctx;
    uint64_t token;            /* the store's */
    struct store_waiter *next; /* the store's */
} store_waiter;

/* From now on this thread's commits return without waiting for the disk;
 * false (and nothing changes) when commits are not waited for at all. */
bool store_sync_defer(store *st);

/* Ends this thread's deferral: a ticket for what it wrote since
 * store_sync_defer (the last commit it made, or the shared transaction its
 * last write was left in, see store_sqlite.c), which it must wait for before
 * acknowledging; 0: nothing. */
uint64_t store_sync_take(store *st);

/* Blocks until the commit of token is on disk (BF_ERR_STORE when it cannot
 * be); at once for token 0. */
bf_result store_sync_wait(store *st, uint64_t token, bf_error *err);

/* Calls w->done exactly once, when the commit of token is on disk or cannot
 * be: from the store's flusher thread, or at once on this thread when that is
 * known already (token 0 included). */
void store_sync_notify(store *st, uint64_t token, store_waiter *w);

/* Whether a statement that fails spoils the rest of its transaction
 * (PostgreSQL's), so that a transaction that goes on past a failure needs a
 * savepoint before each write that may fail. SQLite's does not: there, a
 * savepoint a write inside a long transaction (the server's batch of
 * commits) is costly, each one journalling the pages it changes anew. */
bool store_failure_spoils_transaction(store *st);

/* A savepoint in this thread's transaction (there must be one): what is
 * written after it can be undone alone. Savepoints do not nest. */
bf_result store_savepoint(store *st, bf_error *err);

/* Keeps what was written since the savepoint, as part of the transaction. */
bf_result store_savepoint_release(store *st, bf_error *err);

/* Undoes what was written since the savepoint, and forgets the failure of a
 * transaction begun and rolled back inside it, so that the outer one may
 * still commit. */
bf_result store_savepoint_rollback(store *st, bf_error *err);

/* Copies the write-ahead log into the database file and syncs both: after
 * a bulk load, everything committed is on disk. */
bf_result store_checkpoint(store *st, bf_error *err);

/* The records a bulk load best writes in one transaction on this store.
 * SQLite: 100,000 (a commit writes each page it changed once, so larger is
 * faster up to the page cache). PostgreSQL: 1,000 (a row updated in a
 * transaction keeps every version until the transaction ends, and the report
 * totals' rows are updated once a deal, so each update walks all earlier
 * ones: in transactions of 100,000 an import slowed from 2,500 to 400 lines
 * a second). */
long store_bulk_batch(store *st);

/* Before a bulk load into a store without deals (SQLite): the deals'
 * secondary indexes (not the unique ones) are dropped and their definitions
 * kept in deferred_indexes, so that each row is appended instead of put into
 * some thirty b-trees; store_bulk_build_indexes builds them again from the
 * data, sorted, at the end. *deferred says whether it did. With deals, or on
 * PostgreSQL, nothing changes. */
bf_result store_bulk_defer_indexes(store *st, bool *deferred, bf_error *err);

/* Builds the indexes a bulk load deferred and forgets them. store_open calls
 * it too, so that a load that stopped half-way leaves no index missing. */
bf_result store_bulk_build_indexes(store *st, bf_error *err);

/* A bulk load's report totals (the funnel's, the forecast's, the owners'
 * counts): while on, this thread's inserts of deals add theirs up in memory
 * instead of writing them one deal at a time; turning it off writes what
 * was added up (in the open transaction) and forgets it. The caller turns
 * it off before anything but inserting deals and changing deal teams (which
 * do not read or write these totals), and before it commits. */
bf_result store_bulk_defer_totals(store *st, bool on, bf_error *err);

/* Inserts rec: assigns id (unless set), version 1 and timestamps. Checks that
 * every reference names an existing record (BF_ERR_INVALID naming the field). */
bf_result store_record_insert(store *st, arena *a, record *rec, bf_error *err);

/* Loads the record of spec with id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_record_get(store *st, arena *a, const resource_spec *spec, const char *id,
                           record **out, bf_error *err);

/* Writes every field of rec when its stored version is expected_version,
 * then bumps version and updated_at in rec. BF_ERR_STALE when the version
 * moved on, BF_ERR_NOT_FOUND when the record is gone. */
bf_result store_record_update(store *st, arena *a, record *rec, int64_t expected_version,
                              bf_error *err);

/* Deletes the record when its version is expected_version. BF_ERR_CONFLICT
 * when other records still refer to it. */
bf_result store_record_delete(store *st, const resource_spec *spec, const char *id,
                              int64_t expected_version, bf_error *err);

/* Sets set_field to value in every record of spec whose where_field equals
 * equals (and whose value differs), bumping their versions. */
bf_result store_record_set_where(store *st, const resource_spec *spec, const char *set_field,
                                 const char *value, const char *where_field, const char *equals,
                                 bf_error *err);

/* List filters: equality, date/number range and text search. */
typedef enum list_op { LIST_EQ = 0, LIST_GTE = 1, LIST_LTE = 2 } list_op;

typedef struct list_filter {
    int field; /* index in the spec */
    list_op op;
    const char *text; /* value for text kinds */
    int64_t num;      /* value for integer kinds */
} list_filter;

#define LIST_MAX_FILTERS 24
#define LIST_MAX_LIMIT 200
#define LIST_SORT_CREATED (-1)

/* ?tag=: a record matches a group when it carries any of its tags (given
 * comma-separated), and the query when it matches every group (?tag= given
 * again). */
#define LIST_TAG_GROUPS 4
#define LIST_TAGS_PER_GROUP 8

typedef struct list_tag_group {
    const char *tags[LIST_TAGS_PER_GROUP];
    size_t n; /* 1..LIST_TAGS_PER_GROUP */
} list_tag_group;

typedef struct list_query {
    const resource_spec *spec;
    list_filter filters[LIST_MAX_FILTERS];
    size_t nfilters;
    const char *search; /* ?q=: substring of the searchable fields, or NULL */
    int sort_field;     /* field index, or LIST_SORT_CREATED */
    bool desc;
    /* Keyset cursor: continue after the row with this sort value and id. */
    bool after;
    const char *after_text;
    int64_t after_num;
    const char *after_id;
    int limit;         /* 1..LIST_MAX_LIMIT */
    const viewer *who; /* only rows this user sees; NULL for every row */
    /* Deals only: of the owners of a team's tree; open and in their stage
     * since before a moment (stalled). NULL: no such filter. */
    const char *team_id;
    const char *stage_before;
    /* Resources with tags (FIELD_TAGS): the groups of ?tag= (none: no filter). */
    list_tag_group tag_groups[LIST_TAG_GROUPS];
    size_t ntag_groups;
} list_query;

typedef struct record_page {
    record **items;
    size_t n;
    bool more; /* another page follows */
} record_page;

/* Lists records matching q, in its order, at most q->limit of them. */
bf_result store_record_list(store *st, arena *a, const list_query *q, record_page *out,
                            bf_error *err);

/* ---- tags (migration 32) ----------------------------------------------------------- */

/* A tag and how many records carry it. */
typedef struct tag_count {
    const char *tag;
    int64_t records;
} tag_count;

/* The most tags store_tag_counts answers, and the most rows of record_tags
 * it walks for a viewer who does not see every record. */
#define STORE_TAGS_MAX 1000
#define STORE_TAG_WALK 50000

/* The tags that records of spec carry, of the records who sees, with how
 * many records each, by tag (in the arena). An admin's (who NULL or an
 * admin) are counted as the tags are written (tag_counts). Anyone else's are
 * counted over the first STORE_TAG_WALK rows of record_tags of spec in the
 * order of the tags, each record's visibility a seek; *complete is false
 * when there were more rows (or more than STORE_TAGS_MAX tags). */
bf_result store_tag_counts(store *st, arena *a, const viewer *who, const resource_spec *spec,
                           tag_count **out, size_t *n, bool *complete, bf_error *err);

/* One entry of an opportunity's stage history (append-only). */
typedef struct stage_change {
    const char *id;
    const char *opportunity_id;
    const char *kind; /* "create", "advance", "override", "playbook" */
    const char *playbook;
    const char *from_stage; /* NULL on create */
    const char *to_stage;
    int from_probability;
    int to_probability;
    const char *changed_at;
    const char *changed_by;
    const char *reason;    /* note or override reason, may be NULL */
    const char *checklist; /* JSON snapshot of the checklist left behind, may be NULL */
} stage_change;

/* Appends a stage change; id and changed_at are filled when NULL. */
bf_result store_stage_change_append(store *st, arena *a, stage_change *c, bf_error *err);

/* The stage history of an opportunity, oldest first. */
bf_result store_stage_history(store *st, arena *a, const char *opportunity_id, stage_change **out,
                              size_t *n, bf_error *err);

/* The checklist state of an opportunity in one stage (items ever touched). */
bf_result store_checklist_get(store *st, arena *a, const char *opportunity_id, const char *stage,
                              checklist_state **out, size_t *n, bf_error *err);

/* Records the state of one checklist item (insert or replace). */
bf_result store_checklist_put(store *st, const char *opportunity_id, const char *stage,
                              const checklist_state *item, bf_error *err);

/* One row of the funnel report: open opportunities in one stage. */
typedef struct funnel_row {
    const char *stage;
    int64_t count;
    int64_t amount;                              /* fen */
    int64_t weighted;                            /* sum of amount x probability, in fen x percent */
    int64_t pre_count, pre_amount, pre_weighted; /* of those, without complete MANT */
} funnel_row;

typedef struct funnel_query {
    const char *playbook;
    const char *currency;
    const char *owner;    /* the owner's name; NULL for all */
    const char *owner_id; /* the owner (a user id); NULL for all */
    const char *team_id;  /* the owners of a team's tree; NULL for all */
    const viewer *who;    /* only deals this user sees; NULL for all */
} funnel_query;

/* Groups open opportunities of a playbook by stage, in the database (of
 * every close date: a window of them is CUBE_FUNNEL's). */
bf_result store_report_funnel(store *st, arena *a, const funnel_query *q, funnel_row **out,
                              size_t *n, bf_error *err);

/* The summaries of migration 25 a manager's report reads. */
typedef enum report_cube {
    CUBE_FORECAST,       /* dims: currency, month, playbook, category; sums: deals, amount,
                            weighted */
    CUBE_OUTCOME,        /* dims: currency, month, playbook, status, stage, sales_mode, band,
                            reason, won_by; sums: deals, amount, days from creation to close */
    CUBE_FLOW,           /* dims: playbook, stage, month, event, days; sums: n */
    CUBE_STAGE_OUTCOMES, /* dims: playbook, stage, month, won; sums: deals */
    CUBE_ACTIVITY,       /* 3E, of the viewer's people only: dims day, type; sums: activities */
    CUBE_IDLE,           /* dims: day of the last activity; sums: open deals */
    CUBE_PLAN,           /* dims: day the visit window ends, met (0/1); sums: open deals */
    CUBE_OPEN,           /* no date: dims playbook; sums: open deals */
    CUBE_AGE_DAYS,       /* open deals by the day they entered their stage (UTC+8): dims day,
                            currency; sums: deals, amount */
    CUBE_AGE_MONTHS,     /* the same by that day's month: dims month, currency */
    CUBE_FUNNEL,         /* open deals by the month of their expected close (migration 36):
                            dims currency, month, playbook, stage, mant_complete; sums: deals,
                            amount, weighted */
    CUBE_COUNT
} report_cube;

enum { CUBE_MAX_DIMS = 9 };

/* What a report reads from a summary: only what the viewer sees, of a
 * currency (forecast and outcome), a playbook (required for flow and stage
 * outcomes), months from..to (YYYY-MM, inclusive; the forecast adds
 * undated open deals, month ""; days YYYY-MM-DD for the 3E summaries), of
 * one owner or of one team's tree. */
typedef struct cube_query {
    const viewer *who; /* NULL: everything */
    report_cube cube;
    const char *currency;
    const char *playbook; /* NULL: all (forecast, outcome) */
    const char *from, *to;
    const char *owner_id; /* NULL: every owner */
    const char *team_id;  /* NULL: every team */
    bool by_owner;        /* rows per owner; else one owner "" for all */
    unsigned fold;        /* dims (bit i: the i-th) answered as "" and added up across */
    const char *before;   /* outcome, flow, stage outcomes: the moment after the day the report
                             is asked as of (UTC); the events from it on are left out. NULL:
                             now. The forecast's own: store_report_forecast_undo */
} cube_query;

/* A row of a summary: its owner (user id, "" for none), its dims as text in
 * the cube's order, and its sums (up to three; zero past the cube's). */
typedef struct cube_row {
    const char *owner_id;
    const char *dims[CUBE_MAX_DIMS];
    int64_t sums[3];
} cube_row;

/* The summary's rows the viewer sees, added up per owner and dims (the
 * owners they see and the deals they see aside, each from its summary where
 * one is kept, else from the deals). In a. */
bf_result store_report_cube(store *st, arena *a, const cube_query *q, cube_row **out, size_t *n,
                            bf_error *err);

/* What turns today's forecast rows (CUBE_FORECAST, per owner) into those of
 * a past moment `before` (UTC time text; the changes from it on are undone):
 * for each deal the viewer sees that was made or changed since, its row of
 * today taken away (deals -1) and its row as it stood added — amount, close
 * date, category, status and stage from deal_changes, the probability from
 * the stage history. Rows as store_report_cube's, not filtered. In a. */
bf_result store_report_forecast_undo(store *st, arena *a, const viewer *who, const char *before,
                                     cube_row **out, size_t *n, bf_error *err);

/* A user, their team, and a team with its parent: who the reports name. */
typedef struct report_person {
    const char *id, *name, *team_id;
} report_person;
typedef struct report_team {
    const char *id, *name, *parent_id;
} report_team;

/* Every user and every team (few), for naming and rolling up report rows. In a. */
bf_result store_report_people(store *st, arena *a, report_person **people, size_t *npeople,
                              report_team **teams, size_t *nteams, bf_error *err);

/* A change of a deal the viewer sees (deal_changes, migration 25), or with
 * field NULL a deal made since: its name, owner and currency, the field with
 * its old and new text, when, and (expected_close) how many times in all its
 * close date was pushed later. */
typedef struct deal_change {
    const char *opportunity_id, *name, *owner, *currency, *field, *old, *new_value, *at;
    int64_t amount, pushes;
} deal_change;

/* The changes since `since` (UTC time text) of the deals the viewer sees,
 * newest first, at most limit; and the deals made since, likewise. In a. */
bf_result store_report_changes(store *st, arena *a, const viewer *who, const char *since, int limit,
                               deal_change **changes, size_t *nchanges, deal_change **added,
                               size_t *nadded, bf_error *err);

/* Keeps a deal's visit plan window for the 3E report (migration 25): its
 * end (UTC text) and the visits it asks for; NULL and 0 for none. */
bf_result store_opportunity_set_visit_window(store *st, const char *id, const char *end, int visits,
                                             bf_error *err);

/* A target (销售目标): of a user ("u:<id>") or a team ("t:<id>"), for a
 * quarter (YYYY-Qn), in a currency, in fen. */
typedef struct sales_target {
    const char *subject, *quarter, *currency, *updated_at, *updated_by;
    int64_t amount;
} sales_target;

/* The targets of quarters from..to (YYYY-Qn, inclusive) in currency. In a. */
bf_result store_targets_list(store *st, arena *a, const char *from, const char *to,
                             const char *currency, sales_target **out, size_t *n, bf_error *err);

/* Sets a target (amount 0 removes it). */
bf_result store_target_put(store *st, const sales_target *t, bf_error *err);

/* An open deal whose stage has not changed since `since`. */
typedef struct stalled_deal {
    const char *id, *name, *owner, *playbook, *stage, *currency, *since;
    int64_t amount;
} stalled_deal;

/* Which stalled deals: the viewer's, with their last stage change before
 * `before` (UTC time text), of one owner (a user id) and of the owners of a
 * team's tree (NULL: all), at most limit. */
typedef struct stalled_query {
    const viewer *who;
    const char *before;
    const char *owner_id, *team_id;
    int limit;
} stalled_query;

/* The open deals the query asks for, the longest stalled first. */
bf_result store_report_stalled(store *st, arena *a, const stalled_query *q, stalled_deal **out,
                               size_t *n, bf_error *err);

/* An activity of a user's calendar, with the names of its deal and account
 * when the user sees them (NULL otherwise). */
typedef struct calendar_activity {
    const char *id, *type, *subject, *purpose, *planned_at, *done_at, *updated_at;
    const char *opportunity_id, *opportunity, *account_id, *account;
} calendar_activity;

/* The activities the viewer owns planned at from <= planned_at < to (UTC
 * texts), in that order, at most max. */
bf_result store_calendar_activities(store *st, arena *a, const viewer *v, const char *from,
                                    const char *to, int max, calendar_activity **out, size_t *n,
                                    bf_error *err);

/* A key date of a deal's tender (core/tender.h's dates), with the deal. */
typedef struct calendar_tender_date {
    const char *opportunity_id, *kind, *day, *updated_at;
    const char *opportunity, *account, *owner;
} calendar_tender_date;

/* The tender key dates from <= day <= to (YYYY-MM-DD) of the deals the
 * viewer sees that are open or won, by day, at most max. */
bf_result store_calendar_tender_dates(store *st, arena *a, const viewer *v, const char *from,
                                      const char *to, int max, calendar_tender_date **out,
                                      size_t *n, bf_error *err);

/* Keeps the key dates of a deal's tender as its tender form now holds them:
 * kinds[i] on days[i] (i < n), the dates it held before forgotten. */
bf_result store_tender_dates_put(store *st, const char *opportunity_id, const char *const *kinds,
                                 const char *const *days, size_t n, bf_error *err);

/* A stored playbook document. */
typedef struct stored_playbook {
    const char *id;
    int version;
    const char *doc;
} stored_playbook;

/* Keeps a playbook document (insert; an existing id and version is left as
 * it is and *inserted is false); an insert moves the playbooks' generation
 * on in the same transaction. */
bf_result store_playbook_put(store *st, const char *id, int version, const char *doc,
                             const char *by, bool *inserted, bf_error *err);

/* The playbooks' generation into *generation: a number that changes (grows
 * by one) in the transaction that stores a new playbook document, and
 * otherwise stays as it is; one row read by its key. 0 when no document has
 * been stored since the number was kept. */
bf_result store_playbook_generation(store *st, int64_t *generation, bf_error *err);

/* Every stored playbook document, ordered by id and version. */
bf_result store_playbook_list(store *st, arena *a, stored_playbook **out, size_t *n, bf_error *err);

/* Deals stored before playbooks had versions run on `version` of their
 * playbook from now on (their playbook_version is set where it is null). */
bf_result store_opportunity_pin_playbook_version(store *st, const char *playbook_id, int version,
                                                 bf_error *err);

/* A form of an owner ("opportunity" or "account"): its JSON text and version. */
typedef struct stored_form {
    const char *data; /* NULL when never saved */
    int64_t version;  /* 0 when never saved */
    const char *updated_at;
    const char *updated_by;
} stored_form;

/* Loads form `form` of the owner; an unsaved form comes back with data NULL. */
bf_result store_form_get(store *st, arena *a, const char *owner_kind, const char *owner_id,
                         const char *form, stored_form *out, bf_error *err);

/* Saves the form when its stored version is expected_version (0: not saved
 * yet, -1: whatever it is); BF_ERR_STALE otherwise. *version gets the new one. */
bf_result store_form_put(store *st, const char *owner_kind, const char *owner_id, const char *form,
                         const char *data, int64_t expected_version, const char *by,
                         int64_t *version, bf_error *err);

/* A setting's JSON text, or NULL when unset (belongs to a). */
bf_result store_setting_get(store *st, arena *a, const char *key, const char **data, bf_error *err);

/* Sets a setting. */
bf_result store_setting_put(store *st, const char *key, const char *data, const char *by,
                            bf_error *err);

/* Records whether the opportunity's MANT is complete (computed by the caller
 * from its MANT form and its account's buying centre), and with it whether
 * the deal is in the funnel proper (in_funnel, migration 13). */
bf_result store_opportunity_set_mant_complete(store *st, const char *opportunity_id, bool complete,
                                              bool in_funnel, bf_error *err);

/* A record a new or changed one may duplicate (撞单, docs/import.md). */
typedef struct store_duplicate {
    const char *id, *name;
    const char *owner_id, *owner_name; /* the owner's display name, else login name */
    const char *credit_code;
    const char *why; /* "name", "credit_code" or "deal_name" */
    bool lost;       /* a column could not be copied (the store answers BF_ERR_NOMEM) */
} store_duplicate;

/* Up to five accounts, oldest first, other than except ("" or NULL: none),
 * whose name key is name_key or whose credit code is credit_code (either may
 * be NULL). Whoever may see them: the caller decides what to tell. In a. */
bf_result store_account_duplicates(store *st, arena *a, const char *name_key,
                                   const char *credit_code, const char *except,
                                   store_duplicate **out, size_t *n, bf_error *err);

/* Up to five deals of the account, other than except, whose name key is
 * name_key. In a. */
bf_result store_deal_duplicates(store *st, arena *a, const char *account_id, const char *name_key,
                                const char *except, store_duplicate **out, size_t *n,
                                bf_error *err);

/* The active user whose login name, else display name, is name: *id (in a)
 * and *n, the number of users so named (a login name counts alone). */
bf_result store_user_named(store *st, arena *a, const char *name, const char **id, size_t *n,
                           bf_error *err);

/* Whether the viewer sees the record of spec with id (*visible false also
 * when there is no such record). */
bf_result store_record_visible(store *st, const viewer *who, const resource_spec *spec,
                               const char *id, bool *visible, bf_error *err);

/* ---- users, credentials, sessions -------------------------------------------- */

/* A user as authentication needs it (strings belong to the arena). */
typedef struct user_login {
    viewer who;
    bool active;
    const char *password_hash; /* NULL when no password is set */
} user_login;

/* The user with login name (BF_ERR_NOT_FOUND when none), with the team's
 * sharing resolved. */
bf_result store_user_by_name(store *st, arena *a, const char *name, user_login *out, bf_error *err);

/* Sets the user's password hash (an argon2id string). */
bf_result store_user_set_password(store *st, const char *user_id, const char *hash, bf_error *err);

/* Keeps an API token's hash for the user; *id gets the token's id. */
bf_result store_token_insert(store *st, arena *a, const char *user_id, const char *token_hash,
                             const char *label, const char **id, bf_error *err);

/* Revokes the token whose hash or id is given (BF_ERR_NOT_FOUND when there is
 * no such token not yet revoked); *user_name gets its user's name. */
bf_result store_token_revoke(store *st, arena *a, const char *hash_or_id, const char **user_name,
                             bf_error *err);

/* The active user of a token hash that is not revoked (BF_ERR_NOT_FOUND otherwise). */
bf_result store_token_user(store *st, arena *a, const char *token_hash, user_login *out,
                           bf_error *err);

/* Opens a session: keeps the hash of its token with the user and expiry. */
bf_result store_session_insert(store *st, const char *token_hash, const char *user_id,
                               const char *expires_at, const char *address, bf_error *err);

/* The active user of a session not expired at now (BF_ERR_NOT_FOUND otherwise);
 * *expires_at gets the session's expiry. */
bf_result store_session_user(store *st, arena *a, const char *token_hash, const char *now,
                             user_login *out, const char **expires_at, bf_error *err);

/* Ends a session (no error when there is none). */
bf_result store_session_delete(store *st, const char *token_hash, bf_error *err);

/* Whether user_id belongs to team_id or a team below it (false when team_id
 * is NULL). */
bf_result store_user_in_team_tree(store *st, const char *team_id, const char *user_id, bool *in,
                                  bf_error *err);

/* Revokes every API token of the user not yet revoked; *n gets how many. */
bf_result store_tokens_revoke_user(store *st, const char *user_id, int64_t *n, bf_error *err);

/* ---- calendar feeds (日历订阅, docs/calendar.md) ------------------------------------ */

/* A user's calendar feed in use: its id and when it was made. */
typedef struct calendar_feed {
    const char *id;         /* NULL when the user has none in use */
    const char *created_at; /* UTC */
} calendar_feed;

/* The user's feed in use (out->id NULL when none). */
bf_result store_calendar_feed_of(store *st, arena *a, const char *user_id, calendar_feed *out,
                                 bf_error *err);

/* Revokes the user's feed in use, if any, and keeps a new one whose secret
 * hashes to token_hash; *out is the new one, *revoked how many were
 * revoked (0 or 1). */
bf_result store_calendar_feed_create(store *st, arena *a, const char *user_id,
                                     const char *token_hash, calendar_feed *out, int64_t *revoked,
                                     bf_error *err);

/* Revokes every feed of the user in use; *n gets how many. */
bf_result store_calendar_feeds_revoke_user(store *st, const char *user_id, int64_t *n,
                                           bf_error *err);

/* The active user of a feed in use whose secret hashes to token_hash, and
 * the user's display name (NULL when none); BF_ERR_NOT_FOUND otherwise. */
bf_result store_calendar_feed_user(store *st, arena *a, const char *token_hash, user_login *out,
                                   const char **display_name, bf_error *err);

/* One login or failed login of the audit log. */
typedef struct login_attempt {
    const char *at;      /* ISO 8601 UTC */
    const char *name;    /* the name the client gave */
    const char *address; /* the client's address, or NULL */
    bool ok;             /* a login, not a failed one */
} login_attempt;

/* The logins and failed logins logged at or after since (ISO 8601 UTC) under
 * the name, or from the address (either may be NULL), oldest first, in a:
 * what login throttling counts, on every server of the database alike. */
bf_result store_logins_of(store *st, arena *a, const char *name, const char *address,
                          const char *since, login_attempt **out, size_t *n, bf_error *err);

/* Ends every session of the user except keep_hash (may be NULL), and
 * removes expired sessions of everyone. */
bf_result store_sessions_end_user(store *st, const char *user_id, const char *keep_hash,
                                  bf_error *err);

/* ---- the deal team and partner registrations ---------------------------------- */

/* Someone on a deal, or a partner registered on it. */
typedef struct deal_member {
    const char *id;   /* user id or partner id */
    const char *name; /* login name, or partner company name */
    const char *display_name;
    const char *role; /* member's role on the deal; NULL for partners */
    const char *added_at;
    const char *added_by;
} deal_member;

/* Puts the user on the deal with role (or changes the role). */
bf_result store_member_put(store *st, const char *opportunity_id, const char *user_id,
                           const char *role, const char *by, bf_error *err);

/* Takes the user off the deal (BF_ERR_NOT_FOUND when not on it). */
bf_result store_member_delete(store *st, const char *opportunity_id, const char *user_id,
                              bf_error *err);

/* The deal's members, by time added. */
bf_result store_member_list(store *st, arena *a, const char *opportunity_id, deal_member **out,
                            size_t *n, bf_error *err);

/* Registers the partner on the deal; *inserted false when it already was. */
bf_result store_partner_register(store *st, const char *opportunity_id, const char *partner_id,
                                 const char *by, bool *inserted, bf_error *err);

/* Removes the partner's registration (BF_ERR_NOT_FOUND when there is none). */
bf_result store_partner_unregister(store *st, const char *opportunity_id, const char *partner_id,
                                   bf_error *err);

/* The partners registered on the deal, by time registered. */
bf_result store_partner_list(store *st, arena *a, const char *opportunity_id, deal_member **out,
                             size_t *n, bf_error *err);

/* ---- the audit log ----------------------------------------------------------- */

/* One entry of the audit log (append-only). */
typedef struct audit_entry {
    int64_t seq; /* assigned on append */
    const char *at;
    const char *actor;
    const char *action;   /* create, update, delete, login, login_failed, … */
    const char *resource; /* NULL for logins */
    const char *record_id;
    const char *old_values; /* JSON object text of the fields before, or NULL */
    const char *new_values; /* JSON object text of the fields after, or NULL */
    const char *address;    /* the client's address, when known */
} audit_entry;

/* Appends an entry; at is filled when NULL. */
bf_result store_audit_append(store *st, audit_entry *e, bf_error *err);

typedef struct audit_query {
    const char *record_id;    /* NULL for all */
    const char *action;       /* NULL for all */
    const char *actor;        /* NULL for all */
    int64_t after_seq;        /* newest first: only entries with seq below it; 0 for none */
    int limit;                /* 1..LIST_MAX_LIMIT */
    bool without_credentials; /* leave out logins, failed logins, logouts, password changes
                                 and sets, token creation and revocation */
} audit_query;

/* Entries matching q, newest first; *more when others follow. */
bf_result store_audit_list(store *st, arena *a, const audit_query *q, audit_entry **out, size_t *n,
                           bool *more, bf_error *err);

/* ---- approvals ------------------------------------------------------------------------
 * A decision a manager makes about a deal (migration 15, src/api/approvals.c).
 * Texts belong to the arena of the read, or stay the caller's on write. */
typedef struct approval {
    const char *id; /* "apr_…"; store_approval_insert makes it */
    int64_t version;
    const char *opportunity_id;
    const char *kind;  /* override, close, sales_mode */
    const char *state; /* pending, approved, rejected, withdrawn */
    const char *ask;   /* what is asked: a JSON object text */
    const char *reason;
    const char *evidence;         /* or NULL */
    int levels, level;            /* decisions needed; the one waited for */
    const char *approver_team_id; /* who decides `level`: a manager of it or above; NULL: admin */
    const char *queue;            /* a pending one's inbox, "t:<team>" or "admin"; else NULL */
    const char *requester_id;     /* the requester's user id, or NULL */
    const char *requested_by;     /* the requester's login name */
    const char *requested_at;
    const char *decisions; /* JSON array text */
    const char *decided_at;
} approval;

/* Inserts a (its id and requested_at are made when NULL), in the caller's
 * transaction or one of its own. */
bf_result store_approval_insert(store *st, arena *ar, approval *a, bf_error *err);

/* The approval with this id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_approval_get(store *st, arena *ar, const char *id, approval *out, bf_error *err);

/* Writes a's state, level, approver_team_id, queue, decisions and
 * decided_at when its stored version is expected (BF_ERR_STALE otherwise);
 * a->version becomes the new one. */
bf_result store_approval_update(store *st, approval *a, int64_t expected, bf_error *err);

/* Which approvals a list reads: exactly one of opportunity_id (a deal's),
 * queue (an inbox: pending ones waiting there) or requester_id (one's own
 * requests, state optional), newest first, after the cursor (before_at,
 * before_id) when given. */
typedef struct approval_query {
    const char *opportunity_id;
    const char *queue;
    const char *requester_id;
    const char *state;
    const char *before_at, *before_id;
    int limit; /* 1..200 */
} approval_query;

/* The approvals q names, newest first; *more when others follow. */
bf_result store_approval_list(store *st, arena *ar, const approval_query *q, approval **out,
                              size_t *n, bool *more, bf_error *err);

/* How many approvals wait in queue, and how many requester_id's requests
 * are pending (either may be NULL: 0). */
bf_result store_approval_count(store *st, const char *queue, const char *requester_id,
                               int64_t *waiting, int64_t *mine_pending, bf_error *err);

/* The teams above user_id's own (itself first) that have an active
 * manager, nearest first: who decides each level of an approval about a
 * deal user_id owns. *n is 0 when the user is in no team. In the arena. */
bf_result store_approver_teams(store *st, arena *ar, const char *user_id, const char ***teams,
                               size_t *n, bf_error *err);

/* Whether team is ancestor or a team below it. */
bf_result store_team_within(store *st, const char *ancestor, const char *team, bool *in,
                            bf_error *err);

/* ---- quotations -----------------------------------------------------------------------
 * A deal's quotations (migration 20, src/api/quotations.c, docs/quotations.md).
 * Texts belong to the arena of the read, or stay the caller's on write. */
typedef struct quotation {
    const char *id; /* "quo_…"; store_quotation_insert makes it */
    const char *opportunity_id;
    const char *number; /* "BJ20261205-001", shared by the revisions; made when NULL */
    int64_t revision;   /* 1, 2, … of its number */
    int64_t version;    /* of the row, for If-Match */
    const char *status; /* draft, submitted, approved, sent, accepted, rejected */
    bool primary;
    const char *title, *currency, *valid_until, *payment_terms, *delivery_terms, *notes;
    int64_t discount;  /* on the whole, basis points */
    const char *lines; /* JSON array text of the lines as written */
    int64_t list_amount, net, tax, gross, cost, max_line_discount; /* fen; basis points */
    bool cost_complete;
    const char *approval_id; /* the discount's approval, or NULL */
    const char *created_at, *updated_at, *created_by, *sent_at;
} quotation;

/* Inserts q: its id, created_at and updated_at are made, and its number
 * when NULL (the next of the day: "BJ" + UTC date + "-" + three digits);
 * revision is the caller's. */
bf_result store_quotation_insert(store *st, arena *ar, quotation *q, bf_error *err);

/* The quotation with this id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_quotation_get(store *st, arena *ar, const char *id, quotation *out, bf_error *err);

/* Writes every field of q but its id, deal, number, revision and creation
 * when its stored version is expected (BF_ERR_STALE otherwise); q->version
 * and q->updated_at become the new ones. */
bf_result store_quotation_update(store *st, arena *ar, quotation *q, int64_t expected,
                                 bf_error *err);

/* Deletes the quotation when its stored version is expected. */
bf_result store_quotation_delete(store *st, const char *id, int64_t expected, bf_error *err);

/* A deal's quotations, newest number first and each number's revisions
 * newest first (at most 500). */
bf_result store_quotation_list(store *st, arena *ar, const char *opportunity_id, quotation **out,
                               size_t *n, bf_error *err);

/* The next revision of number (its largest + 1). */
bf_result store_quotation_next_revision(store *st, const char *number, int64_t *out, bf_error *err);

/* Makes id the deal's one primary quotation (the others not). */
bf_result store_quotation_set_primary(store *st, const char *opportunity_id, const char *id,
                                      bf_error *err);

/* ---- contracts ------------------------------------------------------------------------
 * A contract made from an accepted quotation, and its payment plan (migration 21,
 * src/api/contracts.c). Texts belong to the arena of the read, or stay the caller's. */
typedef struct contract {
    const char *id; /* "ctr_…"; store_contract_insert makes it */
    const char *opportunity_id, *quotation_id;
    const char *number; /* "HT20261205-001" when NULL on insert */
    int64_t version;
    const char *signed_on, *party_a, *party_b, *archived_on, *notes;
    int64_t amount;         /* fen */
    const char *milestones; /* JSON array text, as written */
    const char *created_at, *updated_at, *created_by;
} contract;

/* Inserts c (its id, times and, when NULL, number made); BF_ERR_CONFLICT
 * when its quotation has a contract already or its number is taken. */
bf_result store_contract_insert(store *st, arena *ar, contract *c, bf_error *err);

/* The contract with this id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_contract_get(store *st, arena *ar, const char *id, contract *out, bf_error *err);

/* Writes c's number, dates, amount, parties, notes and milestones when its
 * stored version is expected (BF_ERR_STALE otherwise). */
bf_result store_contract_update(store *st, arena *ar, contract *c, int64_t expected, bf_error *err);

/* A deal's contracts, newest first (at most 100). */
bf_result store_contract_list(store *st, arena *ar, const char *opportunity_id, contract **out,
                              size_t *n, bf_error *err);

/* ---- document templates -----------------------------------------------------------
 * Templates the company writes (migration 22, src/api/templates.c); each save of a key
 * in a language is a new version. Texts in the arena of the read, or the caller's. */
typedef struct doc_template {
    const char *id; /* "tpl_…"; made on insert */
    const char *key, *lang, *kind, *name_zh, *name_en, *body;
    int64_t version; /* made on insert: the key's and language's newest + 1 */
    const char *created_at, *created_by;
} doc_template;

/* Inserts t as the next version of its key and language. */
bf_result store_template_insert(store *st, arena *ar, doc_template *t, bf_error *err);

/* The version of key in lang (version 0: the newest); BF_ERR_NOT_FOUND when
 * there is none. */
bf_result store_template_get(store *st, arena *ar, const char *key, const char *lang,
                             int64_t version, doc_template *out, bf_error *err);

/* Every version of key in lang, newest first (at most 200). */
bf_result store_template_versions(store *st, arena *ar, const char *key, const char *lang,
                                  doc_template **out, size_t *n, bf_error *err);

/* The newest version of every key and language, by key (at most 500). */
bf_result store_template_list(store *st, arena *ar, doc_template **out, size_t *n, bf_error *err);

/* ---- documents ----------------------------------------------------------------------
 * Files kept on a deal (migration 23, src/api/documents.c): each version a row, the bytes
 * stored once by their SHA-256. Texts in the arena of the read, or the caller's. */
typedef struct document {
    const char *id; /* "doc_…"; made on insert */
    const char *opportunity_id;
    const char *name; /* the file name, safe to download as */
    int64_t version;  /* made on insert: the deal's newest of name + 1 */
    const char *category, *content_type, *sha256;
    int64_t size;       /* bytes */
    const char *source; /* "upload" or "template" */
    const char *template_key;
    int64_t template_version;
    const char *item_id; /* the checklist deliverable it satisfies, or NULL */
    bool shared;         /* shown to the deal's partners */
    const char *note, *created_at, *created_by;
} document;

/* Inserts d as the next version of its name on its deal, with its bytes
 * content[0..d->size) (stored once per d->sha256). */
bf_result store_document_insert(store *st, arena *ar, document *d, const void *content,
                                bf_error *err);

/* The document with this id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_document_get(store *st, arena *ar, const char *id, document *out, bf_error *err);

/* The bytes stored for sha256, copied into ar. */
bf_result store_document_content(store *st, arena *ar, const char *sha256, const void **out,
                                 size_t *len, bf_error *err);

/* A deal's documents, every version, by name and newest version first (at
 * most 1,000); only the shared ones when shared_only. */
bf_result store_document_list(store *st, arena *ar, const char *opportunity_id, bool shared_only,
                              document **out, size_t *n, bf_error *err);

/* Writes d's category, item_id, shared and note. */
bf_result store_document_update(store *st, const document *d, bf_error *err);

/* Deletes the document, and its bytes when no other document has them. */
bf_result store_document_delete(store *st, const char *id, bf_error *err);

/* How many documents of the deal satisfy checklist item item_id. */
bf_result store_document_count_for_item(store *st, const char *opportunity_id, const char *item_id,
                                        int64_t *out, bf_error *err);

/* ---- handovers ----------------------------------------------------------------------
 * The handover of a won deal to implementation (migration 23, src/api/handover.c). */
typedef struct handover {
    const char *opportunity_id;
    int64_t version;
    const char *commitments;     /* verbal commitments made to the customer */
    const char *project_lead_id; /* the customer's project lead, a contact */
    const char *acknowledged_by, *acknowledged_at;
    const char *created_at, *updated_at;
    const char *deal_name; /* in lists: the deal's name, owner and amount */
    const char *owner_id;
    int64_t amount;
} handover;

/* Opens the handover of a deal just won (nothing when it has one). */
bf_result store_handover_open(store *st, const char *opportunity_id, bf_error *err);

/* The deal's handover; BF_ERR_NOT_FOUND when it has none. */
bf_result store_handover_get(store *st, arena *ar, const char *opportunity_id, handover *out,
                             bf_error *err);

/* Writes h's commitments, project lead and acknowledgement when its stored
 * version is expected (BF_ERR_STALE otherwise); h->version becomes the new. */
bf_result store_handover_update(store *st, arena *ar, handover *h, int64_t expected, bf_error *err);

/* The handovers not yet acknowledged of won deals v sees, newest first (at
 * most limit, up to 200). */
bf_result store_handover_waiting(store *st, arena *ar, const viewer *v, int limit, handover **out,
                                 size_t *n, bf_error *err);

/* ---- knowledge base ---------------------------------------------------------------
 * Entries of the knowledge base (migration 24, src/api/knowledge.c, docs/knowledge.md).
 * Texts in the arena of the read, or the caller's. */
typedef struct knowledge_facet {
    const char *facet; /* "industry", "product", "tag", "stage", "activity" */
    const char *value;
} knowledge_facet;

typedef struct knowledge_entry {
    const char *id; /* "kn_…"; made on insert */
    const char *kind, *lang, *title;
    const char *entry; /* the entry's JSON (without id, status, author … ), as written */
    const char *search_title, *search_text; /* normalized (knowledge_search_text) */
    bool shareable;
    const char *status, *author, *reviewer, *source_opportunity_id;
    int64_t version;
    int64_t seq; /* its place in the order of creation (read by store_knowledge_page) */
    const char *created_at, *updated_at;
    const char *changed_by; /* who writes it (a version's author) */
    /* written with the entry: its facets and one- and two-character grams */
    const knowledge_facet *facets;
    size_t nfacets;
    const knowledge_gram *grams;
    size_t ngrams;
} knowledge_entry;

/* Inserts e as version 1 (its id and times made), with its facets, grams,
 * text index and first version. */
bf_result store_knowledge_insert(store *st, arena *ar, knowledge_entry *e, bf_error *err);

/* Writes e over the stored entry when its version is expected
 * (BF_ERR_STALE otherwise): everything but id, author and creation; its
 * facets, grams and text index replaced; e->version becomes the new. */
bf_result store_knowledge_update(store *st, arena *ar, knowledge_entry *e, int64_t expected,
                                 bf_error *err);

/* The entry with this id; BF_ERR_NOT_FOUND when there is none. */
bf_result store_knowledge_get(store *st, arena *ar, const char *id, knowledge_entry *out,
                              bf_error *err);

/* Every version of the entry, newest first (at most 200): entry, status,
 * version, changed_by (in updated_at: when). */
bf_result store_knowledge_versions(store *st, arena *ar, const char *id, knowledge_entry **out,
                                   size_t *n, bf_error *err);

/* Who reads and what: a search of the knowledge base. */
typedef struct knowledge_query {
    const char *viewer; /* the viewer's name: their drafts, and those they review */
    bool admin, partner;
    bool manager; /* also reads the drafts that name no reviewer (they may review them) */
    const char *const *terms; /* normalized (knowledge_terms) */
    size_t nterms;
    const char *kind, *lang, *status; /* NULL: any kind or language; published (and drafts) */
    knowledge_facet all[4];           /* every one of these */
    size_t nall;
    knowledge_facet any[8]; /* ranked by how many of these (suggestions) */
    size_t nany;
    int limit; /* 1..100 */
} knowledge_query;

/* The entries q finds, best first. */
bf_result store_knowledge_search(store *st, arena *ar, const knowledge_query *q,
                                 knowledge_entry **out, size_t *n, bf_error *err);

/* Entries after seq (their order of creation), at most limit, for an
 * export: each entry's seq in *last when any. */
bf_result store_knowledge_page(store *st, arena *ar, int64_t after, int limit,
                               knowledge_entry **out, size_t *n, int64_t *last, bf_error *err);

/* The facet values of published entries (shared ones only for partners),
 * with how many entries have each: each facet's hundred most used, by
 * facet and count. */
typedef struct knowledge_facet_count {
    const char *facet, *value;
    int64_t count;
} knowledge_facet_count;
bf_result store_knowledge_facets(store *st, arena *ar, bool partner, knowledge_facet_count **out,
                                 size_t *n, bf_error *err);

/* ---- notifications -------------------------------------------------------------------
 * A user's inbox, the robots' webhooks and their outbox (migration 33,
 * src/api/notify.c, docs/notifications.md). Texts in the arena of the read,
 * or the caller's on write. */
typedef struct notification {
    const char *id; /* "ntf_…"; made on insert */
    const char *user_id, *kind;
    const char *opportunity_id;            /* its deal, or NULL */
    const char *record_type, *record_id;   /* what it is about: "approval", "activity", "deal" */
    const char *day, *part;                /* with user, kind and record: its unique key */
    const char *params;                    /* the event's facts, a JSON object text */
    const char *created_at, *read_at;      /* read_at NULL: unread */
    const char *deal_name, *deal_owner_id; /* read: the deal's now (NULL when none) */
} notification;

/* Inserts n (its id and created_at made when NULL) unless its user has one
 * with its key already; *inserted (may be NULL) says whether it did. In the
 * caller's transaction or one of its own. */
bf_result store_notification_add(store *st, arena *ar, notification *n, bool *inserted,
                                 bf_error *err);

/* A page of user_id's inbox, newest first: unread ones alone when unread;
 * after (before_at, before_id) when given; *more when others follow. */
typedef struct notification_query {
    const char *user_id;
    bool unread;
    const char *before_at, *before_id;
    int limit; /* 1..200 */
} notification_query;
bf_result store_notification_list(store *st, arena *ar, const notification_query *q,
                                  notification **out, size_t *n, bool *more, bf_error *err);

/* user_id's notification id; BF_ERR_NOT_FOUND when it has none such. */
bf_result store_notification_get(store *st, arena *ar, const char *user_id, const char *id,
                                 notification *out, bf_error *err);

/* How many of user_id's notifications are unread, counted up to cap. */
bf_result store_notification_unread(store *st, const char *user_id, int64_t cap, int64_t *out,
                                    bf_error *err);

/* Marks user_id's notification id read at `at` (or, id NULL, every one
 * unread); *changed how many were unread. */
bf_result store_notification_read(store *st, const char *user_id, const char *id, const char *at,
                                  int64_t *changed, bf_error *err);

/* The active users of role (in team_id when not NULL), at most 500, in
 * the arena: who an inbox of approvals stands for. */
bf_result store_users_of_role(store *st, arena *ar, const char *role, const char *team_id,
                              const char ***ids, size_t *n, bf_error *err);

/* A group robot's webhook, set up by an admin. */
typedef struct webhook {
    const char *id; /* "whk_…"; made on insert */
    int64_t version;
    const char *name, *kind, *url, *secret; /* kind "wecom" or "dingtalk"; secret or NULL */
    const char *events;                     /* the kinds it is sent, a JSON array text */
    const char *team_id;                    /* the team whose deals (its tree), or NULL: all */
    const char *lang;                       /* "zh" or "en" */
    bool enabled;
    const char *created_at, *updated_at, *updated_by;
} webhook;

bf_result store_webhook_insert(store *st, arena *ar, webhook *w, bf_error *err);
/* BF_ERR_NOT_FOUND when there is none. */
bf_result store_webhook_get(store *st, arena *ar, const char *id, webhook *out, bf_error *err);
/* Writes w over the stored one when its version is expected (BF_ERR_STALE
 * otherwise); w->version becomes the new. */
bf_result store_webhook_update(store *st, arena *ar, webhook *w, int64_t expected, bf_error *err);
bf_result store_webhook_delete(store *st, const char *id, int64_t expected, bf_error *err);
/* Every webhook (enabled ones alone when enabled_only), oldest first, at
 * most 200. */
bf_result store_webhook_list(store *st, arena *ar, bool enabled_only, webhook **out, size_t *n,
                             bf_error *err);

/* A message in the outbox of a webhook. */
typedef struct webhook_delivery {
    const char *id; /* "dlv_…"; made on insert */
    const char *webhook_id, *kind, *event_key, *payload;
    const char *created_at, *next_attempt_at, *last_error, *delivered_at, *failed_at;
    int64_t attempts;
    /* claimed: its webhook's now */
    const char *robot, *url, *secret;
    bool enabled;
} webhook_delivery;

/* Queues d, due at once, unless its webhook has its event (kind,
 * event_key) queued already; *inserted (may be NULL) says whether it did. */
bf_result store_delivery_add(store *st, arena *ar, webhook_delivery *d, bool *inserted,
                             bf_error *err);
/* The newest deliveries of a webhook, at most limit. */
bf_result store_delivery_list(store *st, arena *ar, const char *webhook_id, int limit,
                              webhook_delivery **out, size_t *n, bf_error *err);
/* In one write transaction: up to limit deliveries due at now, each moved
 * on to lease_until with one attempt more, so that no other sender takes
 * it while this one tries; with their webhook's kind, address, secret and
 * whether it is enabled. */
bf_result store_delivery_claim(store *st, arena *ar, const char *now, const char *lease_until,
                               int limit, webhook_delivery **out, size_t *n, bf_error *err);
/* The outcome of an attempt at `at`: delivered (ok), or failed for why and
 * due again at next_at (NULL: given up). */
bf_result store_delivery_done(store *st, const char *id, bool ok, const char *at, const char *why,
                              const char *next_at, bf_error *err);

/* What the periodic job finds due (src/api/notify_job.c). */
typedef enum notify_due_kind {
    NOTIFY_DUE_STALLED, /* open deals whose stage changed in [from, until) */
    NOTIFY_DUE_VISITS,  /* visits planned in [from, until), not done */
    NOTIFY_DUE_TENDERS, /* key dates of open deals' tenders from `from` to `until` (days) */
} notify_due_kind;

typedef struct notify_due {
    const char *record_id; /* the deal, the activity, the deal */
    const char *opportunity_id, *deal_name, *deal_owner_id;
    const char *user_id; /* who it is for: the deal's owner, the visit's */
    const char *at;      /* the stage changed, the visit is planned, the tender date */
    const char *detail;  /* the stage, the visit's subject, the tender date's key */
} notify_due;

/* A page of what is due, in the order of at, after (after_at, after_id,
 * after_key: the last row of the page before; "" to begin). */
bf_result store_notify_due(store *st, arena *ar, notify_due_kind kind, const char *from,
                           const char *until, const char *after_at, const char *after_id,
                           const char *after_key, int limit, notify_due **out, size_t *n,
                           bf_error *err);

/* ---- global search ----------------------------------------------------------------
 * Accounts, contacts, deals and activities by their words (migration 34,
 * core/search.h, src/api/search.c, docs/search.md). The index is kept by
 * the record functions above, in the transaction of each write. */
typedef struct search_query {
    const viewer *who;                     /* only what they see; NULL: everything */
    const char *pieces[SEARCH_PIECES_MAX]; /* search_pieces: every one must match */
    size_t npieces;                        /* 1.. */
    int limit;                             /* 1..50 */
} search_query;

/* A record found, with what names it and where it belongs. */
typedef struct search_hit {
    const char *id, *title; /* the name (an activity's subject) */
    const char *owner;      /* the owner's login name */
    const char *account_id, *account;
    const char *opportunity_id, *opportunity; /* an activity's deal */
    const char *stage, *playbook, *status;    /* a deal's */
    const char *industry, *region;            /* an account's */
    const char *job_title, *phone, *email;    /* a contact's */
    const char *type, *at, *outcome;          /* an activity's: planned or done at */
} search_hit;

/* What a search found, by kind (indexed by search_kind). */
typedef struct search_found {
    search_hit *hits[SEARCH_KINDS + 1];
    size_t n[SEARCH_KINDS + 1];
} search_found;

/* The records q finds of each kind, best first: those whose title holds
 * every piece, then the newest; at most q->limit of each. */
bf_result store_search(store *st, arena *ar, const search_query *q, search_found *out,
                       bf_error *err);

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" (cap >= 25). */
void store_now(char *out, size_t cap);

/* Moves the clock of store_now by seconds (negative: into the past) for
 * everything this process writes from now on; 0 sets it right. For a loader
 * that writes history (the demo's deals, weeks old), in a process of its own
 * such as bingfa init — never in a serving one. */
void store_clock_shift(int64_t seconds);

#endif
