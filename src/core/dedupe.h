/* Duplicate detection (撞单): the keys two records are compared by. A
 * customer's name is compared after normalising what people type
 * differently (full- and half-width, spaces, brackets, 有限责任公司 for
 * 有限公司, letter case); the unified social credit code (统一社会信用代码,
 * GB 32100-2015) after its own normalisation and check. Pure functions, no
 * I/O. docs/import.md "Duplicates". */
#ifndef BF_CORE_DEDUPE_H
#define BF_CORE_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* The comparison key of a customer's or a deal's name, allocated in a; ""
 * when nothing of the name is left; NULL when out of memory. The input is
 * UTF-8 (bytes that are not are kept as they are). */
char *dedupe_name_key(arena *a, const char *name);

/* A credit code as it is kept: half-width, upper case, without spaces,
 * allocated in a (NULL when out of memory). */
char *dedupe_credit_code_normalize(arena *a, const char *code);

/* Whether a normalised code is a unified social credit code: 18 characters
 * of 0-9 and A-Y without I, O, S, V, Z, whose last is the check character of
 * the first 17. */
bool dedupe_credit_code_valid(const char *code);

#endif
