/* stampede-analytics-page.h — rates, latency, outcomes and accuracy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_ANALYTICS_PAGE (stampede_analytics_page_get_type ())

G_DECLARE_FINAL_TYPE (StampedeAnalyticsPage, stampede_analytics_page,
                      STAMPEDE, ANALYTICS_PAGE, AdwBin)

void stampede_analytics_page_update (StampedeAnalyticsPage  *self,
                                     const StampedeSnapshot *snapshot);

G_END_DECLS
