/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hybrid ISO: ISO 9660 (+Joliet, Rock Ridge) holding the installer
 * kernel and initramfs, the node image and its manifest; BIOS boot through
 * GRUB's El Torito image, with GRUB's boot_hybrid.img as MBR so the same file
 * boots from a USB stick; UEFI boot through an appended EFI system partition
 * (GPT) with shim, Debian's signed GRUB and MokManager, also named as the
 * El Torito EFI image. Big files are grafted from the cache, not copied. */

#include <fcntl.h>
#include <sys/stat.h>

#include "config.h"
#include "fileio.h"
#include "log.h"
#include "spawn.h"
#include "steps.h"

char *iso_volume_label(void) {
        char *l;
        if (asprintf(&l, "FORJA_%s", FORJA_VERSION) < 0)
                return NULL;
        for (char *p = l; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = *p - 'a' + 'A';
                else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        *p = '_';
        if (strlen(l) > 32)
                l[32] = 0;
        return l;
}

static char *replace_all(const char *text, const char *what, const char *with) {
        StrBuf b = {};
        if (strbuf_append(&b, "") < 0)
                return NULL;
        for (const char *p = text, *q; p; p = q ? q + strlen(what) : NULL) {
                q = strstr(p, what);
                _cleanup_free_ char *part = q ? strndup(p, q - p) : strdup(p);
                if (!part || strbuf_append(&b, part) < 0 || (q && strbuf_append(&b, with) < 0)) {
                        strbuf_done(&b);
                        return NULL;
                }
        }
        return b.s;
}

static int write_grub_cfg(const char *data_dir, const char *label, const char *path) {
        _cleanup_free_ char *tpl_path = path_join(data_dir, "grub.cfg.in");
        _cleanup_free_ char *tpl = NULL;
        if (!tpl_path)
                return -ENOMEM;
        int r = read_full_file(tpl_path, 1 << 20, &tpl, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", tpl_path);
        _cleanup_free_ char *a = replace_all(tpl, "@VERSION@", FORJA_VERSION);
        _cleanup_free_ char *b = a ? replace_all(a, "@LABEL@", label) : NULL;
        if (!b)
                return -ENOMEM;
        return write_file_atomic(path, b, strlen(b), 0644);
}

/* The EFI system partition image, made with mtools: no mount needed. */
static int make_esp(const char *boot_dir, const char *img) {
        static const struct { const char *from, *to; } files[] = {
                { "bootx64.efi", "::/EFI/BOOT/BOOTX64.EFI" },
                { "grubx64.efi", "::/EFI/BOOT/grubx64.efi" },
                { "mmx64.efi", "::/EFI/BOOT/mmx64.efi" },
        };
        off_t total = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = path_join(boot_dir, files[i].from);
                struct stat st;
                if (!p)
                        return -ENOMEM;
                if (stat(p, &st) < 0)
                        return log_error_errno(errno, "Missing boot file %s: %m", p);
                total += st.st_size;
        }
        /* FAT12/16 overhead and room: files + 1 MiB, rounded up to 1 MiB. */
        off_t size = ((total + (2 << 20)) >> 20) << 20;
        _cleanup_close_ int fd = open(img, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, size) < 0)
                return log_error_errno(errno, "Failed to create %s: %m", img);

        char *env[] = { (char *) "MTOOLS_SKIP_CHECK=1", NULL };
        SpawnOptions o = { .env_extra = env, .quiet = true };
        char *mkfs[] = { (char *) "mkfs.vfat", (char *) "-n", (char *) "FORJA_EFI", (char *) "-i", (char *) "f04a0001",
                         (char *) img, NULL };
        int r = spawn_checked(mkfs, &o, NULL);
        if (r < 0)
                return r;
        char *mmd[] = { (char *) "mmd", (char *) "-i", (char *) img, (char *) "::/EFI", (char *) "::/EFI/BOOT", NULL };
        r = spawn_checked(mmd, &o, NULL);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = path_join(boot_dir, files[i].from);
                if (!p)
                        return -ENOMEM;
                char *cp[] = { (char *) "mcopy", (char *) "-i", (char *) img, p, (char *) files[i].to, NULL };
                r = spawn_checked(cp, &o, NULL);
        }
        return r;
}

