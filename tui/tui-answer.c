/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From the installer's fields to answer TOML, and the answer schema's
 * findings back to the fields. The TUI has no validation rules of its own:
 * whatever the parser, the resolver or the plan builder says about a key is
 * shown beside the field that wrote that key. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "plan.h"
#include "tui-internal.h"

typedef struct Builder {
        FILE *f;
        char *buf;
        size_t size;
        TuiField *lines;
        size_t n_lines;
        bool oom;
} Builder;

static void line_owner(Builder *b, TuiField field) {
        TuiField *l = realloc(b->lines, (b->n_lines + 1) * sizeof(TuiField));
        if (!l) {
                b->oom = true;
                return;
        }
        b->lines = l;
        l[b->n_lines++] = field;
}

_printf_(3, 4) static void emit(Builder *b, TuiField field, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        vfprintf(b->f, format, ap);
        va_end(ap);
        fputc('\n', b->f);
        line_owner(b, field);
}

/* A TOML basic string. */
static void put_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\u%04X", *p);
                else
                        fputc(*p, f);
        fputc('"', f);
}

static void emit_string(Builder *b, TuiField field, const char *key, const char *value) {
        fprintf(b->f, "%s = ", key);
        put_string(b->f, value);
        emit(b, field, "%s", "");
}

