/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/install-front.c: where both front ends (the unattended `forja
 * install` and the screens) take the node image from when --image is not
 * given, and the hooks both install: the cluster verification and the
 * webhook, chained. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "answer.h"
#include "cluster.h"
#include "install-front.h"
#include "testlib.h"

static void check_source(const char *image, const char *manifest, const char *fp, const char *cmdline,
                         const char *want_image, const char *want_manifest, const char *want_fp) {
        InstallSource s;
        CHECK_INTEQ(install_source_resolve(&s, image, manifest, fp, cmdline, "/run/forja/medium"), 0);
        CHECK_STREQ(s.image, want_image);
        CHECK_STREQ(s.manifest, want_manifest);
        if (want_fp)
                CHECK_STREQ(s.fingerprint, want_fp);
        else
                CHECK(s.fingerprint == NULL);
        install_source_done(&s);
        CHECK(s.image == NULL && s.image_buf == NULL);
}

/* A loopback URL where nothing listens: a port that was bound, then closed. */
static void closed_port_url(char *buf, size_t size) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        CHECK(fd >= 0 && bind(fd, (struct sockaddr *) &a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *) &a, &len) == 0);
        snprintf(buf, size, "http://127.0.0.1:%u/hook", ntohs(a.sin_port));
        close(fd);
}

