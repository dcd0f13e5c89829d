/* SPDX-License-Identifier: GPL-2.0-or-later */

/* toml-decoder: the decoder interface of the toml-test conformance suite.
 * Reads TOML on stdin and prints the suite's tagged JSON on stdout (exit 0);
 * on invalid TOML prints "LINE:COL: message" on stderr (exit 1). */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "toml.h"

static void put_json_string(FILE *f, const char *s, size_t n) {
        fputc('"', f);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20 || c == 0x7F)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

/* The shortest %g form that reads back to the same double. */
static void format_float(double d, char *buf, size_t size) {
        if (isnan(d)) {
                snprintf(buf, size, "nan");
                return;
        }
        if (isinf(d)) {
                snprintf(buf, size, d < 0 ? "-inf" : "inf");
                return;
        }
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, size, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                        return;
        }
}

static void format_datetime(const TomlValue *v, char *buf, size_t size) {
        const TomlDatetime *dt = &v->datetime;
        size_t o = 0;

        if (v->type != TOML_TIME_LOCAL)
                o += (size_t) snprintf(buf + o, size - o, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
        if (v->type == TOML_DATE_LOCAL)
                return;
        if (v->type != TOML_TIME_LOCAL)
                buf[o++] = 'T';
        o += (size_t) snprintf(buf + o, size - o, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
        if (dt->nanosecond > 0) {
                char frac[16];
                size_t n;

                snprintf(frac, sizeof(frac), "%09d", dt->nanosecond);
                for (n = strlen(frac); n > 3 && frac[n - 1] == '0'; n--)
                        ;
                o += (size_t) snprintf(buf + o, size - o, ".%.*s", (int) n, frac);
        }
        if (v->type != TOML_DATETIME)
                return;
        if (dt->offset_z)
                snprintf(buf + o, size - o, "Z");
        else
                snprintf(buf + o, size - o, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+',
                         abs(dt->offset_minutes) / 60, abs(dt->offset_minutes) % 60);
}

static void put_value(FILE *f, const TomlValue *v) {
        char buf[64];

        switch (v->type) {
        case TOML_TABLE:
                fputc('{', f);
                for (size_t i = 0; i < v->table.n; i++) {
                        if (i > 0)
                                fputc(',', f);
                        put_json_string(f, v->table.entries[i].key, v->table.entries[i].key_len);
                        fputc(':', f);
                        put_value(f, v->table.entries[i].value);
                }
                fputc('}', f);
                return;
        case TOML_ARRAY:
                fputc('[', f);
                for (size_t i = 0; i < v->array.n; i++) {
                        if (i > 0)
                                fputc(',', f);
                        put_value(f, v->array.items[i]);
                }
                fputc(']', f);
                return;
        case TOML_STRING:
                fputs("{\"type\":\"string\",\"value\":", f);
                put_json_string(f, v->string.s, v->string.len);
                fputc('}', f);
                return;
        case TOML_INTEGER:
                snprintf(buf, sizeof(buf), "%lld", (long long) v->integer);
                break;
        case TOML_FLOAT:
                format_float(v->floating, buf, sizeof(buf));
                break;
        case TOML_BOOL:
                snprintf(buf, sizeof(buf), "%s", v->boolean ? "true" : "false");
                break;
        default:
                format_datetime(v, buf, sizeof(buf));
                break;
        }
        fprintf(f, "{\"type\":\"%s\",\"value\":\"%s\"}", toml_type_name(v->type), buf);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *data = NULL;
        TomlValue *root = NULL;
        TomlError error;
        size_t size;
        int r;

        r = read_full_file("-", 0, &data, &size);
        if (r < 0) {
                fprintf(stderr, "Failed to read standard input: %s\n", strerror(-r));
                return 1;
        }
        r = toml_parse(data, size, &root, &error);
        if (r < 0) {
                fprintf(stderr, "%u:%u: %s\n", error.pos.line, error.pos.column,
                        error.message[0] ? error.message : strerror(-r));
                return 1;
        }
        put_value(stdout, root);
        putchar('\n');
        toml_free(root);
        return fflush(stdout) == 0 ? 0 : 1;
}
