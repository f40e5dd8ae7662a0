/* Backups: the pure parts (see backup.h). */
#include "core/backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line of text[*at..len) into line (without its newline), *at moved past
 * it; false at the end. */
static bool next_line(const char *text, size_t len, size_t *at, const char **line, size_t *n)
{
    if (*at >= len)
        return false;
    const char *start = text + *at;
    const char *nl = memchr(start, '\n', len - *at);
    *n = nl ? (size_t)(nl - start) : len - *at;
    *line = start;
    *at += *n + (nl ? 1 : 0);
    return true;
}

/* Whether line (n bytes) starts the COPY of schema_migrations. */
static bool copy_header(const char *line, size_t n)
{
    static const char copy[] = "COPY ", tail[] = "FROM stdin;";
    size_t tn = sizeof(tail) - 1;
    if (n < sizeof(copy) - 1 + tn || memcmp(line, copy, sizeof(copy) - 1) != 0 ||
        memcmp(line + n - tn, tail, tn) != 0)
        return false;
    /* COPY [schema.]schema_migrations (…) FROM stdin; */
    const char *name = line + sizeof(copy) - 1;
    size_t rest = n - (sizeof(copy) - 1);
    const char *space = memchr(name, ' ', rest);
    if (space == NULL)
        return false;
    const char *dot = memchr(name, '.', (size_t)(space - name));
    const char *table = dot ? dot + 1 : name;
    static const char want[] = "schema_migrations";
    return (size_t)(space - table) == sizeof(want) - 1 &&
           memcmp(table, want, sizeof(want) - 1) == 0;
}

/* One data line of the COPY: "version<TAB>name<TAB>…" into *row. The name's
 * backslash escapes (COPY's text format) are decoded; \N (NULL) is refused. */
static bool copy_row(const char *line, size_t n, backup_version *row)
{
    const char *tab = memchr(line, '\t', n);
    if (tab == NULL || tab == line || tab - line > 9)
        return false;
    int v = 0;
    for (const char *p = line; p < tab; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    const char *name = tab + 1, *end = line + n;
    const char *next = memchr(name, '\t', (size_t)(end - name));
    if (next != NULL)
        end = next;
    size_t k = 0;
    for (const char *p = name; p < end; p++) {
        char c = *p;
        if (c == '\\') {
            if (++p == end || *p == 'N')
                return false;
            c = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
        }
        if (k + 1 >= sizeof(row->name))
            return false;
        row->name[k++] = c;
    }
    if (k == 0)
        return false;
    row->name[k] = '\0';
    row->version = v;
    return true;
}

bf_result backup_parse_copy(const char *text, size_t len, backup_version *out, size_t cap,
                            size_t *n, bf_error *err)
{
    size_t at = 0, ln;
    const char *line;
    bool found = false;
    *n = 0;
    while (!found && next_line(text, len, &at, &line, &ln))
        found = copy_header(line, ln);
    if (!found)
        return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                       "the backup holds no schema_migrations table: not a bingfa database");
    while (next_line(text, len, &at, &line, &ln)) {
        if (ln == 2 && line[0] == '\\' && line[1] == '.')
            return BF_OK;
        backup_version row;
        if (!copy_row(line, ln, &row))
            return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                           "schema_migrations row %zu of the backup is not a version and a name",
                           *n + 1);
        if (*n < cap)
            out[*n] = row;
        (*n)++;
    }
    return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                   "the backup's schema_migrations data has no end: the file is cut short");
}

int backup_list_tables(const char *text, size_t len)
{
    size_t at = 0, n;
    const char *line;
    int tables = 0;
    while (next_line(text, len, &at, &line, &n)) {
        if (n == 0 || line[0] == ';')
            continue;
        /* "215; 1259 16390 TABLE public accounts bingfa": the kind follows
         * the entry's id and two object ids. */
        const char *p = memchr(line, ';', n), *end = line + n;
        for (int field = 0; p != NULL && field < 3; field++) {
            while (p < end && *p != ' ')
                p++;
            while (p < end && *p == ' ')
                p++;
        }
        static const char table[] = "TABLE ", data[] = "TABLE DATA ";
        if (p != NULL && (size_t)(end - p) > sizeof(table) - 1 &&
            memcmp(p, table, sizeof(table) - 1) == 0 &&
            !((size_t)(end - p) > sizeof(data) - 1 && memcmp(p, data, sizeof(data) - 1) == 0))
            tables++;
    }
    return tables;
}

