/* SPDX-License-Identifier: GPL-2.0-or-later */

/* The unquoted scalars of TOML: booleans, integers (decimal, hex, octal,
 * binary), floats (including inf and nan) and the four date/time types.
 * They are read as one token, then classified and checked strictly. */

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "toml-internal.h"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alnum(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_token_char(char c) {
        return is_alnum(c) || c == '_' || c == '+' || c == '-' || c == '.' || c == ':';
}

static int digit_value(char c, int base) {
        int d;

        if (is_digit(c))
                d = c - '0';
        else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
        else
                return -1;
        return d < base ? d : -1;
}

/* Reads digits of the given base starting at s[*i], with underscores allowed
 * only between two digits, appending the digits to out. Returns the number
 * of digits, or -1 on a misplaced underscore. */
static int scan_digits(const char *s, size_t n, size_t *i, int base, char *out, size_t *out_len) {
        int count = 0;

        while (*i < n) {
                char c = s[*i];

                if (c == '_') {
                        if (count == 0 || *i + 1 >= n || digit_value(s[*i + 1], base) < 0)
                                return -1;
                } else if (digit_value(c, base) >= 0) {
                        out[(*out_len)++] = c;
                        count++;
                } else
                        break;
                (*i)++;
        }
        out[*out_len] = '\0';
        return count;
}

/* scan_digits() where at least one digit must be: returns NULL or what is wrong. */
static const char *need_digits(const char *s, size_t n, size_t *i, int base, char *out, size_t *out_len,
                               const char *if_none, int *ret_count) {
        int count = scan_digits(s, n, i, base, out, out_len);

        if (count < 0)
                return "an underscore must stand between two digits";
        if (count == 0)
                return if_none;
        if (ret_count)
                *ret_count = count;
        return NULL;
}

static const char *parse_unsigned(const char *digits, int base, uint64_t limit, uint64_t *ret) {
        uint64_t v = 0;

        for (const char *d = digits; *d; d++) {
                uint64_t x = (uint64_t) digit_value(*d, base);
                if (v > (limit - x) / (uint64_t) base)
                        return "integer out of range (64-bit signed)";
                v = v * (uint64_t) base + x;
        }
        *ret = v;
        return NULL;
}

static locale_t c_locale(void) {
        static locale_t loc = (locale_t) 0;

        if (loc == (locale_t) 0)
                loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
        return loc;
}

/* Classifies and converts a number token; returns NULL or an error message. */
static const char *parse_number(const char *s, size_t n, TomlValue *v) {
        _cleanup_free_ char *clean = NULL;
        size_t i = 0, len = 0;
        bool negative = false, is_float = false;
        const char *word, *err;
        uint64_t u;
        int digits = 0;

        clean = malloc(n + 2);
        if (!clean)
                return "out of memory";

        if (s[0] == '+' || s[0] == '-') {
                negative = s[0] == '-';
                clean[len++] = s[0];
                i++;
        }

        word = s + i;
        if ((size_t) (n - i) == 3 && (strneq(word, "inf", 3) || strneq(word, "nan", 3))) {
                v->type = TOML_FLOAT;
                if (word[0] == 'i')
                        v->floating = negative ? -INFINITY : INFINITY;
                else
                        v->floating = negative ? -NAN : NAN;
                return NULL;
        }

        if (i == 0 && n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
                int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;

                const char *what = base == 16 ? "invalid hexadecimal integer" :
                                   base == 8 ? "invalid octal integer" : "invalid binary integer";

                i = 2;
                err = need_digits(s, n, &i, base, clean, &len, what, NULL);
                if (err)
                        return err;
                if (i != n)
                        return what;
                err = parse_unsigned(clean, base, INT64_MAX, &u);
                if (err)
                        return err;
                v->type = TOML_INTEGER;
                v->integer = (int64_t) u;
                return NULL;
        }

        {
                size_t int_start = len;

                err = need_digits(s, n, &i, 10, clean, &len, "invalid number", &digits);
                if (err)
                        return err;
                if (clean[int_start] == '0' && digits > 1)
                        return "leading zeros are not allowed";
        }
        if (i < n && s[i] == '.') {
                clean[len++] = '.';
                i++;
                err = need_digits(s, n, &i, 10, clean, &len, "a decimal point must be followed by digits", NULL);
                if (err)
                        return err;
                is_float = true;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                clean[len++] = 'e';
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        clean[len++] = s[i++];
                err = need_digits(s, n, &i, 10, clean, &len, "an exponent must have digits", NULL);
                if (err)
                        return err;
                is_float = true;
        }
        if (i != n)
                return "invalid number";

        if (is_float) {
                char *end;
                double d;

                if (c_locale() == (locale_t) 0)
                        return "out of memory";
                errno = 0;
                d = strtod_l(clean, &end, c_locale());
                if (*end != '\0')
                        return "invalid float";
                if (errno == ERANGE && isinf(d))
                        return "float out of range";
                v->type = TOML_FLOAT;
                v->floating = d;
                return NULL;
        }

        err = parse_unsigned(clean + (clean[0] == '+' || clean[0] == '-'), 10,
                             negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX, &u);
        if (err)
                return err;
        v->type = TOML_INTEGER;
        v->integer = negative ? (int64_t) (0 - u) : (int64_t) u;
        return NULL;
}

/* Reads exactly k digits at s into *ret. */
static bool fixed_digits(const char *s, size_t k, int *ret) {
        int v = 0;

        for (size_t i = 0; i < k; i++) {
                if (!is_digit(s[i]))
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

static int days_in_month(int year, int month) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

        return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD at the start of s (n >= 10). */
static const char *parse_date(const char *s, TomlDatetime *dt) {
        if (!fixed_digits(s, 4, &dt->year) || s[4] != '-' ||
            !fixed_digits(s + 5, 2, &dt->month) || s[7] != '-' ||
            !fixed_digits(s + 8, 2, &dt->day))
                return "invalid date (expected YYYY-MM-DD)";
        if (dt->month < 1 || dt->month > 12)
                return "invalid date: month out of range";
        if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
                return "invalid date: day out of range";
        return NULL;
}

/* HH:MM:SS[.fraction] at the start of s; *consumed is how much of s it took. */
static const char *parse_time(const char *s, size_t n, TomlDatetime *dt, size_t *consumed) {
        size_t i = 8;

        if (n < 8 || !fixed_digits(s, 2, &dt->hour) || s[2] != ':' ||
            !fixed_digits(s + 3, 2, &dt->minute) || s[5] != ':' ||
            !fixed_digits(s + 6, 2, &dt->second))
                return "invalid time (expected HH:MM:SS; seconds are required in TOML 1.0)";
        if (dt->hour > 23)
                return "invalid time: hour out of range";
        if (dt->minute > 59)
                return "invalid time: minute out of range";
        if (dt->second > 60)    /* 60: a leap second, as RFC 3339 allows */
                return "invalid time: second out of range";
        dt->nanosecond = 0;
        if (i < n && s[i] == '.') {
                int scale = 100000000, count = 0;

                for (i++; i < n && is_digit(s[i]); i++, count++) {
                        /* Digits past nanoseconds are dropped (truncated, not rounded). */
                        dt->nanosecond += (s[i] - '0') * scale;
                        scale /= 10;
                }
                if (count == 0)
                        return "invalid time: a decimal point must be followed by digits";
        }
        *consumed = i;
        return NULL;
}

static const char *parse_datetime(const char *s, size_t n, TomlValue *v) {
        TomlDatetime *dt = &v->datetime;
        const char *err, *rest;
        size_t used, left;

        if (!memchr(s, '-', n)) {       /* a local time; every date has a '-' */
                err = parse_time(s, n, dt, &used);
                if (err)
                        return err;
                if (used != n)
                        return "invalid time";
                v->type = TOML_TIME_LOCAL;
                return NULL;
        }

        if (n < 10)
                return "invalid date (expected YYYY-MM-DD)";
        err = parse_date(s, dt);
        if (err)
                return err;
        if (n == 10) {
                v->type = TOML_DATE_LOCAL;
                return NULL;
        }
        if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
                return "invalid date-time";
        err = parse_time(s + 11, n - 11, dt, &used);
        if (err)
                return err;
        rest = s + 11 + used;
        left = n - 11 - used;
        if (left == 0) {
                v->type = TOML_DATETIME_LOCAL;
                return NULL;
        }
        if (left == 1 && (rest[0] == 'Z' || rest[0] == 'z')) {
                dt->offset_z = true;
                dt->offset_minutes = 0;
        } else if (left == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
                int hours, minutes;

                if (!fixed_digits(rest + 1, 2, &hours) || !fixed_digits(rest + 4, 2, &minutes))
                        return "invalid date-time offset (expected Z or +HH:MM)";
                if (hours > 23 || minutes > 59)
                        return "invalid date-time offset: out of range";
                dt->offset_minutes = (rest[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
        } else
                return "invalid date-time offset (expected Z or +HH:MM)";
        v->type = TOML_DATETIME;
        return NULL;
}

static bool looks_like_date(const TomlParser *p) {
        for (size_t i = 0; i < 10; i++) {
                char c = toml_peek_at(p, i);
                if (i == 4 || i == 7 ? c != '-' : !is_digit(c))
                        return false;
        }
        return true;
}

/* A date or time: starts with a digit and has a ':' or a '-' right after a digit. */
static bool looks_like_datetime(const char *s, size_t n) {
        if (!is_digit(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (s[i] == ':' || (s[i] == '-' && is_digit(s[i - 1])))
                        return true;
        return false;
}

int toml_read_scalar(TomlParser *p, TomlValue *v) {
        TomlPos start = p->pos;
        const char *s = p->p, *err;
        size_t n = 0;

        while (is_token_char(toml_peek_at(p, n)))
                n++;
        /* A date, a space and a time form one local or offset date-time. */
        if (n == 10 && looks_like_date(p) && toml_peek_at(p, 10) == ' ' &&
            is_digit(toml_peek_at(p, 11)) && is_digit(toml_peek_at(p, 12)) && toml_peek_at(p, 13) == ':') {
                n = 11;
                while (is_token_char(toml_peek_at(p, n)))
                        n++;
        }
        if (n == 0)
                return toml_errorf(p, start, "expected a value, found %s", toml_describe_in_value(p));

        v->raw = strndup(s, n);
        if (!v->raw)
                return -ENOMEM;

        if (streq(v->raw, "true") || streq(v->raw, "false")) {
                v->type = TOML_BOOL;
                v->boolean = s[0] == 't';
                err = NULL;
        } else if (looks_like_datetime(s, n))
                err = parse_datetime(s, n, v);
        else if (is_digit(s[0]) || s[0] == '+' || s[0] == '-' || streq(v->raw, "inf") || streq(v->raw, "nan"))
                err = parse_number(s, n, v);
        else
                return toml_errorf(p, start, "invalid value (strings must be quoted)");

        /* The value may be a password written without quotes: never quoted back. */
        if (err)
                return toml_errorf(p, start, "%s", err);
        toml_advance_n(p, n);
        return 0;
}
