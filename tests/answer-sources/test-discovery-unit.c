/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pieces of the Proxmox-compatible answer discovery that need no network:
 * the installer environment's net files (netinfo.c), DNS names and TXT
 * replies (dns-txt.c), and JSON answers rewritten as TOML (answer-json.c). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answer-json.h"
#include "dns-txt.h"
#include "fileio.h"
#include "macro.h"
#include "netinfo.h"
#include "testlib.h"

static void test_iface_parse(void) {
        NetIface i = {};
        char *err = NULL;
        const char *text =
                "IFACE=eno2\n"
                "MAC=3c:ec:ef:aa:10:02\n"
                "SOURCE=dhcp\n"
                "ADDRESS=10.1.2.3/24\n"
                "GATEWAY=10.1.2.1\n"
                "DNS=10.1.2.1  10.1.2.2\n"
                "DOMAIN=lab.example\r\n"
                "\n"
                "# a comment\n"
                "SEARCH=lab.example example.org\n"
                "HOSTNAME=node7\n"
                "OPT250=https://answers.lab.example/answer\n"
                "OPT251=AA:BB\n"
                "FUTURE_KEY=ignored\n";
        CHECK_INTEQ(net_iface_parse(text, "/x/eno2.env", &i, &err), 0);
        CHECK_STREQ(i.iface, "eno2");
        CHECK_STREQ(i.mac, "3c:ec:ef:aa:10:02");
        CHECK_STREQ(i.source, "dhcp");
        CHECK_STREQ(i.address, "10.1.2.3/24");
        CHECK_STREQ(i.gateway, "10.1.2.1");
        CHECK(i.dns && i.dns[0] && i.dns[1] && !i.dns[2]);
        CHECK_STREQ(i.dns[0], "10.1.2.1");
        CHECK_STREQ(i.dns[1], "10.1.2.2");
        CHECK_STREQ(i.domain, "lab.example");
        CHECK_STREQ(i.search[0], "lab.example");
        CHECK_STREQ(i.search[1], "example.org");
        CHECK(!i.search[2]);
        CHECK_STREQ(i.hostname, "node7");
        CHECK_STREQ(i.opt250, "https://answers.lab.example/answer");
        CHECK_STREQ(i.opt251, "AA:BB");
        net_iface_done(&i);

        /* Missing keys are absent; the interface name comes from the file name. */
        CHECK_INTEQ(net_iface_parse("SOURCE=static\nADDRESS=192.0.2.5/24\n", "/run/forja/net/enp1s0.env", &i, &err), 0);
        CHECK_STREQ(i.iface, "enp1s0");
        CHECK(!i.hostname && !i.dns && !i.search && !i.opt250 && !i.opt251 && !i.domain);
        net_iface_done(&i);

        /* A value may hold '=' (URLs with a query). */
        CHECK_INTEQ(net_iface_parse("OPT250=http://h/a?mac=1&x=2\n", "e.env", &i, &err), 0);
        CHECK_STREQ(i.opt250, "http://h/a?mac=1&x=2");
        net_iface_done(&i);

        CHECK_INTEQ(net_iface_parse("IFACE=eno1\nthis is not a pair\n", "eno1.env", &i, &err), -EINVAL);
        CHECK_STREQ(err, "eno1.env:2: expected KEY=VALUE, got 'this is not a pair'");
        free(err);
        err = NULL;
        CHECK_INTEQ(net_iface_parse("=x\n", "eno1.env", &i, &err), -EINVAL);
        free(err);
}

static void write_text(const char *dir, const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        CHECK_INTEQ(write_file_atomic(path, text, strlen(text), 0644), 0);
}

