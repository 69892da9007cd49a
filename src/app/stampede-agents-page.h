/* stampede-agents-page.h — what each agent of the target costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_AGENTS_PAGE (stampede_agents_page_get_type ())

G_DECLARE_FINAL_TYPE (StampedeAgentsPage, stampede_agents_page,
                      STAMPEDE, AGENTS_PAGE, AdwBin)

void stampede_agents_page_update (StampedeAgentsPage     *self,
                                  const StampedeSnapshot *snapshot);

G_END_DECLS
