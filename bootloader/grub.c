/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bootloader.h"
#include "log.h"
#include "macro.h"
#include "spawn.h"
#include "strutil.h"

/* ZPOOL_VDEV_NAME_PATH: `zpool status` (which grub-probe runs for a ZFS
 * root) prints whole device paths that grub-probe can open. */
static char *const chroot_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8", "DEBIAN_FRONTEND=noninteractive",
                                    "ZPOOL_VDEV_NAME_PATH=1", NULL };

static int run(const BootloaderInput *in, bool in_chroot, const char *what, char *const argv[], char **ret_error) {
        SpawnResult res = {};
        SpawnOptions o = { .root = in_chroot ? in->root : NULL, .env_extra = in_chroot ? chroot_env : NULL, .timeout_sec = 1200 };
        int r = spawn(argv, &o, &res);
        if (r < 0) {
                error_setf(ret_error, "%s: cannot run %s: %s", what, argv[0], strerror(-r));
                return r;
        }
        if (res.exit_status != 0) {
                error_setf(ret_error, "%s: %s failed (status %d): %s", what, argv[0], res.exit_status, strempty(res.err));
                spawn_result_done(&res);
                return -EIO;
        }
        spawn_result_done(&res);
        return 0;
}

static bool efivars_available(void) {
        struct stat st;
        return stat("/sys/firmware/efi/efivars", &st) == 0 && S_ISDIR(st.st_mode);
}

