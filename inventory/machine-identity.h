/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Who this machine is, as forja tells others: the system info body POSTed to
 * an answer server and the identity fields every webhook report carries
 * (product, iso, fqdn, dmi). One place, so both say the same. */

#include <json-c/json.h>

#include "hardware.h"

/* The version of the answer-fetch body ("$schema") and the free-text product
 * name that forja sends where Proxmox's protocol wants a Proxmox product. */
#define ANSWER_FETCH_SCHEMA "1.0"
#define ANSWER_PRODUCT_FULLNAME "forja " FORJA_VERSION " (a Proxmox VE compatible installer)"

/* The JSON body POSTed to an answer server: the fields Proxmox's
 * proxmox-fetch-answer sends ($schema, product, iso, dmi,
 * network_interfaces), so servers written for it work unchanged, plus
 * forja's hardware JSON under "forja" and each NIC's "carrier".
 * answer_system_info_for() (answers/source.h) leaves forja's fields out for
 * a Proxmox API server, which refuses fields its schema does not list. */
json_object *machine_identity_json(const Hardware *hw);

/* product, iso, fqdn (null when NULL) and dmi (when hw is not NULL), as the
 * installer's webhook bodies, forja join's reports and the answer server's
 * system info carry them. */
void webhook_add_identity(json_object *body, const char *fqdn, const Hardware *hw);
