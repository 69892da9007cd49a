/* stampede-platform-private.h — the platform's internals, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "stampede-card-store.h"
#include "stampede-platform.h"

G_BEGIN_DECLS

void               stampede_platform_set_card_capacity
                                          (StampedePlatform *self,
                                           guint             capacity);
StampedeCardStore *stampede_platform_get_card_store
                                          (StampedePlatform *self);

G_END_DECLS
