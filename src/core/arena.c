/* Per-request memory pool (see arena.h). Blocks are chained; an allocation
 * larger than a block gets a block of its own. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} block;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *ptr;
} cleanup;

struct arena {
    block *head;
    cleanup *cleanups;
    size_t block_size;
    size_t used;
};

static block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(block))
        return NULL;
    block *b = malloc(sizeof(block) + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(size_t block_size)
{
    arena *a = malloc(sizeof(*a));
    if (a == NULL)
        return NULL;
    a->block_size = block_size < 1024 ? 1024 : block_size;
    a->head = block_new(a->block_size);
    if (a->head == NULL) {
        free(a);
        return NULL;
    }
    a->cleanups = NULL;
    a->used = 0;
    return a;
}

void arena_free(arena *a)
{
    if (a == NULL)
        return;
    for (cleanup *c = a->cleanups; c != NULL; c = c->next)
        c->fn(c->ptr);
    block *b = a->head;
    while (b != NULL) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    block *b = a->head;
    if (b->size - b->used < size) {
        if (size > a->block_size / 4) {
            /* Large allocation: its own block, kept behind the current one. */
            block *big = block_new(size);
            if (big == NULL)
                return NULL;
            big->used = size;
            big->next = b->next;
            b->next = big;
            a->used += size;
            return big->data;
        }
        block *fresh = block_new(a->block_size);
        if (fresh == NULL)
            return NULL;
        fresh->next = b;
        a->head = b = fresh;
    }
    void *p = b->data + b->used;
    b->used += size;
    a->used += size;
    return p;
}

void *arena_calloc(arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int arena_on_free(arena *a, void (*fn)(void *), void *ptr)
{
    cleanup *c = arena_alloc(a, sizeof(*c));
    if (c == NULL) {
        fn(ptr);
        return -1;
    }
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

size_t arena_used(const arena *a)
{
    return a->used;
}
