/* SPDX-License-Identifier: GPL-2.0-or-later */

/* The character level of the TOML parser: the up-front encoding check
 * (UTF-8, control characters, line endings), error recording, and the four
 * kinds of strings with their escapes. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "toml-internal.h"

int toml_errorf(TomlParser *p, TomlPos pos, const char *fmt, ...) {
        if (p->error && p->error->message[0] == '\0') {
                va_list ap;

                p->error->pos = pos;
                va_start(ap, fmt);
                vsnprintf(p->error->message, sizeof(p->error->message), fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

const char *toml_describe_in_value(const TomlParser *p) {
        char c = toml_peek(p);

        if (p->p >= p->end)
                return "end of input";
        if (c == '\n' || c == '\r')
                return "end of line";
        if (c == ' ' || c == '\t')
                return "whitespace";
        if (c == '#')
                return "a comment";
        return "another character";
}

const char *toml_describe_here(const TomlParser *p, char buf[static 8]) {
        char c = toml_peek(p);

        if (p->p < p->end && c > 0x20 && c < 0x7F) {
                buf[0] = '\'';
                buf[1] = c;
                buf[2] = '\'';
                buf[3] = '\0';
                return buf;
        }
        const char *kind = toml_describe_in_value(p);
        return streq(kind, "another character") ? "a non-ASCII character" : kind;
}

int toml_buf_put(TomlBuf *b, const char *s, size_t n) {
        if (b->len + n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->len + n + 1);
                char *t = realloc(b->s, MAX(cap, 16));
                if (!t)
                        return -ENOMEM;
                b->s = t;
                b->cap = MAX(cap, 16);
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

/* Length of the UTF-8 sequence starting at p (1 to 4), or 0 when it is not
 * a well-formed, shortest-form encoding of a Unicode scalar value. */
static size_t utf8_sequence_length(const unsigned char *p, size_t avail) {
        uint32_t cp, min;
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xE0) == 0xC0)
                n = 2, cp = p[0] & 0x1F, min = 0x80;
        else if ((p[0] & 0xF0) == 0xE0)
                n = 3, cp = p[0] & 0x0F, min = 0x800;
        else if ((p[0] & 0xF8) == 0xF0)
                n = 4, cp = p[0] & 0x07, min = 0x10000;
        else
                return 0;
        if (avail < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return n;
}

bool toml_utf8_valid(const char *s, size_t n, size_t *ret_offset) {
        for (size_t i = 0; i < n;) {
                size_t k = utf8_sequence_length((const unsigned char *) s + i, n - i);
                if (k == 0) {
                        if (ret_offset)
                                *ret_offset = i;
                        return false;
                }
                i += k;
        }
        return true;
}

int toml_check_encoding(TomlParser *p) {
        TomlParser scan = *p;

        while (scan.p < scan.end) {
                unsigned char c = (unsigned char) *scan.p;
                size_t n;

                if (c == '\r' && toml_peek_at(&scan, 1) != '\n')
                        return toml_errorf(p, scan.pos, "carriage return not followed by a line feed");
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
                        return toml_errorf(p, scan.pos, "control characters (other than tab) are not allowed");
                n = utf8_sequence_length((const unsigned char *) scan.p, (size_t) (scan.end - scan.p));
                if (n == 0)
                        return toml_errorf(p, scan.pos, "invalid UTF-8");
                toml_advance_n(&scan, n);
        }
        return 0;
}

