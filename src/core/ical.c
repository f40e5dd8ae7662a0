/* iCalendar writing (see ical.h). */
#include "core/ical.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"

/* China time is UTC+8 all year (no daylight saving since 1991). */
#define CHINA_OFFSET_S (8 * 3600)

/* The most a property of an event takes before folding; longer texts are
 * refused by the buffer's limit, not cut. */
#define ICAL_PROPERTY_MAX (256 * 1024)

bf_result ical_append_text(buf *b, const char *s)
{
    if (s == NULL)
        return BF_OK;
    bf_result r = BF_OK;
    size_t run = 0; /* bytes copied as they are, waiting */
    const char *p = s;
    for (; *p && r == BF_OK; p++) {
        unsigned char c = (unsigned char)*p;
        const char *with = c == '\\'                              ? "\\\\"
                           : c == ';'                             ? "\\;"
                           : c == ','                             ? "\\,"
                           : c == '\n'                            ? "\\n"
                           : c == '\r'                            ? (p[1] == '\n' ? "" : "\\n")
                           : (c < 0x20 && c != '\t') || c == 0x7F ? ""
                                                                  : NULL;
        if (with == NULL) {
            run++;
            continue;
        }
        if (run > 0)
            r = buf_append(b, p - run, run);
        run = 0;
        if (r == BF_OK && *with)
            r = buf_append_str(b, with);
    }
    if (r == BF_OK && run > 0)
        r = buf_append(b, p - run, run);
    return r;
}

/* The octets of the UTF-8 character that begins with lead (1 for ASCII and
 * for a byte that begins none). */
static size_t char_octets(unsigned char lead)
{
    return (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
}

bf_result ical_append_line(buf *b, const char *line, size_t n)
{
    bf_result r = BF_OK;
    size_t col = 0, i = 0, start = 0;
    while (i < n && r == BF_OK) {
        /* An escape (\n, \,) stays on one line too: the standard lets a fold
         * split it, not every reader. */
        size_t len = line[i] == '\\' && i + 1 < n ? 1 + char_octets((unsigned char)line[i + 1])
                                                  : char_octets((unsigned char)line[i]);
        if (len > n - i)
            len = n - i;
        if (col + len > ICAL_LINE_OCTETS) {
            r = buf_append(b, line + start, i - start);
            if (r == BF_OK)
                r = buf_append(b, "\r\n ", 3);
            start = i;
            col = 1; /* the space that begins the next line */
        }
        col += len;
        i += len;
    }
    if (r == BF_OK)
        r = buf_append(b, line + start, n - start);
    return r == BF_OK ? buf_append(b, "\r\n", 2) : r;
}

bool ical_local_time(const char *utc, char out[16])
{
    time_t t = utc ? text_parse_utc(utc) : 0;
    if (t == 0)
        return false;
    t += CHINA_OFFSET_S;
    struct tm tm;
    gmtime_r(&t, &tm);
    return strftime(out, 16, "%Y%m%dT%H%M%S", &tm) == 15;
}

/* A UTC DATE-TIME "YYYYMMDDTHHMMSSZ" of a UTC timestamp; false when it is
 * not one. */
static bool utc_time(const char *utc, char out[17])
{
    time_t t = utc ? text_parse_utc(utc) : 0;
    if (t == 0)
        return false;
    struct tm tm;
    gmtime_r(&t, &tm);
    return strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 16;
}

/* The DATE "YYYYMMDD" of day "YYYY-MM-DD" and of the day after; false when
 * it is not a date. */
static bool date_and_next(const char *day, char out[9], char next[9])
{
    if (day == NULL || !text_date_valid(day))
        return false;
    char midnight[32];
    snprintf(midnight, sizeof(midnight), "%sT00:00:00Z", day);
    time_t t = text_parse_utc(midnight);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, 9, "%Y%m%d", &tm) != 8)
        return false;
    t += 86400;
    gmtime_r(&t, &tm);
    return strftime(next, 9, "%Y%m%d", &tm) == 8;
}

/* Writes a property — name (with its parameters) and a value written as it
 * is, or escaped as TEXT — through the scratch line, folded into b. */
