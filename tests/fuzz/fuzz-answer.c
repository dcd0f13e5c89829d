/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for the answer schema: TOML text in, plan or error out,
 * through plan_make() (what `forja install` and `forja plan` do first)
 * against a fixed machine: two SATA SSDs, two NVMe disks (one with data on
 * it), a USB install medium, two NICs, UEFI, a DHCP lease.
 * Besides what the sanitizers catch, it aborts when:
 *   - the result and the error disagree (a plan and an error, an error
 *     without a finding, a finding without message or key);
 *   - a plan does not serialise or print;
 *   - a secret of the answer (root password, LUKS passphrase, cluster token,
 *     webhook auth token) shows up in the plan JSON or its text form. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORJA_CLEANUP_JSON
#include "answer.h"
#include "cleanup-libs.h"
#include "hardware.h"
#include "log.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hardware_json[] =
        "{\"format_version\":1,"
        "\"disks\":["
        "{\"name\":\"nvme0n1\",\"size\":1000204886016,\"model\":\"Samsung SSD 980 PRO 1TB\",\"serial\":\"S5GXNF0R100001A\","
        " \"pttype\":\"gpt\",\"contents\":[\"nvme0n1p1: vfat\",\"nvme0n1p2: ext4 \\\"data\\\"\"],"
        " \"properties\":{\"ID_MODEL\":\"Samsung SSD 980 PRO 1TB\",\"ID_SERIAL\":\"Samsung_SSD_980_PRO_1TB_S5GXNF0R100001A\",\"ID_BUS\":\"nvme\"}},"
        "{\"name\":\"nvme1n1\",\"size\":1000204886016,\"model\":\"Samsung SSD 980 PRO 1TB\",\"serial\":\"S5GXNF0R100002A\","
        " \"properties\":{\"ID_MODEL\":\"Samsung SSD 980 PRO 1TB\",\"ID_SERIAL\":\"Samsung_SSD_980_PRO_1TB_S5GXNF0R100002A\",\"ID_BUS\":\"nvme\"}},"
        "{\"name\":\"sda\",\"size\":480103981056,\"physical_sector_size\":4096,\"model\":\"Micron_5300\",\"serial\":\"21052F3A9C11\","
        " \"properties\":{\"ID_MODEL\":\"Micron_5300\",\"ID_SERIAL\":\"Micron_5300_21052F3A9C11\",\"ID_BUS\":\"ata\",\"ID_TYPE\":\"disk\"}},"
        "{\"name\":\"sdb\",\"size\":480103981056,\"rotational\":true,\"model\":\"Micron_5300\",\"serial\":\"21052F3A9C12\","
        " \"properties\":{\"ID_MODEL\":\"Micron_5300\",\"ID_SERIAL\":\"Micron_5300_21052F3A9C12\",\"ID_BUS\":\"ata\",\"ID_TYPE\":\"disk\"}},"
        "{\"name\":\"sdc\",\"size\":16008609792,\"removable\":true,\"install_medium\":true,\"model\":\"USB Flash\","
        " \"pttype\":\"dos\",\"contents\":[\"iso9660 \\\"FORJA_0_1_0\\\"\"],\"properties\":{\"ID_BUS\":\"usb\"}}],"
        "\"nics\":["
        "{\"name\":\"eno1\",\"mac\":\"3c:ec:ef:aa:10:01\",\"driver\":\"igb\",\"link\":true,"
        " \"properties\":{\"ID_NET_DRIVER\":\"igb\",\"ID_NET_NAME_ONBOARD\":\"eno1\",\"INTERFACE\":\"eno1\"}},"
        "{\"name\":\"enp3s0\",\"mac\":\"3c:ec:ef:aa:10:02\",\"driver\":\"ixgbe\",\"link\":false,"
        " \"properties\":{\"ID_NET_DRIVER\":\"ixgbe\",\"ID_NET_NAME_PATH\":\"enp3s0\",\"INTERFACE\":\"enp3s0\"}}],"
        "\"firmware\":{\"mode\":\"uefi\",\"secure_boot\":true},"
        "\"memory_bytes\":68719476736,"
        "\"cpu\":{\"vendor\":\"GenuineIntel\",\"model\":\"Xeon\",\"threads\":12,\"x86_64\":true,\"virt_verdict\":\"usable\"},"
        "\"dmi\":{\"system_vendor\":\"Supermicro\",\"system_product\":\"SYS-510T-M\",\"system_serial\":\"S421337X1A\","
        " \"system_uuid\":\"4c4c4544-0042-3310-8057-b4c04f4d3332\"},"
        "\"dhcp\":{\"nic\":\"eno1\",\"address\":\"192.168.1.20/24\",\"gateway\":\"192.168.1.1\",\"dns\":[\"192.168.1.1\"],"
        " \"hostname\":\"pve1\",\"domain\":\"example.org\"}}";

