/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja's hardware JSON (docs/hardware.md): reading (strict: every unknown key
 * or wrong type is an error naming its JSON path) and writing. One field table
 * per object drives both directions, so what is written reads back the same. */

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "fileio.h"
#include "inventory-internal.h"
#include "json-out.h"

#define HW_FORMAT_VERSION 1

typedef enum FieldType {
        FIELD_STRING,           /* char *, string or null (required: string) */
        FIELD_BOOL,             /* bool */
        FIELD_U64,              /* uint64_t */
        FIELD_U32,              /* uint32_t */
        FIELD_UINT,             /* unsigned */
        FIELD_STRV,             /* char **, array of strings */
        FIELD_PROPS,            /* HwProperty * + size_t at n_offset, object of strings */
} FieldType;

typedef struct Field {
        const char *key;
        FieldType type;
        size_t offset;
        size_t n_offset;
        bool required;
        bool omit_empty;        /* not written when NULL or 0 (fields added later: older files stay exact) */
} Field;

#define F(s, k, t, m, ...) { k, t, offsetof(s, m), __VA_ARGS__ }

static const Field disk_fields[] = {
        F(HwDisk, "name", FIELD_STRING, name, .required = true),
        F(HwDisk, "path", FIELD_STRING, path),
        F(HwDisk, "size", FIELD_U64, size_bytes, .required = true),
        F(HwDisk, "logical_sector_size", FIELD_U32, logical_sector_size),
        F(HwDisk, "physical_sector_size", FIELD_U32, physical_sector_size),
        F(HwDisk, "rotational", FIELD_BOOL, rotational),
        F(HwDisk, "removable", FIELD_BOOL, removable),
        F(HwDisk, "install_medium", FIELD_BOOL, install_medium),
        F(HwDisk, "model", FIELD_STRING, model),
        F(HwDisk, "serial", FIELD_STRING, serial),
        F(HwDisk, "wwn", FIELD_STRING, wwn, .omit_empty = true),
        F(HwDisk, "diskseq", FIELD_U64, diskseq, .omit_empty = true),
        F(HwDisk, "pttype", FIELD_STRING, pttype),
        F(HwDisk, "contents", FIELD_STRV, contents),
        F(HwDisk, "contents_unknown", FIELD_BOOL, contents_unknown),
        F(HwDisk, "properties", FIELD_PROPS, props, .n_offset = offsetof(HwDisk, n_props)),
        {}
};

static const Field nic_fields[] = {
        F(HwNic, "name", FIELD_STRING, name, .required = true),
        F(HwNic, "mac", FIELD_STRING, mac),
        F(HwNic, "driver", FIELD_STRING, driver),
        F(HwNic, "link", FIELD_BOOL, link),
        F(HwNic, "properties", FIELD_PROPS, props, .n_offset = offsetof(HwNic, n_props)),
        {}
};

static const Field cpu_fields[] = {
        F(HwCpu, "vendor", FIELD_STRING, vendor),
        F(HwCpu, "model", FIELD_STRING, model),
        F(HwCpu, "threads", FIELD_UINT, threads),
        F(HwCpu, "x86_64", FIELD_BOOL, x86_64),
        F(HwCpu, "virt_verdict", FIELD_STRING, virt_verdict),
        {}
};

static const Field dmi_fields[] = {
        F(HwDmi, "system_vendor", FIELD_STRING, system_vendor),
        F(HwDmi, "system_product", FIELD_STRING, system_product),
        F(HwDmi, "system_serial", FIELD_STRING, system_serial),
        F(HwDmi, "system_uuid", FIELD_STRING, system_uuid),
        {}
};

static const Field dhcp_fields[] = {
        F(HwDhcp, "nic", FIELD_STRING, nic),
        F(HwDhcp, "address", FIELD_STRING, address),
        F(HwDhcp, "gateway", FIELD_STRING, gateway),
        F(HwDhcp, "dns", FIELD_STRV, dns),
        F(HwDhcp, "hostname", FIELD_STRING, hostname),
        F(HwDhcp, "domain", FIELD_STRING, domain),
        {}
};

static const char *const top_keys[] = {
        "format_version", "disks", "nics", "firmware", "memory_bytes", "cpu", "dmi", "dhcp", "kernel_cmdline", NULL
};
static const char *const firmware_keys[] = { "mode", "secure_boot", "tpm_version", NULL };

#define member(base, f, type) ((type *) ((char *) (base) + (f)->offset))

/* ---- reading ---- */

