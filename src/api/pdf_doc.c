/* A Markdown document as a PDF (see pdf_doc.h): cmark-gfm's tree laid out
 * block by block with Pango, each page drawn into a cairo recording surface;
 * once the number of pages is known every page is painted onto the PDF
 * surface with its header and its footer ("第 N 页 / 共 M 页"). */
#include "api/pdf_doc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* A4 in points, 2.5 cm margins; the header's text 1.5 cm from the top edge,
 * the footer's 1.75 cm from the bottom one (as the Word file has them). */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 70.866
#define BODY_TOP MARGIN
#define BODY_BOTTOM (PAGE_H - MARGIN)
#define HEADER_Y 42.52
#define FOOTER_Y (PAGE_H - 49.61 - 9.0)

#define BODY_SIZE 10.5 /* 五号 */
#define TABLE_SIZE 9.0 /* 小五 */
#define SMALL_SIZE 8.5 /* header and footer */
#define LINE_SPACING 1.35f
#define INDENT 21.0 /* a list level (as the Word file's 420 twips) */
#define CELL_PAD_X 4.0
#define CELL_PAD_Y 3.0
#define TEXT_MAX (8 * 1024 * 1024) /* the text of one block */
#define MAX_COLUMNS 64

/* Chinese first: the font setup installs; then what other systems have. */
#define FONTS_SANS                                                                                 \
    "WenQuanYi Micro Hei,Noto Sans CJK SC,Source Han Sans SC,Microsoft YaHei,SimHei,DejaVu Sans,"  \
    "sans-serif"
#define FONTS_MONO "DejaVu Sans Mono,WenQuanYi Micro Hei Mono,Noto Sans Mono CJK SC,monospace"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t font_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *font_map; /* one for the process, used under font_lock */

static void init_once(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    font_map = pango_cairo_font_map_new();
}

typedef struct pdfw {
    arena *a;
    bf_error *err;
    bool en;
    PangoContext *pc;
    cairo_surface_t **pages; /* a recording surface a page */
    size_t npages, cap;
    cairo_t *cr; /* drawing on the last page */
    double y;    /* where the next block starts on it */
    double left, width;
} pdfw;

static bf_result cairo_failed(pdfw *w, cairo_status_t s, const char *what)
{
    return bf_fail(w->err, s == CAIRO_STATUS_NO_MEMORY ? BF_ERR_NOMEM : BF_ERR_INTERNAL, NULL, NULL,
                   "the PDF could not be drawn (%s: %s)", what, cairo_status_to_string(s));
}

/* Ends the page being drawn, checking what cairo reports of it. */
static bf_result end_page(pdfw *w)
{
    if (w->cr == NULL)
        return BF_OK;
    cairo_status_t s = cairo_status(w->cr);
    cairo_destroy(w->cr);
    w->cr = NULL;
    return s == CAIRO_STATUS_SUCCESS ? BF_OK : cairo_failed(w, s, "page");
}

static bf_result new_page(pdfw *w)
{
    bf_result r = end_page(w);
    if (r != BF_OK)
        return r;
    if (w->npages == PDF_DOC_MAX_PAGES)
        return bf_fail(w->err, BF_ERR_TOO_LARGE, NULL, NULL, "the PDF would pass %d pages",
                       PDF_DOC_MAX_PAGES);
    if (w->npages == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        cairo_surface_t **p = arena_calloc(w->a, cap, sizeof(*p));
        if (p == NULL)
            return BF_ERR_NOMEM;
        if (w->npages)
            memcpy(p, w->pages, w->npages * sizeof(*p));
        w->pages = p;
        w->cap = cap;
    }
    cairo_rectangle_t page = {0, 0, PAGE_W, PAGE_H};
    cairo_surface_t *s = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
    w->pages[w->npages++] = s; /* destroyed at the end, even when in error */
    cairo_status_t st = cairo_surface_status(s);
    if (st != CAIRO_STATUS_SUCCESS)
        return cairo_failed(w, st, "page");
    w->cr = cairo_create(s);
    if ((st = cairo_status(w->cr)) != CAIRO_STATUS_SUCCESS)
        return cairo_failed(w, st, "page");
    w->y = BODY_TOP;
    return BF_OK;
}

