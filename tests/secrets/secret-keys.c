/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the answer keys the schema treats as secrets (answer_secret_keys),
 * one per line, for the canary sweep (tests/secrets/canary.py): the sweep
 * covers a key as soon as the schema lists it. */

#include <stdio.h>

#include "answer.h"

int main(void) {
        for (const char *const *k = answer_secret_keys; *k; k++)
                if (puts(*k) < 0)
                        return 1;
        return fflush(stdout) == 0 ? 0 : 1;
}
