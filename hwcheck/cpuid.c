/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CPUID values from the text fixture, the kernel's cpuid device (the leaf is
 * the file position, the subleaf the upper 32 bits) or the instruction. */

#include <fcntl.h>
#include <stdio.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "hwcheck-internal.h"

typedef struct CpuidEntry {
        uint32_t leaf, subleaf;
        CpuidRegs regs;
} CpuidEntry;

struct CpuidTable {
        CpuidEntry *entries;
        size_t n;
};

void hwc_cpuid_table_free(CpuidTable *t) {
        if (!t)
                return;
        free(t->entries);
        free(t);
}

static int parse_hex32(const char *word, uint32_t *ret) {
        const char *p = startswith(word, "0x") ?: startswith(word, "0X") ?: word;
        if (!*p || strlen(p) > 8)
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(p, &end, 16);
        if (errno || *end)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

static int parse_error(char **ret_error, const char *name, unsigned line, const char *why) {
        if (ret_error && asprintf(ret_error, "%s:%u: %s", name, line, why) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

int hwc_cpuid_table_parse(const char *text, const char *name, CpuidTable **ret, char **ret_error) {
        CpuidTable *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        _cleanup_(hwc_cpuid_table_freep) CpuidTable *table = t;
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;

        unsigned lineno = 0;
        char *save = NULL;
        for (char *line = copy; line; line = save) {
                save = strchr(line, '\n');
                if (save)
                        *save++ = 0;
                lineno++;
                line[strcspn(line, "#")] = 0;

                uint32_t v[6];
                size_t nw = 0;
                for (char *w = strtok(line, " \t\r"); w; w = strtok(NULL, " \t\r")) {
                        if (nw == 6)
                                return parse_error(ret_error, name, lineno,
                                                   "too many fields (want: leaf subleaf eax ebx ecx edx)");
                        if (parse_hex32(w, &v[nw]) < 0) {
                                _cleanup_free_ char *why = NULL;
                                if (asprintf(&why, "'%s' is not a 32-bit hexadecimal number", w) < 0)
                                        return -ENOMEM;
                                return parse_error(ret_error, name, lineno, why);
                        }
                        nw++;
                }
                if (nw == 0)
                        continue;
                if (nw != 6)
                        return parse_error(ret_error, name, lineno,
                                           "too few fields (want: leaf subleaf eax ebx ecx edx)");
                for (size_t i = 0; i < table->n; i++)
                        if (table->entries[i].leaf == v[0] && table->entries[i].subleaf == v[1])
                                return parse_error(ret_error, name, lineno, "leaf and subleaf listed twice");
                CpuidEntry *n = realloc(table->entries, (table->n + 1) * sizeof(CpuidEntry));
                if (!n)
                        return -ENOMEM;
                table->entries = n;
                n[table->n++] = (CpuidEntry) {
                        .leaf = v[0], .subleaf = v[1],
                        .regs = { .eax = v[2], .ebx = v[3], .ecx = v[4], .edx = v[5] },
                };
        }
        *ret = TAKE_PTR(table);
        return 0;
}

static int cpuid_raw(CpuidReader *c, uint32_t leaf, uint32_t subleaf, CpuidRegs *ret) {
        switch (c->source) {
        case CPUID_SOURCE_FIXTURE:
                for (size_t i = 0; i < c->table->n; i++)
                        if (c->table->entries[i].leaf == leaf && c->table->entries[i].subleaf == subleaf) {
                                *ret = c->table->entries[i].regs;
                                return 0;
                        }
                *ret = (CpuidRegs) {};
                return 0;
        case CPUID_SOURCE_DEVICE: {
                uint32_t buf[4];
                ssize_t k = pread(c->fd, buf, sizeof(buf), (off_t) (((uint64_t) subleaf << 32) | leaf));
                if (k < 0)
                        return negative_errno();
                if (k != sizeof(buf))
                        return -EIO;
                *ret = (CpuidRegs) { buf[0], buf[1], buf[2], buf[3] };
                return 0;
        }
        case CPUID_SOURCE_INSTRUCTION:
#if defined(__x86_64__) || defined(__i386__)
                __cpuid_count(leaf, subleaf, ret->eax, ret->ebx, ret->ecx, ret->edx);
                return 0;
#endif
        default:
                return -EOPNOTSUPP;
        }
}

int hwc_cpuid_query(CpuidReader *c, uint32_t leaf, uint32_t subleaf, CpuidRegs *ret) {
        /* Intel answers a leaf above the maximum with the highest basic leaf's
         * data; check the range first so that reads as zeros everywhere. */
        uint32_t base = leaf & 0xffff0000u;
        if (leaf != base && (base == 0 || base == 0x80000000u)) {
                CpuidRegs max;
                int r = cpuid_raw(c, base, 0, &max);
                if (r < 0)
                        return r;
                if (max.eax < leaf) {
                        *ret = (CpuidRegs) {};
                        return 0;
                }
        }
        return cpuid_raw(c, leaf, subleaf, ret);
}

int hwc_cpuid_reader_open(const Sysroot *s, CpuidReader *ret, char **ret_error) {
        *ret = (CpuidReader) { .source = CPUID_SOURCE_NONE, .fd = -EBADF };

        if (!s->live) {
                _cleanup_free_ char *text = NULL, *path = hwc_sysroot_path(s, "/cpuid.txt");
                if (!path)
                        return -ENOMEM;
                int r = hwc_sysroot_read(s, "/cpuid.txt", &text);
                if (r == -ENOENT)
                        return 0;
                if (r < 0) {
                        if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
                r = hwc_cpuid_table_parse(text, path, &ret->table, ret_error);
                if (r < 0)
                        return r;
                ret->source = CPUID_SOURCE_FIXTURE;
                ret->path = TAKE_PTR(path);
                return 0;
        }

        if (!hwc_sysroot_exists(s, "/dev/cpu/0/cpuid"))
                (void) hwc_load_module(s, "cpuid");
        int fd = open("/dev/cpu/0/cpuid", O_RDONLY | O_CLOEXEC), err = errno;
        if (fd >= 0) {
                ret->source = CPUID_SOURCE_DEVICE;
                ret->fd = fd;
                ret->path = strdup("/dev/cpu/0/cpuid");
                CpuidRegs probe;
                err = ret->path ? -cpuid_raw(ret, 0, 0, &probe) : ENOMEM;
                if (err == 0)
                        return 0;
                hwc_cpuid_reader_close(ret);
        }
#if defined(__x86_64__) || defined(__i386__)
        ret->source = CPUID_SOURCE_INSTRUCTION;
        if (asprintf(&ret->path, "the CPUID instruction (/dev/cpu/0/cpuid: %s)", strerror(err)) < 0) {
                ret->path = NULL;
                return -ENOMEM;
        }
#endif
        return 0;
}

void hwc_cpuid_reader_close(CpuidReader *c) {
        hwc_cpuid_table_free(c->table);
        closep(&c->fd);
        free(c->path);
        *c = (CpuidReader) { .source = CPUID_SOURCE_NONE, .fd = -EBADF };
}
