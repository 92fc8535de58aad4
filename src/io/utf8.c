/* utf8.c - validity of UTF-8 text and the absence of control characters (see utf8.h).
 *
 * A UTF-8 sequence is a lead byte 0xxxxxxx (1 byte), 110xxxxx (2), 1110xxxx (3) or 11110xxx (4)
 * followed by that many 10xxxxxx bytes; the code point must need that many bytes (no overlong
 * form), must not be a UTF-16 surrogate (U+D800-U+DFFF) and must be at most U+10FFFF. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid sequence at s[i] (its code point in *cp), or 0 when invalid. */
static size_t sequence(const unsigned char *s, size_t i, size_t n, uint32_t *cp)
{
    unsigned char b = s[i];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if ((b & 0xE0) == 0xC0)
        len = 2, c = b & 0x1F, min = 0x80;
    else if ((b & 0xF0) == 0xE0)
        len = 3, c = b & 0x0F, min = 0x800;
    else if ((b & 0xF8) == 0xF0)
        len = 4, c = b & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n - i)
        return 0;
    for (size_t j = 1; j < len; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i + j] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t mc_utf8_check(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0, len; i < n; i += len)
        if (!(len = sequence(u, i, n, &cp)))
            return i;
    return n;
}

size_t mc_text_check(const char *s, size_t n, const char *allow, const char **why)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0, len; i < n; i += len) {
        if (!(len = sequence(u, i, n, &cp))) {
            if (why)
                *why = "invalid UTF-8";
            return i;
        }
        int control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        if (control && !(cp != 0 && allow && strchr(allow, (int)cp))) {
            if (why)
                *why = "a control character";
            return i;
        }
    }
    return n;
}
