#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `forja check` inside QEMU guests (TCG), both ways:
#   -cpu max           AMD-V (SVM) is emulated: kvm_amd loads, /dev/kvm appears -> usable
#   -cpu qemu64,-svm   no VMX/SVM, hypervisor bit set                          -> guest-without-nested
# The guest is a Debian kernel (downloaded once with apt-get into a cache
# outside the tree) and an initramfs made here: busybox, the forja binary with
# its shared libraries, and the kvm/msr/cpuid modules of that kernel. Its
# /init prints `forja check --json` between markers on the serial console and
# powers off. No network (-nic none), one QEMU at a time, a hard timeout.
. "$TESTS_LIB/testlib.sh"
require_cmd qemu-system-x86_64 cpio python3 ldd
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || skip "needs busybox (busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && skip "$busybox is not static (install busybox-static)"

make_tmpdir
boot_timeout=${FORJA_QEMU_TIMEOUT:-300}

# ---- the kernel: linux-image-<version>-amd64 from the distribution, cached.
if [ "$(id -u)" = 0 ]; then
        cache=${FORJA_TEST_CACHE:-/var/cache/forja-tests}
else
        cache=${FORJA_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/forja-tests}
fi
mkdir -p "$cache"

fetch_kernel() {
        # The version linux-image-amd64 points at, else the newest cached one.
        local pkg ver dir
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
        if [ -n "$pkg" ]; then
                ver=${pkg#linux-image-}
                dir=$cache/linux-$ver
                if [ ! -f "$dir/ready" ]; then
                        local dl=$cache/download.$$
                        rm -rf "$dl" "$dir"
                        mkdir -p "$dl/x"
                        if (cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1); then
                                dpkg-deb -x "$dl"/"$pkg"_*.deb "$dl/x"
                                mkdir -p "$dir/modules"
                                cp "$dl/x/boot/vmlinuz-$ver" "$dir/vmlinuz"
                                # Only what the guest loads; the whole tree is ~400 MB.
                                local m
                                for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp \
                                         arch/x86/kvm/kvm-amd arch/x86/kvm/kvm-intel \
                                         arch/x86/kernel/msr arch/x86/kernel/cpuid; do
                                        cp "$dl/x/lib/modules/$ver/kernel/$m.ko" "$dir/modules/"
                                done
                                echo "$ver" >"$dir/ready"
                        fi
                        rm -rf "$dl"
                fi
                [ -f "$dir/ready" ] && { echo "$dir"; return 0; }
        fi
        # Offline: any complete cached kernel.
        for dir in "$cache"/linux-*; do
                [ -f "$dir/ready" ] && { echo "$dir"; return 0; }
        done
        return 1
}

exec 9>"$cache/.lock"
flock 9
kdir=$(fetch_kernel) || skip "no Debian kernel in $cache and apt-get download failed"
flock -u 9
kver=$(cat "$kdir/ready")
echo "kernel: $kdir ($kver)"

# ---- the initramfs
root=$TMPD/initramfs
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,usr/sbin,"lib/modules/$kver"}
cp "$busybox" "$root/bin/busybox"
for a in sh mount insmod modprobe poweroff cat echo mkdir sleep uname; do
        ln -s busybox "$root/bin/$a"