static bool at_top(const pdfw *w)
{
    return w->y <= BODY_TOP + 0.01;
}

/* ---- text --------------------------------------------------------------------------------- */

/* Appends s[0..n) as text Pango can set: invalid UTF-8 becomes U+FFFD, the
 * control characters (C0 but tab and, with keep_newlines, line feed; DEL;
 * C1) are left out. */
static bf_result clean_text(buf *b, const char *s, size_t n, bool keep_newlines)
{
    bf_result r = BF_OK;
    const char *end = s + n;
    while (s < end && r == BF_OK) {
        gunichar c = g_utf8_get_char_validated(s, end - s);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            r = buf_append_str(b, "\xEF\xBF\xBD");
            s++;
            continue;
        }
        const char *next = g_utf8_next_char(s);
        bool control =
            (c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || (c >= 0x7f && c <= 0x9f);
        if (!control)
            r = buf_append(b, s, (size_t)(next - s));
        s = next;
    }
    return r;
}

/* A block's text and the attributes of its runs (bold, italic, code …). */
typedef struct para {
    buf text;
    PangoAttrList *attrs;
} para;

static bf_result para_init(pdfw *w, para *p)
{
    buf_init(&p->text, w->a, TEXT_MAX);
    p->attrs = pango_attr_list_new();
    return p->attrs ? buf_append(&p->text, "", 0) : BF_ERR_NOMEM;
}

static void para_attr(para *p, PangoAttribute *attr, size_t start)
{
    attr->start_index = (guint)start;
    attr->end_index = (guint)p->text.len;
    pango_attr_list_insert(p->attrs, attr);
}

static bf_result inlines(para *p, cmark_node *n)
{
    bf_result r = BF_OK;
    for (cmark_node *c = cmark_node_first_child(n); c && r == BF_OK; c = cmark_node_next(c)) {
        size_t start = p->text.len;
        const char *lit = cmark_node_get_literal(c);
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
            r = clean_text(&p->text, lit ? lit : "", lit ? strlen(lit) : 0, false);
            break;
        case CMARK_NODE_CODE:
            r = clean_text(&p->text, lit ? lit : "", lit ? strlen(lit) : 0, false);
            if (r == BF_OK)
                para_attr(p, pango_attr_family_new(FONTS_MONO), start);
            break;
        case CMARK_NODE_HTML_INLINE: /* raw HTML is left out, as in the HTML */
            break;
        case CMARK_NODE_SOFTBREAK:
            r = buf_append_str(&p->text, " ");
            break;
        case CMARK_NODE_LINEBREAK:
            r = buf_append_str(&p->text, "\n");
            break;
        case CMARK_NODE_STRONG:
            if ((r = inlines(p, c)) == BF_OK)
                para_attr(p, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start);
            break;
        case CMARK_NODE_EMPH:
            if ((r = inlines(p, c)) == BF_OK)
                para_attr(p, pango_attr_style_new(PANGO_STYLE_ITALIC), start);
            break;
        default: /* links, strikethrough …: their text */
            if ((r = inlines(p, c)) == BF_OK && cmark_node_get_type(c) == CMARK_NODE_LINK)
                para_attr(p, pango_attr_underline_new(PANGO_UNDERLINE_SINGLE), start);
        }
    }
    return r;
}

/* A layout of p's text in the sans fonts at size points, width points wide
 * (< 0: unbounded). The caller unrefs it. */