static int fail(char **ret_error, const char *path, const char *format, ...) _printf_(3, 4);
static int fail(char **ret_error, const char *path, const char *format, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, format);
        int r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (ret_error) {
                free(*ret_error);
                if (asprintf(ret_error, "%s: %s", path && *path ? path : "(top level)", msg) < 0) {
                        *ret_error = NULL;
                        return -ENOMEM;
                }
        }
        return -EINVAL;
}

/* "prefix.key", or "key" at the top level. */
static char *path_join(const char *prefix, const char *key) {
        char *p;
        if (asprintf(&p, "%s%s%s", strempty(prefix), prefix && *prefix ? "." : "", key) < 0)
                return NULL;
        return p;
}

static char *path_index(const char *prefix, size_t i) {
        char *p;
        if (asprintf(&p, "%s[%zu]", prefix, i) < 0)
                return NULL;
        return p;
}

/* Whether o has the member key; *ret is its value, NULL for a JSON null. */
static bool member_get(json_object *o, const char *key, json_object **ret) {
        *ret = NULL;
        return json_object_object_get_ex(o, key, ret);
}

static int check_object(json_object *o, const char *path, const char *what, char **ret_error) {
        if (!o || !json_object_is_type(o, json_type_object))
                return fail(ret_error, path, "expected %s", what);
        return 0;
}

static bool key_allowed(const char *key, const Field *fields, const char *const *keys) {
        if (fields)
                for (const Field *f = fields; f->key; f++)
                        if (streq(f->key, key))
                                return true;
        if (keys)
                for (const char *const *k = keys; *k; k++)
                        if (streq(*k, key))
                                return true;
        return false;
}

static int check_keys(json_object *o, const char *path, const Field *fields, const char *const *keys,
                      char **ret_error) {
        json_object_object_foreach(o, key, val) {
                (void) val;
                if (!key_allowed(key, fields, keys)) {
                        _cleanup_free_ char *p = path_join(path, key);
                        if (!p)
                                return -ENOMEM;
                        return fail(ret_error, p, "unknown key");
                }
        }
        return 0;
}

static int parse_uint(json_object *v, const char *path, uint64_t max, uint64_t *ret, char **ret_error) {
        if (!json_object_is_type(v, json_type_int))
                return fail(ret_error, path, "expected integer");
        int64_t i = json_object_get_int64(v);
        if (i < 0 || (uint64_t) i > max)
                return fail(ret_error, path, "expected integer between 0 and %" PRIu64, max);
        *ret = (uint64_t) i;
        return 0;
}

