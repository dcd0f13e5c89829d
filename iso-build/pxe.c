/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PXE artifacts, written by `forja iso build` into pxe/ beside the ISO: the
 * installer kernel and initramfs, the node image and its manifest, an iPXE
 * script and, for UEFI, shim + Debian's signed network GRUB with its
 * grub/grub.cfg. Served as the root of a TFTP (and HTTP) server they install
 * a machine with no medium: the kernel command line carries forja.answer=
 * and forja.image=. See docs/pxe.md. */

#include <sys/stat.h>

#include "config.h"
#include "fileio.h"
#include "log.h"
#include "steps.h"

/* "${forja-url}" style placeholders are left to iPXE and GRUB; what the
 * build knows is filled in here. */
static char *ipxe_script(const IsoBuildOptions *o) {
        char *s = NULL;
        if (asprintf(&s,
                     "#!ipxe\n"
                     "# forja %s network install (written by `forja iso build`, docs/pxe.md).\n"
                     "# vmlinuz and initrd load relative to this script, over TFTP or HTTP,\n"
                     "# whichever brought it. The installer then fetches its answer and the node\n"
                     "# image over HTTP(S) itself. Settings made before this script runs (an\n"
                     "# embedded script, or the per-machine script below) win:\n"
                     "#   forja-url      where node.tar.zst and node.manifest.json are served\n"
                     "#   forja-answer   the answer URL; {mac} {serial} {uuid} {hostname} are\n"
                     "#                  filled in by the installer\n"
                     "#   forja-default  install | local: the menu's choice after 5 s\n"
                     "#   forja-args     more kernel parameters (forja.answer-fingerprint=...)\n"
                     "isset ${forja-url} || set forja-url %s\n"
                     "isset ${forja-answer} || set forja-answer %s\n"
                     "isset ${forja-default} || set forja-default install\n"
                     "# No reinstall loops: a machine that is installed gets hosts/MAC.ipxe\n"
                     "# (e.g. 52-54-00-12-34-56.ipxe) holding `set forja-default local`.\n"
                     "chain --autofree hosts/${net0/mac:hexhyp}.ipxe ||\n"
                     "menu forja %s || goto ${forja-default}\n"
                     "item install Install forja unattended (answer ${forja-answer})\n"
                     "item local Boot from the local disk\n"
                     "choose --default ${forja-default} --timeout 5000 target || goto ${forja-default}\n"
                     "goto ${target}\n"
                     ":install\n"
                     "kernel vmlinuz initrd=initrd forja.answer=${forja-answer} forja.image=${forja-url}/node.tar.zst "
                     "${forja-args} console=tty0 console=ttyS0,115200n8\n"
                     "initrd initrd\n"
                     "boot\n"
                     ":local\n"
                     "iseq ${platform} efi && exit ||\n"
                     "sanboot --no-describe --drive 0x80\n",
                     FORJA_VERSION,
                     o->pxe_url ?: "http://${next-server}",
                     o->pxe_answer ?: "${forja-url}/answers/{mac}.toml",
                     FORJA_VERSION) < 0)
                return NULL;
        return s;
}

static char *grub_netboot_cfg(const IsoBuildOptions *o) {
        const char *url = o->pxe_url ?: "http://${net_default_server}";
        _cleanup_free_ char *answer = NULL;
        if (o->pxe_answer)
                answer = strdup(o->pxe_answer);
        else if (asprintf(&answer, "%s/answers/{mac}.toml", url) < 0)
                answer = NULL;
        if (!answer)
                return NULL;
        char *s = NULL;
        if (asprintf(&s,
                     "# forja %s UEFI network boot: shim (bootx64.efi) loads Debian's signed\n"
                     "# network GRUB (grubx64.efi), which reads this file as grub/grub.cfg from\n"
                     "# the server it came from (docs/pxe.md). Secure Boot works as with the ISO.\n"
                     "set timeout=5\n"
                     "set default=0\n"
                     "menuentry \"Install forja %s unattended\" {\n"
                     "        linux /vmlinuz \"forja.answer=%s\" \"forja.image=%s/node.tar.zst\" console=tty0 console=ttyS0,115200n8\n"
                     "        initrd /initrd\n"
                     "}\n"
                     "menuentry \"Boot from the local disk\" {\n"
                     "        exit\n"
                     "}\n",
                     FORJA_VERSION, FORJA_VERSION, answer, url) < 0)
                return NULL;
        return s;
}

static int copy_into(const char *from_dir, const char *name, const char *to_dir, const char *to_name) {
        _cleanup_free_ char *from = path_join(from_dir, name), *to = path_join(to_dir, to_name);
        if (!from || !to)
                return log_oom();
        /* A hard link when the cache is on the same file system: the node
         * image is hundreds of MB. The cache never rewrites a file in place. */
        (void) unlink(to);
        if (link(from, to) == 0)
                return 0;
        int r = copy_file(from, to, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to copy %s to %s: %m", from, to);
        return 0;
}

int step_pxe_artifacts(BuildContext *c, const char *output) {
        _cleanup_free_ char *out_copy = strdup(output);
        if (!out_copy)
                return log_oom();
        char *slash = strrchr(out_copy, '/');
        const char *parent = slash ? (slash == out_copy ? "/" : (*slash = 0, out_copy)) : ".";
        _cleanup_free_ char *dir = path_join(parent, "pxe"), *grub_dir = NULL;
        if (!dir || !(grub_dir = path_join(dir, "grub")))
                return log_oom();
        int r = mkdir_p(grub_dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", grub_dir);

        _cleanup_free_ char *node_boot = path_join(c->node.dir, "boot");
        if (!node_boot)
                return log_oom();
        const struct { const char *from_dir, *name, *to; bool optional; } files[] = {
                { c->installer.dir, "vmlinuz", "vmlinuz" },
                { c->installer.dir, "initrd.img", "initrd" },
                { c->node.dir, "node.tar.zst", "node.tar.zst" },
                { c->node.dir, "node.manifest.json", "node.manifest.json" },
                { node_boot, "bootx64.efi", "bootx64.efi" },
                { node_boot, "grubnetx64.efi", "grubx64.efi", true },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = path_join(files[i].from_dir, files[i].name);
                if (!p)
                        return log_oom();
                if (files[i].optional && !file_exists(p)) {
                        log_warning("PXE: no %s in this node image build; UEFI network boot through GRUB is not "
                                    "available (iPXE is).", files[i].name);
                        continue;
                }
                r = copy_into(files[i].from_dir, files[i].name, dir, files[i].to);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ char *ipxe = ipxe_script(c->opts), *grub = grub_netboot_cfg(c->opts);
        _cleanup_free_ char *ipxe_path = path_join(dir, "boot.ipxe"), *grub_path = path_join(grub_dir, "grub.cfg");
        if (!ipxe || !grub || !ipxe_path || !grub_path)
                return log_oom();
        r = write_file_atomic(ipxe_path, ipxe, strlen(ipxe), 0644);
        if (r >= 0)
                r = write_file_atomic(grub_path, grub, strlen(grub), 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write the PXE boot scripts in %s: %m", dir);
        log_info("PXE artifacts in %s: vmlinuz, initrd, node image, boot.ipxe, bootx64.efi + grubx64.efi with grub/grub.cfg.",
                 dir);
        return 0;
}