static bf_result property(buf *b, buf *line, const char *name, const char *value, bool text)
{
    line->len = 0;
    bf_result r = buf_append_str(line, name);
    if (r == BF_OK)
        r = buf_append(line, ":", 1);
    if (r == BF_OK)
        r = text ? ical_append_text(line, value) : buf_append_str(line, value);
    return r == BF_OK ? ical_append_line(b, line->data, line->len) : r;
}

/* The VTIMEZONE of China time: one STANDARD observance, +0800 to +0800. */
static const char VTIMEZONE[] = "BEGIN:VTIMEZONE\r\n"
                                "TZID:" ICAL_TZID "\r\n"
                                "X-LIC-LOCATION:" ICAL_TZID "\r\n"
                                "BEGIN:STANDARD\r\n"
                                "TZOFFSETFROM:+0800\r\n"
                                "TZOFFSETTO:+0800\r\n"
                                "TZNAME:CST\r\n"
                                "DTSTART:19700101T000000\r\n"
                                "END:STANDARD\r\n"
                                "END:VTIMEZONE\r\n";

bf_result ical_begin(buf *b, const char *name)
{
    buf line;
    buf_init(&line, b->arena, ICAL_PROPERTY_MAX);
    bf_result r = buf_append_str(b, "BEGIN:VCALENDAR\r\n"
                                    "VERSION:2.0\r\n"
                                    "PRODID:-//bingfa//bingfa calendar//ZH\r\n"
                                    "CALSCALE:GREGORIAN\r\n"
                                    "METHOD:PUBLISH\r\n");
    if (r == BF_OK)
        r = property(b, &line, "X-WR-CALNAME", name, true);
    if (r == BF_OK)
        r = buf_append_str(b, "X-WR-TIMEZONE:" ICAL_TZID "\r\n"
                              "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
                              "X-PUBLISHED-TTL:PT1H\r\n");
    return r == BF_OK ? buf_append_str(b, VTIMEZONE) : r;
}

bf_result ical_append_event(buf *b, const ical_event *e)
{
    char stamp[17], start[16], day[9], next[9];
    if (e->uid == NULL || !utc_time(e->stamp, stamp))
        return BF_ERR_INVALID;
    if (e->all_day ? !date_and_next(e->start, day, next) : !ical_local_time(e->start, start))
        return BF_ERR_INVALID;
    buf line;
    buf_init(&line, b->arena, ICAL_PROPERTY_MAX);
    size_t mark = b->len;
    bf_result r = buf_append_str(b, "BEGIN:VEVENT\r\n");
    if (r == BF_OK)
        r = property(b, &line, "UID", e->uid, true);
    if (r == BF_OK)
        r = property(b, &line, "DTSTAMP", stamp, false);
    if (r == BF_OK && e->all_day) {
        r = property(b, &line, "DTSTART;VALUE=DATE", day, false);
        if (r == BF_OK)
            r = property(b, &line, "DTEND;VALUE=DATE", next, false);
    } else if (r == BF_OK) {
        char duration[32];
        int m = e->minutes > 0 ? e->minutes : 1;
        snprintf(duration, sizeof(duration), "PT%dH%dM", m / 60, m % 60);
        if (m % 60 == 0)
            snprintf(duration, sizeof(duration), "PT%dH", m / 60);
        else if (m < 60)
            snprintf(duration, sizeof(duration), "PT%dM", m);
        r = property(b, &line, "DTSTART;TZID=" ICAL_TZID, start, false);
        if (r == BF_OK)
            r = property(b, &line, "DURATION", duration, false);
    }
    if (r == BF_OK)
        r = property(b, &line, "SUMMARY", e->summary ? e->summary : "", true);
    if (r == BF_OK && e->description)
        r = property(b, &line, "DESCRIPTION", e->description, true);
    if (r == BF_OK && e->location)
        r = property(b, &line, "LOCATION", e->location, true);
    if (r == BF_OK && e->url)
        r = property(b, &line, "URL", e->url, false);
    if (r == BF_OK)
        r = buf_append_str(b, e->transparent ? "TRANSP:TRANSPARENT\r\n" : "TRANSP:OPAQUE\r\n");
    if (r == BF_OK)
        r = buf_append_str(b, "END:VEVENT\r\n");
    if (r != BF_OK) {
        b->len = mark; /* no half event */
        if (b->data)
            b->data[mark] = '\0';
    }
    return r;
}

bf_result ical_end(buf *b)
{
    return buf_append_str(b, "END:VCALENDAR\r\n");
}
