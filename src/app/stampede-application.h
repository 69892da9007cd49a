/* stampede-application.h — the Stampede application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STAMPEDE_APPLICATION_ID "org.stampede.Stampede"

#define STAMPEDE_TYPE_APPLICATION (stampede_application_get_type ())

G_DECLARE_FINAL_TYPE (StampedeApplication, stampede_application,
                      STAMPEDE, APPLICATION, AdwApplication)

StampedeApplication *stampede_application_new (void);

G_END_DECLS
