/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From answer text to plan in one call, for the front ends that install. */

#define FORJA_CLEANUP_JSON
#include "answer-resolve.h"
#include "cleanup-libs.h"
#include "hwcheck.h"
#include "plan.h"

/* [checks] waive names `forja check` ids, or forja's own "root-disk-size";
 * the installer refuses unknown ids, so validation does too. */
void answer_check_waivers(const Answer *a, AnswerDiags *d) {
        for (size_t i = 0; a->waive_checks[i]; i++) {
                const char *id = a->waive_checks[i];
                if (streq(id, "root-disk-size") || hwcheck_id_is_known(id))
                        continue;
                char idx[24], known[1024] = "root-disk-size";
                size_t used = strlen(known);
                for (const char *const *k = hwcheck_ids(); k && *k && used < sizeof(known); k++)
                        used += (size_t) snprintf(known + used, sizeof(known) - used, ", %s", *k);
                snprintf(idx, sizeof(idx), "[%zu]", i);
                (void) answer_diags_add(d, ANSWER_ERROR, answer_locate(a, "checks", "waive", idx, NULL), "checks.waive",
                                        "'%s' is not a check id (known: %s)", id, known);
        }
}

int plan_make(const char *data, size_t size, const char *answer_name, const Hardware *hw,
              Answer **ret_answer, json_object **ret_plan, AnswerDiags *d) {
        _cleanup_answer_ Answer *a = NULL;
        _cleanup_resolved_ Resolved *res = NULL;
        _cleanup_json_ json_object *plan = NULL;

        int r = answer_parse(data, size, &a, d);
        if (r < 0)
                return r;
        answer_check_waivers(a, d);
        if (d->oom)
                return -ENOMEM;
        if (answer_diags_errors(d) > 0)
                return -EINVAL;
        r = answer_resolve(a, hw, &res, d);
        if (r >= 0)
                r = plan_build(res, answer_name, &plan, d);
        if (r < 0)
                return r;
        *ret_plan = TAKE_PTR(plan);
        *ret_answer = TAKE_PTR(a);
        return 0;
}
