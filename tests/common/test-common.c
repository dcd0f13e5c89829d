/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/: the spawn helper, secret redaction, file I/O. */

#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "spawn.h"
#include "testlib.h"

static void test_spawn(void) {
        SpawnResult res = {};
        char *echo_argv[] = { "sh", "-c", "printf 'out\\n'; printf 'err  \\n' >&2; exit 3", NULL };
        CHECK(spawn(echo_argv, &(SpawnOptions) { .capture_stdout = true, .quiet = true }, &res) == 0);
        CHECK_INTEQ(res.exit_status, 3);
        CHECK_STREQ(res.out, "out");
        CHECK_STREQ(res.err, "err");
        spawn_result_done(&res);

        /* stdin is fed and a large output does not deadlock. */
        size_t n = 1 << 20;
        char *big = malloc(n);
        memset(big, 'x', n);
        char *cat_argv[] = { "cat", NULL };
        CHECK(spawn(cat_argv, &(SpawnOptions) { .capture_stdout = true, .stdin_data = big, .stdin_size = n, .quiet = true }, &res) == 0);
        CHECK_INTEQ(res.exit_status, 0);
        CHECK(res.out && strlen(res.out) == n);
        spawn_result_done(&res);
        free(big);

        char *missing_argv[] = { "forja-no-such-tool", NULL };
        CHECK(spawn(missing_argv, &(SpawnOptions) { .quiet = true }, &res) == 0);
        CHECK_INTEQ(res.exit_status, 127);
        CHECK(strstr(res.err, "cannot run forja-no-such-tool") != NULL);
        spawn_result_done(&res);

        char *false_argv[] = { "false", NULL };
        CHECK(spawn_checked(false_argv, NULL, NULL) == -EIO);

        char *sleep_argv[] = { "sleep", "30", NULL };
        CHECK(spawn(sleep_argv, &(SpawnOptions) { .timeout_sec = 1, .quiet = true }, &res) == 0);
        CHECK_INTEQ(res.exit_status, 128 + 9);
        spawn_result_done(&res);

        /* A child that exits without reading a long stdin (a failing cryptsetup)
         * gives an error return; forja must not die of SIGPIPE. */
        size_t long_n = 8 << 20;
        char *long_in = malloc(long_n);
        CHECK(long_in != NULL);
        memset(long_in, 'k', long_n);
        char *quit_argv[] = { "sh", "-c", "exec 0<&-; exit 5", NULL };
        CHECK(spawn(quit_argv, &(SpawnOptions) { .stdin_data = long_in, .stdin_size = long_n, .quiet = true }, &res) == 0);
        CHECK_INTEQ(res.exit_status, 5);
        spawn_result_done(&res);
        CHECK(spawn_checked(quit_argv, &(SpawnOptions) { .stdin_data = long_in, .stdin_size = long_n, .quiet = true }, NULL) == -EIO);
        free(long_in);

        char *quote_argv[] = { "mkfs.ext4", "-L", "it's a label", "/dev/x", NULL };
        char *line = spawn_format_argv(quote_argv);
        CHECK_STREQ(line, "mkfs.ext4 -L 'it'\\''s a label' /dev/x");
        free(line);
}

static void test_redaction(void) {
        char dir[] = "/tmp/forja-test-common.XXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        char logp[256], argvp[256];
        snprintf(logp, sizeof logp, "%s/log", dir);
        snprintf(argvp, sizeof argvp, "%s/argv", dir);

        CHECK(log_register_secret("hunter22secret") == 0);
        CHECK(log_open_file(logp) == 0);
        CHECK(spawn_set_argv_log(argvp) == 0);
        log_info("password is hunter22secret, twice: hunter22secret");
        char *tool_argv[] = { "true", "--pass=hunter22secret", NULL };
        CHECK(spawn_checked(tool_argv, NULL, NULL) == 0);
        log_close_file();
        spawn_set_argv_log(NULL);

        char *data = NULL;
        CHECK(read_full_file(logp, 0, &data, NULL) == 0);
        CHECK(data && strstr(data, "hunter22secret") == NULL);
        CHECK(data && strstr(data, "password is <redacted>, twice: <redacted>") != NULL);
        free(data);
        CHECK(read_full_file(argvp, 0, &data, NULL) == 0);
        CHECK_STREQ(data, "true --pass=<redacted>\n");
        free(data);
        log_forget_secrets();

        /* A secret that is a substring of the mask does not loop forever, and a
         * secret that is a prefix of another does not leak the other's rest. */
        alarm(10);
        CHECK(log_register_secret("ed") == 0);
        CHECK(log_register_secret("redacted") == 0);
        char *red = log_redact("token ed, password redacted, reddish");
        CHECK_STREQ(red, "token <redacted>, password <redacted>, r<redacted>dish");
        free(red);
        log_forget_secrets();
        CHECK(log_register_secret("Correct") == 0);
        CHECK(log_register_secret("CorrectHorseBatteryStaple") == 0);
        red = log_redact("pw=CorrectHorseBatteryStaple other=Correct.");
        CHECK_STREQ(red, "pw=<redacted> other=<redacted>.");
        free(red);
        log_forget_secrets();
        /* Overlapping secrets: no byte of either shows. */
        CHECK(log_register_secret("abcd") == 0);
        CHECK(log_register_secret("cdefgh") == 0);
        red = log_redact("x abcdefgh y");
        CHECK_STREQ(red, "x <redacted> y");
        free(red);
        log_forget_secrets();
        alarm(0);

        /* A secret at the end of a very long line is masked whole, not cut in
         * two by the line's length limit with its first part left readable. */
        CHECK(log_register_secret("Sup3rSecretAcrossTheLimit") == 0);
        CHECK(log_open_file(logp) == 0);
        char *pad = malloc(4080 + 1);
        CHECK(pad != NULL);
        memset(pad, 'x', 4080);
        pad[4080] = 0;
        log_info("%s Sup3rSecretAcrossTheLimit", pad);
        free(pad);
        log_close_file();
        log_forget_secrets();
        CHECK(read_full_file(logp, 0, &data, NULL) == 0);
        CHECK(data && strstr(data, "Sup3r") == NULL);
        free(data);

        /* Error returns: log_error_errno gives back the negative errno. */
        CHECK_INTEQ(log_error_errno(ENOENT, "expected test message: %m"), -ENOENT);

        unlink(logp);
        unlink(argvp);
        rmdir(dir);
}

