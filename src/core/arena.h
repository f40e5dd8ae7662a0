/* A memory pool: many small allocations, one release. One arena lives for one
 * request (created when it arrives, destroyed when it completes); handlers
 * allocate from it and never free. Not thread-safe: one owner at a time. */
#ifndef BF_CORE_ARENA_H
#define BF_CORE_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* Creates an arena whose blocks are at least block_size bytes; NULL when out
 * of memory. The caller owns it and releases it with arena_free. */
arena *arena_new(size_t block_size);

/* Releases every allocation and runs the registered cleanups, newest first. */
void arena_free(arena *a);

/* Returns size bytes aligned for any type, or NULL when out of memory. The
 * memory belongs to the arena. */
void *arena_alloc(arena *a, size_t size);

/* As arena_alloc, zero-filled; checks n * size for overflow. */
void *arena_calloc(arena *a, size_t n, size_t size);

/* Copies s (n bytes) into the arena and terminates it; NULL when out of memory. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* Copies the NUL-terminated s into the arena; NULL when s is NULL or no memory. */
char *arena_strdup(arena *a, const char *s);

/* Formats into a fresh arena string; NULL when out of memory. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers fn(ptr) to run when the arena is freed (e.g. to release a library
 * object the request used). Returns 0, or -1 when out of memory (fn is then
 * called at once so nothing leaks). */
int arena_on_free(arena *a, void (*fn)(void *), void *ptr);

/* Bytes handed out so far (for tests and the access log). */
size_t arena_used(const arena *a);

#endif