static int install_bios(const BootloaderInput *in, char **ret_error) {
        for (char *const *d = in->disks; d && *d; d++) {
                char *argv[] = { "grub-install", "--target=i386-pc", "--recheck", *d, NULL };
                int r = run(in, true, "installing GRUB for BIOS", argv, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Copies the first ESP's files onto another disk's ESP (mounted at a
 * temporary directory inside the target), so every disk can boot. */
static int sync_esp(const BootloaderInput *in, const char *device, char **ret_error) {
        _cleanup_free_ char *dir = NULL, *src = NULL;
        if (asprintf(&dir, "%s/run/forja-esp", in->root) < 0 || asprintf(&src, "%s/boot/efi/.", in->root) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        if (mount(device, dir, "vfat", 0, NULL) < 0) {
                int r = negative_errno();
                error_setf(ret_error, "mounting the ESP %s: %s", device, strerror(-r));
                return r;
        }
        char *argv[] = { "cp", "-a", src, dir, NULL };
        int r = run(in, false, "copying the ESP to every disk", argv, ret_error);
        if (umount2(dir, 0) < 0 && r >= 0) {
                r = negative_errno();
                error_setf(ret_error, "unmounting the ESP %s: %s", device, strerror(-r));
        }
        rmdir(dir);
        return r;
}

/* No reinstall loops on PXE-first machines: the entry grub-install made
 * ("debian") goes first in BootOrder and becomes BootNext, so the next boot is
 * the installed disk even where the firmware keeps the network first. Uses
 * the installer's efibootmgr; a failure is only a warning (the node itself
 * is installed and boots when chosen). */
static void prefer_installed_entry(void) {
        char *list[] = { "efibootmgr", NULL };
        SpawnOptions o = { .capture_stdout = true, .quiet = true, .timeout_sec = 60 };
        SpawnResult res = {};
        if (spawn(list, &o, &res) < 0 || res.exit_status != 0 || !res.out) {
                log_warning("UEFI: cannot read the boot entries with efibootmgr (%s); the boot order is unchanged.",
                            res.err && *res.err ? res.err : "not installed?");
                spawn_result_done(&res);
                return;
        }
        char entry[5] = "", order[512] = "";
        for (char *line = res.out; line && *line;) {
                char *next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                const char *v;
                if ((v = startswith(line, "BootOrder: ")))
                        snprintf(order, sizeof order, "%s", v);
                else if (!entry[0] && startswith(line, "Boot") && strlen(line) > 10 && line[8] != ':' &&
                         strstr(line, " debian"))
                        memcpy(entry, line + 4, 4);
                line = next;
        }
        spawn_result_done(&res);
        if (!entry[0]) {
                log_warning("UEFI: no \"debian\" boot entry found; the boot order is unchanged.");
                return;
        }
        /* BootOrder: the entry first, the others after it in their order. */
        char new_order[600];
        int n = snprintf(new_order, sizeof new_order, "%s", entry);
        for (char *save = NULL, *tok = strtok_r(order, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                if (!streq(tok, entry) && n < (int) sizeof new_order - 6)
                        n += snprintf(new_order + n, sizeof new_order - n, ",%s", tok);
        char *set[] = { "efibootmgr", "-q", "-o", new_order, "-n", entry, NULL };
        SpawnOptions q = { .quiet = true, .timeout_sec = 60 };
        if (spawn(set, &q, &res) < 0 || res.exit_status != 0)
                log_warning("UEFI: efibootmgr could not set BootOrder %s and BootNext %s: %s", new_order, entry,
                            strempty(res.err));
        else
                log_info("UEFI: Boot%s (debian, the installed disk) is first in BootOrder (%s) and BootNext.", entry, new_order);
        spawn_result_done(&res);
}

static int install_uefi(const BootloaderInput *in, char **ret_error) {
        bool nvram = efivars_available();
        /* The Debian entry (shimx64.efi -> grubx64.efi in EFI/debian), with an
         * NVRAM boot entry when the firmware's variables can be written. */
        char *argv[] = { "grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi", "--bootloader-id=debian",
                         "--uefi-secure-boot", "--recheck", nvram ? NULL : "--no-nvram", NULL };
        int r = run(in, true, "installing GRUB for UEFI", argv, ret_error);
        if (r < 0)
                return r;
        /* The removable media path, which firmware without (or with lost)
         * NVRAM entries boots: EFI/BOOT/BOOTX64.EFI is shim. */
        char *removable[] = { "grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi", "--uefi-secure-boot",
                              "--removable", "--no-nvram", NULL };
        r = run(in, true, "installing the removable UEFI boot path", removable, ret_error);
        if (r < 0)
                return r;
        if (!nvram)
                log_notice("No EFI variables here: the node boots through EFI/BOOT/BOOTX64.EFI (shim).");
        else
                prefer_installed_entry();
        for (char *const *esp = in->extra_esps; esp && *esp; esp++) {
                r = sync_esp(in, *esp, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The node image carries the GRUB metapackage of each firmware as a .deb in
 * /var/lib/forja/debs (they conflict, so neither is installed): installing
 * the one for this firmware keeps the loader updated by later upgrades. */
static int install_metapackage(const BootloaderInput *in, char **ret_error) {
        const char *prefix = in->uefi ? "grub-efi-amd64_" : "grub-pc_";
        _cleanup_free_ char *dir = NULL, *deb = NULL;
        if (asprintf(&dir, "%s/var/lib/forja/debs", in->root) < 0)
                return -ENOMEM;
        DIR *d = opendir(dir);
        if (!d) {
                log_warning("No %s/%s*.deb: GRUB updates will need the metapackage installed by hand.", dir, prefix);
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (startswith(de->d_name, prefix)) {
                        if (asprintf(&deb, "/var/lib/forja/debs/%s", de->d_name) < 0)
                                deb = NULL;
                        break;
                }
        closedir(d);
        if (!deb)
                return 0;
        char *argv[] = { "dpkg", "-i", deb, NULL };
        return run(in, true, "installing the GRUB package for this firmware", argv, ret_error);
}

int bootloader_install(const BootloaderInput *in, char **ret_error) {
        int r = install_metapackage(in, ret_error);
        if (r < 0)
                return r;
        r = in->uefi ? install_uefi(in, ret_error) : install_bios(in, ret_error);
        if (r < 0)
                return r;
        r = initramfs_add_storage_config(in, ret_error);
        if (r < 0)
                return r;
        char *mkconfig[] = { "grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL };
        return run(in, true, "writing grub.cfg", mkconfig, ret_error);
}
