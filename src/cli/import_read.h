/* The reading side of bingfa import: a thread reads the input's lines,
 * parses each into JSON and prepares it (the importer's checks that need no
 * database) ahead of the importer, a chunk of lines at a time, and frees the
 * chunks the importer is done with, so that this work and the database's
 * run on two processors. */
#ifndef BF_CLI_IMPORT_READ_H
#define BF_CLI_IMPORT_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/result.h"

/* A line is a request body: the API's largest by default. */
#define IMPORT_MAX_LINE (1024 * 1024)

/* One line of the input that is not blank. */
typedef struct read_line {
    size_t number; /* in the input, from 1 */
    json_t *obj;   /* the parsed line, a JSON object (owned by its chunk), or NULL */
    bf_result r;   /* BF_OK, or why the line is not a JSON object */
    bf_error *err; /* the reason, when r is not BF_OK (owned by its chunk) */
    void *ready;   /* what the importer's prepare made of obj, or NULL */
} read_line;

/* Lines in input order; the last chunk says that the input ends. */
typedef struct import_chunk {
    arena *arena; /* what prepare makes of its lines */
    read_line *lines;
    size_t n;
    size_t last;               /* the number of the last line read, blank ones too */
    bool end;                  /* nothing follows this chunk */
    bool failed;               /* the input could not be read to its end */
    char why[128];             /* why not, when failed */
    struct import_chunk *next; /* in the reader's list of chunks to free */
} import_chunk;

typedef struct import_reader import_reader;

/* Run on the reading thread for each line parsed into a JSON object, in
 * input order: it may change l->obj and set l->ready, in a (the chunk's). */
typedef void (*import_prepare)(void *ctx, arena *a, read_line *l);

/* Starts reading in, which stays open until import_reader_stop, each line
 * given to prepare(ctx, …) (NULL: none); *out is the caller's. BF_ERR_NOMEM,
 * or BF_ERR_INTERNAL when no thread starts. */
bf_result import_reader_start(FILE *in, import_prepare prepare, void *ctx, import_reader **out);

/* The next chunk, waiting for it; NULL after the last (or out of memory,
 * said in a chunk that failed). The caller frees it with import_chunk_free. */
import_chunk *import_reader_next(import_reader *r);

/* Frees a chunk and the JSON of its lines. */
void import_chunk_free(import_chunk *c);

/* Hands a chunk the importer is done with back to the reading thread, which
 * frees it (freed here when the thread has stopped). */
void import_reader_recycle(import_reader *r, import_chunk *c);

/* Stops the thread (at the end or before), then frees the reader and the
 * chunks it read that were not taken. */
void import_reader_stop(import_reader *r);

#endif