static PangoLayout *layout_of(pdfw *w, const para *p, double size, bool bold, double width,
                              PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(w->pc);
    PangoFontDescription *d = pango_font_description_new();
    if (l == NULL || d == NULL) {
        if (l)
            g_object_unref(l);
        if (d)
            pango_font_description_free(d);
        return NULL;
    }
    pango_font_description_set_family_static(d, FONTS_SANS);
    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(d, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    pango_layout_set_width(l, width < 0 ? -1 : pango_units_from_double(width));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_line_spacing(l, LINE_SPACING);
    pango_layout_set_text(l, buf_cstr(&p->text), (int)p->text.len);
    if (p->attrs)
        pango_layout_set_attributes(l, p->attrs);
    return l;
}

/* A layout of the inlines of node n (NULL: just text); NULL without memory. */
static PangoLayout *layout_node(pdfw *w, cmark_node *n, const char *text, double size, bool bold,
                                double width, PangoAlignment align)
{
    para p;
    bf_result r = para_init(w, &p);
    if (r == BF_OK && text)
        r = clean_text(&p.text, text, strlen(text), false);
    if (r == BF_OK && n)
        r = inlines(&p, n);
    PangoLayout *l = r == BF_OK ? layout_of(w, &p, size, bold, width, align) : NULL;
    if (p.attrs)
        pango_attr_list_unref(p.attrs);
    return l;
}

/* ---- placing lines ------------------------------------------------------------------------ */

/* The lines of l from line `from` on whose bottom lies within avail points
 * of line from's top: the index past the last, and *used the height they
 * take. With force, line from is taken even when it does not fit (a line
 * taller than a page). */
static int lines_fit(PangoLayout *l, int from, double avail, bool force, double *used)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    int i = 0, end = from;
    double top = 0;
    *used = 0;
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        if (i == from)
            top = pango_units_to_double(r.y);
        double bottom = pango_units_to_double(r.y + r.height) - top;
        if (i >= from) {
            if (bottom > avail && !(force && i == from))
                break;
            end = i + 1;
            *used = bottom;
        }
        i++;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return end;
}