static void test_netinfo_load(void) {
        char dir[] = "/tmp/forja-netinfo.XXXXXX";
        NetInfo n = {};
        char *err = NULL;

        CHECK(mkdtemp(dir) != NULL);
        /* Read in name order; the second interface has no host name. */
        write_text(dir, "eno2.env", "IFACE=eno2\nHOSTNAME=node7\nSEARCH=b.example a.example\nDOMAIN=b.example.\nDNS=10.0.0.53\n");
        write_text(dir, "eno1.env", "IFACE=eno1\nDOMAIN=C.example\n");
        write_text(dir, "notes.txt", "not an env file\n");
        CHECK_INTEQ(netinfo_load(dir, &n, &err), 0);
        CHECK_INTEQ(n.n, 2);
        CHECK_STREQ(n.ifaces[0].iface, "eno1");
        CHECK_STREQ(n.ifaces[1].iface, "eno2");
        CHECK_STREQ(netinfo_hostname(&n), "node7");
        char **d = netinfo_domains(&n);
        CHECK(d != NULL);
        /* SEARCH entries first, then DOMAIN ones, deduplicated, trailing dot dropped. */
        CHECK_STREQ(d[0], "b.example");
        CHECK_STREQ(d[1], "a.example");
        CHECK_STREQ(d[2], "C.example");
        CHECK(d[3] == NULL);
        strv_free(d);
        netinfo_done(&n);

        /* FORJA_NET_DIR is the default directory; a missing one is no interfaces. */
        setenv("FORJA_NET_DIR", dir, 1);
        CHECK_INTEQ(netinfo_load(NULL, &n, &err), 0);
        CHECK_INTEQ(n.n, 2);
        netinfo_done(&n);
        unsetenv("FORJA_NET_DIR");
        CHECK_INTEQ(netinfo_load("/nonexistent/forja-net", &n, &err), 0);
        CHECK_INTEQ(n.n, 0);
        CHECK(netinfo_hostname(&n) == NULL);
        netinfo_done(&n);

        write_text(dir, "eno3.env", "garbage\n");
        CHECK_INTEQ(netinfo_load(dir, &n, &err), -EINVAL);
        CHECK(err && strstr(err, "eno3.env:1: expected KEY=VALUE"));
        free(err);

        char cmd[600];
        snprintf(cmd, sizeof cmd, "%s/eno1.env", dir); unlink(cmd);
        snprintf(cmd, sizeof cmd, "%s/eno2.env", dir); unlink(cmd);
        snprintf(cmd, sizeof cmd, "%s/eno3.env", dir); unlink(cmd);
        snprintf(cmd, sizeof cmd, "%s/notes.txt", dir); unlink(cmd);
        rmdir(dir);
}

static void test_dns_name(void) {
        char *s = NULL;
        CHECK_INTEQ(dns_txt_name(DNS_TXT_URL_PREFIX, "lab.example", &s), 0);
        CHECK_STREQ(s, "proxmox-auto-installer.lab.example");
        free(s);
        CHECK_INTEQ(dns_txt_name(DNS_TXT_FINGERPRINT_PREFIX, "lab.example.", &s), 0);
        CHECK_STREQ(s, "proxmox-auto-installer-cert-fingerprint.lab.example");
        free(s);
        CHECK_INTEQ(dns_txt_name(DNS_TXT_URL_PREFIX, "", &s), -EINVAL);
        CHECK_INTEQ(dns_txt_name(DNS_TXT_URL_PREFIX, ".", &s), -EINVAL);
        CHECK_INTEQ(dns_txt_name(DNS_TXT_URL_PREFIX, "a..b", &s), -EINVAL);
        char label[70];
        memset(label, 'x', 64);
        strcpy(label + 64, ".org");
        CHECK_INTEQ(dns_txt_name(DNS_TXT_URL_PREFIX, label, &s), -EINVAL);
}

/* A DNS reply by hand: header, the question, then answers (name compressed
 * to the question at offset 12). */
static size_t put_reply(unsigned char *m, unsigned ancount, const unsigned char *answers, size_t alen) {
        static const unsigned char head[] = {
                0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                /* question: x.example TXT IN */
                1, 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0x00, 0x10, 0x00, 0x01,
        };
        memcpy(m, head, sizeof head);
        m[7] = (unsigned char) ancount;
        memcpy(m + sizeof head, answers, alen);
        return sizeof head + alen;
}

