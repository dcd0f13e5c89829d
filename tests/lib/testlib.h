/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Minimal assertions for C unit tests. A failing check prints file:line and
 * the expression, and the test exits 1 at the end; skip() exits 77, or 1 when
 * CI=true so CI cannot pass by skipping. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tests_failed;
static int tests_checked;

#define CHECK(expr)                                                                       \
        do {                                                                              \
                tests_checked++;                                                          \
                if (!(expr)) {                                                            \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr); \
                        tests_failed++;                                                   \
                }                                                                         \
        } while (0)

#define CHECK_STREQ(a, b)                                                                 \
        do {                                                                              \
                const char *_a = (a), *_b = (b);                                          \
                tests_checked++;                                                          \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                  \
                        fprintf(stderr, "%s:%d: %s == %s failed: '%s' != '%s'\n", __FILE__, __LINE__, \
                                #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");          \
                        tests_failed++;                                                   \
                }                                                                         \
        } while (0)

#define CHECK_INTEQ(a, b)                                                                 \
        do {                                                                              \
                long long _a = (long long) (a), _b = (long long) (b);                     \
                tests_checked++;                                                          \
                if (_a != _b) {                                                           \
                        fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                                #a, #b, _a, _b);                                          \
                        tests_failed++;                                                   \
                }                                                                         \
        } while (0)

static inline void test_skip(const char *why) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0) {
                fprintf(stderr, "FAIL (skip not allowed under CI=true): %s\n", why);
                exit(1);
        }
        fprintf(stderr, "SKIP: %s\n", why);
        exit(77);
}

static inline int test_result(void) {
        if (tests_checked == 0) {
                fprintf(stderr, "no checks ran\n");
                return 1;
        }
        fprintf(stderr, "%d checks, %d failed\n", tests_checked, tests_failed);
        return tests_failed ? 1 : 0;
}
