/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* `forja check --guests`: proves on an installed node, over the local Incus
 * REST API, that guests run: a throw-away container and VM from the node's
 * built-in images (forja/trixie, forja/trixie-vm) start, the container gets a
 * DHCP lease on a managed bridge, both answer `exec` (the VM through its
 * agent), a marker file changed after a snapshot has its old content after
 * the restore; then both are deleted. A VM that cannot run is a failure with
 * Incus's reason, never a skip.
 *
 * Library code: never prints; progress goes through the callback. */

#include <stdbool.h>

#include <json-c/json.h>

#define GUEST_CHECK_CONTAINER_IMAGE "forja/trixie"
#define GUEST_CHECK_VM_IMAGE "forja/trixie-vm"

typedef enum GuestCheckStatus {
        GUEST_CHECK_PASS,
        GUEST_CHECK_FAIL,
        GUEST_CHECK_NOT_RUN,           /* an earlier step of the same guest failed */
} GuestCheckStatus;

typedef struct GuestCheckResult {
        const char *id;                /* "ct-start", "vm-agent"... (static) */
        const char *title;             /* (static) */
        GuestCheckStatus status;
        char *message;
        double seconds;                /* how long the step took */
} GuestCheckResult;

typedef struct GuestCheckOptions {
        const char *socket;            /* NULL: $INCUS_DIR/unix.socket or /var/lib/incus/unix.socket */
        const char *container_image;   /* alias; NULL: GUEST_CHECK_CONTAINER_IMAGE */
        const char *vm_image;          /* alias; NULL: GUEST_CHECK_VM_IMAGE */
        unsigned container_timeout_sec;/* start to exec; 0: 120 */
        unsigned vm_timeout_sec;       /* start to agent; 0: 600 (TCG is slow) */
        bool keep;                     /* leave the guests and the bridge (debugging) */
        char **vm_config;              /* "KEY=VALUE" instance config added to the VM (NULL-terminated), e.g.
                                        * raw.qemu.conf for an accelerator where nested KVM cannot run */
        void (*progress)(void *userdata, const char *message);
        void *userdata;
} GuestCheckOptions;

typedef struct GuestCheckReport {
        GuestCheckResult *results;
        size_t n_results;
        char *server_name;
        double container_start_s;      /* start request to first exec; <0: did not start */
        double vm_start_s;             /* start request to the agent answering; <0: did not */
} GuestCheckReport;

/* Runs the checks; a failing check is not an error (guest_check_report_ok).
 * Returns -ENOMEM, or -ENOTCONN when Incus cannot be reached at all (with
 * the reason in *ret_error). */
int guest_check_run(const GuestCheckOptions *o, GuestCheckReport *ret, char **ret_error);
void guest_check_report_done(GuestCheckReport *r);
bool guest_check_report_ok(const GuestCheckReport *r);
const char *guest_check_status_to_string(GuestCheckStatus s);   /* "pass", "fail", "not-run" */
json_object *guest_check_report_to_json(const GuestCheckReport *r);
