/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A small client for the local Incus REST API over its unix socket (libcurl).
 * Requests take and return json-c objects; errors come back as -errno with
 * the daemon's message in *ret_error:
 *   -ENOTCONN   the daemon could not be reached (no socket, refused, timeout)
 *   -EBADR      400, -EPERM 403, -ENOENT 404, -EEXIST 409, -EIO other errors
 *               and failed operations. */

#include <json-c/json.h>

typedef struct IncusClient {
        char *socket_path;
        unsigned timeout_sec;      /* per request; 0: 30 s */
} IncusClient;

/* socket: explicit path, else $INCUS_DIR/unix.socket, else /var/lib/incus/unix.socket. */
int incus_client_init(IncusClient *c, const char *socket);
void incus_client_done(IncusClient *c);

/* Sends METHOD path (e.g. "/1.0") with an optional JSON body.
 * ret_metadata gets the response's "metadata" (may be NULL when it is null),
 * ret_operation the operation URL of an async response (NULL for sync). */
int incus_request(IncusClient *c, const char *method, const char *path, json_object *body,
                  json_object **ret_metadata, char **ret_operation, char **ret_error);

/* Uploads an image (POST /1.0/images): the file `metadata` as the body (a
 * unified tarball) when rootfs is NULL, else metadata + rootfs as
 * multipart/form-data with rootfs in the part rootfs_part ("rootfs.img" for
 * a VM's qcow2). *ret_operation gets the operation to wait for; its metadata
 * holds the fingerprint. */
int incus_upload_image(IncusClient *c, const char *metadata, const char *rootfs, const char *rootfs_part,
                       char **ret_operation, char **ret_error);

/* Waits for an operation to finish (GET OP/wait). 0 on success, -EIO with
 * the operation's error on failure, -ENOENT when it is already gone. */
int incus_wait_operation(IncusClient *c, const char *operation, unsigned timeout_sec,
                         json_object **ret_metadata, char **ret_error);