static int put_utf8(TomlBuf *b, uint32_t cp) {
        char out[4];
        size_t n;

        if (cp < 0x80) {
                out[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                out[0] = (char) (0xC0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                out[0] = (char) (0xE0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                out[0] = (char) (0xF0 | (cp >> 18));
                out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        return toml_buf_put(b, out, n);
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* At a backslash in a basic string: decodes one escape sequence. */
static int read_escape(TomlParser *p, TomlBuf *b) {
        TomlPos start = p->pos;
        char c, simple;

        toml_advance(p);
        c = toml_peek(p);
        switch (c) {
        case 'b': simple = '\b'; break;
        case 't': simple = '\t'; break;
        case 'n': simple = '\n'; break;
        case 'f': simple = '\f'; break;
        case 'r': simple = '\r'; break;
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case 'u':
        case 'U': {
                size_t digits = c == 'u' ? 4 : 8;
                uint32_t cp = 0;

                toml_advance(p);
                for (size_t i = 0; i < digits; i++) {
                        int h = hex_value(toml_peek(p));
                        if (h < 0)
                                return toml_errorf(p, start, "\\%c escape needs %zu hex digits", c, digits);
                        cp = (cp << 4) | (uint32_t) h;
                        toml_advance(p);
                }
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return toml_errorf(p, start, "\\%c escape is not a Unicode scalar value (a surrogate or beyond U+10FFFF)", c);
                return put_utf8(b, cp);
        }
        default:
                /* Strings hold passwords: the character after the backslash is not quoted. */
                return toml_errorf(p, start, "invalid escape sequence (allowed: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
        }
        toml_advance(p);
        return toml_buf_putc(b, simple);
}

/* In a multi-line basic string, at a backslash: when only whitespace follows
 * it up to the end of the line, skips it together with all whitespace and
 * newlines that follow ("line ending backslash") and returns true. */
static bool skip_line_ending_backslash(TomlParser *p) {
        size_t i = 1;

        while (toml_is_ws(toml_peek_at(p, i)))
                i++;
        if (toml_peek_at(p, i) != '\n' && toml_peek_at(p, i) != '\r')
                return false;
        toml_advance_n(p, i);
        for (;;) {
                if (toml_is_ws(toml_peek(p)))
                        toml_advance(p);
                else if (toml_at_newline(p))
                        toml_skip_newline(p);
                else
                        return true;
        }
}

int toml_read_string(TomlParser *p, bool allow_multiline, TomlBuf *b) {
        TomlPos start = p->pos;
        char quote = toml_peek(p);
        bool multi = toml_peek_at(p, 1) == quote && toml_peek_at(p, 2) == quote;
        int r;

        b->len = 0;
        r = toml_buf_put(b, "", 0);     /* always NUL terminated, even when empty */
        if (r < 0)
                return r;

        if (multi) {
                if (!allow_multiline)
                        return toml_errorf(p, start, "a multi-line string cannot be used as a key");
                toml_advance_n(p, 3);
                /* A newline right after the opening delimiter is trimmed. */
                if (toml_at_newline(p))
                        toml_skip_newline(p);
        } else
                toml_advance(p);

        for (;;) {
                char c = toml_peek(p);

                if (p->p >= p->end)
                        return toml_errorf(p, start, "unterminated string");

                if (c == quote) {
                        size_t n = 0;

                        if (!multi) {
                                toml_advance(p);
                                return 0;
                        }
                        /* Up to two quotes may stand right before the closing delimiter. */
                        while (toml_peek_at(p, n) == quote)
                                n++;
                        if (n >= 3) {
                                if (n > 5) {
                                        toml_advance_n(p, 5);
                                        return toml_errorf(p, p->pos, "too many quotes at the end of a multi-line string");
                                }
                                r = toml_buf_put(b, p->p, n - 3);
                                if (r < 0)
                                        return r;
                                toml_advance_n(p, n);
                                return 0;
                        }
                        r = toml_buf_put(b, p->p, n);
                        toml_advance_n(p, n);
                } else if (toml_at_newline(p)) {
                        if (!multi)
                                return toml_errorf(p, start, "unterminated string (newline before the closing quote)");
                        toml_skip_newline(p);
                        r = toml_buf_putc(b, '\n');
                } else if (c == '\\' && quote == '"') {
                        if (multi && skip_line_ending_backslash(p))
                                continue;
                        r = read_escape(p, b);
                } else {
                        r = toml_buf_putc(b, c);
                        toml_advance(p);
                }
                if (r < 0)
                        return r;
        }
}
