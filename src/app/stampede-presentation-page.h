/* stampede-presentation-page.h — the hero figures, for an audience
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_PRESENTATION_PAGE (stampede_presentation_page_get_type ())

G_DECLARE_FINAL_TYPE (StampedePresentationPage, stampede_presentation_page,
                      STAMPEDE, PRESENTATION_PAGE, AdwBin)

void stampede_presentation_page_update      (StampedePresentationPage *self,
                                             const StampedeSnapshot   *snapshot);
void stampede_presentation_page_set_message (StampedePresentationPage *self,
                                             const char               *message);

G_END_DECLS