/* Sizes are written as typed: the TOML parser decides whether they are numbers. */
static void emit_number(Builder *b, TuiField field, const char *key, const char *typed) {
        size_t n = strlen(typed);
        while (n > 0 && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
                n--;
        while (n > 0 && (*typed == ' ' || *typed == '\t'))
                typed++, n--;
        if (n > 0)
                emit(b, field, "%s = %.*s", key, (int) n, typed);
}

/* The value of a field, or a placeholder when it belongs to a later screen
 * and is still empty. */
static const char *value(const TuiForm *f, TuiScreen upto, TuiField field, const char *placeholder) {
        const char *v = tui_form_get(f, field);
        if (!*v && tui_field_screen(field) > upto && placeholder)
                return placeholder;
        return v;
}

static const char *nic_filter_key(const HwNic *nic, const char **ret_value) {
        static const char *const keys[] = { "ID_NET_NAME_MAC", "INTERFACE" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *v = hw_property_get(nic->props, nic->n_props, keys[i]);
                if (v) {
                        *ret_value = v;
                        return keys[i];
                }
        }
        /* No udev properties (a hardware description without them): the
         * resolver reports that the filter matches nothing. */
        *ret_value = nic->name;
        return "INTERFACE";
}

static void build_global(Builder *b, const TuiForm *f, TuiScreen upto) {
        emit(b, F_NONE, "[global]");
        emit_string(b, F_KEYBOARD, "keyboard", value(f, upto, F_KEYBOARD, "en-us"));
        emit_string(b, F_COUNTRY, "country", value(f, upto, F_COUNTRY, "us"));
        emit_string(b, F_FQDN, "fqdn", value(f, upto, F_FQDN, "forja.localdomain"));
        emit_string(b, F_MAILTO, "mailto", value(f, upto, F_MAILTO, "root@localhost"));
        emit_string(b, F_TIMEZONE, "timezone", value(f, upto, F_TIMEZONE, "UTC"));
        emit_string(b, F_PASSWORD, "root-password", value(f, upto, F_PASSWORD, "placeholder"));
        const char *key = tui_form_get(f, F_SSHKEY);
        if (*key) {
                fputs("root-ssh-keys = [", b->f);
                put_string(b->f, key);
                emit(b, F_SSHKEY, "]");
        }
}

static void build_network(Builder *b, const TuiForm *f, TuiScreen upto) {
        emit(b, F_NONE, "%s", "");
        emit(b, F_NONE, "[network]");
        if (f->dhcp || f->hw->n_nics == 0) {
                emit_string(b, F_DHCP, "source", "from-dhcp");
                return;
        }
        emit_string(b, F_DHCP, "source", "from-answer");
        emit_string(b, F_CIDR, "cidr", value(f, upto, F_CIDR, "192.168.100.2/24"));
        emit_string(b, F_GATEWAY, "gateway", value(f, upto, F_GATEWAY, "192.168.100.1"));
        emit_string(b, F_DNS, "dns", value(f, upto, F_DNS, "192.168.100.1"));
        const char *v, *k = nic_filter_key(&f->hw->nics[MIN(f->nic, f->hw->n_nics - 1)], &v);
        _cleanup_free_ char *fk = NULL;
        if (asprintf(&fk, "filter.%s", k) < 0) {
                b->oom = true;
                return;
        }
        emit_string(b, F_NIC, fk, v);
}

static void build_disks(Builder *b, const TuiForm *f) {
        emit(b, F_NONE, "%s", "");
        emit(b, F_NONE, "[disk-setup]");
        emit_string(b, F_FS, "filesystem", tui_fs_names[f->fs]);
        fputs("disk-list = [", b->f);
        bool first = true;
        for (size_t i = 0; i < f->hw->n_disks; i++)
                if (f->disk_selected[i]) {
                        fputs(first ? "" : ", ", b->f);
                        put_string(b->f, f->hw->disks[i].name);
                        first = false;
                }
        emit(b, F_DISKS, "]");
        if (f->raid != TUI_RAID_NONE)
                emit_string(b, F_RAID, f->fs == TUI_FS_BTRFS ? "btrfs.raid" : "raid", tui_raid_names[f->raid]);
        if (f->encrypt) {
                emit(b, F_ENCRYPT, "encrypt = true");
                emit_string(b, F_PASSPHRASE, "encrypt-passphrase", tui_form_get(f, F_PASSPHRASE));
        }
        /* Btrfs has only hdsize; the other sizes are LVM's, and the schema
         * says so when they are given with Btrfs. */
        emit_number(b, F_HDSIZE, f->fs == TUI_FS_BTRFS ? "btrfs.hdsize" : "lvm.hdsize", tui_form_get(f, F_HDSIZE));
        emit_number(b, F_SWAPSIZE, "lvm.swapsize", tui_form_get(f, F_SWAPSIZE));
        emit_number(b, F_MAXROOT, "lvm.maxroot", tui_form_get(f, F_MAXROOT));
        emit_number(b, F_MINFREE, "lvm.minfree", tui_form_get(f, F_MINFREE));
        emit_number(b, F_MAXVZ, "lvm.maxvz", tui_form_get(f, F_MAXVZ));
}

static void build_cluster(Builder *b, const TuiForm *f, TuiScreen upto) {
        static const char *const modes[_TUI_CLUSTER_MAX] = { "standalone", "bootstrap", "join" };
        if (f->cluster == TUI_CLUSTER_STANDALONE)
                return;
        emit(b, F_NONE, "%s", "");
        emit(b, F_NONE, "[cluster]");
        emit_string(b, F_CLUSTER_MODE, "mode", modes[f->cluster]);
        if (f->cluster == TUI_CLUSTER_JOIN)
                emit_string(b, F_TOKEN, "token", tui_form_get(f, F_TOKEN));
        if (*tui_form_get(f, F_SERVER_NAME))
                emit_string(b, F_SERVER_NAME, "server-name", tui_form_get(f, F_SERVER_NAME));
        if (f->cluster == TUI_CLUSTER_JOIN && !f->verify)
                emit(b, F_VERIFY, "verify = false");
}

static void build_checks(Builder *b, const TuiForm *f) {
        if (!f->waive || !f->waive[0])
                return;
        emit(b, F_NONE, "%s", "");
        emit(b, F_NONE, "[checks]");
        fputs("waive = [", b->f);
        for (size_t i = 0; f->waive[i]; i++) {
                fputs(i > 0 ? ", " : "", b->f);
                put_string(b->f, f->waive[i]);
        }
        emit(b, F_WAIVE, "]");
}

int tui_answer_build(const TuiForm *f, TuiScreen upto, char **ret_text, TuiField **ret_lines, size_t *ret_n_lines) {
        Builder b = {};
        b.f = open_memstream(&b.buf, &b.size);
        if (!b.f)
                return -ENOMEM;
        emit(&b, F_NONE, "# forja answer file, written by the text-mode installer (docs/answer-file.md)");
        build_global(&b, f, upto);
        build_network(&b, f, upto);
        build_disks(&b, f);
        build_cluster(&b, f, upto);
        build_checks(&b, f);
        if (fclose(b.f) != 0 || b.oom) {
                free(b.buf);
                free(b.lines);
                return -ENOMEM;
        }
        *ret_text = b.buf;
        if (ret_lines)
                *ret_lines = b.lines;
        else
                free(b.lines);
        if (ret_n_lines)
                *ret_n_lines = b.n_lines;
        return 0;
}

int tui_check(const TuiForm *f, TuiScreen upto, const char *answer_name, TuiCheck *ret) {
        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_free_ TuiField *lines = NULL;
        size_t n_lines = 0;
        int r;

        *ret = (TuiCheck) { .first_bad = _TUI_SCREEN_MAX };
        r = tui_answer_build(f, upto, &ret->text, &lines, &n_lines);
        if (r < 0)
                return r;
        r = plan_make(ret->text, strlen(ret->text), answer_name, f->hw, &ret->answer, &ret->plan, &d);
        if (r == -ENOMEM || d.oom)
                return -ENOMEM;
        answer_diags_sort(&d);
        for (size_t i = 0; i < d.n; i++) {
                const AnswerDiag *g = &d.items[i];
                if (g->severity != ANSWER_ERROR)
                        continue;
                TuiField field = tui_key_field(g->key);
                if (field == F_NONE && g->pos.line > 0 && (size_t) g->pos.line <= n_lines)
                        field = lines[g->pos.line - 1];
                TuiScreen s = tui_field_screen(field);
                if (s < ret->first_bad)
                        ret->first_bad = s;
                if (ret->error[field])
                        continue;
                /* A syntax error has no key: the field's own key names it. */
                const char *key = g->key && *g->key ? g->key : tui_field_key(field);
                if (!(ret->error[field] = strdup(g->message)) || (key && !(ret->key[field] = strdup(key))))
                        return -ENOMEM;
        }
        /* An error the findings could not place still stops the install. */
        if (r < 0 && ret->first_bad == _TUI_SCREEN_MAX) {
                ret->first_bad = TUI_SUMMARY;
                if (!ret->error[F_NONE] && !(ret->error[F_NONE] = strdup(strerror(-r))))
                        return -ENOMEM;
        }
        return 0;
}

void tui_check_done(TuiCheck *c) {
        if (c->text) {
                explicit_bzero(c->text, strlen(c->text));
                free(c->text);
        }
        answer_free(c->answer);
        json_object_put(c->plan);
        for (TuiField i = 0; i < _F_MAX; i++) {
                free(c->error[i]);
                free(c->key[i]);
        }
        *c = (TuiCheck) { .first_bad = _TUI_SCREEN_MAX };
}

int tui_plan_text(json_object *plan, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        int r = plan_print_text(f, plan);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

void tui_format_gib(char *buf, size_t size, uint64_t bytes) {
        snprintf(buf, size, "%.2f GiB", bytes / 1073741824.0);
}