int main(void) {
        /* Nothing given, no kernel command line: the medium's image (the screens' install on the ISO). */
        check_source(NULL, NULL, NULL, NULL,
                     "/run/forja/medium/node/node.tar.zst", "/run/forja/medium/node/node.manifest.json", NULL);
        check_source(NULL, NULL, NULL, "BOOT_IMAGE=/vmlinuz console=ttyS0,115200 quiet",
                     "/run/forja/medium/node/node.tar.zst", "/run/forja/medium/node/node.manifest.json", NULL);
        /* A network boot: the image and its pin from the command line (the last forja.image= wins). */
        check_source(NULL, NULL, NULL,
                     "forja.image=http://10.0.2.2/old.tar.zst quiet forja.image=https://10.0.2.2/img/node.tar.zst "
                     "forja.image-fingerprint=AB:CD",
                     "https://10.0.2.2/img/node.tar.zst", "https://10.0.2.2/img/node.manifest.json", "AB:CD");
        /* Options win over the command line; the manifest follows the given image. */
        check_source("/srv/n/node.tar.zst", NULL, "EF", "forja.image=http://x/node.tar.zst forja.image-fingerprint=AB",
                     "/srv/n/node.tar.zst", "/srv/n/node.manifest.json", "EF");
        check_source("/srv/n/node.tar.zst", "/srv/m.json", NULL, NULL, "/srv/n/node.tar.zst", "/srv/m.json", NULL);
        /* A key that only starts like forja.image is not it. */
        check_source(NULL, NULL, NULL, "forja.images=/x.tar.zst forja.image-fingerprint",
                     "/run/forja/medium/node/node.tar.zst", "/run/forja/medium/node/node.manifest.json", NULL);

        /* A pin needs https for the image and the manifest; the message names
         * where the pin was set (issue 18 item 1). */
        InstallSource s;
        char *error = NULL;
        CHECK_INTEQ(install_source_resolve(&s, NULL, NULL, NULL,
                                           "forja.image=http://10.0.2.2/node.tar.zst forja.image-fingerprint=AB:CD", "/m"), 0);
        CHECK_INTEQ(install_source_check(&s, &error), -EINVAL);
        CHECK(error && strstr(error, "kernel command line: forja.image-fingerprint=") &&
              strstr(error, "image http://10.0.2.2/node.tar.zst"));
        install_source_done(&s);
        free(error);
        error = NULL;
        CHECK_INTEQ(install_source_resolve(&s, "https://h/node.tar.zst", "http://h/m.json", "AB", NULL, "/m"), 0);
        CHECK_INTEQ(install_source_check(&s, &error), -EINVAL);
        CHECK(error && strstr(error, "--image-fingerprint") && strstr(error, "manifest http://h/m.json"));
        install_source_done(&s);
        free(error);
        error = NULL;
        /* https, a local file, or no pin: fine. */
        CHECK_INTEQ(install_source_resolve(&s, "https://h/node.tar.zst", NULL, "AB", NULL, "/m"), 0);
        CHECK_INTEQ(install_source_check(&s, &error), 0);
        install_source_done(&s);
        CHECK_INTEQ(install_source_resolve(&s, "/srv/node.tar.zst", NULL, "AB", NULL, "/m"), 0);
        CHECK_INTEQ(install_source_check(&s, &error), 0);
        install_source_done(&s);
        CHECK_INTEQ(install_source_resolve(&s, "http://h/node.tar.zst", NULL, NULL, NULL, "/m"), 0);
        CHECK_INTEQ(install_source_check(&s, &error), 0);
        install_source_done(&s);
        CHECK(error == NULL);

        /* Hooks: standalone without a webhook: the cluster settings, no hooks. */
        json_object *standalone = json_tokener_parse("{ \"cluster\": { \"mode\": \"standalone\" } }");
        json_object *join = json_tokener_parse("{ \"cluster\": { \"mode\": \"join\", \"verify\": true } }");
        CHECK(standalone && join);
        Answer plain = {};
        InstallFrontHooks h;
        InstallContext c = { .plan = standalone, .answer = &plain };
        install_front_hooks_install(&h, &c);
        CHECK(c.cluster != NULL && c.cluster->mode == CLUSTER_MODE_STANDALONE);
        CHECK(c.hooks.event == NULL && c.hooks.before_write == NULL);
        install_front_hooks_done(&h);

        /* The answer's cluster.check-guests reaches the settings forja join reads
         * (from the answer, as the token does: the plan does not carry it). */
        CHECK(!plain.cluster.check_guests);
        Answer checked = { .cluster = { .check_guests = true } };
        c = (InstallContext) { .plan = standalone, .answer = &checked };
        install_front_hooks_install(&h, &c);
        CHECK(c.cluster != NULL && c.cluster->check_guests);
        install_front_hooks_done(&h);
        c = (InstallContext) { .plan = standalone, .answer = &plain };
        install_front_hooks_install(&h, &c);
        CHECK(c.cluster != NULL && !c.cluster->check_guests);
        install_front_hooks_done(&h);

        /* With a webhook: its hooks are installed and a report is really sent (here: not delivered). */
        char url[64];
        closed_port_url(url, sizeof url);
        Answer hooked = { .webhook = { .set = true, .url = url } };
        c = (InstallContext) { .plan = standalone, .answer = &hooked };
        install_front_hooks_install(&h, &c);
        CHECK(c.hooks.userdata == &h.webhook && c.hooks.event && c.hooks.before_finish);
        CHECK_STREQ(h.webhook.url, url);
        h.webhook.attempts = 1;
        c.hooks.event(c.hooks.userdata, &c, INSTALL_EVENT_STARTED, STAGE_CHECK, NULL);
        CHECK_INTEQ(h.webhook.undelivered, 1);
        CHECK_INTEQ(h.webhook.delivered, 0);
        install_front_hooks_done(&h);

        /* A join with verification and a webhook: the webhook chains to the verification. */
        c = (InstallContext) { .plan = join, .answer = &hooked };
        install_front_hooks_install(&h, &c);
        CHECK(c.cluster != NULL && c.cluster->mode == CLUSTER_MODE_JOIN);
        CHECK(c.hooks.userdata == &h.webhook);
        CHECK(h.webhook.chained.userdata == &h.cluster && h.webhook.chained.before_write != NULL);
        install_front_hooks_done(&h);

        json_object_put(standalone);
        json_object_put(join);
        return test_result();
}