static int parse_strv(json_object *v, const char *path, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **l = NULL;

        if (json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                return fail(ret_error, path, "expected array of strings");
        size_t n = json_object_array_length(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        _cleanup_free_ char *p = path_index(path, i);
                        return p ? fail(ret_error, p, "expected string") : -ENOMEM;
                }
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_props(json_object *v, const char *path, HwProperty **ret, size_t *ret_n, char **ret_error) {
        HwProperty *props = NULL;
        size_t n = 0;
        int r;

        if (!json_object_is_type(v, json_type_object))
                return fail(ret_error, path, "expected object of strings");
        json_object_object_foreach(v, key, val) {
                if (!json_object_is_type(val, json_type_string)) {
                        _cleanup_free_ char *p = path_join(path, key);
                        r = p ? fail(ret_error, p, "expected string") : -ENOMEM;
                        hw_props_free(props, n);
                        return r;
                }
                r = hw_props_add(&props, &n, key, json_object_get_string(val));
                if (r < 0) {
                        hw_props_free(props, n);
                        return r;
                }
        }
        *ret = props;
        *ret_n = n;
        return 0;
}

static int parse_field(json_object *v, const char *path, const Field *f, void *base, char **ret_error) {
        uint64_t u;
        int r;

        switch (f->type) {
        case FIELD_STRING:
                if (json_object_is_type(v, json_type_null) && !f->required)
                        return 0;
                if (!json_object_is_type(v, json_type_string))
                        return fail(ret_error, path, f->required ? "expected string" : "expected string or null");
                if (f->required && !*json_object_get_string(v))
                        return fail(ret_error, path, "must not be empty");
                *member(base, f, char *) = strdup(json_object_get_string(v));
                return *member(base, f, char *) ? 0 : -ENOMEM;
        case FIELD_BOOL:
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(ret_error, path, "expected boolean");
                *member(base, f, bool) = json_object_get_boolean(v);
                return 0;
        case FIELD_U64:
                r = parse_uint(v, path, INT64_MAX, &u, ret_error);
                if (r >= 0)
                        *member(base, f, uint64_t) = u;
                return r;
        case FIELD_U32:
                r = parse_uint(v, path, UINT32_MAX, &u, ret_error);
                if (r >= 0)
                        *member(base, f, uint32_t) = (uint32_t) u;
                return r;
        case FIELD_UINT:
                r = parse_uint(v, path, UINT_MAX, &u, ret_error);
                if (r >= 0)
                        *member(base, f, unsigned) = (unsigned) u;
                return r;
        case FIELD_STRV:
                return parse_strv(v, path, member(base, f, char **), ret_error);
        case FIELD_PROPS:
                return parse_props(v, path, member(base, f, HwProperty *),
                                   (size_t *) ((char *) base + f->n_offset), ret_error);
        }
        return -EINVAL;
}

/* Fills base from the object o by the field table. base must be zeroed; on
 * failure the caller frees what was filled in. */
static int parse_fields(json_object *o, const char *path, const Field *fields, void *base, char **ret_error) {
        int r;

        r = check_keys(o, path, fields, NULL, ret_error);
        if (r < 0)
                return r;
        for (const Field *f = fields; f->key; f++) {
                _cleanup_free_ char *p = path_join(path, f->key);
                if (!p)
                        return -ENOMEM;
                json_object *v;
                if (!member_get(o, f->key, &v)) {
                        if (f->required)
                                return fail(ret_error, p, "missing");
                        continue;
                }
                r = parse_field(v, p, f, base, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* An optional member object of the top level, read by its field table. */
static int parse_section(json_object *root, const char *key, const Field *fields, void *base, char **ret_error) {
        json_object *v;
        int r;

        if (!member_get(root, key, &v))
                return 0;
        r = check_object(v, key, "object", ret_error);
        if (r < 0)
                return r;
        return parse_fields(v, key, fields, base, ret_error);
}

static bool is_power_of_two_sector(uint32_t s) {
        return s >= 512 && s <= 65536 && (s & (s - 1)) == 0;
}

/* Defaults and checks beyond the types, after the field table filled d. */
static int validate_disk(json_object *o, const char *path, void *elem, char **ret_error) {
        HwDisk *d = elem;

        /* Documented defaults for keys a hand-written file may leave out. */
        if (!d->path && asprintf(&d->path, "/dev/%s", d->name) < 0) {
                d->path = NULL;
                return -ENOMEM;
        }
        json_object *unused;
        if (!member_get(o, "logical_sector_size", &unused))
                d->logical_sector_size = 512;
        if (!member_get(o, "physical_sector_size", &unused))
                d->physical_sector_size = d->logical_sector_size;
        if (!is_power_of_two_sector(d->logical_sector_size)) {
                _cleanup_free_ char *p = path_join(path, "logical_sector_size");
                return p ? fail(ret_error, p, "expected a power of two between 512 and 65536") : -ENOMEM;
        }
        if (!is_power_of_two_sector(d->physical_sector_size)) {
                _cleanup_free_ char *p = path_join(path, "physical_sector_size");
                return p ? fail(ret_error, p, "expected a power of two between 512 and 65536") : -ENOMEM;
        }
        if (d->pttype && !*d->pttype) {
                _cleanup_free_ char *p = path_join(path, "pttype");
                return p ? fail(ret_error, p, "expected a partition table type or null") : -ENOMEM;
        }
        return 0;
}

static bool mac_valid(const char *s) {
        /* Two hex digits per octet, colon separated, at least six octets (20 on InfiniBand). */
        size_t octets = 0;
        for (const char *p = s;; p += 3) {
                if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1]))
                        return false;
                octets++;
                if (p[2] == 0)
                        break;
                if (p[2] != ':')
                        return false;
        }
        return octets >= 6;
}

static int validate_nic(json_object *o, const char *path, void *elem, char **ret_error) {
        HwNic *n = elem;

        if (n->mac) {
                if (!mac_valid(n->mac)) {
                        _cleanup_free_ char *p = path_join(path, "mac");
                        return p ? fail(ret_error, p, "expected a MAC address like 52:54:00:12:34:56") : -ENOMEM;
                }
                for (char *c = n->mac; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
        }
        return 0;
}

/* An optional top-level array of objects, each read by the field table and
 * then checked by validate(). */
static int parse_array(json_object *root, const char *key, const Field *fields, size_t elem_size, void **ret,
                       size_t *ret_n, int (*validate)(json_object *o, const char *path, void *elem, char **ret_error),
                       char **ret_error) {
        json_object *a;

        if (!member_get(root, key, &a))
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return fail(ret_error, key, "expected array");
        size_t n = json_object_array_length(a);
        if (n == 0)
                return 0;
        *ret = calloc(n, elem_size);
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_index(key, i);
                if (!p)
                        return -ENOMEM;
                json_object *o = json_object_array_get_idx(a, i);
                void *elem = (char *) *ret + i * elem_size;
                /* Count the element first, so a partly filled one is freed too. */
                (*ret_n)++;
                int r = check_object(o, p, "object", ret_error);
                if (r >= 0)
                        r = parse_fields(o, p, fields, elem, ret_error);
                if (r >= 0)
                        r = validate(o, p, elem, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_unique_names(const Hardware *hw, char **ret_error) {
        for (size_t i = 0; i < hw->n_disks; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(hw->disks[i].name, hw->disks[j].name)) {
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "disks[%zu].name", i) < 0)
                                        return -ENOMEM;
                                return fail(ret_error, p, "duplicate disk name '%s' (also disks[%zu])",
                                            hw->disks[i].name, j);
                        } else if (streq_ptr(hw->disks[i].name, hw->disks[j].path) ||
                                   streq_ptr(hw->disks[i].path, hw->disks[j].name) ||
                                   streq_ptr(hw->disks[i].path, hw->disks[j].path)) {
                                /* hardware_find_disk() takes a name or a path: each must name one disk. */
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "disks[%zu]", i) < 0)
                                        return -ENOMEM;
                                return fail(ret_error, p, "name '%s' or path '%s' also names disks[%zu] (name '%s', path '%s')",
                                            hw->disks[i].name, strempty(hw->disks[i].path), j, hw->disks[j].name,
                                            strempty(hw->disks[j].path));
                        }
        for (size_t i = 0; i < hw->n_nics; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(hw->nics[i].name, hw->nics[j].name)) {
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "nics[%zu].name", i) < 0)
                                        return -ENOMEM;
                                return fail(ret_error, p, "duplicate NIC name '%s' (also nics[%zu])",
                                            hw->nics[i].name, j);
                        }
        return 0;
}