/* Draws lines [from, to) of l, line from's top at (x, y). */
static void draw_lines(cairo_t *cr, PangoLayout *l, int from, int to, double x, double y)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    int i = 0;
    double top = 0;
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        if (i == from)
            top = pango_units_to_double(r.y);
        if (i >= from && i < to) {
            double base = pango_units_to_double(pango_layout_iter_get_baseline(it)) - top;
            cairo_move_to(cr, x + pango_units_to_double(r.x), y + base);
            pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
        }
        i++;
    } while (i < to && pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* Places l at x from the current position on, going on to new pages as its
 * lines fill them; mark (a list's bullet or number), when given, beside its
 * first line at mark_x. */
static bf_result place(pdfw *w, PangoLayout *l, double x, PangoLayout *mark, double mark_x)
{
    int n = pango_layout_get_line_count(l), from = 0;
    bf_result r = BF_OK;
    while (from < n && r == BF_OK) {
        double used;
        int to = lines_fit(l, from, BODY_BOTTOM - w->y, at_top(w), &used);
        if (to == from) {
            r = new_page(w);
            continue;
        }
        if (from == 0 && mark)
            draw_lines(w->cr, mark, 0, 1, mark_x, w->y);
        draw_lines(w->cr, l, from, to, x, w->y);
        w->y += used;
        from = to;
        if (from < n)
            r = new_page(w);
    }
    return r;
}

/* Places l (NULL: out of memory) and unrefs it, with space after. */
static bf_result place_block(pdfw *w, PangoLayout *l, PangoLayout *mark, double mark_x,
                             double after)
{
    bf_result r = l ? place(w, l, w->left, mark, mark_x) : BF_ERR_NOMEM;
    if (l)
        g_object_unref(l);
    w->y += after;
    return r;
}

/* ---- blocks ------------------------------------------------------------------------------- */

static bf_result blocks(pdfw *w, cmark_node *n, bool tight);

/* A list's or a quote's indent: none once the text is down to a third of
 * the page (lists nested deeper stay at that level). */
static double indent_of(const pdfw *w)
{
    return w->width - INDENT >= (PAGE_W - 2 * MARGIN) / 3 ? INDENT : 0;
}

static bf_result heading(pdfw *w, cmark_node *n)
{
    static const double size[] = {18, 14, 12, 10.5};
    static const double before[] = {6, 14, 10, 8};
    int level = cmark_node_get_heading_level(n);
    int k = level < 1 ? 0 : level > 4 ? 3 : level - 1;
    PangoLayout *l = layout_node(w, n, NULL, size[k], true, w->width,
                                 k == 0 ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    if (l == NULL)
        return BF_ERR_NOMEM;
    if (!at_top(w))
        w->y += before[k];
    /* A heading stays with the first lines after it. */
    PangoRectangle ext;
    pango_layout_get_extents(l, NULL, &ext);
    if (!at_top(w) &&
        w->y + pango_units_to_double(ext.height) + 3 * BODY_SIZE * LINE_SPACING > BODY_BOTTOM) {
        bf_result r = new_page(w);
        if (r != BF_OK) {
            g_object_unref(l);
            return r;
        }
    }
    return place_block(w, l, NULL, 0, k == 0 ? 12 : 6);
}

static bf_result list(pdfw *w, cmark_node *n)
{
    bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    bool tight = cmark_node_get_list_tight(n);
    int k = ordered ? cmark_node_get_list_start(n) : 0;
    bf_result r = BF_OK;
    for (cmark_node *item = cmark_node_first_child(n); item && r == BF_OK;
         item = cmark_node_next(item), k++) {
        char number[24];
        snprintf(number, sizeof(number), "%d.", k);
        PangoLayout *mark =
            layout_node(w, NULL, ordered ? number : "•", BODY_SIZE, false, -1, PANGO_ALIGN_LEFT);
        if (mark == NULL)
            return BF_ERR_NOMEM;
        double mark_x = w->left + 4, step = indent_of(w);
        w->left += step;
        w->width -= step;
        cmark_node *first = cmark_node_first_child(item);
        if (first && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
            r = place_block(
                w, layout_node(w, first, NULL, BODY_SIZE, false, w->width, PANGO_ALIGN_LEFT), mark,
                mark_x, tight ? 2 : 6);
            first = cmark_node_next(first);
        } else {
            r = place(w, mark, mark_x, NULL, 0);
        }
        for (cmark_node *b = first; b && r == BF_OK; b = cmark_node_next(b))
            r = blocks(w, b, tight);
        g_object_unref(mark);
        w->left -= step;
        w->width += step;
    }
    w->y += tight ? 4 : 0;
    return r;
}

static bf_result code_block(pdfw *w, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    size_t len = lit ? strlen(lit) : 0;
    while (len && lit[len - 1] == '\n')
        len--;
    para p;
    bf_result r = para_init(w, &p);
    if (r == BF_OK)
        r = clean_text(&p.text, lit ? lit : "", len, true);
    PangoLayout *l =
        r == BF_OK ? layout_of(w, &p, TABLE_SIZE, false, w->width - 12, PANGO_ALIGN_LEFT) : NULL;
    if (p.attrs)
        pango_attr_list_unref(p.attrs);
    if (l == NULL)
        return r == BF_OK ? BF_ERR_NOMEM : r;
    PangoFontDescription *d = pango_font_description_from_string(FONTS_MONO " 9");
    if (d) {
        pango_font_description_set_absolute_size(d, TABLE_SIZE * PANGO_SCALE);
        pango_layout_set_font_description(l, d);
        pango_font_description_free(d);
    }
    pango_layout_set_wrap(l, PANGO_WRAP_CHAR);
    r = place(w, l, w->left + 12, NULL, 0);
    g_object_unref(l);
    w->y += 6;
    return r;
}

static bf_result rule(pdfw *w)
{
    bf_result r = w->y + 12 > BODY_BOTTOM ? new_page(w) : BF_OK;
    if (r != BF_OK)
        return r;
    cairo_set_source_rgb(w->cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(w->cr, 0.5);
    cairo_move_to(w->cr, w->left, w->y + 6);
    cairo_line_to(w->cr, w->left + w->width, w->y + 6);
    cairo_stroke(w->cr);
    cairo_set_source_rgb(w->cr, 0, 0, 0);
    w->y += 12;
    return BF_OK;
}

static bf_result quote(pdfw *w, cmark_node *n)
{
    bf_result r = BF_OK;
    double step = indent_of(w);
    w->left += step;
    w->width -= step;
    for (cmark_node *c = cmark_node_first_child(n); c && r == BF_OK; c = cmark_node_next(c))
        r = blocks(w, c, false);
    w->left -= step;
    w->width += step;
    return r;
}

/* ---- tables ------------------------------------------------------------------------------- */

typedef struct cell {
    PangoLayout *l;
    int n; /* its lines */
} cell;

typedef struct table {
    size_t rows, cols;
    cell *cells; /* rows × cols, row 0 the header */
    double x[MAX_COLUMNS], wd[MAX_COLUMNS];
    double head;     /* the header row's height */
    double body_top; /* where the body rows start on the page being drawn */
} table;

static cell *cell_at(table *t, size_t row, size_t col)
{
    return &t->cells[row * t->cols + col];
}

/* Lays out every cell unbounded (a column's natural width), the header bold. */
static bf_result table_cells(pdfw *w, cmark_node *n, table *t, double *natural)
{
    size_t i = 0;
    for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row), i++) {
        cmark_node *c = cmark_node_first_child(row);
        for (size_t j = 0; j < t->cols; j++) {
            cell *ce = cell_at(t, i, j);
            ce->l = layout_node(w, c, NULL, TABLE_SIZE, i == 0, -1, PANGO_ALIGN_LEFT);
            if (ce->l == NULL)
                return BF_ERR_NOMEM;
            pango_layout_set_line_spacing(ce->l, 1.2f);
            PangoRectangle ext;
            pango_layout_get_extents(ce->l, NULL, &ext);
            double width = pango_units_to_double(ext.width) + 1;
            if (width > natural[j])
                natural[j] = width;
            c = c ? cmark_node_next(c) : NULL;
        }
    }
    return BF_OK;
}

/* The columns' widths over the whole text width: each its natural width
 * when all fit (what is left shared out in proportion); otherwise the narrow ones
 * keep theirs and the others share the rest equally, wrapping. */
static void table_widths(pdfw *w, table *t, const double *natural)
{
    double avail = w->width - (double)t->cols * 2 * CELL_PAD_X, sum = 0;
    bool fixed[MAX_COLUMNS] = {false};
    for (size_t j = 0; j < t->cols; j++)
        sum += natural[j];
    if (sum <= avail) {
        for (size_t j = 0; j < t->cols; j++)
            t->wd[j] = natural[j] + (avail - sum) * (sum > 0 ? natural[j] / sum : 0);
    } else {
        size_t left = t->cols;
        for (bool changed = true; changed && left;) {
            changed = false;
            double share = avail / (double)left;
            for (size_t j = 0; j < t->cols; j++)
                if (!fixed[j] && natural[j] <= share) {
                    t->wd[j] = natural[j];
                    avail -= natural[j];
                    fixed[j] = changed = true;
                    left--;
                }
        }
        for (size_t j = 0; j < t->cols; j++)
            if (!fixed[j])
                t->wd[j] = avail / (double)left;
    }
    double x = w->left;
    for (size_t j = 0; j < t->cols; j++) {
        t->x[j] = x;
        x += t->wd[j] + 2 * CELL_PAD_X;
    }
}

/* Draws lines from[j]..to[j] of every cell of row, the boxes h high. */
static void row_draw(pdfw *w, table *t, size_t row, const int *from, const int *to, double h)
{
    cairo_t *cr = w->cr;
    double total = t->x[t->cols - 1] + t->wd[t->cols - 1] + 2 * CELL_PAD_X - t->x[0];
    if (row == 0) {
        cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
        cairo_rectangle(cr, t->x[0], w->y, total, h);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t j = 0; j < t->cols; j++)
        if (to[j] > from[j])
            draw_lines(cr, cell_at(t, row, j)->l, from[j], to[j], t->x[j] + CELL_PAD_X,
                       w->y + CELL_PAD_Y);
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 0.5);
    for (size_t j = 0; j < t->cols; j++)
        cairo_rectangle(cr, t->x[j], w->y, t->wd[j] + 2 * CELL_PAD_X, h);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    w->y += h;
}

/* The height of the whole of row, padding included. */
static double row_height(table *t, size_t row)
{
    double h = 0;
    for (size_t j = 0; j < t->cols; j++) {
        double used;
        lines_fit(cell_at(t, row, j)->l, 0, PAGE_H * 1000, true, &used);
        if (used > h)
            h = used;
    }
    return h + 2 * CELL_PAD_Y;
}

/* The header row at the current position. */
static void table_head(pdfw *w, table *t)
{
    int from[MAX_COLUMNS] = {0}, to[MAX_COLUMNS];
    for (size_t j = 0; j < t->cols; j++)
        to[j] = cell_at(t, 0, j)->n;
    row_draw(w, t, 0, from, to, t->head);
    t->body_top = w->y;
}

/* A new page, the header row at its top. */
static bf_result table_page(pdfw *w, table *t)
{
    bf_result r = new_page(w);
    if (r == BF_OK)
        table_head(w, t);
    return r;
}

/* Places row: on the next page (under the header) when it does not fit
 * here but would there; a row taller than a page is split between lines. */
static bf_result table_row(pdfw *w, table *t, size_t row)
{
    int from[MAX_COLUMNS] = {0}, to[MAX_COLUMNS];
    double h = row_height(t, row);
    bool first_row = w->y <= t->body_top + 0.01;
    bf_result r = BF_OK;
    if (w->y + h > BODY_BOTTOM && !first_row && h <= BODY_BOTTOM - BODY_TOP - t->head)
        r = table_page(w, t);
    for (bool done = false; !done && r == BF_OK;) {
        double avail = BODY_BOTTOM - w->y - 2 * CELL_PAD_Y, most = 0;
        bool progress = false, force = w->y <= t->body_top + 0.01;
        done = true;
        for (size_t j = 0; j < t->cols; j++) {
            cell *c = cell_at(t, row, j);
            double used = 0;
            to[j] = from[j] < c->n ? lines_fit(c->l, from[j], avail, force, &used) : from[j];
            progress |= to[j] > from[j];
            most = used > most ? used : most;
            done &= to[j] == c->n;
        }
        if (progress)
            row_draw(w, t, row, from, to, most + 2 * CELL_PAD_Y);
        memcpy(from, to, sizeof(from));
        if (!done)
            r = table_page(w, t);
    }
    return r;
}

/* Lays out the cells of table n in columns over the text width. */
static bf_result table_layout(pdfw *w, cmark_node *n, table *t)
{
    double natural[MAX_COLUMNS] = {0};
    bf_result r =
        (t->cells = arena_calloc(w->a, t->rows * t->cols, sizeof(cell))) ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = table_cells(w, n, t, natural);
    if (r != BF_OK)
        return r;
    table_widths(w, t, natural);
    const uint8_t *align = cmark_gfm_extensions_get_table_alignments(n);
    for (size_t i = 0; i < t->rows * t->cols; i++) {
        size_t j = i % t->cols;
        pango_layout_set_width(t->cells[i].l, pango_units_from_double(t->wd[j]));
        pango_layout_set_alignment(t->cells[i].l, !align            ? PANGO_ALIGN_LEFT
                                                  : align[j] == 'c' ? PANGO_ALIGN_CENTER
                                                  : align[j] == 'r' ? PANGO_ALIGN_RIGHT
                                                                    : PANGO_ALIGN_LEFT);
        t->cells[i].n = pango_layout_get_line_count(t->cells[i].l);
    }
    t->head = row_height(t, 0);
    return BF_OK;
}

static bf_result table_block(pdfw *w, cmark_node *n)
{
    table t = {.cols = cmark_gfm_extensions_get_table_columns(n)};
    for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row))
        t.rows++;
    if (t.cols == 0 || t.rows == 0)
        return BF_OK;
    if (t.cols > MAX_COLUMNS)
        t.cols = MAX_COLUMNS;
    bf_result r = table_layout(w, n, &t);
    /* The header stays with the first row (with its first lines, when the
     * row is taller than a page and is split anyway). */
    double first = r == BF_OK && t.rows > 1 ? row_height(&t, 1) : 0;
    if (first > BODY_BOTTOM - BODY_TOP - t.head)
        first = 3 * TABLE_SIZE * 1.2 + 2 * CELL_PAD_Y;
    if (r == BF_OK && !at_top(w) && w->y + t.head + first > BODY_BOTTOM)
        r = new_page(w);
    if (r == BF_OK)
        table_head(w, &t);
    for (size_t i = 1; r == BF_OK && i < t.rows; i++)
        r = table_row(w, &t, i);
    for (size_t i = 0; t.cells && i < t.rows * t.cols; i++)
        if (t.cells[i].l)
            g_object_unref(t.cells[i].l);
    w->y += 8;
    return r;
}

