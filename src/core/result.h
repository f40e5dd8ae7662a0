/* The one result type of bingfa: every fallible function returns a bf_result,
 * and callers check it at once (`if ((r = f()) != BF_OK) return r;`).
 * Details for the person reading the error travel in a bf_error. */
#ifndef BF_CORE_RESULT_H
#define BF_CORE_RESULT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum bf_result {
    BF_OK = 0,
    BF_ERR_NOMEM,           /* allocation failed */
    BF_ERR_MALFORMED,       /* the request body is not well-formed (e.g. bad JSON) */
    BF_ERR_INVALID,         /* a field failed validation */
    BF_ERR_NOT_FOUND,       /* no such record or route */
    BF_ERR_UNAUTHENTICATED, /* no valid credentials: log in or send a token */
    BF_ERR_FORBIDDEN,       /* the caller\'s role may not do this */
    BF_ERR_THROTTLED,       /* too many failed attempts: try again later */
    BF_ERR_METHOD,          /* route exists, method does not */
    BF_ERR_CONFLICT,        /* the request conflicts with the record's state */
    BF_ERR_GATE_UNMET,      /* stage exit criteria are not all met */
    BF_ERR_STALE,           /* If-Match names an old version */
    BF_ERR_PRECONDITION,    /* If-Match is required but missing */
    BF_ERR_TOO_LARGE,       /* request body over the limit */
    BF_ERR_MEDIA_TYPE,      /* request body is not JSON */
    BF_ERR_STORE,           /* the database failed */
    BF_ERR_BUSY,            /* the database stayed locked past the busy timeout */
    BF_ERR_IO,              /* a file could not be read or written */
    BF_ERR_INTERNAL,        /* a bug: an invariant did not hold */
} bf_result;

/* A value an error's message names ("at most 200": max = 200), for the
 * templates of the catalogue of messages (core/messages.h), which fill
 * {max} with it: a number, a text, or a phrase — the key of a phrase of the
 * catalogue, said in the reader's language ("whole_number": 整数). Made by
 * BF_NUM, BF_TEXT and BF_PHRASE; a list of them by BF_ARGS. */
typedef enum bf_arg_kind {
    BF_ARG_NUMBER,
    BF_ARG_TEXT,
    BF_ARG_PHRASE,
} bf_arg_kind;

typedef struct bf_arg {
    const char *name; /* a literal: the placeholder's name */
    bf_arg_kind kind;
    const char *text; /* a text's value, a phrase's key */
    long long number;
} bf_arg;

#define BF_NUM(n, v) ((bf_arg){.name = (n), .kind = BF_ARG_NUMBER, .number = (long long)(v)})
#define BF_TEXT(n, s) ((bf_arg){.name = (n), .kind = BF_ARG_TEXT, .text = (s)})
#define BF_PHRASE(n, key) ((bf_arg){.name = (n), .kind = BF_ARG_PHRASE, .text = (key)})
/* The args of a failure, ended for bf_fail_args. */
#define BF_ARGS(...) ((const bf_arg[]){__VA_ARGS__, {.name = NULL}})

/* An arg as an error keeps it: its value as text (a text cut to fit, at a
 * whole UTF-8 character). */
#define BF_ERROR_ARGS 5
typedef struct bf_error_arg {
    char name[16]; /* "" ends the args */
    char value[128];
    bool phrase; /* value is the key of a phrase */
} bf_error_arg;

/* Human-facing detail of a failure: a stable machine code, a message (in
 * English, naming the values at fault), for validation errors the offending
 * field, and the values the message names, for its template in another
 * language. Fixed-size, so it can live on the stack and be filled anywhere
 * without allocating. */
typedef struct bf_error {
    char code[40];
    char message[240];
    char field[128];
    bf_error_arg args[BF_ERROR_ARGS];
} bf_error;

/* Fills err (if not NULL) and returns r, so callers can `return bf_fail(...)`.
 * code may be NULL for the result's default code; field may be NULL. The
 * error names no values: its code's template needs none. */
bf_result bf_fail(bf_error *err, bf_result r, const char *code, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* bf_fail with the values the message names, for its code's template:
 * args is BF_ARGS(BF_NUM("max", 200), …), at most BF_ERROR_ARGS of them. */
bf_result bf_fail_args(bf_error *err, bf_result r, const char *code, const char *field,
                       const bf_arg *args, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Adds arg to the values err names (none beyond BF_ERROR_ARGS; one of the
 * same name is replaced). err may be NULL. */
void bf_error_arg_add(bf_error *err, bf_arg arg);

/* The value err gives the placeholder name, or NULL. */
const bf_error_arg *bf_error_arg_get(const bf_error *err, const char *name);

/* The default machine code of a result ("not_found", "validation_failed", …). */
const char *bf_result_code(bf_result r);

/* Clears err so a stale message never leaks into a later failure. */
void bf_error_clear(bf_error *err);

/* Invariant checks that stay on in release builds. */
#define BF_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            bf_assert_fail(#cond, __FILE__, __LINE__);                                             \
    } while (0)

/* Reports a broken invariant and aborts. */
_Noreturn void bf_assert_fail(const char *expr, const char *file, int line);

#endif