static int parse_firmware(json_object *o, Hardware *hw, char **ret_error) {
        int r;

        r = check_object(o, "firmware", "object", ret_error);
        if (r < 0)
                return r;
        r = check_keys(o, "firmware", NULL, firmware_keys, ret_error);
        if (r < 0)
                return r;
        json_object *mode, *sb, *tpm;
        if (member_get(o, "mode", &mode)) {
                const char *s = json_object_is_type(mode, json_type_string) ? json_object_get_string(mode) : NULL;
                if (!s || !(streq(s, "uefi") || streq(s, "bios")))
                        return fail(ret_error, "firmware.mode", "expected \"bios\" or \"uefi\"");
                hw->uefi = streq(s, "uefi");
        }
        if (member_get(o, "secure_boot", &sb)) {
                if (!json_object_is_type(sb, json_type_boolean))
                        return fail(ret_error, "firmware.secure_boot", "expected boolean");
                hw->secure_boot = json_object_get_boolean(sb);
        }
        if (hw->secure_boot && !hw->uefi)
                return fail(ret_error, "firmware.secure_boot", "Secure Boot needs \"mode\": \"uefi\"");
        if (member_get(o, "tpm_version", &tpm)) {
                int v = json_object_is_type(tpm, json_type_int) ? json_object_get_int(tpm) : -1;
                if (v < 0 || v > 2)
                        return fail(ret_error, "firmware.tpm_version", "expected 0 (no TPM), 1 or 2");
                hw->tpm_version = v;
        }
        return 0;
}