static Hardware *hw;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        json_object *root = json_tokener_parse(hardware_json);
        char *error = NULL;

        if (!root || hardware_from_json(root, &hw, &error) < 0) {
                fprintf(stderr, "fuzz-answer: built-in hardware: %s\n", error ?: "invalid JSON");
                abort();
        }
        json_object_put(root);
        devnull = fopen("/dev/null", "we");
        if (!devnull)
                abort();
        return 0;
}

static size_t count_ci(const char *hay, size_t hay_size, const char *needle) {
        size_t n = strlen(needle), count = 0;

        for (size_t i = 0; n > 0 && i + n <= hay_size; i++)
                if (strncasecmp(hay + i, needle, n) == 0)
                        count++;
        return count;
}

/* A secret may only be in the plan when it cannot be told from other data:
 * long enough, written once in the answer (case-insensitively: MACs and RAID
 * levels are normalised) and not part of the machine's own strings. */
static void check_secret(const char *secret, const char *input, size_t input_size, const char *plan, const char *text) {
        if (!secret || strlen(secret) < 10)
                return;
        if (count_ci(input, input_size, secret) != 1 || count_ci(hardware_json, sizeof hardware_json - 1, secret) > 0 ||
            count_ci("answer.toml", 11, secret) > 0)
                return;
        if (strstr(plan, secret) || strstr(text, secret)) {
                fprintf(stderr, "fuzz-answer: a secret is in the plan\n");
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_answer_ Answer *answer = NULL;
        _cleanup_json_ json_object *plan = NULL;
        AnswerDiags diags = {};
        int r;

        if (!hw)
                LLVMFuzzerInitialize(NULL, NULL);

        r = plan_make((const char *) data, size, "answer.toml", hw, &answer, &plan, &diags);
        if (r == 0) {
                if (!answer || !plan || answer_diags_errors(&diags) > 0)
                        abort();
                const char *js = json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PLAIN);
                if (!js || !*js)
                        abort();

                char *text = NULL;
                size_t text_size = 0;
                FILE *f = open_memstream(&text, &text_size);
                if (!f)
                        abort();
                if (plan_print_text(f, plan) < 0)
                        abort();
                fclose(f);

                check_secret(answer->global.root_password, (const char *) data, size, js, text);
                check_secret(answer->disks.encrypt_passphrase, (const char *) data, size, js, text);
                check_secret(answer->cluster.token, (const char *) data, size, js, text);
                check_secret(answer->webhook.auth_token, (const char *) data, size, js, text);
                free(text);
        } else {
                if (answer || plan)
                        abort();
                if (r == -EINVAL && answer_diags_errors(&diags) == 0)
                        abort();
                if (r != -EINVAL && r != -ENOMEM)
                        abort();
        }
        for (size_t i = 0; i < diags.n; i++)
                if (!diags.items[i].message || !*diags.items[i].message || !diags.items[i].key)
                        abort();
        answer_diags_sort(&diags);
        answer_diags_print(devnull, "answer.toml", &diags);
        answer_diags_done(&diags);
        /* answer_parse() registers every secret it reads with the logger. */
        log_forget_secrets();
        return 0;
}