static bf_result blocks(pdfw *w, cmark_node *n, bool tight)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_DOCUMENT: {
        bf_result r = BF_OK;
        for (cmark_node *c = cmark_node_first_child(n); c && r == BF_OK; c = cmark_node_next(c))
            r = blocks(w, c, false);
        return r;
    }
    case CMARK_NODE_BLOCK_QUOTE:
        return quote(w, n);
    case CMARK_NODE_HEADING:
        return heading(w, n);
    case CMARK_NODE_PARAGRAPH:
        return place_block(w, layout_node(w, n, NULL, BODY_SIZE, false, w->width, PANGO_ALIGN_LEFT),
                           NULL, 0, tight ? 2 : 6);
    case CMARK_NODE_LIST:
        return list(w, n);
    case CMARK_NODE_CODE_BLOCK:
        return code_block(w, n);
    case CMARK_NODE_THEMATIC_BREAK:
        return rule(w);
    default:
        if (strcmp(cmark_node_get_type_string(n), "table") == 0)
            return table_block(w, n);
        return BF_OK; /* raw HTML blocks are left out */
    }
}

/* ---- the file ----------------------------------------------------------------------------- */

typedef struct sink {
    buf b;
    bf_result r;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink *k = closure;
    if (k->r == BF_OK)
        k->r = buf_append(&k->b, data, length);
    return k->r == BF_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* The header (the title, right, over a rule) and the footer of page n of m. */
static bf_result margins(pdfw *w, cairo_t *cr, const char *title, int n, int m)
{
    char text[64];
    snprintf(text, sizeof(text), w->en ? "Page %d of %d" : "第 %d 页 / 共 %d 页", n, m);
    PangoLayout *foot =
        layout_node(w, NULL, text, SMALL_SIZE, false, PAGE_W - 2 * MARGIN, PANGO_ALIGN_CENTER);
    PangoLayout *head = title ? layout_node(w, NULL, title, SMALL_SIZE, false, PAGE_W - 2 * MARGIN,
                                            PANGO_ALIGN_RIGHT)
                              : NULL;
    bf_result r = foot && (head || !title) ? BF_OK : BF_ERR_NOMEM;
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    if (r == BF_OK && head) {
        pango_layout_set_ellipsize(head, PANGO_ELLIPSIZE_END); /* one line */
        pango_layout_set_wrap(head, PANGO_WRAP_WORD);
        draw_lines(cr, head, 0, 1, MARGIN, HEADER_Y);
        cairo_set_line_width(cr, 0.5);
        cairo_move_to(cr, MARGIN, HEADER_Y + SMALL_SIZE * 1.6);
        cairo_line_to(cr, PAGE_W - MARGIN, HEADER_Y + SMALL_SIZE * 1.6);
        cairo_stroke(cr);
    }
    if (r == BF_OK)
        draw_lines(cr, foot, 0, 1, MARGIN, FOOTER_Y);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (foot)
        g_object_unref(foot);
    if (head)
        g_object_unref(head);
    return r;
}

/* The title as one line for the header and the metadata (*out NULL: none). */
static bf_result clean_title(pdfw *w, const char *title, const char **out)
{
    *out = NULL;
    if (title == NULL)
        return BF_OK;
    buf b;
    buf_init(&b, w->a, 4 * strlen(title) + 16);
    bf_result r = clean_text(&b, title, strlen(title), false);
    *out = r == BF_OK ? buf_cstr(&b) : NULL;
    return r;
}

/* Every page painted onto the PDF, with its header and footer. */
static bf_result compose(pdfw *w, const char *title, sink *k)
{
    cairo_surface_t *pdf = cairo_pdf_surface_create_for_stream(sink_write, k, PAGE_W, PAGE_H);
    cairo_status_t st = cairo_surface_status(pdf);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(pdf);
        return cairo_failed(w, st, "PDF surface");
    }
    if (title)
        cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "bingfa");
    cairo_t *cr = cairo_create(pdf);
    bf_result r = BF_OK;
    for (size_t i = 0; i < w->npages && r == BF_OK; i++) {
        cairo_set_source_surface(cr, w->pages[i], 0, 0);
        cairo_paint(cr);
        r = margins(w, cr, title, (int)i + 1, (int)w->npages);
        cairo_show_page(cr);
        if (r == BF_OK && (st = cairo_status(cr)) != CAIRO_STATUS_SUCCESS)
            r = k->r != BF_OK ? k->r : cairo_failed(w, st, "PDF");
    }
    cairo_destroy(cr);
    cairo_surface_finish(pdf);
    st = cairo_surface_status(pdf);
    cairo_surface_destroy(pdf);
    if (r == BF_OK && k->r != BF_OK)
        r = k->r == BF_ERR_TOO_LARGE ? bf_fail(w->err, BF_ERR_TOO_LARGE, NULL, NULL,
                                               "the PDF would pass %d MiB", PDF_DOC_MAX >> 20)
                                     : k->r;
    if (r == BF_OK && st != CAIRO_STATUS_SUCCESS)
        r = cairo_failed(w, st, "PDF");
    return r;
}

