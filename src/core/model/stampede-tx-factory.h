/* stampede-tx-factory.h — seeded, reproducible stream of transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-transaction.h"

G_BEGIN_DECLS

typedef struct _StampedeTxFactory StampedeTxFactory;

StampedeTxFactory *stampede_tx_factory_new  (guint64              seed,
                                             guint                stream);
void               stampede_tx_factory_free (StampedeTxFactory   *self);
void               stampede_tx_factory_next (StampedeTxFactory   *self,
                                             gint64               now_ms,
                                             StampedeTransaction *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeTxFactory, stampede_tx_factory_free)

G_END_DECLS