static void test_dns_parse(void) {
        unsigned char m[512];
        char **txt = NULL;
        /* Two TXT records; the first split in two character strings, then an A record. */
        static const unsigned char answers[] = {
                0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 60, 0x00, 26,
                13, 'h', 't', 't', 'p', ':', '/', '/', '1', '0', '.', '0', '.', '0',
                11, '.', '1', '/', 'a', 'n', 's', 'w', 'e', 'r', '?', 'x',
                0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 4, 10, 0, 0, 1,
                0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 60, 0x00, 4,
                3, 'a', 'b', 'c',
        };
        size_t n = put_reply(m, 3, answers, sizeof answers);
        CHECK_INTEQ(dns_txt_parse(m, (int) n, &txt), 0);
        CHECK_STREQ(txt[0], "http://10.0.0.1/answer?x");
        CHECK_STREQ(txt[1], "abc");
        CHECK(txt[2] == NULL);
        strv_free(txt);
        txt = NULL;

        /* Only an A record: no TXT. */
        n = put_reply(m, 1, answers + 38, 16);
        CHECK_INTEQ(dns_txt_parse(m, (int) n, &txt), -ENOENT);

        /* A character string longer than the record. */
        static const unsigned char bad[] = {
                0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 60, 0x00, 3, 9, 'a', 'b',
        };
        n = put_reply(m, 1, bad, sizeof bad);
        CHECK_INTEQ(dns_txt_parse(m, (int) n, &txt), -EBADMSG);
        /* Truncated message. */
        CHECK_INTEQ(dns_txt_parse(m, 5, &txt), -EBADMSG);
}

static void test_json_answer(void) {
        const char *json =
                "{ \"global\": { \"keyboard\": \"de\", \"country\": \"at\", \"fqdn\": \"n1.example\",\n"
                "  \"mailto\": \"a@b\", \"timezone\": \"Europe/Vienna\", \"root-password\": \"q\\\"x\\\\\" },\n"
                "  \"network\": { \"source\": \"from-dhcp\", \"filter\": { \"ID_NET_NAME_MAC\": \"*3c*\" } },\n"
                "  \"disk-setup\": { \"filesystem\": \"ext4\", \"disk-list\": [\"sda\"], \"lvm\": { \"swapsize\": 1.5, \"maxroot\": 20 } } }\n";
        char *toml = NULL, *err = NULL;
        size_t size = 0;
        CHECK(answer_is_json(json, strlen(json)));
        CHECK(!answer_is_json("[global]\n", 9));
        CHECK(!answer_is_json("  \n", 3));
        CHECK_INTEQ(answer_json_to_toml(json, strlen(json), &toml, &size, &err), 0);
        CHECK_STREQ(toml,
                "# converted from the JSON answer the server sent\n"
                "\n[\"global\"]\n"
                "\"keyboard\" = \"de\"\n"
                "\"country\" = \"at\"\n"
                "\"fqdn\" = \"n1.example\"\n"
                "\"mailto\" = \"a@b\"\n"
                "\"timezone\" = \"Europe/Vienna\"\n"
                "\"root-password\" = \"q\\\"x\\\\\"\n"
                "\n[\"network\"]\n"
                "\"source\" = \"from-dhcp\"\n"
                "\"filter\" = { \"ID_NET_NAME_MAC\" = \"*3c*\" }\n"
                "\n[\"disk-setup\"]\n"
                "\"filesystem\" = \"ext4\"\n"
                "\"disk-list\" = [\"sda\"]\n"
                "\"lvm\" = { \"swapsize\" = 1.5, \"maxroot\" = 20 }\n");
        CHECK_INTEQ(size, strlen(toml ?: ""));
        free(toml);

        CHECK_INTEQ(answer_json_to_toml("{\"global\": {\"a\": null}}", 24, &toml, &size, &err), -EINVAL);
        CHECK_STREQ(err, "JSON answer: global.a is null, which TOML cannot express");
        free(err);
        err = NULL;
        CHECK_INTEQ(answer_json_to_toml("{\"a\": 1", 7, &toml, &size, &err), -EINVAL);
        CHECK(err && strstr(err, "JSON answer: "));
        free(err);
        err = NULL;
        CHECK_INTEQ(answer_json_to_toml("[1]", 3, &toml, &size, &err), -EINVAL);
        CHECK_STREQ(err, "JSON answer: the top level is not an object");
        free(err);
        err = NULL;
        CHECK_INTEQ(answer_json_to_toml("{} x", 4, &toml, &size, &err), -EINVAL);
        free(err);
}

int main(void) {
        test_iface_parse();
        test_netinfo_load();
        test_dns_name();
        test_dns_parse();
        test_json_answer();
        return test_result();
}
