/* Text checks used at the boundary: UTF-8, lengths in characters, calendar
 * dates and UTC timestamps. Pure functions, no allocation. */
#ifndef BF_CORE_TEXT_H
#define BF_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). When
 * false and bad_at is not NULL, *bad_at is the offset of the first bad byte. */
bool text_utf8_valid(const char *s, size_t n, size_t *bad_at);

/* Trims white space from both ends of s[0..*n): ASCII white space, the
 * no-break space U+00A0 and the ideographic (full-width) space U+3000 a
 * Chinese input method types. Returns the first byte kept; *n becomes the
 * trimmed length. */
const char *text_trim(const char *s, size_t *n);

/* The code point at s, of NUL-terminated UTF-8 text, and its length in
 * bytes in *len (1 for a byte that begins no well-formed character, which
 * is then its own code point). */
uint32_t text_utf8_next(const char *s, size_t *len);

/* Whether cp belongs to a word: an ASCII letter or digit, or a character
 * beyond ASCII that is not white space, a general punctuation mark or one
 * of the CJK and full-width signs (。，、《》（）…). */
bool text_word_char(uint32_t cp);

/* Number of code points in well-formed UTF-8 s[0..n). */
size_t text_utf8_length(const char *s, size_t n);

/* True when s is a real calendar date written YYYY-MM-DD (years 1900–2999). */
bool text_date_valid(const char *s);

/* Parses an ISO 8601 date-time with Z or ±HH:MM and writes it as UTC
 * "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). False when invalid. */
bool text_datetime_normalize(const char *s, char *out, size_t cap);

/* The time of a UTC timestamp "YYYY-MM-DDTHH:MM:SS…Z" (as the store writes
 * them); 0 when it is not one. */
time_t text_parse_utc(const char *s);

/* Writes the time t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (>= 21 bytes). */
void text_format_utc(time_t t, char *out, size_t cap);

/* Writes the UTC date of t as "YYYY-MM-DD" into out (>= 11 bytes). */
void text_format_date(time_t t, char *out, size_t cap);

/* True when s is a lowercase identifier: [a-z0-9][a-z0-9-]{0,47}. */
bool text_slug_valid(const char *s);

#endif