done
ln -s ../bin/busybox "$root/sbin/modprobe"
cp "$FORJA" "$root/usr/sbin/forja"
# The binary's shared libraries at the paths the dynamic loader expects.
ldd "$FORJA" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
done
mdir=$root/lib/modules/$kver
cp "$kdir"/modules/*.ko "$mdir/"
# busybox modprobe reads modules.dep: forja runs `modprobe msr` and `modprobe cpuid`.
printf '%s:\n' msr.ko cpuid.ko >"$mdir/modules.dep"

cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
m=/lib/modules/$(uname -r)
# kvm_amd needs kvm and ccp; kvm_intel fails on a CPU without VMX, as it should.
for k in irqbypass kvm ccp kvm-amd kvm-intel; do
        insmod $m/$k.ko 2>/dev/null && echo "init: loaded $k" || echo "init: $k not loaded"
done
echo "===FORJA-CHECK-TEXT==="
/usr/sbin/forja check
echo "===FORJA-CHECK-JSON==="
/usr/sbin/forja check --json
echo "===FORJA-CHECK-EXIT $?==="
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$TMPD/initramfs.cpio"

# ---- boot: one guest at a time, serial console to a file.
boot() {
        local name=$1 cpu=$2 log=$TMPD/$1.log start end
        start=$(date +%s)
        set +e
        timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 \
                -M q35 -accel tcg -cpu "$cpu" -smp 1 -m 2048 \
                -kernel "$kdir/vmlinuz" -initrd "$TMPD/initramfs.cpio" \
                -append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init" \
                -nic none -display none -monitor none -serial "file:$log" -no-reboot </dev/null
        local rc=$?
        set -e
        end=$(date +%s)
        echo "$name: qemu exit $rc after $((end - start)) s"
        [ "$rc" = 124 ] || [ "$rc" = 137 ] && { tail -n 30 "$log" >&2; fail "$name: guest did not power off within ${boot_timeout}s"; }
        # Serial output has CRLF line ends.
        tr -d '\r' <"$log" >"$log.txt"
        sed -n '/^===FORJA-CHECK-TEXT===$/,/^===FORJA-CHECK-JSON===$/p' "$log.txt" | sed '1d;$d' >"$TMPD/$name.text"
        sed -n '/^===FORJA-CHECK-JSON===$/,/^===FORJA-CHECK-EXIT/p' "$log.txt" | sed '1d;$d' >"$TMPD/$name.json"
        grep -q '^===FORJA-CHECK-EXIT' "$log.txt" || { tail -n 40 "$log.txt" >&2; fail "$name: no forja output on the serial console"; }
        grep '^init:' "$log.txt" || true
        grep -E '^(cpu-virt|kvm-device|CPU virtualization|Result)|^ +(cpuid|msr|kernel-log|kvm): ' "$TMPD/$name.text" || true
}

# expect_guest NAME VERDICT VIRT-STATUS KVM-DEVICE-STATUS VENDOR
expect_guest() {
        python3 - "$TMPD/$1.json" "$2" "$3" "$4" "$5" <<'PY' || fail "$1: unexpected report (see above)"
import json, sys
path, verdict, virt, kvmdev, vendor = sys.argv[1:]
r = json.load(open(path))
c = {x["id"]: x for x in r["checks"]}
errors = []
if r["cpu"]["verdict"] != verdict:
    errors.append(f"verdict {r['cpu']['verdict']} != {verdict}")
if c["cpu-virt"]["status"] != virt:
    errors.append(f"cpu-virt {c['cpu-virt']['status']} != {virt}")
if c["kvm-device"]["status"] != kvmdev:
    errors.append(f"kvm-device {c['kvm-device']['status']} != {kvmdev}")
if r["cpu"]["vendor"] != vendor:
    errors.append(f"vendor {r['cpu']['vendor']} != {vendor}")
if r["cpu"]["decided_by"] != ("kvm" if verdict == "usable" else "cpuid"):
    errors.append(f"verdict decided by {r['cpu']['decided_by']}")
if c["cpu-64bit"]["status"] != "pass":
    errors.append("cpu-64bit does not pass")
src = {e["source"]: e["text"] for e in r["cpu"]["evidence"]}
if "CPUID from /dev/cpu/0/cpuid" not in src.get("cpuid", ""):
    errors.append(f"CPUID not read through the cpuid device (modprobe cpuid): {src.get('cpuid')}")
for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

boot svm-max max
expect_guest svm-max usable pass pass AuthenticAMD
boot no-svm qemu64,-svm
expect_guest no-svm guest-without-nested fail fail AuthenticAMD
echo "hwcheck qemu: -cpu max -> usable, -cpu qemu64,-svm -> guest-without-nested"