static void test_fileio(void) {
        char dir[] = "/tmp/forja-test-fileio.XXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        char p[256];
        snprintf(p, sizeof p, "%s/f", dir);
        CHECK(write_file_atomic(p, "line one\nline two\n", 18, 0600) == 0);
        struct stat st;
        CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600);
        char *line = NULL;
        CHECK(read_one_line_file(p, &line) == 0);
        CHECK_STREQ(line, "line one");
        free(line);
        char *data = NULL;
        size_t size = 0;
        CHECK(read_full_file(p, 10, &data, &size) == -EFBIG);
        CHECK(read_full_file(p, 0, &data, &size) == 0);
        CHECK_INTEQ(size, 18);
        free(data);
        CHECK(read_full_file(dir, 0, &data, &size) == -EISDIR);
        snprintf(p, sizeof p, "%s/missing", dir);
        CHECK(read_full_file(p, 0, &data, &size) == -ENOENT);
        snprintf(p, sizeof p, "%s/f", dir);
        unlink(p);
        rmdir(dir);
}

static void check_get(const char *cmdline, const char *key, int want_r, const char *want_value) {
        char *v = (char *) "unset";
        int r = kernel_cmdline_get(cmdline, key, &v);
        CHECK_INTEQ(r, want_r);
        if (want_value)
                CHECK_STREQ(v, want_value);
        else
                CHECK(!v);
        free(v);
}

/* The kernel's splitting rules (kernel-cmdline.h), case by case. */
static void test_kernel_cmdline(void) {
        check_get("BOOT_IMAGE=/vmlinuz forja.answer=http://a/b quiet", "forja.answer", 1, "http://a/b");
        check_get("quiet", "forja.answer", 0, NULL);
        check_get(NULL, "forja.answer", 0, NULL);
        check_get("quiet splash", "quiet", 1, NULL);                        /* a bare key */
        check_get("forja.answer=", "forja.answer", 1, "");
        check_get("forja.answer=one forja.answer=two", "forja.answer", 1, "two");    /* the last counts */
        check_get("forja.answer-token=x forja.answer=y", "forja.answer", 1, "y");    /* keys compared exactly */
        check_get("forja.answer=\"http://h/a b\" x=1", "forja.answer", 1, "http://h/a b");
        check_get("\"forja.answer=http://h/a b\" x=1", "forja.answer", 1, "http://h/a b");
        check_get("x=\"a \"quoted\" b\"", "x", 1, "a \"quoted\" b");        /* inner quotes stay */
        check_get("x=a\"b c\"d", "x", 1, "a\"b c\"d");                     /* not opening: kept */
        check_get("x=\"", "x", 1, "");
        check_get("\tx=1\n", "x", 1, "1");
        check_get("k=v=w", "k", 1, "v=w");                                    /* split at the first '=' */
        check_get("a=1 -- x=2", "x", 0, NULL);                                 /* init's arguments */
        check_get("a=1 --x=2", "--x", 1, "2");
        check_get("console=tty0 console=ttyS0,115200n8", "console", 1, "ttyS0,115200n8");

        CHECK(kernel_cmdline_value_has("intel_iommu=on", "intel_iommu", "on"));
        CHECK(kernel_cmdline_value_has("intel_iommu=sm_on,on", "intel_iommu", "on"));
        CHECK(!kernel_cmdline_value_has("intel_iommu=sm_on", "intel_iommu", "on"));
        CHECK(!kernel_cmdline_value_has("intel_iommu=on intel_iommu=off", "intel_iommu", "on"));
        CHECK(kernel_cmdline_value_has("intel_iommu=on intel_iommu=off", "intel_iommu", "off"));
        CHECK(!kernel_cmdline_value_has("xintel_iommu=on", "intel_iommu", "on"));
        CHECK(!kernel_cmdline_value_has("intel_iommu", "intel_iommu", "on"));

        /* Walking: every parameter once, in order. */
        const char *p = " a \"b=c d\"  e=\"f g\" ";
        char *k, *v;
        CHECK_INTEQ(kernel_cmdline_next(&p, &k, &v), 1);
        CHECK_STREQ(k, "a"); CHECK(!v); free(k);
        CHECK_INTEQ(kernel_cmdline_next(&p, &k, &v), 1);
        CHECK_STREQ(k, "b"); CHECK_STREQ(v, "c d"); free(k); free(v);
        CHECK_INTEQ(kernel_cmdline_next(&p, &k, &v), 1);
        CHECK_STREQ(k, "e"); CHECK_STREQ(v, "f g"); free(k); free(v);
        CHECK_INTEQ(kernel_cmdline_next(&p, &k, &v), 0);
}

int main(void) {
        test_spawn();
        test_redaction();
        test_fileio();
        test_kernel_cmdline();
        return test_result();
}
