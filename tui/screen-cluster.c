/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 7: standalone node, a new Incus cluster, or joining one with a
 * token. A join token is verified on the spot, as the engine does before
 * the first write (cluster_verify: decoded, not expired, made for this
 * member name and, with verify, its cluster answering with the pinned
 * certificate). */

#include <string.h>

#include "cluster-setup.h"
#include "tui-internal.h"

typedef struct ClusterPage {
        newtComponent mode[_TUI_CLUSTER_MAX];
        newtComponent verify, status;
} ClusterPage;

static bool cluster_read(TuiPage *p) {
        ClusterPage *c = p->userdata;
        TuiForm *f = &p->t->form;
        bool changed = false;
        newtComponent cur = newtRadioGetCurrent(c->mode[0]);
        for (TuiCluster i = 0; i < _TUI_CLUSTER_MAX; i++)
                if (cur == c->mode[i] && f->cluster != i) {
                        f->cluster = i;
                        p->touched[F_CLUSTER_MODE] = changed = true;
                }
        bool verify = newtCheckboxGetValue(c->verify) == '*';
        if (verify != f->verify) {
                f->verify = verify;
                p->touched[F_VERIFY] = changed = true;
        }
        return changed;
}

static bool cluster_next(TuiPage *p, const TuiCheck *c) {
        ClusterPage *cp = p->userdata;
        if (p->t->form.cluster != TUI_CLUSTER_JOIN)
                return true;

        tui_label_set(cp->status, TUI_WIN_WIDTH - 3, p->t->form.verify ?
                      "Checking the join token and asking its cluster..." : "Checking the join token...");
        newtRefresh();

        InstallContext ctx = { .plan = c->plan, .answer = c->answer };
        ClusterHook hook = {};
        _cleanup_free_ char *error = NULL;
        cluster_hook_install(&hook, &ctx);
        int r = cluster_verify(&hook.settings, &error);
        _cleanup_free_ char *name = NULL;
        (void) cluster_settings_server_name(&hook.settings, &name);
        cluster_hook_done(&hook);
        if (r < 0) {
                TuiField f = error && strstr(error, "cluster.server-name") ? F_SERVER_NAME : F_TOKEN;
                tui_label_set(p->err[f], TUI_WIN_WIDTH - 3, error ?: strerror(-r));
                tui_label_set(cp->status, TUI_WIN_WIDTH - 3, "The join token did not verify.");
                newtFormSetCurrent(p->form, p->focus[f]);
                return false;
        }
        return true;
}

int tui_screen_cluster(Tui *t) {
        static const TuiPageOps ops = { .read = cluster_read, .next = cluster_next };
        static const char *const modes[_TUI_CLUSTER_MAX] = {
                "Standalone node (no cluster)",
                "Bootstrap a new Incus cluster with this node as its first member",
                "Join an existing cluster with a token",
        };
        ClusterPage c = {};
        TuiPage p;

        tui_page_open(&p, t, TUI_CLUSTER, "Cluster", &ops, &c);
        for (TuiCluster i = 0; i < _TUI_CLUSTER_MAX; i++) {
                c.mode[i] = newtRadiobutton(1, (int) i, modes[i], t->form.cluster == i, i > 0 ? c.mode[i - 1] : NULL);
                tui_page_field(&p, F_CLUSTER_MODE, c.mode[i], 1, i == 0 ? 3 : -1);
        }
        p.focus[F_CLUSTER_MODE] = c.mode[t->form.cluster];
        tui_page_label(&p, 1, 5, "Join token (`incus cluster add NAME` or `forja cluster token NAME`):");
        (void) tui_page_entry(&p, F_TOKEN, 1, 6, TUI_WIN_WIDTH - 4, 0);
        tui_page_label(&p, 1, 8, "Member name (empty: the host name):");
        (void) tui_page_entry(&p, F_SERVER_NAME, 38, 8, 30, 0);
        c.verify = newtCheckbox(1, 10, "Verify that the token's cluster answers before any disk is written",
                                t->form.verify ? '*' : ' ', NULL, NULL);
        tui_page_field(&p, F_VERIFY, c.verify, 1, 11);
        c.status = tui_label_blank(1, 13, TUI_WIN_WIDTH - 3);
        newtFormAddComponent(p.form, c.status);
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
