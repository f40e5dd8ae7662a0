/* The one result type of bingfa: every fallible function returns a bf_result,
 * and callers check it at once (`if ((r = f()) != BF_OK) return r;`).
 * Details for the person reading the error travel in a bf_error. */
#ifndef BF_CORE_RESULT_H
#define BF_CORE_RESULT_H

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

/* Human-facing detail of a failure: a stable machine code, a message and,
 * for validation errors, the offending field. Fixed-size, so it can live on
 * the stack and be filled anywhere without allocating. */
typedef struct bf_error {
    char code[40];
    char message[240];
    char field[128];
} bf_error;

/* Fills err (if not NULL) and returns r, so callers can `return bf_fail(...)`.
 * code may be NULL for the result's default code; field may be NULL. */
bf_result bf_fail(bf_error *err, bf_result r, const char *code, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

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
