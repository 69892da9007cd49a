/* stampede-degradation.h — the platform's degradation level and the
 * sliding window it is measured over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * StampedeDegradationLevel:
 * @STAMPEDE_DEGRADATION_AUTO: no level forced; only for overrides
 * @STAMPEDE_DEGRADATION_NORMAL: every agent, every feature
 * @STAMPEDE_DEGRADATION_MODERATE: non-critical work skipped
 * @STAMPEDE_DEGRADATION_SEVERE: fast path, rules only
 * @STAMPEDE_DEGRADATION_CRITICAL: emergency mode, no agents
 */
typedef enum {
  STAMPEDE_DEGRADATION_AUTO = -1,
  STAMPEDE_DEGRADATION_NORMAL,
  STAMPEDE_DEGRADATION_MODERATE,
  STAMPEDE_DEGRADATION_SEVERE,
  STAMPEDE_DEGRADATION_CRITICAL,
} StampedeDegradationLevel;

#define STAMPEDE_DEGRADATION_N_LEVELS 4

/* The product brief's thresholds, and the lower ones a level must fall
 * under before it is left (hysteresis). */
#define STAMPEDE_DEGRADATION_ERROR_ENTER  0.10
#define STAMPEDE_DEGRADATION_ERROR_EXIT   0.05
#define STAMPEDE_DEGRADATION_P99_ENTER_MS 5000.0
#define STAMPEDE_DEGRADATION_P99_EXIT_MS  4000.0
#define STAMPEDE_DEGRADATION_CPU_ENTER    0.90
#define STAMPEDE_DEGRADATION_CPU_EXIT     0.80

/* Fewer answers than this in the window say nothing about rates. */
#define STAMPEDE_DEGRADATION_MIN_ANSWERS  20

/**
 * StampedeDegradationWindow:
 * @answers: answers in the window
 * @errors: of which errors (5xx and 429)
 * @error_ratio: @errors / @answers, or 0 with too few answers
 * @p99_over_enter: whether the window's p99 is above the entry threshold
 * @p99_over_exit: whether it is above the exit threshold
 * @cpu_ratio: process CPU over the window against all cores, in [0, 1],
 *   or a negative number when less than a second has been sampled
 *
 * What the degradation window holds at one instant.
 */
typedef struct {
  guint64  answers;
  guint64  errors;
  double   error_ratio;
  gboolean p99_over_enter;
  gboolean p99_over_exit;
  double   cpu_ratio;
} StampedeDegradationWindow;

typedef struct _StampedeDegradation StampedeDegradation;

StampedeDegradation *stampede_degradation_new    (guint                window_s,
                                                  guint                n_cores);
void                 stampede_degradation_free   (StampedeDegradation *self);
void                 stampede_degradation_set_timing
                                                 (StampedeDegradation *self,
                                                  guint                window_s,
                                                  gint64               hold_us);
void                 stampede_degradation_observe
                                                 (StampedeDegradation *self,
                                                  gint64               now_us,
                                                  double               latency_ms,
                                                  gboolean             error);
void                 stampede_degradation_observe_cpu
                                                 (StampedeDegradation *self,
                                                  gint64               now_us,
                                                  double               cpu_s);

StampedeDegradationLevel
            stampede_degradation_update     (StampedeDegradation       *self,
                                             gint64                     now_us);
StampedeDegradationLevel
            stampede_degradation_get_level  (StampedeDegradation       *self);
void        stampede_degradation_get_window (StampedeDegradation       *self,
                                             gint64                     now_us,
                                             StampedeDegradationWindow *out);

const char *stampede_degradation_level_name  (StampedeDegradationLevel  level);
gboolean    stampede_degradation_level_parse (const char               *name,
                                              StampedeDegradationLevel *out);
double      stampede_process_cpu_seconds     (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeDegradation, stampede_degradation_free)

G_END_DECLS
