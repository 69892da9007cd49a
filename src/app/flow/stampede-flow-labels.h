/* stampede-flow-labels.h — the words on the flow canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "stampede-flow-layout.h"

G_BEGIN_DECLS

GskRenderNode *stampede_flow_labels_build   (GtkWidget                *widget,
                                             const StampedeFlowLayout *layout,
                                             const float               agent_ms[4],
                                             double                    represented);
GArray        *stampede_flow_labels_measure (GtkWidget                *widget,
                                             const StampedeFlowLayout *layout,
                                             const float               agent_ms[4],
                                             double                    represented);

G_END_DECLS
