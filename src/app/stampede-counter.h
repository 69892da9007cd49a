/* stampede-counter.h — a label that counts up to its figure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Writes @value as the label shows it; NAN means nothing measured. */
typedef char *(*StampedeCounterFormat) (double   value,
                                        gpointer user_data);

#define STAMPEDE_TYPE_COUNTER (stampede_counter_get_type ())

G_DECLARE_FINAL_TYPE (StampedeCounter, stampede_counter,
                      STAMPEDE, COUNTER, GObject)

StampedeCounter *stampede_counter_new        (GtkLabel              *label,
                                              StampedeCounterFormat  format,
                                              gpointer               user_data);
void             stampede_counter_set_value  (StampedeCounter       *self,
                                              double                 value);
double           stampede_counter_get_value  (StampedeCounter       *self);
double           stampede_counter_get_shown  (StampedeCounter       *self);
void             stampede_counter_refresh    (StampedeCounter       *self);
gboolean         stampede_counter_is_settled (StampedeCounter       *self);
void             stampede_counter_set_frame_interval
                                             (StampedeCounter *self,
                                              gint64           interval_us);
gint64           stampede_counter_get_frame_interval
                                             (StampedeCounter       *self);

G_END_DECLS
