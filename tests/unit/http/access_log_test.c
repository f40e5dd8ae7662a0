/* Unit tests of src/http/access_log.c: lines appended by many threads at
 * once all reach the file, whole and never interleaved, once the log is
 * closed; they reach it without a close, a moment later; and they are
 * written out in batches, not one write a line. */
#define _GNU_SOURCE /* fopencookie: a stream that counts its writes */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
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

/* What reached a counting stream: its writes and their bytes. */
typedef struct sink {
    _Atomic int writes;
    _Atomic size_t bytes;
    char last; /* the last byte written (read once the writer is stopped) */
} sink;

static ssize_t sink_write(void *cookie, const char *data, size_t n)
{
    sink *k = cookie;
    atomic_fetch_add(&k->writes, 1);
    atomic_fetch_add(&k->bytes, n);
    if (n > 0)
        k->last = data[n - 1];
    return (ssize_t)n;
}

/* A stream whose every write out (every fflush, unbuffered) reaches k. */
static FILE *sink_open(sink *k)
{
    cookie_io_functions_t io = {.write = sink_write};
    FILE *f = fopencookie(k, "w", io);
    assert_non_null(f);
    assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
    return f;
}

/* Milliseconds since start. */
static long ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

static void lines_are_written_in_batches(void **state)
{
    (void)state;
    sink k = {0};
    FILE *f = sink_open(&k);
    access_log *log = access_log_open(f);
    assert_non_null(log);
    /* 2,000 lines, 10 every millisecond or so: one write a line would be
     * 2,000 writes, one a burst 200; batches gathered for 100 ms are a
     * write every 100 ms or so (the bound allows twice as many). */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char line[128];
    size_t total = 0;
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(line, sizeof(line), "{\"i\":%d,\"pad\":\"%080d\"}\n", i, i);
        access_log_write(log, line, (size_t)n);
        total += (size_t)n;
        if (i % 10 == 9) {
            struct timespec ts = {0, 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    long ms = ms_since(&start);
    access_log_close(log); /* writes what is left: every byte arrives */
    assert_int_equal(k.bytes, total);
    assert_int_equal(k.last, '\n');
    assert_true(k.writes >= 1);
    if (k.writes > 2 + ms / 50)
        fail_msg("%d writes in %ld ms", (int)k.writes, ms);
    fclose(f);
}

/* A line appended alone is not written at once: the writer waits a while
 * for more, and the lines of that while go out together. */
static void lines_close_together_share_a_write(void **state)
{
    (void)state;
    sink k = {0};
    FILE *f = sink_open(&k);
    access_log *log = access_log_open(f);
    assert_non_null(log);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    access_log_write(log, "{\"a\":1}\n", 8);
    access_log_write(log, "{\"a\":2}\n", 8);
    for (int waited = 0; waited < 5000 && atomic_load(&k.bytes) < 16; waited += 5) {
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    long ms = ms_since(&start);
    access_log_close(log);
    assert_int_equal(k.bytes, 16);
    assert_int_equal(k.writes, 1);
    assert_true(ms >= 50); /* gathered, about 100 ms */
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_arrives_whole),
        cmocka_unit_test(a_line_is_written_soon_without_a_close),
        cmocka_unit_test(lines_are_written_in_batches),
        cmocka_unit_test(lines_close_together_share_a_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
