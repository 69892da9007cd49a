/* stampede-admin-page.h — start, stop and steer runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-api-client.h"
#include "stampede-run-config.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

/*
 * Signal "error" (const char *message): the engine refused a request or
 * could not be reached; the message says what was asked and why it failed.
 */

#define STAMPEDE_TYPE_ADMIN_PAGE (stampede_admin_page_get_type ())

G_DECLARE_FINAL_TYPE (StampedeAdminPage, stampede_admin_page,
                      STAMPEDE, ADMIN_PAGE, AdwBin)

void stampede_admin_page_set_client    (StampedeAdminPage       *self,
                                        StampedeApiClient       *client);
void stampede_admin_page_set_endpoints (StampedeAdminPage       *self,
                                        const char              *engine_url,
                                        const char              *target_url);
void stampede_admin_page_update        (StampedeAdminPage       *self,
                                        const StampedeSnapshot  *snapshot);
void stampede_admin_page_start_run     (StampedeAdminPage       *self,
                                        const StampedeRunConfig *config);
void stampede_admin_page_stop_run      (StampedeAdminPage       *self);

G_END_DECLS