int hw_dhcp_from_json(json_object *o, const char *path, HwDhcp *ret, char **ret_error) {
        HwDhcp d = {};
        int r;

        if (json_object_is_type(o, json_type_null)) {
                *ret = d;
                return 0;
        }
        r = check_object(o, path, "object or null", ret_error);
        if (r < 0)
                return r;
        r = parse_fields(o, path, dhcp_fields, &d, ret_error);
        if (r < 0) {
                hw_dhcp_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

int hardware_from_json(json_object *root, Hardware **ret, char **ret_error) {
        _cleanup_hardware_ Hardware *hw = NULL;
        json_object *v;
        uint64_t u;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = check_object(root, "", "object", ret_error);
        if (r < 0)
                return r;
        r = check_keys(root, "", NULL, top_keys, ret_error);
        if (r < 0)
                return r;

        if (member_get(root, "format_version", &v)) {
                r = parse_uint(v, "format_version", INT_MAX, &u, ret_error);
                if (r < 0)
                        return r;
                if (u != HW_FORMAT_VERSION)
                        return fail(ret_error, "format_version", "unsupported version %" PRIu64 " (this forja reads %d)",
                                    u, HW_FORMAT_VERSION);
        }

        hw = calloc(1, sizeof(Hardware));
        if (!hw)
                return -ENOMEM;

        r = parse_array(root, "disks", disk_fields, sizeof(HwDisk), (void **) &hw->disks, &hw->n_disks, validate_disk,
                        ret_error);
        if (r < 0)
                return r;
        r = parse_array(root, "nics", nic_fields, sizeof(HwNic), (void **) &hw->nics, &hw->n_nics, validate_nic,
                        ret_error);
        if (r < 0)
                return r;
        r = check_unique_names(hw, ret_error);
        if (r < 0)
                return r;

        if (member_get(root, "firmware", &v)) {
                r = parse_firmware(v, hw, ret_error);
                if (r < 0)
                        return r;
        }
        if (member_get(root, "memory_bytes", &v)) {
                r = parse_uint(v, "memory_bytes", INT64_MAX, &hw->memory_bytes, ret_error);
                if (r < 0)
                        return r;
        }
        r = parse_section(root, "cpu", cpu_fields, &hw->cpu, ret_error);
        if (r < 0)
                return r;
        r = parse_section(root, "dmi", dmi_fields, &hw->dmi, ret_error);
        if (r < 0)
                return r;
        if (member_get(root, "dhcp", &v)) {
                r = hw_dhcp_from_json(v, "dhcp", &hw->dhcp, ret_error);
                if (r < 0)
                        return r;
        }
        if (member_get(root, "kernel_cmdline", &v) && v) {
                if (!json_object_is_type(v, json_type_string))
                        return fail(ret_error, "kernel_cmdline", "expected string or null");
                hw->kernel_cmdline = strdup(json_object_get_string(v));
                if (!hw->kernel_cmdline)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(hw);
        return 0;
}

/* Parses a JSON file; syntax errors are reported as FILE:LINE:COL: message. */
int hw_json_parse_file(const char *path, json_object **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, 0, &data, &size);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s: cannot read: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        return hw_json_parse_data(path, data, size, ret, ret_error);
}

int hw_json_parse_data(const char *path, const char *data, size_t size, json_object **ret, char **ret_error) {
        if (size > INT_MAX) {
                if (ret_error && asprintf(ret_error, "%s: too large", path) < 0)
                        *ret_error = NULL;
                return -EFBIG;
        }

        json_tokener *tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_object *o = json_tokener_parse_ex(tok, data, (int) size);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);

        if (o && jerr == json_tokener_success) {
                /* Only whitespace may follow the document. */
                for (size_t i = end; i < size; i++)
                        if (!strchr(" \t\r\n", data[i])) {
                                json_object_put(o);
                                o = NULL;
                                end = i;
                                break;
                        }
        }
        if (!o || jerr != json_tokener_success) {
                if (o)
                        json_object_put(o);
                unsigned line = 1, col = 1;
                for (size_t i = 0; i < end && i < size; i++) {
                        if (data[i] == '\n') {
                                line++;
                                col = 1;
                        } else
                                col++;
                }
                const char *why = jerr == json_tokener_continue ? "unexpected end of file"
                                : jerr != json_tokener_success ? json_tokener_error_desc(jerr)
                                : "unexpected data after the JSON document";
                if (ret_error && asprintf(ret_error, "%s:%u:%u: invalid JSON: %s", path, line, col, why) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        *ret = o;
        return 0;
}

int hardware_load_json(const char *path, Hardware **ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = hw_json_parse_file(path, &root, ret_error);
        if (r < 0)
                return r;
        r = hardware_from_json(root, ret, &err);
        if (r < 0 && ret_error && err && asprintf(ret_error, "%s: %s", path, err) < 0)
                *ret_error = NULL;
        return r;
}

int hw_dhcp_load_lease(const char *path, HwDhcp *ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = hw_json_parse_file(path, &root, ret_error);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_object)) {
                if (ret_error && asprintf(ret_error, "%s: expected a JSON object", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        r = hw_dhcp_from_json(root, "", ret, &err);
        if (r < 0 && ret_error && err && asprintf(ret_error, "%s: %s", path, err) < 0)
                *ret_error = NULL;
        return r;
}

/* ---- writing ---- */

static json_object *strv_to_json(char *const *l) {
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if (json_object_array_add(a, json_object_new_string(l[i])) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

static json_object *props_to_json(const HwProperty *props, size_t n) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (json_add_string(o, props[i].key, props[i].value) < 0) {
                        json_object_put(o);
                        return NULL;
                }
        return o;
}

static json_object *fields_to_json(const Field *fields, const void *base) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r = 0;

        if (!o)
                return NULL;
        for (const Field *f = fields; f->key && r >= 0; f++)
                switch (f->type) {
                case FIELD_STRING:
                        if (!f->omit_empty || *member(base, f, char *const))
                                r = json_add_string(o, f->key, *member(base, f, char *const));
                        break;
                case FIELD_BOOL:
                        r = json_add_bool(o, f->key, *member(base, f, const bool));
                        break;
                case FIELD_U64:
                        if (!f->omit_empty || *member(base, f, const uint64_t))
                                r = json_add_int(o, f->key, (int64_t) *member(base, f, const uint64_t));
                        break;
                case FIELD_U32:
                        r = json_add_int(o, f->key, *member(base, f, const uint32_t));
                        break;
                case FIELD_UINT:
                        r = json_add_int(o, f->key, *member(base, f, const unsigned));
                        break;
                case FIELD_STRV: {
                        json_object *a = strv_to_json(*member(base, f, char **const));
                        r = a ? json_add(o, f->key, a) : -ENOMEM;
                        break;
                }
                case FIELD_PROPS: {
                        json_object *p = props_to_json(*member(base, f, HwProperty *const),
                                                       *(const size_t *) ((const char *) base + f->n_offset));
                        r = p ? json_add(o, f->key, p) : -ENOMEM;
                        break;
                }
                }
        return r < 0 ? NULL : TAKE_PTR(o);
}

static bool dhcp_is_empty(const HwDhcp *d) {
        return !d->nic && !d->address && !d->gateway && hw_strv_length(d->dns) == 0 && !d->hostname && !d->domain;
}

json_object *hw_dhcp_to_json(const HwDhcp *dhcp) {
        return fields_to_json(dhcp_fields, dhcp);
}

static int add_array(json_object *root, const char *key, const Field *fields, const void *elems, size_t elem_size,
                     size_t n) {
        json_object *a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        int r = json_add(root, key, a);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *e = fields_to_json(fields, (const char *) elems + i * elem_size);
                if (!e || json_object_array_add(a, e) < 0)
                        return -ENOMEM;
        }
        return 0;
}

json_object *hardware_to_json(const Hardware *hw) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *fw;
        int r;

        if (!o || !hw)
                return NULL;
        if (json_add_int(o, "format_version", HW_FORMAT_VERSION) < 0 ||
            add_array(o, "disks", disk_fields, hw->disks, sizeof(HwDisk), hw->n_disks) < 0 ||
            add_array(o, "nics", nic_fields, hw->nics, sizeof(HwNic), hw->n_nics) < 0)
                return NULL;

        fw = json_object_new_object();
        if (!fw || json_add(o, "firmware", fw) < 0 ||
            json_add_string(fw, "mode", hw->uefi ? "uefi" : "bios") < 0 ||
            json_add_bool(fw, "secure_boot", hw->secure_boot) < 0 ||
            json_add_int(fw, "tpm_version", hw->tpm_version) < 0 ||
            json_add_int(o, "memory_bytes", (int64_t) hw->memory_bytes) < 0)
                return NULL;

        json_object *cpu = fields_to_json(cpu_fields, &hw->cpu);
        if (!cpu || json_add(o, "cpu", cpu) < 0)
                return NULL;
        json_object *dmi = fields_to_json(dmi_fields, &hw->dmi);
        if (!dmi || json_add(o, "dmi", dmi) < 0)
                return NULL;
        if (dhcp_is_empty(&hw->dhcp))
                r = json_add(o, "dhcp", NULL);
        else {
                json_object *d = hw_dhcp_to_json(&hw->dhcp);
                r = d ? json_add(o, "dhcp", d) : -ENOMEM;
        }
        if (r < 0 || json_add_string(o, "kernel_cmdline", hw->kernel_cmdline) < 0)
                return NULL;
        return TAKE_PTR(o);
}