int step_iso_image(BuildContext *c, const char *output) {
        _cleanup_free_ char *label = iso_volume_label();
        _cleanup_free_ char *stage = NULL, *tmp_out = NULL;
        int r;

        if (!label || asprintf(&stage, "%s.forja-stage.%d", output, (int) getpid()) < 0 ||
            asprintf(&tmp_out, "%s.forja-tmp.%d", output, (int) getpid()) < 0)
                return log_oom();
        log_info("ISO: assembling %s (label %s)...", output, label);
        double t0 = now_sec();

        (void) rm_rf(stage);
        _cleanup_free_ char *grub_dir = path_join(stage, "boot/grub");
        _cleanup_free_ char *disk_dir = path_join(stage, ".disk");
        _cleanup_free_ char *grub_cfg = path_join(stage, "boot/grub/grub.cfg");
        _cleanup_free_ char *info = path_join(stage, ".disk/info");
        _cleanup_free_ char *esp = path_join(stage, "efi.img");
        _cleanup_free_ char *boot_dir = path_join(c->node.dir, "boot");
        _cleanup_free_ char *info_text = NULL;
        if (!grub_dir || !disk_dir || !grub_cfg || !info || !esp || !boot_dir ||
            asprintf(&info_text, "forja %s %s amd64\n", FORJA_VERSION, c->opts->suite) < 0)
                return log_oom();
        r = mkdir_p(grub_dir, 0755);
        if (r >= 0)
                r = mkdir_p(disk_dir, 0755);
        if (r >= 0)
                r = write_file_atomic(info, info_text, strlen(info_text), 0644);
        if (r < 0) {
                log_error_errno(r, "Failed to prepare %s: %m", stage);
                goto finish;
        }
        r = write_grub_cfg(c->data_dir, label, grub_cfg);
        if (r >= 0)
                r = make_esp(boot_dir, esp);
        if (r < 0)
                goto finish;

        ArgV a = {};
        r = 0;
        r = r ?: argv_add(&a, "xorriso");
        r = r ?: argv_add(&a, "-as");
        r = r ?: argv_add(&a, "mkisofs");
        r = r ?: argv_add(&a, "-quiet");
        r = r ?: argv_add(&a, "-o");
        r = r ?: argv_add(&a, tmp_out);
        r = r ?: argv_add(&a, "-V");
        r = r ?: argv_add(&a, label);
        r = r ?: argv_add(&a, "-iso-level");
        r = r ?: argv_add(&a, "3");
        r = r ?: argv_add(&a, "-r");
        r = r ?: argv_add(&a, "-J");
        r = r ?: argv_add(&a, "-joliet-long");
        /* MBR for BIOS boot from a USB stick, GPT with the ESP appended. */
        r = r ?: argv_add(&a, "-partition_offset");
        r = r ?: argv_add(&a, "16");
        r = r ?: argv_add(&a, "--grub2-mbr");
        r = r ?: argv_addf(&a, "%s/boot_hybrid.img", boot_dir);
        r = r ?: argv_add(&a, "--mbr-force-bootable");
        r = r ?: argv_add(&a, "-append_partition");
        r = r ?: argv_add(&a, "2");
        r = r ?: argv_add(&a, "0xef");
        r = r ?: argv_add(&a, esp);
        r = r ?: argv_add(&a, "-appended_part_as_gpt");
        r = r ?: argv_add(&a, "-iso_mbr_part_type");
        r = r ?: argv_add(&a, "a2a0d0ebe5b9334487c068b6b72699c7");
        /* El Torito: BIOS GRUB image, then the ESP for UEFI. */
        r = r ?: argv_add(&a, "-c");
        r = r ?: argv_add(&a, "boot/boot.cat");
        r = r ?: argv_add(&a, "-b");
        r = r ?: argv_add(&a, "boot/grub/i386-pc/eltorito.img");
        r = r ?: argv_add(&a, "-no-emul-boot");
        r = r ?: argv_add(&a, "-boot-load-size");
        r = r ?: argv_add(&a, "4");
        r = r ?: argv_add(&a, "-boot-info-table");
        r = r ?: argv_add(&a, "--grub2-boot-info");
        r = r ?: argv_add(&a, "-eltorito-alt-boot");
        r = r ?: argv_add(&a, "-e");
        r = r ?: argv_add(&a, "--interval:appended_partition_2:all::");
        r = r ?: argv_add(&a, "-no-emul-boot");
        r = r ?: argv_add(&a, "-graft-points");
        r = r ?: argv_addf(&a, "/boot/grub=%s/boot/grub", stage);
        r = r ?: argv_addf(&a, "/.disk=%s/.disk", stage);
        r = r ?: argv_addf(&a, "/boot/grub/i386-pc/eltorito.img=%s/eltorito.img", boot_dir);
        r = r ?: argv_addf(&a, "/EFI/BOOT/BOOTX64.EFI=%s/bootx64.efi", boot_dir);
        r = r ?: argv_addf(&a, "/EFI/BOOT/grubx64.efi=%s/grubx64.efi", boot_dir);
        r = r ?: argv_addf(&a, "/EFI/BOOT/mmx64.efi=%s/mmx64.efi", boot_dir);
        r = r ?: argv_addf(&a, "/boot/vmlinuz=%s/vmlinuz", c->installer.dir);
        r = r ?: argv_addf(&a, "/boot/initrd.img=%s/initrd.img", c->installer.dir);
        r = r ?: argv_addf(&a, "/node/node.tar.zst=%s/node.tar.zst", c->node.dir);
        r = r ?: argv_addf(&a, "/node/node.manifest.json=%s/node.manifest.json", c->node.dir);
        if (r >= 0 && c->opts->answer) {
                _cleanup_free_ char *abs = realpath(c->opts->answer, NULL);
                r = abs ? argv_addf(&a, "/answer.toml=%s", abs) : log_error_errno(errno, "Cannot read '%s': %m", c->opts->answer);
        }
        if (r < 0) {
                argv_done(&a);
                log_oom();
                goto finish;
        }
        r = run_visible(a.v, NULL);
        argv_done(&a);
        if (r < 0)
                goto finish;
        if (rename(tmp_out, output) < 0) {
                r = log_error_errno(errno, "Failed to rename %s to %s: %m", tmp_out, output);
                goto finish;
        }
        struct stat st;
        if (stat(output, &st) == 0)
                log_info("ISO: %s, %.1f MiB, assembled in %.1f s.", output, st.st_size / 1048576.0, now_sec() - t0);
finish:
        (void) rm_rf(stage);
        if (r < 0)
                (void) unlink(tmp_out);
        return r;
}
