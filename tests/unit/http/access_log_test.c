/* Unit tests of src/http/access_log.c: lines appended by many threads at
 * once all reach the file, whole and never interleaved, once the log is
 * closed; and they reach it without a close, a moment later. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "http/access_log.h"

#define THREADS 8
#define LINES 5000

typedef struct writer {
    access_log *log;
    int n;
} writer;

static void *write_lines(void *arg)
{
    writer *w = arg;
    char line[256];
    for (int i = 0; i < LINES; i++) {
        /* Lines of different lengths, some long, so the buffers turn over
         * at every offset. */
        int pad = (i * 37 + w->n) % 200;
        int n = snprintf(line, sizeof(line), "{\"t\":%d,\"i\":%d,\"pad\":\"%.*s\"}\n", w->n, i, pad,
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        access_log_write(w->log, line, (size_t)n);
    }
    return NULL;
}

static void every_line_arrives_whole(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    access_log *log = access_log_open(f);
    assert_non_null(log);
    pthread_t threads[THREADS];
    writer ws[THREADS];
    for (int t = 0; t < THREADS; t++) {
        ws[t] = (writer){log, t};
        assert_int_equal(pthread_create(&threads[t], NULL, write_lines, &ws[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    access_log_close(log);

    rewind(f);
    int next[THREADS] = {0};
    char line[512];
    int total = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        int t, i;
        assert_int_equal(sscanf(line, "{\"t\":%d,\"i\":%d,", &t, &i), 2);
        assert_true(t >= 0 && t < THREADS);
        assert_int_equal(i, next[t]); /* each thread's lines in its order, none lost */
        next[t]++;
        size_t n = strlen(line);
        assert_true(n > 2 && line[n - 1] == '\n' && line[n - 2] == '}');
        total++;
    }
    assert_int_equal(total, THREADS * LINES);
    fclose(f);
}

static void a_line_is_written_soon_without_a_close(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    access_log *log = access_log_open(f);
    assert_non_null(log);
    access_log_write(log, "{\"a\":1}\n", 8);
    long size = 0;
    for (int waited = 0; waited < 5000 && size < 8; waited += 10) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        struct stat sb;
        assert_int_equal(fstat(fileno(f), &sb), 0);
        size = (long)sb.st_size;
    }
    assert_int_equal(size, 8);
    access_log_close(log);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_arrives_whole),
        cmocka_unit_test(a_line_is_written_soon_without_a_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
