/* utf8.h - is a piece of user text safe to store and to print? Valid UTF-8 (RFC 3629) with no
 * control character, so that it can go into JSON and CSV unchanged and reach a terminal without
 * moving its cursor or changing its colours. Used by the word-table and corpus readers. */
#ifndef COLLAPSE_UTF8_H
#define COLLAPSE_UTF8_H

#include <stddef.h>

/* Byte offset of the first invalid UTF-8 sequence in s[0..n) (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or n when all of it is valid. */
size_t mc_utf8_check(const char *s, size_t n);

/* Byte offset of the first thing in s[0..n) that is not printable text: an invalid UTF-8
 * sequence or a control character (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F), except the
 * white space that `allow` lists (e.g. " \t\r"); n when there is none. *why (may be NULL) gets
 * "invalid UTF-8" or "a control character". */
size_t mc_text_check(const char *s, size_t n, const char *allow, const char **why);

#endif
