/* The driver interface of db.h: chooses the driver by the target's form and
 * passes each call to it. */
#include "store/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_driver.h"

bool db_target_is_postgres(const char *target)
{
    return target != NULL &&
           (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0);
}

void db_target_display(const char *target, char *out, size_t cap)
{
    snprintf(out, cap, "%s", target);
    if (!db_target_is_postgres(target))
        return;
    /* scheme://user:password@host…: the password goes. */
    const char *auth = strstr(target, "://") + 3;
    const char *end = auth + strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', (size_t)(end - auth));
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon != NULL)
        snprintf(out, cap, "%.*s:***%s", (int)(colon - target), target, at);
}

int db_fail(db_conn *c, db_fault fault, const char *fmt, ...)
{
    c->fault = fault;
    c->column[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    return DB_ERROR;
}

int64_t db_parse_int64(const char *text)
{
    if (text == NULL)
        return 0;
    if (text[0] == 't' && text[1] == '\0')
        return 1;
    return strtoll(text, NULL, 10);
}

bf_result db_open(const char *target, const store_options *opt, db_conn **out, bf_error *err)
{
    const db_driver *d = db_target_is_postgres(target) ? &db_pg_driver : &db_sqlite_driver;
    return d->open(target, opt, out, err);
}

bf_result db_create(const char *target, bf_error *err)
{
    return db_target_is_postgres(target) ? BF_OK : db_sqlite_create(target, err);
}

void db_on_commit(db_conn *c, int (*hook)(void *ctx), void *ctx)
{
    if (c->driver->on_commit != NULL)
        c->driver->on_commit(c, hook, ctx);
}

void db_close(db_conn *c)
{
    if (c != NULL)
        c->driver->close(c);
}

db_dialect db_dialect_of(const db_conn *c)
{
    return c->driver->dialect;
}

int db_prepare(db_conn *c, const char *sql, size_t len, db_stmt **out)
{
    return c->driver->prepare(c, sql, len, out);
}

void db_finalize(db_stmt *s)
{
    if (s != NULL)
        s->conn->driver->finalize(s);
}

int db_bind_text(db_stmt *s, int idx, const char *t)
{
    return s->conn->driver->bind_text(s, idx, t);
}

int db_bind_int64(db_stmt *s, int idx, int64_t v)
{
    return s->conn->driver->bind_int64(s, idx, v);
}

int db_bind_null(db_stmt *s, int idx)
{
    return s->conn->driver->bind_null(s, idx);
}

int db_bind_blob(db_stmt *s, int idx, const void *data, size_t len)
{
    return s->conn->driver->bind_blob(s, idx, data, len);
}

int db_step(db_stmt *s)
{
    return s->conn->driver->step(s);
}

void db_reset(db_stmt *s)
{
    s->conn->driver->reset(s);
}

void db_clear_bindings(db_stmt *s)
{
    s->conn->driver->clear_bindings(s);
}

const char *db_column_text(db_stmt *s, int col)
{
    return s->conn->driver->column_text(s, col);
}

const void *db_column_blob(db_stmt *s, int col, size_t *len)
{
    return s->conn->driver->column_blob(s, col, len);
}

size_t db_column_bytes(db_stmt *s, int col)
{
    return s->conn->driver->column_bytes(s, col);
}

int64_t db_column_int64(db_stmt *s, int col)
{
    return s->conn->driver->column_int64(s, col);
}

int db_column_int(db_stmt *s, int col)
{
    return (int)db_column_int64(s, col);
}

bool db_column_is_null(db_stmt *s, int col)
{
    return s->conn->driver->column_is_null(s, col);
}

int64_t db_changes(db_conn *c)
{
    return c->driver->changes(c);
}

int64_t db_total_changes(db_conn *c)
{
    return c->driver->total_changes(c);
}

int db_exec(db_conn *c, const char *sql)
{
    return c->driver->exec(c, sql);
}

int db_begin(db_conn *c)
{
    return c->driver->begin(c);
}

int db_commit(db_conn *c)
{
    return c->driver->commit(c);
}

int db_rollback(db_conn *c)
{
    return c->driver->rollback(c);
}

bool db_in_transaction(db_conn *c)
{
    return c->driver->in_transaction(c);
}

db_fault db_fault_of(const db_conn *c)
{
    return c->fault;
}

const char *db_message(const db_conn *c)
{
    return c->message;
}

const char *db_fault_column(const db_conn *c)
{
    return c->column[0] ? c->column : NULL;
}

int db_has_column(db_conn *c, const char *table, const char *column, bool *has)
{
    return c->driver->has_column(c, table, column, has);
}

void db_set_interrupt(db_conn *c, bool (*stop)(void *ctx), void *ctx)
{
    c->driver->set_interrupt(c, stop, ctx);
}

void db_plan_generic(db_stmt *s, bool generic)
{
    if (s->conn->driver->plan_generic != NULL)
        s->conn->driver->plan_generic(s, generic);
}

bool db_lost(db_conn *c)
{
    return c->driver->lost(c);
}

int db_reconnect(db_conn *c)
{
    return c->driver->reconnect(c);
}
