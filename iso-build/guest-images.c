/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in guest images: Debian trixie as an Incus container image and
 * as an Incus VM image, each one cached mmdebstrap --variant=minbase run whose
 * customize hook packs the root in Incus's image format. Nothing of forja
 * goes in; the node layer (node-layer.sh) carries the results to the node,
 * where forja join imports them once (docs/iso-build.md). */

#include "log.h"
#include "steps.h"

static const BaseStep guest_container = {
        .kind = "guestct",
        .label = "guest image forja/trixie (container)",
        .package_list = "guest-container.packages",
        .customize_script = "guest-container.sh",
        .variant = "minbase",
        .files = (const char *const[]) { "guest-container.packages", "guest-container.sh", "guest-common.sh", NULL },
        .outputs = (const char *const[]) { "forja-trixie.tar.zst", NULL },
        .without_forja_depends = true,
};

/* The kernel's drivers for hardware an Incus VM does not have (GPUs, WLAN,
 * physical NICs, sound, media...) stay out: half the modules' size. Incus
 * VMs use virtio (net, SCSI, vsock, 9p, input) and the emulated USB/serial. */
#define TRIM(d) "--dpkgopt=path-exclude=/usr/lib/modules/*/kernel/" d "/*"
static const BaseStep guest_vm = {
        .kind = "guestvm",
        .label = "guest image forja/trixie-vm (VM)",
        .package_list = "guest-vm.packages",
        .customize_script = "guest-vm.sh",
        .variant = "minbase",
        .files = (const char *const[]) { "guest-vm.packages", "guest-vm.sh", "guest-common.sh", NULL },
        .outputs = (const char *const[]) { "forja-trixie-vm.qcow2", "forja-trixie-vm.meta.tar.xz", NULL },
        .without_forja_depends = true,
        .extra_args = (const char *const[]) {
                TRIM("drivers/gpu"), TRIM("drivers/media"), TRIM("drivers/net/wireless"),
                TRIM("drivers/net/ethernet"), TRIM("drivers/infiniband"), TRIM("drivers/staging"),
                TRIM("drivers/bluetooth"), TRIM("drivers/isdn"), TRIM("drivers/iio"), TRIM("sound"),
                TRIM("net/wireless"), TRIM("net/bluetooth"), NULL,
        },
};

int step_guest_images(BuildContext *c) {
        if (c->opts->no_guest_images) {
                log_info("guest images: left out (--no-guest-images).");
                return 0;
        }
        int r = step_base(c, &guest_container, &c->guest_ct);
        if (r < 0)
                return r;
        return step_base(c, &guest_vm, &c->guest_vm);
}