bf_result backup_check_versions(const backup_version *rows, size_t n,
                                const char *(*known)(int version), int *version, bf_error *err)
{
    *version = 0;
    if (n == 0)
        return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                       "schema_migrations is empty: not a bingfa database");
    /* Versions 1..n, each once: every one in range, and none twice. */
    for (size_t i = 0; i < n; i++) {
        if (rows[i].version < 1 || (size_t)rows[i].version > n)
            return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                           "schema_migrations has version %d among %zu versions: not a bingfa "
                           "database, or a damaged one",
                           rows[i].version, n);
        for (size_t j = 0; j < i; j++)
            if (rows[j].version == rows[i].version)
                return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                               "schema_migrations has version %d twice", rows[i].version);
        const char *name = known(rows[i].version);
        if (name != NULL && strcmp(name, rows[i].name) != 0)
            return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL,
                           "schema version %d is %s in the backup but %s in bingfa: not a "
                           "bingfa database",
                           rows[i].version, rows[i].name, name);
    }
    *version = (int)n;
    return BF_OK;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s[0..n) into out (cap bytes); false when it does not fit. */
static bool percent_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        }
        if (k + 1 >= cap)
            return false;
        out[k++] = c;
    }
    out[k] = '\0';
    return true;
}

/* Appends s[0..n) to out at *k (cap bytes); false when it does not fit. */
static bool put(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
    if (*k + n >= cap)
        return false;
    memcpy(out + *k, s, n);
    *k += n;
    out[*k] = '\0';
    return true;
}

/* The query of a URI (after '?'), copied without its password=… parameter,
 * whose value goes to password. */
static bool query_without_password(const char *q, char *out, size_t cap, size_t *k, char *password,
                                   size_t pcap)
{
    bool first = true;
    while (*q != '\0') {
        size_t n = strcspn(q, "&");
        if (n > 9 && strncmp(q, "password=", 9) == 0) {
            if (!percent_decode(q + 9, n - 9, password, pcap))
                return false;
        } else if (n > 0) {
            if (!put(out, cap, k, first ? "?" : "&", 1) || !put(out, cap, k, q, n))
                return false;
            first = false;
        }
        q += n + (q[n] == '&' ? 1 : 0);
    }
    return true;
}

bool backup_uri_without_password(const char *in, char *uri, size_t cap, char *password, size_t pcap)
{
    size_t k = 0;
    if (cap == 0 || pcap == 0)
        return false;
    uri[0] = password[0] = '\0';
    const char *scheme = strstr(in, "://");
    if (scheme == NULL)
        return put(uri, cap, &k, in, strlen(in));
    const char *auth = scheme + 3;
    const char *end = auth + strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', (size_t)(end - auth));
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon != NULL) {
        if (!percent_decode(colon + 1, (size_t)(at - colon - 1), password, pcap) ||
            !put(uri, cap, &k, in, (size_t)(colon - in)))
            return false;
        in = at;
    }
    const char *query = strchr(in, '?');
    if (query == NULL)
        return put(uri, cap, &k, in, strlen(in));
    return put(uri, cap, &k, in, (size_t)(query - in)) &&
           query_without_password(query + 1, uri, cap, &k, password, pcap);
}

bool backup_partial_name(const char *path, long pid, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    if (base[0] == '\0')
        return false;
    int n = snprintf(out, cap, "%.*s.%s.partial-%ld", dir, path, base, pid);
    return n > 0 && (size_t)n < cap;
}

backup_kind backup_kind_of(const unsigned char *head, size_t n)
{
    static const char sqlite[] = "SQLite format 3", pg[] = "PGDMP";
    if (n >= sizeof(sqlite) && memcmp(head, sqlite, sizeof(sqlite)) == 0)
        return BACKUP_SQLITE; /* with its NUL */
    if (n >= sizeof(pg) - 1 && memcmp(head, pg, sizeof(pg) - 1) == 0)
        return BACKUP_PG_ARCHIVE;
    return BACKUP_UNKNOWN;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bf_result backup_sqlite_whole(const unsigned char *head, size_t n, int64_t size, bf_error *err)
{
    if (n < 100 || backup_kind_of(head, n) != BACKUP_SQLITE)
        return bf_fail(err, BF_ERR_INVALID, "not_bingfa", NULL, "not a SQLite database");
    /* The page size (1 stands for 65536) at 16, the pages at 28, valid
     * when the change counter at 24 equals the version-valid-for at 92. */
    int64_t page = (int64_t)head[16] << 8 | head[17];
    if (page == 1)
        page = 65536;
    uint32_t pages = be32(head + 28);
    if (pages == 0 || be32(head + 24) != be32(head + 92))
        return BF_OK;
    int64_t want = page * (int64_t)pages;
    if (size < want)
        return bf_fail(err, BF_ERR_INVALID, "truncated", NULL,
                       "the file is cut short: its header counts %u pages of %lld bytes (%lld "
                       "bytes), it has %lld",
                       pages, (long long)page, (long long)want, (long long)size);
    return BF_OK;
}

void backup_format_size(int64_t bytes, char *out, size_t cap)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(out, cap, "%lld B", (long long)bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, cap, v < 10.0 ? "%.2f %s" : "%.1f %s", v, units[u]);
}
