/* A Markdown document (CommonMark with tables) as the parts of a Word file
 * (.docx, Office Open XML): headings, paragraphs with bold and italic,
 * lists, tables with a header row repeated on each page, line breaks, an
 * A4 page with the title in its header and the page number in its footer,
 * Chinese text in 宋体 (SimSun) and headings in 黑体 (SimHei) declared as
 * East Asian fonts. Raw HTML is left out, as in the HTML rendering; every
 * text is escaped for XML and the control characters XML cannot carry are
 * dropped. The parts are zipped by the caller. Pure: no I/O. */
#ifndef BF_CORE_DOCX_H
#define BF_CORE_DOCX_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"

/* The parts of a .docx, and the largest document part. */
#define DOCX_PARTS 8
#define DOCX_MAX (16 * 1024 * 1024)

typedef struct docx_parts {
    const char *names[DOCX_PARTS]; /* the path in the zip, "word/document.xml" */
    const char *texts[DOCX_PARTS]; /* static, or in the arena */
    size_t lens[DOCX_PARTS];
    size_t n;
} docx_parts;

/* The parts of the Word file of md[0..len), title in the page header;
 * texts in arena a. BF_ERR_TOO_LARGE past DOCX_MAX, BF_ERR_NOMEM. */
bf_result docx_from_markdown(arena *a, const char *md, size_t len, const char *title,
                             docx_parts *out);

#endif
