/* iCalendar (RFC 5545) calendars of events in China time (Asia/Shanghai,
 * UTC+8 all year, no daylight saving): text escaped as TEXT values, content
 * lines folded at 75 octets without splitting a UTF-8 character, CRLF line
 * ends. Pure: writes into a bounded buffer. */
#ifndef BF_CORE_ICAL_H
#define BF_CORE_ICAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/result.h"

/* The time zone every time of a calendar is written in. */
#define ICAL_TZID "Asia/Shanghai"

/* The longest content line before it is folded, in octets (CRLF apart). */
#define ICAL_LINE_OCTETS 75

/* One event. Texts are as the user typed them (escaped here); NULL leaves a
 * property out. */
typedef struct ical_event {
    const char *uid;         /* globally unique and stable: "act_…@bingfa" */
    const char *stamp;       /* when the record last changed, UTC "YYYY-MM-DDTHH:MM:SS…Z" */
    const char *start;       /* UTC "YYYY-MM-DDTHH:MM:SS…Z", or "YYYY-MM-DD" when all_day */
    bool all_day;            /* a day (VALUE=DATE) that lasts the day, not a time */
    int minutes;             /* how long a timed event lasts (DURATION), 1 at least */
    const char *summary;     /* the title */
    const char *description; /* more lines, or NULL */
    const char *location;    /* where, or NULL */
    const char *url;         /* a URI of its record, or NULL (written as it is: no CR, LF) */
    bool transparent;        /* TRANSP:TRANSPARENT: it does not make one busy (a deadline) */
} ical_event;

/* Appends s escaped as an RFC 5545 TEXT value: backslash, semicolon and
 * comma get a backslash; a line break (CRLF, LF or CR) becomes \n; other
 * control characters are left out. NULL appends nothing. */
bf_result ical_append_text(buf *b, const char *s);

/* Appends the content line line[0..n) folded: a line longer than 75 octets
 * goes on in lines that begin with one space, each at most 75 octets with
 * it; a UTF-8 character, or a backslash and the character it escapes, is
 * never split. Each line ends with CRLF. */
bf_result ical_append_line(buf *b, const char *line, size_t n);

/* The China time of a UTC timestamp as "YYYYMMDDTHHMMSS" (a local
 * DATE-TIME, written with TZID=Asia/Shanghai) into out; false when utc is
 * not a timestamp. */
bool ical_local_time(const char *utc, char out[16]);

/* The start of a calendar: VERSION, PRODID, CALSCALE, METHOD:PUBLISH, its
 * name (X-WR-CALNAME, escaped), X-WR-TIMEZONE, how often to read it again
 * and the VTIMEZONE of Asia/Shanghai. */
bf_result ical_begin(buf *b, const char *name);

/* A VEVENT: UID, DTSTAMP (UTC), DTSTART with TZID=Asia/Shanghai and a
 * DURATION, or DTSTART;VALUE=DATE and DTEND the day after, then the texts.
 * BF_ERR_INVALID when a time or the day is not one (nothing is appended). */
bf_result ical_append_event(buf *b, const ical_event *e);

/* The end of the calendar. */
bf_result ical_end(buf *b);

#endif
