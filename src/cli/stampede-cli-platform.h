/* stampede-cli-platform.h — `stampede-cli platform`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int stampede_cli_platform (int    argc,
                           char **argv);

G_END_DECLS
