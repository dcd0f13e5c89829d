/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine identity JSON (machine-identity.h). */

#include "config.h"
#include "json-out.h"
#include "machine-identity.h"

static json_object *string_or_empty(const char *s) {
        return json_object_new_string(s ?: "");
}

/* The installer release, as Proxmox's "iso" object names it. */
static json_object *iso_json(void) {
        json_object *iso = json_object_new_object();
        json_add_string(iso, "release", FORJA_VERSION);
        json_add_string(iso, "isorelease", "1");
        return iso;
}

/* The DMI system identity, in Proxmox's "dmi" shape. */
static json_object *dmi_json(const Hardware *hw) {
        json_object *dmi = json_object_new_object(), *system = json_object_new_object();
        json_add(system, "name", string_or_empty(hw->dmi.system_product));
        json_add(system, "serial", string_or_empty(hw->dmi.system_serial));
        json_add(system, "uuid", string_or_empty(hw->dmi.system_uuid));
        json_add(system, "sku", string_or_empty(NULL));
        json_add(dmi, "system", system);
        json_add(dmi, "baseboard", json_object_new_object());
        json_add(dmi, "chassis", json_object_new_object());
        return dmi;
}

json_object *machine_identity_json(const Hardware *hw) {
        json_object *root = json_object_new_object();
        json_object *schema = json_object_new_object();
        json_add_string(schema, "version", ANSWER_FETCH_SCHEMA);
        json_add(root, "$schema", schema);
        /* "product" takes only Proxmox's product names (pve, pbs, pmg, pdm):
         * forja asks as a Proxmox VE installer and names itself in fullname. */
        json_object *product = json_object_new_object();
        json_add_string(product, "fullname", ANSWER_PRODUCT_FULLNAME);
        json_add_string(product, "product", "pve");
        json_add_bool(product, "enable_btrfs", true);
        json_add(root, "product", product);

        json_add(root, "iso", iso_json());
        json_add(root, "dmi", dmi_json(hw));

        json_object *nics = json_object_new_array();
        for (size_t i = 0; i < hw->n_nics; i++) {
                json_object *n = json_object_new_object();
                json_add(n, "link", string_or_empty(hw->nics[i].name));
                json_add(n, "mac", string_or_empty(hw->nics[i].mac));
                json_add_bool(n, "carrier", hw->nics[i].link);
                json_object_array_add(nics, n);
        }
        json_add(root, "network_interfaces", nics);
        json_add(root, "forja", hardware_to_json(hw));
        return root;
}

void webhook_add_identity(json_object *body, const char *fqdn, const Hardware *hw) {
        /* "short" takes only Proxmox's product names: forja speaks as a
         * Proxmox VE installer and names itself in the free-text fields. */
        json_object *product = json_object_new_object();
        json_add_string(product, "fullname", ANSWER_PRODUCT_FULLNAME);
        json_add_string(product, "short", "pve");
        json_add_string(product, "version", FORJA_VERSION);
        json_add(body, "product", product);
        json_add(body, "iso", iso_json());
        json_add_string(body, "fqdn", fqdn);   /* null when unknown */
        if (hw)         /* the same dmi object the answer server got with the system info */
                json_add(body, "dmi", dmi_json(hw));
}
