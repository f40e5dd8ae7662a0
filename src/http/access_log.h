/* The access log's writer (internal to src/http): request workers append
 * whole lines to a buffer in memory, and a thread of its own writes the
 * buffer out a moment later, or sooner when it fills, so no request waits
 * for the file. Lines are never interleaved, and none is lost on a clean
 * stop (access_log_close writes what is left). */
#ifndef BF_HTTP_ACCESS_LOG_H
#define BF_HTTP_ACCESS_LOG_H

#include <stddef.h>
#include <stdio.h>

typedef struct access_log access_log;

/* Starts the writer of lines to f (which stays the caller's); NULL when
 * out of memory or threads. */
access_log *access_log_open(FILE *f);

/* Appends one line of n bytes (its newline included). Waits only when the
 * writer is behind by a whole buffer. */
void access_log_write(access_log *log, const char *line, size_t n);

/* Writes and flushes what is buffered, stops the writer and frees log (no
 * write may follow). NULL does nothing. */
void access_log_close(access_log *log);

#endif
