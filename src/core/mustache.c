/* Mustache templates (see mustache.h). Parsing turns the text into a tree of
 * nodes — text, variables, sections, partials — in one pass, applying the
 * standalone-line rules and delimiter changes as it goes; rendering walks
 * the tree with a stack of contexts on the C stack. */
#include "core/mustache.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* Longest delimiter a {{=… …=}} tag may set, in bytes. */
#define MAX_DELIMITER 32

typedef enum node_kind {
    NODE_TEXT,     /* literal text */
    NODE_VAR,      /* {{name}}: escaped */
    NODE_RAW,      /* {{{name}}} or {{& name}}: as is */
    NODE_SECTION,  /* {{#name}}…{{/name}} */
    NODE_INVERTED, /* {{^name}}…{{/name}} */
    NODE_PARTIAL,  /* {{> name}} */
} node_kind;

typedef struct node {
    node_kind kind;
    const char *text;   /* NODE_TEXT: the text; otherwise the name as written (NUL-terminated) */
    size_t len;         /* length of text */
    const char **parts; /* the name split at its dots; nparts 0 for "." */
    size_t nparts;
    const char *indent; /* NODE_PARTIAL on a standalone line: the white space before it */
    size_t indent_len;  /* (indent is NULL for a partial within a line) */
    size_t at;          /* offset of the tag in the template: for messages */
    struct node *child; /* NODE_SECTION, NODE_INVERTED: the first node inside */
    struct node *next;
} node;

struct mustache_template {
    node *first; /* its text nodes point into a copy of the text in the arena */
};

/* ---- parsing ---- */

typedef struct level {
    node *section; /* NULL for the template itself */
    node **tail;   /* where the next node of this level goes */
} level;

typedef struct parser {
    arena *a;
    const char *s; /* the template (the arena's copy) */
    size_t len;
    size_t pos;        /* where scanning continues */
    size_t line_start; /* offset of the current line's first byte */
    bool line_dirty;   /* a tag or text other than blanks precedes pos on this line */
    char open[MAX_DELIMITER];
    size_t open_len;
    char close[MAX_DELIMITER];
    size_t close_len;
    level levels[MUSTACHE_MAX_SECTIONS + 1];
    size_t depth;
    bf_error *err;
} parser;

/* The first occurrence of needle[0..m) in s[0..n), or NULL (m is at most a
 * delimiter and a byte: the naive search is linear enough). */
