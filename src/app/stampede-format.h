/* stampede-format.h — how the app writes figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The text a figure shows while there is nothing measured to show. */
#define STAMPEDE_FORMAT_NONE "—"

char *stampede_format_count    (guint64 value);
char *stampede_format_rate     (double  per_second);
char *stampede_format_usd      (double  value);
char *stampede_format_ms       (double  ms);
char *stampede_format_percent  (double  fraction);
char *stampede_format_clock    (double  seconds);

G_END_DECLS
