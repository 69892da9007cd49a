/* stampede-baseline.h — the rules-only scorer the target is compared with
 * (engine private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-transaction.h"

G_BEGIN_DECLS

gboolean stampede_baseline_declines (const StampedeTransaction *tx);

G_END_DECLS
