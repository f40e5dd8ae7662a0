/* Unit tests of src/core/csv.c: quoting, formula neutralising, numbers,
 * row ends, the byte order mark and the buffer's limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

/* One row of the cells (NUL-terminated texts), as the module writes it. */
static const char *row_of(arena *a, const char *const *cells, size_t n)
{
    buf b;
    buf_init(&b, a, 4096);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(csv_append_cell(&b, cells[i], strlen(cells[i])), BF_OK);
    assert_int_equal(csv_append_row_end(&b), BF_OK);
    return buf_cstr(&b);
}

static void plain_cells_are_written_as_they_are(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *cells[] = {"销售漏斗", "abc", "12.5", ""};
    assert_string_equal(row_of(a, cells, 4), "销售漏斗,abc,12.5,\r\n");
    const char *one[] = {"x"};
    assert_string_equal(row_of(a, one, 1), "x\r\n");
    assert_string_equal(row_of(a, NULL, 0), "\r\n"); /* a row without cells */
    arena_free(a);
}

static void cells_are_quoted_when_they_must_be(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *cells[] = {"a,b", "say \"hi\"", "two\nlines", "cr\rhere", "\""};
    assert_string_equal(row_of(a, cells, 5),
                        "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\"\"\"\"\r\n");
    const char *comma_last[] = {"x,", "y"}; /* the row end takes back the separator only */
    assert_string_equal(row_of(a, comma_last, 2), "\"x,\",y\r\n");
    const char *comma_end[] = {"y", "x,"};
    assert_string_equal(row_of(a, comma_end, 2), "y,\"x,\"\r\n");
    arena_free(a);
}

static void formulas_are_neutralised(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *cells[] = {"=1+1", "+1+1", "-2+3", "@SUM(A1)", "\tx", "a=b"};
    assert_string_equal(row_of(a, cells, 6), "'=1+1,'+1+1,'-2+3,'@SUM(A1),'\tx,a=b\r\n");
    /* Quoted and neutralised: the quote mark inside the quotes. */
    const char *link[] = {"=HYPERLINK(\"http://x\")", "\rnext", "-a,b"};
    assert_string_equal(row_of(a, link, 3),
                        "\"'=HYPERLINK(\"\"http://x\"\")\",\"'\rnext\",\"'-a,b\"\r\n");
    arena_free(a);
}

static void numbers_are_written_as_numbers(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 4096);
    assert_int_equal(csv_append_number(&b, "-1234.50"), BF_OK);
    assert_int_equal(csv_append_number(&b, "42.3%"), BF_OK);
    assert_int_equal(csv_append_cell(&b, "-5", 2), BF_OK); /* text: neutralised */
    assert_int_equal(csv_append_row_end(&b), BF_OK);
    assert_string_equal(buf_cstr(&b), "-1234.50,42.3%,'-5\r\n");
    assert_int_equal(csv_append_number(&b, "=1"), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, "1,5"), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, ""), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, "-"), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, "+1"), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, "-+1"), BF_ERR_INVALID);
    assert_int_equal(csv_append_number(&b, ".5"), BF_ERR_INVALID);
    assert_string_equal(buf_cstr(&b), "-1234.50,42.3%,'-5\r\n"); /* nothing written */
    assert_int_equal(csv_append_number(&b, "1e+20"), BF_OK);
    assert_int_equal(csv_append_number(&b, "0"), BF_OK);
    assert_int_equal(csv_append_row_end(&b), BF_OK);
    assert_string_equal(buf_cstr(&b), "-1234.50,42.3%,'-5\r\n1e+20,0\r\n");
    arena_free(a);
}

static void a_file_begins_with_the_bom(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 4096);
    assert_int_equal(csv_append_bom(&b), BF_OK);
    assert_int_equal(csv_append_cell(&b, "阶段", strlen("阶段")), BF_OK);
    assert_int_equal(csv_append_cell(&b, NULL, 0), BF_OK); /* an empty cell */
    assert_int_equal(csv_append_row_end(&b), BF_OK);
    assert_string_equal(buf_cstr(&b), "\xEF\xBB\xBF阶段,\r\n");
    assert_int_equal(b.len, 3 + strlen("阶段") + 3);
    arena_free(a);
}

static void the_buffer_limit_holds(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 7);
    assert_int_equal(csv_append_cell(&b, "abcde", 5), BF_OK); /* "abcde," */
    assert_int_equal(csv_append_row_end(&b), BF_OK);          /* its comma becomes the CR */
    assert_string_equal(buf_cstr(&b), "abcde\r\n");
    assert_int_equal(csv_append_cell(&b, "", 0), BF_ERR_TOO_LARGE); /* its comma */
    buf small;
    buf_init(&small, a, 6);
    assert_int_equal(csv_append_cell(&small, "abcde", 5), BF_OK);
    assert_int_equal(csv_append_row_end(&small), BF_ERR_TOO_LARGE);
    assert_string_equal(buf_cstr(&small), "abcde,"); /* unchanged */
    assert_int_equal(csv_append_cell(&small, "\"", 1), BF_ERR_TOO_LARGE);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_cells_are_written_as_they_are),
        cmocka_unit_test(cells_are_quoted_when_they_must_be),
        cmocka_unit_test(formulas_are_neutralised),
        cmocka_unit_test(numbers_are_written_as_numbers),
        cmocka_unit_test(a_file_begins_with_the_bom),
        cmocka_unit_test(the_buffer_limit_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
