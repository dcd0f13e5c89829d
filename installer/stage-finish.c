/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "finish": everything on disk, nothing left mounted or active, so the
 * node can boot and the disks can be pulled. */

#include "engine-internal.h"
#include "log.h"

int stage_finish(Engine *e) {
        sync();
        int failures = engine_unwind(e);
        if (failures > 0)
                return engine_fail(e, -EBUSY, "%d file system(s) or volume(s) could not be released; the data is written "
                                   "(sync done), but check the log before rebooting", failures);
        return 0;
}