static const char *find(const char *s, size_t n, const char *needle, size_t m)
{
    const char *end = s + n;
    while (m > 0 && (size_t)(end - s) >= m) {
        const char *c = memchr(s, needle[0], (size_t)(end - s) - m + 1);
        if (c == NULL)
            return NULL;
        if (memcmp(c, needle, m) == 0)
            return c;
        s = c + 1;
    }
    return NULL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Line and column (both from 1; columns count UTF-8 characters) of offset at. */
static void position(const char *s, size_t at, size_t *line, size_t *column)
{
    size_t start = 0;
    *line = 1;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *column = 1;
    for (size_t i = start; i < at; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            (*column)++;
}

/* How many bytes of a name s[0..n) a message shows: at most 60, never
 * half a UTF-8 character (messages are shown to people; names are long). */
static int shown(const char *s, size_t n)
{
    if (n <= 60)
        return (int)n;
    n = 60;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* The name s[0..n) as a message shows it, into out. */
static const char *name_shown(char out[64], const char *s, size_t n)
{
    snprintf(out, 64, "%.*s", shown(s, n), s);
    return out;
}

/* A syntax error at offset at: "line L, column C: " and the message; its
 * reason (the key of a phrase of the catalogue of messages) and the values
 * that names (args, may be NULL), for the message in another language. */
__attribute__((format(printf, 5, 6))) static bf_result syntax_error(const parser *p, size_t at,
                                                                    const char *reason,
                                                                    const bf_arg *args,
                                                                    const char *fmt, ...)
{
    char message[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    size_t line, column;
    position(p->s, at, &line, &column);
    bf_fail_args(
        p->err, BF_ERR_INVALID, "template_syntax", "template",
        BF_ARGS(BF_NUM("line", line), BF_NUM("column", column), BF_PHRASE("reason", reason)),
        "line %zu, column %zu: %s", line, column, message);
    for (size_t i = 0; args && args[i].name; i++)
        bf_error_arg_add(p->err, args[i]);
    return BF_ERR_INVALID;
}

static bf_result no_memory(bf_error *err)
{
    return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
}

static node *add_node(parser *p, node_kind kind, size_t at)
{
    node *n = arena_calloc(p->a, 1, sizeof(*n));
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->at = at;
    level *l = &p->levels[p->depth];
    *l->tail = n;
    l->tail = &n->next;
    return n;
}

static bf_result add_text(parser *p, size_t from, size_t to)
{
    if (from >= to)
        return BF_OK;
    node *n = add_node(p, NODE_TEXT, from);
    if (n == NULL)
        return no_memory(p->err);
    n->text = p->s + from;
    n->len = to - from;
    return BF_OK;
}

/* Checks a tag's name s[0..n) (trimmed) and copies it into node n: split at
 * its dots unless it is a partial's. tag_at is the tag's offset. */
static bf_result set_name(parser *p, node *n, const char *s, size_t len, size_t tag_at)
{
    char shown_name[64];
    if (len == 0)
        return syntax_error(p, tag_at, "tag_no_name", NULL, "the tag has no name");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return syntax_error(p, tag_at, "name_has_space",
                                BF_ARGS(BF_TEXT("name", name_shown(shown_name, s, len))),
                                "the name \"%.*s\" contains white space", shown(s, len), s);
    if (!text_utf8_valid(s, len, NULL))
        return syntax_error(p, tag_at, "name_not_utf8", NULL, "the name is not valid UTF-8");
    if (find(s, len, p->open, p->open_len) != NULL)
        return syntax_error(p, tag_at, "tag_unclosed_before",
                            BF_ARGS(BF_TEXT("name", name_shown(shown_name, s, len))),
                            "a tag is never closed before \"%.*s\"", shown(s, len), s);
    char *name = arena_strndup(p->a, s, len);
    if (name == NULL)
        return no_memory(p->err);
    n->text = name;
    n->len = len;
    if (n->kind == NODE_PARTIAL || (len == 1 && name[0] == '.'))
        return BF_OK;
    size_t nparts = 1;
    for (size_t i = 0; i < len; i++)
        nparts += name[i] == '.';
    const char **parts = arena_calloc(p->a, nparts, sizeof(*parts));
    if (parts == NULL)
        return no_memory(p->err);
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.')
            continue;
        if (i == start)
            return syntax_error(p, tag_at, "name_empty_part",
                                BF_ARGS(BF_TEXT("name", name_shown(shown_name, name, len))),
                                "the name \"%.*s\" has an empty part", shown(name, len), name);
        parts[k] = arena_strndup(p->a, name + start, i - start);
        if (parts[k] == NULL)
            return no_memory(p->err);
        k++;
        start = i + 1;
    }
    n->parts = parts;
    n->nparts = nparts;
    return BF_OK;
}

/* A {{=open close=}} tag's content s[0..n). */
static bf_result set_delimiters(parser *p, const char *s, size_t n, size_t tag_at)
{
    const char *end = s + n;
    const char *o = s, *oe, *c, *ce;
    while (o < end && is_space(*o))
        o++;
    oe = o;
    while (oe < end && !is_space(*oe))
        oe++;
    c = oe;
    while (c < end && is_space(*c))
        c++;
    ce = c;
    while (ce < end && !is_space(*ce))
        ce++;
    const char *rest = ce;
    while (rest < end && is_space(*rest))
        rest++;
    size_t olen = (size_t)(oe - o), clen = (size_t)(ce - c);
    if (olen == 0 || clen == 0 || rest != end)
        return syntax_error(p, tag_at, "delimiters_two", NULL,
                            "a delimiter change needs two delimiters: {{=<%% %%>=}}");
    if (olen > MAX_DELIMITER || clen > MAX_DELIMITER)
        return syntax_error(p, tag_at, "delimiter_too_long", BF_ARGS(BF_NUM("max", MAX_DELIMITER)),
                            "a delimiter is longer than %d bytes", MAX_DELIMITER);
    if (memchr(o, '=', olen) != NULL || memchr(c, '=', clen) != NULL)
        return syntax_error(p, tag_at, "delimiter_equals", NULL, "a delimiter contains \"=\"");
    memcpy(p->open, o, olen);
    p->open_len = olen;
    memcpy(p->close, c, clen);
    p->close_len = clen;
    return BF_OK;
}

/* Whether the tag ending at after stands alone on its line: only blanks
 * before it (mustache_parse tracks that in line_dirty) and after it. If so
 * *line_end is where the next line begins (or the end of the text). */
static bool standalone(const parser *p, size_t after, size_t *line_end)
{
    if (p->line_dirty)
        return false;
    size_t i = after;
    while (i < p->len && is_blank(p->s[i]))
        i++;
    if (i == p->len)
        *line_end = i;
    else if (p->s[i] == '\n')
        *line_end = i + 1;
    else if (p->s[i] == '\r' && i + 1 < p->len && p->s[i + 1] == '\n')
        *line_end = i + 2;
    else
        return false;
    return true;
}

/* A tag's parts: its type ('\0' for a variable), its content trimmed, and
 * the offset just past it. */
typedef struct tag_info {
    size_t at;
    char type;
    const char *content;
    size_t len;
    size_t after;
} tag_info;

/* Finds the end of the tag that starts at tg->at. */
static bf_result scan_tag(const parser *p, tag_info *tg)
{
    const char *s = p->s;
    size_t i = tg->at + p->open_len;
    tg->type = i < p->len ? s[i] : '\0';
    if (tg->type != '\0' && strchr("#^/!>&{=", tg->type) != NULL)
        i++;
    else
        tg->type = '\0';
    /* The closing delimiter, preceded by '}' for {{{ and '=' for {{=. */
    char key[MAX_DELIMITER + 1];
    size_t key_len = 0;
    if (tg->type == '{' || tg->type == '=')
        key[key_len++] = tg->type == '{' ? '}' : '=';
    memcpy(key + key_len, p->close, p->close_len);
    key_len += p->close_len;
    const char *end = find(s + i, p->len - i, key, key_len);
    if (end == NULL)
        return syntax_error(p, tg->at, "tag_unclosed", NULL, "the tag is never closed");
    tg->content = s + i;
    tg->len = (size_t)(end - tg->content);
    tg->after = (size_t)(end - s) + key_len;
    while (tg->len > 0 && is_space(*tg->content)) {
        tg->content++;
        tg->len--;
    }
    while (tg->len > 0 && is_space(tg->content[tg->len - 1]))
        tg->len--;
    return BF_OK;
}

static bf_result open_section(parser *p, const tag_info *tg)
{
    if (p->depth == MUSTACHE_MAX_SECTIONS)
        return syntax_error(p, tg->at, "sections_too_deep",
                            BF_ARGS(BF_NUM("max", MUSTACHE_MAX_SECTIONS)),
                            "sections nest deeper than %d", MUSTACHE_MAX_SECTIONS);
    node *n = add_node(p, tg->type == '#' ? NODE_SECTION : NODE_INVERTED, tg->at);
    if (n == NULL)
        return no_memory(p->err);
    bf_result r = set_name(p, n, tg->content, tg->len, tg->at);
    if (r != BF_OK)
        return r;
    p->depth++;
    p->levels[p->depth].section = n;
    p->levels[p->depth].tail = &n->child;
    return BF_OK;
}

static bf_result close_section(parser *p, const tag_info *tg)
{
    char name[64], as[64];
    if (p->depth == 0)
        return syntax_error(p, tg->at, "closes_nothing",
                            BF_ARGS(BF_TEXT("name", name_shown(name, tg->content, tg->len))),
                            "\"%.*s\" closes no open section", shown(tg->content, tg->len),
                            tg->content);
    const node *open = p->levels[p->depth].section;
    if (tg->len != open->len || memcmp(tg->content, open->text, tg->len) != 0) {
        size_t line, column;
        position(p->s, open->at, &line, &column);
        return syntax_error(p, tg->at, "closed_as",
                            BF_ARGS(BF_TEXT("name", name_shown(name, open->text, open->len)),
                                    BF_TEXT("as", name_shown(as, tg->content, tg->len))),
                            "section \"%.*s\" (opened at line %zu, column %zu) is closed as "
                            "\"%.*s\"",
                            shown(open->text, open->len), open->text, line, column,
                            shown(tg->content, tg->len), tg->content);
    }
    p->depth--;
    return BF_OK;
}

/* A variable or a partial; indent is the white space before a standalone
 * partial (NULL within a line). */
static bf_result add_leaf(parser *p, const tag_info *tg, const char *indent)
{
    node_kind kind = tg->type == '>' ? NODE_PARTIAL : tg->type == '\0' ? NODE_VAR : NODE_RAW;
    node *n = add_node(p, kind, tg->at);
    if (n == NULL)
        return no_memory(p->err);
    bf_result r = set_name(p, n, tg->content, tg->len, tg->at);
    if (r == BF_OK && kind == NODE_PARTIAL && indent != NULL) {
        n->indent = indent;
        n->indent_len = (size_t)(p->s + tg->at - indent);
    }
    return r;
}

/* Parses the tag that starts at tag_at (the text before it, from p->pos,
 * not yet added). */
static bf_result parse_tag(parser *p, size_t tag_at)
{
    tag_info tg = {.at = tag_at};
    bf_result r = scan_tag(p, &tg);
    if (r != BF_OK)
        return r;
    /* Standalone lines: only sections, comments, partials and delimiter
     * changes; their line's blanks and line break go with them. */
    size_t line_end = tg.after;
    bool alone =
        tg.type != '\0' && tg.type != '&' && tg.type != '{' && standalone(p, tg.after, &line_end);
    if ((r = add_text(p, p->pos, alone ? p->line_start : tag_at)) != BF_OK)
        return r;
    switch (tg.type) {
    case '!':
        break;
    case '=':
        r = set_delimiters(p, tg.content, tg.len, tag_at);
        break;
    case '/':
        r = close_section(p, &tg);
        break;
    case '#':
    case '^':
        r = open_section(p, &tg);
        break;
    default:
        r = add_leaf(p, &tg, alone ? p->s + p->line_start : NULL);
        break;
    }
    if (r != BF_OK)
        return r;
    if (alone) {
        p->pos = line_end;
        p->line_start = line_end;
        p->line_dirty = false;
    } else {
        /* The rest of the line follows a tag: nothing on it stands alone. */
        for (size_t k = tag_at; k < tg.after; k++)
            if (p->s[k] == '\n')
                p->line_start = k + 1;
        p->pos = tg.after;
        p->line_dirty = true;
    }
    return BF_OK;
}

bf_result mustache_parse(arena *a, const char *text, size_t len, mustache_template **out,
                         bf_error *err)
{
    *out = NULL;
    if (len > MUSTACHE_MAX_TEMPLATE)
        return bf_fail(err, BF_ERR_INVALID, "template_too_large", "template",
                       "the template is over %d bytes", MUSTACHE_MAX_TEMPLATE);
    mustache_template *t = arena_calloc(a, 1, sizeof(*t));
    char *copy = arena_strndup(a, text != NULL ? text : "", text != NULL ? len : 0);
    parser *p = arena_calloc(a, 1, sizeof(*p));
    if (t == NULL || copy == NULL || p == NULL)
        return no_memory(err);
    p->a = a;
    p->s = copy;
    p->len = text != NULL ? len : 0;
    p->err = err;
    memcpy(p->open, "{{", 2);
    p->open_len = 2;
    memcpy(p->close, "}}", 2);
    p->close_len = 2;
    p->levels[0].tail = &t->first;

    while (p->pos < p->len) {
        const char *tag = find(p->s + p->pos, p->len - p->pos, p->open, p->open_len);
        if (tag == NULL)
            break;
        size_t tag_at = (size_t)(tag - p->s);
        /* The line the tag is on: clean when only blanks precede it. */
        for (size_t k = p->pos; k < tag_at; k++) {
            if (p->s[k] == '\n') {
                p->line_start = k + 1;
                p->line_dirty = false;
            } else if (!is_blank(p->s[k])) {
                p->line_dirty = true;
            }
        }
        bf_result r = parse_tag(p, tag_at);
        if (r != BF_OK)
            return r;
    }
    if (p->depth > 0) {
        const node *open = p->levels[p->depth].section;
        char name[64];
        return syntax_error(p, open->at, "section_unclosed",
                            BF_ARGS(BF_TEXT("name", name_shown(name, open->text, open->len))),
                            "section \"%.*s\" is never closed", shown(open->text, open->len),
                            open->text);
    }
    bf_result r = add_text(p, p->pos, p->len);
    if (r != BF_OK)
        return r;
    *out = t;
    return BF_OK;
}

/* ---- rendering ---- */

/* One context of the stack: the innermost is on top, its outer ones below. */
typedef struct frame {
    json_t *value;
    const struct frame *up;
} frame;

/* The white space a standalone partial's lines are indented with, after
 * the indentation of the partials around it. */
typedef struct indent {
    const char *s;
    size_t n;
    const struct indent *up;
} indent;

typedef struct renderer {
    mustache_partial_fn partial;
    void *ctx;
    mustache_escape_fn escape;
    buf *out;
    bf_error *err;
    const indent *indent; /* NULL outside indented partials */
    bool pending;         /* a line has begun: indent before writing on it */
    int depth;            /* partials entered */
    long steps;
} renderer;

bf_result mustache_escape_html(buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *entity = s[i] == '&'    ? "&amp;"
                             : s[i] == '<'  ? "&lt;"
                             : s[i] == '>'  ? "&gt;"
                             : s[i] == '"'  ? "&quot;"
                             : s[i] == '\'' ? "&#39;"
                                            : NULL;
        if (entity == NULL)
            continue;
        bf_result r = buf_append(out, s + run, i - run);
        if (r == BF_OK)
            r = buf_append_str(out, entity);
        if (r != BF_OK)
            return r;
        run = i + 1;
    }
    return buf_append(out, s + run, n - run);
}

/* Fills err for a failure to write (the buf's or the escape function's). */
static bf_result write_failed(renderer *rd, bf_result r)
{
    if (r == BF_ERR_TOO_LARGE)
        return bf_fail(rd->err, r, "template_output", "template", "the output is over %zu bytes",
                       rd->out->max);
    if (r == BF_ERR_NOMEM)
        return no_memory(rd->err);
    return bf_fail(rd->err, r, NULL, "template", "the output could not be written");
}

static bf_result write_indent(renderer *rd, const indent *in)
{
    if (in == NULL)
        return BF_OK;
    bf_result r = write_indent(rd, in->up);
    if (r == BF_OK)
        r = buf_append(rd->out, in->s, in->n);
    return r;
}

/* Writes the pending indentation, if a line has begun. */
static bf_result flush_indent(renderer *rd)
{
    if (!rd->pending)
        return BF_OK;
    rd->pending = false;
    bf_result r = write_indent(rd, rd->indent);
    return r == BF_OK ? BF_OK : write_failed(rd, r);
}

/* Literal text of the template: every line begun gets the indentation. */
static bf_result write_text(renderer *rd, const char *s, size_t n)
{
    if (rd->indent == NULL) {
        bf_result r = buf_append(rd->out, s, n);
        rd->pending = n > 0 && s[n - 1] == '\n';
        return r == BF_OK ? BF_OK : write_failed(rd, r);
    }
    while (n > 0) {
        bf_result r = flush_indent(rd);
        if (r != BF_OK)
            return r;
        const char *nl = memchr(s, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - s) + 1 : n;
        if ((r = buf_append(rd->out, s, k)) != BF_OK)
            return write_failed(rd, r);
        rd->pending = nl != NULL;
        s += k;
        n -= k;
    }
    return BF_OK;
}

/* The shortest "%.*g" of d that reads back as d (1.21, not
 * 1.2099999999999999), in plain notation below 1e17 (100, not 1e+02). */
static size_t format_real(char *s, size_t cap, double d)
{
    int n = 0, precision = 1;
    for (; precision <= 17; precision++) {
        n = snprintf(s, cap, "%.*g", precision, d);
        if (strtod(s, NULL) == d)
            break;
    }
    const char *e = n > 0 ? memchr(s, 'e', (size_t)n) : NULL;
    if (e != NULL && e[1] == '+') {
        long exponent = strtol(e + 2, NULL, 10);
        if (exponent < 17)
            n = snprintf(s, cap, "%.*g", (int)exponent + 1, d);
    }
    return n > 0 ? (size_t)n : 0;
}

/* Writes a value: strings as they are, numbers as JSON writes them, true
 * and false as words; nothing for null, objects, lists and missing names. */
static bf_result write_value(renderer *rd, const json_t *v, bool escaped)
{
    char number[40];
    const char *s;
    size_t n;
    switch (v != NULL ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER: {
        int k = snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = number;
        n = k > 0 ? (size_t)k : 0;
        break;
    }
    case JSON_REAL:
        s = number;
        n = format_real(number, sizeof(number), json_real_value(v));
        break;
    case JSON_TRUE:
        s = "true";
        n = 4;
        break;
    case JSON_FALSE:
        s = "false";
        n = 5;
        break;
    default:
        return BF_OK;
    }
    if (n == 0)
        return BF_OK;
    bf_result r = escaped ? rd->escape(rd->out, s, n) : buf_append(rd->out, s, n);
    return r == BF_OK ? BF_OK : write_failed(rd, r);
}

/* Resolves a name on the context stack: its first part in the innermost
 * context that is an object holding it, the others each in the value
 * before. NULL when any part is missing. Every context looked at counts as
 * a step: a stack of partials and sections is deep. */
static json_t *lookup(renderer *rd, const node *n, const frame *top)
{
    if (n->nparts == 0)
        return top->value;
    json_t *v = NULL;
    for (const frame *f = top; f != NULL && v == NULL; f = f->up) {
        rd->steps++;
        if (json_is_object(f->value))
            v = json_object_get(f->value, n->parts[0]);
    }
    for (size_t i = 1; i < n->nparts && v != NULL; i++)
        v = json_is_object(v) ? json_object_get(v, n->parts[i]) : NULL;
    return v;
}

static bool truthy(const json_t *v)
{
    return v != NULL && !json_is_null(v) && !json_is_false(v) &&
           !(json_is_array(v) && json_array_size(v) == 0);
}

static bf_result render_nodes(renderer *rd, const node *n, const frame *top);

static bf_result step(renderer *rd)
{
    if (++rd->steps <= MUSTACHE_MAX_STEPS)
        return BF_OK;
    return bf_fail(rd->err, BF_ERR_TOO_LARGE, "template_work", "template",
                   "rendering takes more than %ld steps: lists or partials nest too much",
                   (long)MUSTACHE_MAX_STEPS);
}

static bf_result render_section(renderer *rd, const node *n, const frame *top)
{
    json_t *v = lookup(rd, n, top);
    if (!truthy(v))
        return BF_OK;
    if (!json_is_array(v)) {
        frame f = {v, top};
        return render_nodes(rd, n->child, &f);
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        bf_result r = step(rd);
        if (r != BF_OK)
            return r;
        frame f = {json_array_get(v, i), top};
        if ((r = render_nodes(rd, n->child, &f)) != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result render_partial(renderer *rd, const node *n, const frame *top)
{
    const mustache_template *t = rd->partial != NULL ? rd->partial(rd->ctx, n->text) : NULL;
    if (t == NULL)
        return BF_OK;
    if (rd->depth == MUSTACHE_MAX_PARTIALS)
        return bf_fail(rd->err, BF_ERR_INVALID, "template_depth", "template",
                       "partials nest deeper than %d (\"%.*s\" includes itself?)",
                       MUSTACHE_MAX_PARTIALS, shown(n->text, n->len), n->text);
    const indent *outer = rd->indent;
    indent in = {n->indent, n->indent_len, outer};
    if (n->indent != NULL) {
        /* Standalone: its lines are indented as its tag was. */
        if (n->indent_len > 0)
            rd->indent = &in;
        rd->pending = true;
    }
    rd->depth++;
    bf_result r = render_nodes(rd, t->first, top);
    rd->depth--;
    rd->indent = outer;
    return r;
}

static bf_result render_nodes(renderer *rd, const node *n, const frame *top)
{
    for (; n != NULL; n = n->next) {
        bf_result r = step(rd);
        if (r != BF_OK)
            return r;
        switch (n->kind) {
        case NODE_TEXT:
            r = write_text(rd, n->text, n->len);
            break;
        case NODE_VAR:
        case NODE_RAW:
            if ((r = flush_indent(rd)) == BF_OK)
                r = write_value(rd, lookup(rd, n, top), n->kind == NODE_VAR);
            break;
        case NODE_SECTION:
            r = render_section(rd, n, top);
            break;
        case NODE_INVERTED:
            if (!truthy(lookup(rd, n, top)))
                r = render_nodes(rd, n->child, top);
            break;
        case NODE_PARTIAL:
            r = render_partial(rd, n, top);
            break;
        }
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

bf_result mustache_render(const mustache_template *t, json_t *data, mustache_partial_fn partial,
                          void *ctx, mustache_escape_fn escape, buf *out, bf_error *err)
{
    renderer rd = {
        .partial = partial,
        .ctx = ctx,
        .escape = escape != NULL ? escape : mustache_escape_html,
        .out = out,
        .err = err,
        .pending = true,
    };
    frame root = {data, NULL};
    return render_nodes(&rd, t->first, &root);
}

/* ---- names ---- */

static bf_result collect_names(const node *n, json_t *seen, json_t *names)
{
    for (; n != NULL; n = n->next) {
        if (n->kind == NODE_TEXT || n->kind == NODE_PARTIAL)
            continue;
        if (n->nparts > 0 && json_object_get(seen, n->text) == NULL) {
            if (json_object_set_new(seen, n->text, json_null()) != 0 ||
                json_array_append_new(names, json_string(n->text)) != 0)
                return BF_ERR_NOMEM;
        }
        if (n->child != NULL) {
            bf_result r = collect_names(n->child, seen, names);
            if (r != BF_OK)
                return r;
        }
    }
    return BF_OK;
}

bf_result mustache_names(const mustache_template *t, json_t *names)
{
    if (!json_is_array(names))
        return BF_ERR_INTERNAL;
    json_t *seen = json_object();
    if (seen == NULL)
        return BF_ERR_NOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (json_is_string(v) && json_object_set_new(seen, json_string_value(v), json_null()) != 0)
            break;
    }
    bf_result r = i < json_array_size(names) ? BF_ERR_NOMEM : collect_names(t->first, seen, names);
    json_decref(seen);
    return r;
}
