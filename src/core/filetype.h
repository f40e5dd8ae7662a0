/* The kinds of file a deal may keep: a file's name says what it is (its
 * extension) and its first bytes must say the same (their signature), so a
 * program or a page of HTML cannot pass as a PDF or a Word file. Safe names
 * to store and download files as. Pure: no I/O. */
#ifndef BF_CORE_FILETYPE_H
#define BF_CORE_FILETYPE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/result.h"

/* The extensions accepted, for messages: "pdf, docx, …". Static. */
const char *filetype_accepted(void);

/* Checks that data[0..len) is a file of the kind its name's extension says
 * and that the kind is accepted; *content_type gets its media type (static).
 * BF_ERR_INVALID naming field "name" (an extension not accepted) or
 * "content" (empty, or bytes of another kind). */
bf_result filetype_check(const char *name, const void *data, size_t len, const char **content_type,
                         bf_error *err);

/* The longest safe name, in bytes. */
#define FILETYPE_NAME_MAX 160

/* A file name safe to keep and to download as, in a: the last part of a
 * path, without control characters and the characters Windows refuses in
 * names (\ / : * ? " < > |), trimmed of spaces and dots at both ends, at
 * most FILETYPE_NAME_MAX bytes (cut on a character, the extension kept).
 * NULL when nothing is left or out of memory. */
const char *filetype_safe_name(arena *a, const char *name);

#endif
