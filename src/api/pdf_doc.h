/* A Markdown document (CommonMark with GitHub's tables, as docx.c reads it)
 * as an A4 PDF, laid out by Pango and drawn by cairo: headings, paragraphs
 * with bold and italic, bullet and numbered lists, tables that break across
 * pages with their header row repeated, Chinese text wrapped between any two
 * characters and Latin words kept whole; the title in every page's header
 * and in the file's metadata, "第 N 页 / 共 M 页" (or "Page N of M") in its
 * footer. Fonts are found by fontconfig: WenQuanYi Micro Hei (Debian's
 * fonts-wqy-microhei) first, then Noto Sans CJK SC, Source Han Sans SC,
 * Microsoft YaHei, SimHei, DejaVu Sans. Every text is set as plain text with
 * attributes, never as Pango markup, so nothing a user typed is read as
 * markup; control characters are dropped and invalid UTF-8 replaced. Raw
 * HTML is left out, as in the HTML rendering. The PDF is written to memory
 * (no temporary file). Not in core/: fontconfig reads font files. Safe from
 * any thread: renders take turns on one font map. */
#ifndef BF_API_PDF_DOC_H
#define BF_API_PDF_DOC_H

#include <stddef.h>

#include "core/arena.h"
#include "core/result.h"

/* The largest PDF and the most pages a document may have. */
#define PDF_DOC_MAX (64 * 1024 * 1024)
#define PDF_DOC_MAX_PAGES 2000

typedef struct pdf_doc_options {
    const char *title; /* every page's header and the metadata title; NULL: none */
    const char *lang;  /* "en": an English footer; anything else (NULL) Chinese */
} pdf_doc_options;

typedef struct pdf_doc {
    const char *data; /* the bytes of the PDF, owned by the arena given */
    size_t len;
    int pages;
} pdf_doc;

/* Lays out md[0..len) and writes it as a PDF into *out (its bytes in arena
 * a). BF_ERR_TOO_LARGE past PDF_DOC_MAX bytes or PDF_DOC_MAX_PAGES pages,
 * BF_ERR_NOMEM, BF_ERR_INTERNAL when cairo fails; err says which. */
bf_result pdf_from_markdown(arena *a, const char *md, size_t len, const pdf_doc_options *opt,
                            pdf_doc *out, bf_error *err);

#endif
