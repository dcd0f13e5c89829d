/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <blkid/blkid.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "fileio.h"
#include "http.h"
#include "json-out.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "mount-ro.h"
#include "strutil.h"
#include "config.h"
#include "answer-json.h"
#include "answer-reply.h"
#include "netinfo.h"
#include "source-internal.h"
#include "source.h"

#define ANSWER_MAX_SIZE (1u << 20)

void answer_cmdline_done(AnswerCmdline *c) {
        free(c->url);
        free(c->fingerprint);
        if (c->token)
                explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        *c = (AnswerCmdline) {};
}

void answer_fetched_done(AnswerFetched *f) {
        free(f->data);
        free(f->source);
        free(f->location);
        *f = (AnswerFetched) {};
}

int answer_cmdline_parse(const char *cmdline, AnswerCmdline *ret, char **ret_error) {
        AnswerCmdline c = {};
        const char *p = cmdline ?: "";
        int r = 0;

        for (;;) {
                _cleanup_free_ char *key = NULL, *value = NULL;
                r = kernel_cmdline_next(&p, &key, &value);
                if (r <= 0)
                        break;
                r = 0;
                if (!startswith(key, "forja.answer") && !streq(key, "forja.fetch-from"))
                        continue;
                const char *v = value ?: "";
                char **slot = NULL;
                if (streq(key, "forja.answer"))
                        slot = &c.url;
                else if (streq(key, "forja.answer-fingerprint"))
                        slot = &c.fingerprint;
                else if (streq(key, "forja.answer-token"))
                        slot = &c.token;
                else if (streq(key, "forja.answer-fallback")) {
                        if (!streq(v, "default")) {
                                error_setf(ret_error, "kernel command line: forja.answer-fallback=%s: the only value is \"default\"", v);
                                r = -EINVAL;
                        } else
                                c.fallback_default = true;
                } else if (streq(key, "forja.fetch-from")) {
                        /* Only the network needs enabling: a medium's or a partition's answer is always read. */
                        if (!streq(v, "http")) {
                                error_setf(ret_error, "kernel command line: forja.fetch-from=%s: the only value is \"http\" (DHCP/DNS answer discovery)", v);
                                r = -EINVAL;
                        } else
                                c.fetch_from_http = true;
                } else {
                        error_setf(ret_error, "kernel command line: unknown parameter '%s' (forja.answer, forja.answer-fingerprint, forja.answer-token, forja.answer-fallback)",
                                   key);
                        r = -EINVAL;
                }
                if (slot) {
                        if (!value) {
                                error_setf(ret_error, "kernel command line: %s needs a value (%s=...)", key, key);
                                r = -EINVAL;
                        } else {
                                free(*slot);
                                *slot = TAKE_PTR(value);
                        }
                }
                if (r < 0)
                        break;
        }
        if (r >= 0 && c.fingerprint) {
                char norm[96];
                if (http_normalize_fingerprint(c.fingerprint, norm) < 0) {
                        error_setf(ret_error, "kernel command line: forja.answer-fingerprint=%s: expected a SHA-256 fingerprint (64 hex digits, colons allowed)",
                                  c.fingerprint);
                        r = -EINVAL;
                }
        }
        if (r >= 0 && c.token)
                log_register_secret(c.token);
        if (r < 0) {
                answer_cmdline_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

const char *answer_management_mac(const Hardware *hw) {
        if (hw->dhcp.nic)
                for (size_t i = 0; i < hw->n_nics; i++)
                        if (streq(hw->nics[i].name, hw->dhcp.nic) && hw->nics[i].mac)
                                return hw->nics[i].mac;
        for (size_t i = 0; i < hw->n_nics; i++)
                if (hw->nics[i].link && hw->nics[i].mac)
                        return hw->nics[i].mac;
        return hw->n_nics > 0 ? hw->nics[0].mac : NULL;
}

typedef struct Text {
        char *s;
        size_t n, cap;
} Text;

static int text_add(Text *t, const char *s, size_t n) {
        if (t->n + n + 1 > t->cap) {
                size_t cap = MAX(t->cap * 2, t->n + n + 64);
                char *x = realloc(t->s, cap);
                if (!x)
                        return -ENOMEM;
                t->s = x;
                t->cap = cap;
        }
        memcpy(t->s + t->n, s, n);
        t->n += n;
        t->s[t->n] = 0;
        return 0;
}

/* Percent-encodes what may not stand in a URL path segment. */
static int text_add_escaped(Text *t, const char *s) {
        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:", ch)) {
                        if (text_add(t, s, 1) < 0)
                                return -ENOMEM;
                } else {
                        char esc[4];
                        snprintf(esc, sizeof esc, "%%%02X", ch);
                        if (text_add(t, esc, 3) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int answer_url_expand(const char *templ, const Hardware *hw, char **ret_url, char **ret_fallback, char **ret_error) {
        return answer_url_expand_full(templ, hw, hw->dhcp.hostname, ret_url, ret_fallback, ret_error);
}

int answer_url_expand_full(const char *templ, const Hardware *hw, const char *hostname,
                           char **ret_url, char **ret_fallback, char **ret_error) {
        Text url = {}, fallback = {};
        bool any = false;
        int r = 0;

        for (const char *p = templ; *p && r >= 0;) {
                if (*p != '{') {
                        size_t n = strcspn(p, "{");
                        r = text_add(&url, p, n);
                        if (r >= 0)
                                r = text_add(&fallback, p, n);
                        p += n;
                        continue;
                }
                const char *end = strchr(p, '}');
                if (!end) {
                        error_setf(ret_error, "%s: unclosed '{' in the answer URL", templ);
                        r = -EINVAL;
                        break;
                }
                _cleanup_free_ char *name = strndup(p + 1, end - p - 1);
                const char *value;
                if (!name) {
                        r = -ENOMEM;
                        break;
                }
                if (streq(name, "mac"))
                        value = answer_management_mac(hw);
                else if (streq(name, "serial"))
                        value = hw->dmi.system_serial;
                else if (streq(name, "uuid"))
                        value = hw->dmi.system_uuid;
                else if (streq(name, "hostname"))
                        value = hostname;
                else {
                        error_setf(ret_error, "%s: unknown placeholder {%s} (known: {mac}, {serial}, {uuid}, {hostname})", templ, name);
                        r = -EINVAL;
                        break;
                }
                if (!value || !*value) {
                        error_setf(ret_error, "%s: no value for {%s} on this machine (%s)", templ, name,
                                  streq(name, "mac") ? "no network interface found" :
                                  streq(name, "hostname") ? "DHCP offered no host name" : "the firmware reports none");
                        r = -ENXIO;
                        break;
                }
                r = text_add_escaped(&url, value);
                if (r >= 0)
                        r = text_add(&fallback, "default", 7);
                any = true;
                p = end + 1;
        }
        if (r < 0) {
                free(url.s);
                free(fallback.s);
                return r;
        }
        *ret_url = url.s ?: strdup("");
        if (ret_fallback)
                *ret_fallback = any ? fallback.s : NULL;
        if (!ret_fallback || !any)
                free(fallback.s);
        return *ret_url ? 0 : -ENOMEM;
}

int answer_fetch_http(const char *url, const char *fingerprint, const char *token, const char *post_json,
                      const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_error) {
        HttpRequest req = {
                .url = url,
                .body = post_json,
                .body_size = post_json ? strlen(post_json) : 0,
                .content_type = post_json ? "application/json" : NULL,
                .fingerprint = fingerprint,
                .bearer_token = token,
                .attempts = o->attempts ?: 5,
                .backoff_ms = o->backoff_ms,
                .timeout_sec = o->timeout_sec,
                .max_size = ANSWER_MAX_SIZE,
        };
        HttpResponse resp = {};
        int r = http_request(&req, &resp, ret_error);
        /* HTML refused, JSON rewritten as TOML (answer-reply.h). */
        if (r >= 0)
                r = answer_reply_decode(url, resp.content_type, resp.body, resp.size, &ret->data, &ret->size,
                                        &ret->json, ret_error);
        http_response_done(&resp);
        return r;
}

static int read_answer_file(const char *path, AnswerFetched *ret, char **ret_error) {
        int r = read_full_file(path, ANSWER_MAX_SIZE, &ret->data, &ret->size);
        if (r < 0)
                error_setf(ret_error, "%s: %s", path, r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
        return r;
}

/* The device whose filesystem label is label, looked up as Proxmox's
 * installer does: the label as given, then in upper case, then in lower case,
 * each compared exactly. */
static int find_partition_by_label(const char *label, char *const *devices, char **ret_dev, char **ret_type) {
        _cleanup_free_ char *upper = strdup(label), *lower = strdup(label);
        if (!upper || !lower)
                return -ENOMEM;
        for (char *p = upper; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        for (char *p = lower; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        const char *order[] = { label, upper, lower };

        blkid_cache cache = NULL;
        if (blkid_get_cache(&cache, "/dev/null") < 0)
                return -ENOMEM;
        if (devices)
                for (char *const *d = devices; *d; d++)
                        (void) blkid_get_dev(cache, *d, BLKID_DEV_NORMAL);
        else
                blkid_probe_all(cache);

        int r = -ENOENT;
        for (size_t i = 0; r == -ENOENT && i < ELEMENTSOF(order); i++) {
                blkid_dev_iterate it = blkid_dev_iterate_begin(cache);
                blkid_dev dev;
                while (it && blkid_dev_next(it, &dev) == 0) {
                        const char *name = blkid_dev_devname(dev);
                        _cleanup_free_ char *l = blkid_get_tag_value(cache, "LABEL", name);
                        if (l && streq(l, order[i])) {
                                *ret_dev = strdup(name);
                                *ret_type = blkid_get_tag_value(cache, "TYPE", name);
                                r = *ret_dev ? 0 : -ENOMEM;
                                break;
                        }
                }
                blkid_dev_iterate_end(it);
        }
        blkid_put_cache(cache);
        return r;
}

/* Mounts the partition read-only (the device set read-only, no journal
 * replay, so not one byte of it changes), reads answer.toml and unmounts. */
static int fetch_partition(const char *label, char *const *devices, bool dry_run, AnswerFetched *ret,
                           char **ret_error) {
        _cleanup_free_ char *dev = NULL, *type = NULL;
        int r = find_partition_by_label(label, devices, &dev, &type);
        if (r < 0) {
                error_setf(ret_error, "no partition labelled %s (tried as given, upper and lower case)", label);
                return r;
        }
        if (asprintf(&ret->location, "%s:/answer.toml", dev) < 0)
                return -ENOMEM;
        if (dry_run)
                return 0;
        char dir[] = "/tmp/forja-answer-part.XXXXXX";
        if (!mkdtemp(dir))
                return negative_errno();
        ReadOnlyMount m;
        r = mount_read_only(dev, type, dir, &m);
        if (r < 0) {
                error_setf(ret_error, "%s (label %s): cannot mount %s read-only: %s", dev, label, strempty(type), strerror(-r));
                rmdir(dir);
                return r;
        }
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/answer.toml", dir) < 0)
                r = -ENOMEM;
        else
                r = read_answer_file(path, ret, ret_error);
        mount_read_only_undo(&m);
        rmdir(dir);
        return r;
}

/* The URL of the kernel command line (ANSWER_ORIGIN_CMDLINE) or of a medium
 * prepared --fetch-from http --url (ANSWER_ORIGIN_MEDIUM), in c->url. The
 * medium's URL is sent a POST of the system info, as Proxmox's
 * proxmox-fetch-answer does with --url (Proxmox Datacenter Manager answers
 * nothing else); forja.answer= is a GET. */
static int fetch_named(AnswerOrigin from, const AnswerCmdline *c, const Hardware *hw, const char *hostname,
                       const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_error) {
        bool medium = from == ANSWER_ORIGIN_MEDIUM;
        const char *origin = medium ? "install medium (fetch-from http)" : "kernel command line";
        const char *v;
        int r;

        if ((v = startswith(c->url, "partition:"))) {
                if (asprintf(&ret->source, "%s: partition labelled %s", origin, v) < 0)
                        return -ENOMEM;
                return fetch_partition(v, o->scan_devices, o->dry_run, ret, ret_error);
        }
        if ((v = startswith(c->url, "file:"))) {
                if (!o->medium_dir) {
                        error_setf(ret_error, "forja.answer=%s: no install medium is mounted", c->url);
                        return -ENOENT;
                }
                while (*v == '/')
                        v++;
                if (asprintf(&ret->location, "%s/%s", o->medium_dir, v) < 0 ||
                    asprintf(&ret->source, "%s: %s on the install medium", origin, c->url) < 0)
                        return -ENOMEM;
                return o->dry_run ? 0 : read_answer_file(ret->location, ret, ret_error);
        }
        if (!startswith(c->url, "http://") && !startswith(c->url, "https://")) {
                error_setf(ret_error, "forja.answer=%s: expected http://, https://, file:PATH or partition:LABEL", c->url);
                return -EINVAL;
        }
        r = answer_request_check(&(AnswerSetting) { c->url, from, medium ? "install medium: url" : "forja.answer=" },
                                 &(AnswerSetting) { c->fingerprint, from,
                                                    medium ? "install medium: cert-fingerprint" :
                                                             "kernel command line: forja.answer-fingerprint=" },
                                 &(AnswerSetting) { c->token, from,
                                                    medium ? "install medium: answer-auth-token" :
                                                             "kernel command line: forja.answer-token=" },
                                 ret_error);
        if (r < 0)
                return r;

        _cleanup_free_ char *url = NULL, *fallback = NULL;
        r = answer_url_expand_full(c->url, hw, hostname, &url, &fallback, ret_error);
        if (r < 0)
                return r;
        if (asprintf(&ret->source, "%s: %s", origin, url) < 0)
                return -ENOMEM;
        ret->location = strdup(url);
        if (o->dry_run)
                return 0;
        _cleanup_free_ char *body = NULL;
        if (medium && (r = answer_system_info_body(url, hw, &body)) < 0)
                return r;
        r = answer_fetch_http(url, c->fingerprint, c->token, body, o, ret, ret_error);
        if (r == -ENOENT && c->fallback_default && fallback) {
                log_notice("%s: not found, trying the fallback %s.", url, fallback);
                free(ret->location);
                ret->location = strdup(fallback);
                free(ret->source);
                if (asprintf(&ret->source, "%s: %s (fallback for %s)", origin, fallback, url) < 0)
                        return -ENOMEM;
                r = answer_fetch_http(fallback, c->fingerprint, c->token, body, o, ret, ret_error);
        }
        return r;
}

int answer_fetch(const AnswerFetchOptions *o, const Hardware *hw, AnswerFetched *ret, char **ret_error) {
        _cleanup_free_ char *proc_cmdline = NULL;
        const char *cmdline = o->cmdline;
        _cleanup_(answer_cmdline_done) AnswerCmdline c = {};
        AnswerFetched f = {};
        _cleanup_(netinfo_done) NetInfo net = {};
        _cleanup_(answer_medium_fetch_done) AnswerMediumFetch medium = {};
        _cleanup_free_ char *net_error = NULL, *tried = NULL;
        int r;

        /* The network setup's findings: {hostname}, option 250, search domains.
         * Unreadable net files only cost the network sources. */
        if (netinfo_load(o->net_dir, &net, &net_error) < 0)
                net = (NetInfo) {};
        const char *hostname = netinfo_hostname(&net) ?: hw->dhcp.hostname;

        if (!cmdline)
                cmdline = hw->kernel_cmdline;
        if (!cmdline && read_one_line_file("/proc/cmdline", &proc_cmdline) >= 0)
                cmdline = proc_cmdline;

        r = answer_cmdline_parse(cmdline, &c, ret_error);
        if (r < 0)
                return r;

        if (c.url) {
                /* A named source is final: it never falls through to another. */
                r = fetch_named(ANSWER_ORIGIN_CMDLINE, &c, hw, hostname, o, &f, ret_error);
                answer_cmdline_done(&c);
                goto done;
        }

        /* The answer source the medium was prepared with. */
        r = answer_medium_fetch_load(o->medium_dir, &medium, ret_error);
        if (r < 0)
                return r;
        if (medium.from == ANSWER_FETCH_FROM_HTTP && medium.url) {
                AnswerCmdline named = { .url = medium.url, .fingerprint = medium.fingerprint, .token = medium.token };
                r = fetch_named(ANSWER_ORIGIN_MEDIUM, &named, hw, hostname, o, &f, ret_error);
                goto done;
        }
        if (medium.from == ANSWER_FETCH_FROM_PARTITION) {
                /* Named by the medium, so final like the command line's
                 * partition:LABEL: the only way to the proxmox-ais label. */
                if (asprintf(&f.source, "install medium (fetch-from partition): partition labelled %s",
                             medium.partition_label) < 0)
                        return -ENOMEM;
                r = fetch_partition(medium.partition_label, o->scan_devices, o->dry_run, &f, ret_error);
                goto done;
        }

        if (o->medium_dir) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/answer.toml", o->medium_dir) < 0)
                        return -ENOMEM;
                if (access(path, F_OK) == 0) {
                        answer_cmdline_done(&c);
                        f.source = strdup("install medium");
                        f.location = TAKE_PTR(path);
                        r = o->dry_run ? 0 : read_answer_file(f.location, &f, ret_error);
                        goto done;
                }
        }

        /* Proxmox-compatible network discovery, only where the kernel command
         * line or the medium enabled it; a pin and a token from the command
         * line or the medium are the owner's. */
        bool discovery = (c.fetch_from_http || medium.from == ANSWER_FETCH_FROM_HTTP) && !o->no_network_discovery;
        if (discovery) {
                /* The owner's pin and token: the command line's, else the medium's (source-trust.h). */
                AnswerCredentials cred = {
                        .fingerprint = c.fingerprint ?
                                (AnswerSetting) { c.fingerprint, ANSWER_ORIGIN_CMDLINE, "kernel command line: forja.answer-fingerprint=" } :
                                (AnswerSetting) { medium.fingerprint, ANSWER_ORIGIN_MEDIUM, "install medium" },
                        .token = c.token ?
                                (AnswerSetting) { c.token, ANSWER_ORIGIN_CMDLINE, "kernel command line: forja.answer-token=" } :
                                (AnswerSetting) { medium.token, ANSWER_ORIGIN_MEDIUM, "install medium: answer-auth-token" },
                };
                r = answer_fetch_network(&net, hw, &cred, o, &f, &tried, ret_error);
                if (r < 0)
                        goto done;
                if (f.source) {
                        f.discovered = true;
                        goto done;
                }
        } else {
                for (size_t i = 0; i < net.n; i++)
                        if (net.ifaces[i].opt250 && *net.ifaces[i].opt250)
                                (void) strextendf_with_separator(&tried, ", ", "DHCP option 250 on %s ignored", net.ifaces[i].iface);
                (void) strextendf_with_separator(&tried, ": ", "%s",
                                                 o->no_network_discovery ? "network discovery is off for the interactive installer" :
                                                 "network discovery is off (enable it with forja.fetch-from=http on the kernel command line or a medium made by forja iso prepare --fetch-from http)");
        }

        error_setf(ret_error, "no answer found: no forja.answer= on the kernel command line, %s, %s%s%s",
                  o->medium_dir ? "no answer.toml on the install medium" : "no install medium",
                  tried ?: "no DHCP option 250 and no search domain for DNS TXT " DNS_TXT_URL_PREFIX ".DOMAIN",
                  net_error ? "; the network setup's files could not be read: " : "", strempty(net_error));
        return -ENOENT;

done:
        if (r < 0) {
                answer_fetched_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

json_object *answer_system_info_for(const char *url, const Hardware *hw) {
        json_object *root = machine_identity_json(hw);
        if (!root || !http_url_is_proxmox_api(url))
                return root;
        json_object_object_del(root, "forja");
        json_object *nics = json_get(root, "network_interfaces");
        for (size_t i = 0; i < json_object_array_length(nics); i++)
                json_object_object_del(json_object_array_get_idx(nics, i), "carrier");
        return root;
}