/* The document md laid out on pages (recording surfaces in w). */
static bf_result lay_out(pdfw *w, const char *md, size_t len)
{
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_syntax_extension *ext = cmark_find_syntax_extension("table");
    if (p == NULL || ext == NULL || !cmark_parser_attach_syntax_extension(p, ext)) {
        if (p)
            cmark_parser_free(p);
        return BF_ERR_NOMEM;
    }
    cmark_parser_feed(p, md, len);
    cmark_node *doc = cmark_parser_finish(p);
    bf_result r = doc ? new_page(w) : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = blocks(w, doc, false);
    bf_result ended = end_page(w);
    if (doc)
        cmark_node_free(doc);
    cmark_parser_free(p);
    return r != BF_OK ? r : ended;
}

/* A context on the shared font map: sizes in points, outlines unhinted
 * (a PDF is printed and zoomed), the language for Chinese glyph forms. */
static PangoContext *context_of(bool en)
{
    PangoContext *pc = pango_font_map_create_context(font_map);
    cairo_font_options_t *fo = cairo_font_options_create();
    if (pc == NULL || cairo_font_options_status(fo) != CAIRO_STATUS_SUCCESS) {
        if (pc)
            g_object_unref(pc);
        cairo_font_options_destroy(fo);
        return NULL;
    }
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_context_set_resolution(pc, 72);
    pango_context_set_round_glyph_positions(pc, FALSE);
    pango_context_set_language(pc, pango_language_from_string(en ? "en" : "zh-cn"));
    return pc;
}

