/* stampede-report.h — summaries of a finished run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "stampede-run-config.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

JsonNode *stampede_report_build_summary (const StampedeRunConfig *config,
                                         const StampedeSnapshot  *final);
gboolean  stampede_report_write_json    (const StampedeRunConfig *config,
                                         const StampedeSnapshot  *final,
                                         const char              *path,
                                         GError                 **error);
char     *stampede_report_format_text   (const StampedeRunConfig *config,
                                         const StampedeSnapshot  *final);

G_END_DECLS
