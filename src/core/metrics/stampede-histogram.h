/* stampede-histogram.h — bounded-memory latency histogram
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A log-linear histogram in the manner of HdrHistogram: values are
 * integers (the engine records microseconds) from 1 to a fixed highest
 * trackable value, kept to at least 3 significant decimal digits.  Memory is
 * fixed at creation; no sample is stored.  Values above the highest
 * trackable value are clamped and counted in the top bucket.
 */
typedef struct _StampedeHistogram StampedeHistogram;

StampedeHistogram *stampede_histogram_new            (gint64                   highest);
StampedeHistogram *stampede_histogram_copy           (const StampedeHistogram *self);
void               stampede_histogram_free           (StampedeHistogram       *self);
void               stampede_histogram_reset          (StampedeHistogram       *self);
void               stampede_histogram_record         (StampedeHistogram       *self,
                                                      gint64                   value);
void               stampede_histogram_record_n       (StampedeHistogram       *self,
                                                      gint64                   value,
                                                      guint64                  count);
void               stampede_histogram_merge          (StampedeHistogram       *self,
                                                      const StampedeHistogram *other);
guint64            stampede_histogram_count          (const StampedeHistogram *self);
gint64             stampede_histogram_min            (const StampedeHistogram *self);
gint64             stampede_histogram_max            (const StampedeHistogram *self);
double             stampede_histogram_mean           (const StampedeHistogram *self);
gint64             stampede_histogram_percentile     (const StampedeHistogram *self,
                                                      double                   percentile);
gint64             stampede_histogram_highest        (const StampedeHistogram *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeHistogram, stampede_histogram_free)

G_END_DECLS