bf_result pdf_from_markdown(arena *a, const char *md, size_t len, const pdf_doc_options *opt,
                            pdf_doc *out, bf_error *err)
{
    pthread_once(&once, init_once);
    *out = (pdf_doc){0};
    if (font_map == NULL)
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "no font map for the PDF");
    pdfw w = {.a = a,
              .err = err,
              .en = opt && opt->lang && strcmp(opt->lang, "en") == 0,
              .left = MARGIN,
              .width = PAGE_W - 2 * MARGIN};
    sink k = {.r = BF_OK};
    buf_init(&k.b, a, PDF_DOC_MAX);
    pthread_mutex_lock(&font_lock);
    w.pc = context_of(w.en);
    bf_result r = w.pc ? lay_out(&w, md, len) : BF_ERR_NOMEM;
    const char *title = NULL;
    if (r == BF_OK)
        r = clean_title(&w, opt ? opt->title : NULL, &title);
    if (r == BF_OK)
        r = compose(&w, title, &k);
    for (size_t i = 0; i < w.npages; i++)
        cairo_surface_destroy(w.pages[i]);
    if (w.pc)
        g_object_unref(w.pc);
    pthread_mutex_unlock(&font_lock);
    if (r != BF_OK)
        return r;
    *out = (pdf_doc){.data = k.b.data, .len = k.b.len, .pages = (int)w.npages};
    return BF_OK;
}
