/* stampede-degradation.c — the platform's degradation level and the
 * sliding window it is measured over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stampede-degradation.h"

/*
 * The window is a ring of one-second slots; at any instant it holds the
 * slot of the current second and the window_s − 1 before it.  A slot
 * counts answers, errors and the answers slower than the two latency
 * thresholds, which is all a p99 comparison needs: with the nearest-rank
 * definition, p99 > T exactly when more than one answer in a hundred took
 * longer than T, so no histogram is kept.
 *
 * Process CPU is sampled as a running total of seconds; the first sample
 * of each slot is kept, and the CPU share over the window is the growth
 * from the oldest kept sample to the latest one.
 */

#define MAX_WINDOW_S     60
#define DEFAULT_HOLD_US  (2 * G_USEC_PER_SEC)

typedef struct {
  gint64   second;
  guint64  answers;
  guint64  errors;
  guint64  slow_enter;
  guint64  slow_exit;
  gboolean has_cpu;
  gint64   cpu_t_us;
  double   cpu_s;
} Slot;

struct _StampedeDegradation {
  GMutex lock;
  guint  window_s;
  guint  n_cores;
  gint64 hold_us;
  gint   level;           /* atomic */
  gint64 below_since_us;  /* 0 while the level is still deserved */
  gint64 last_cpu_t_us;
  double last_cpu_s;
  gboolean has_last_cpu;
  Slot   slots[MAX_WINDOW_S];
};

static void
reset_slots (StampedeDegradation *self)
{
  for (guint i = 0; i < MAX_WINDOW_S; i++) {
    memset (&self->slots[i], 0, sizeof self->slots[i]);
    self->slots[i].second = G_MININT64;
  }
  self->has_last_cpu = FALSE;
}

/**
 * stampede_degradation_new:
 * @window_s: the length of the sliding window, in seconds (1–60)
 * @n_cores: the cores CPU use is measured against, at least 1
 *
 * Returns: (transfer full): a tracker at the normal level
 */
StampedeDegradation *
stampede_degradation_new (guint window_s,
                          guint n_cores)
{
  StampedeDegradation *self;

  g_return_val_if_fail (window_s >= 1 && window_s <= MAX_WINDOW_S, NULL);
  g_return_val_if_fail (n_cores >= 1, NULL);

  self = g_new0 (StampedeDegradation, 1);
  g_mutex_init (&self->lock);
  self->window_s = window_s;
  self->n_cores = n_cores;
  self->hold_us = DEFAULT_HOLD_US;
  reset_slots (self);

  return self;
}

void
stampede_degradation_free (StampedeDegradation *self)
{
  if (self == NULL)
    return;

  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * stampede_degradation_set_timing:
 * @self: a tracker
 * @window_s: the length of the sliding window, in seconds (1–60)
 * @hold_us: how long a lower level must be deserved before it is taken
 *
 * Changes the window and the hold time, and empties the window.
 */
void
stampede_degradation_set_timing (StampedeDegradation *self,
                                 guint                window_s,
                                 gint64               hold_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (window_s >= 1 && window_s <= MAX_WINDOW_S);
  g_return_if_fail (hold_us >= 0);

  g_mutex_lock (&self->lock);
  self->window_s = window_s;
  self->hold_us = hold_us;
  self->below_since_us = 0;
  reset_slots (self);
  g_mutex_unlock (&self->lock);
}

static Slot *
slot_at (StampedeDegradation *self,
         gint64               now_us)
{
  gint64 second = now_us / G_USEC_PER_SEC;
  Slot *slot = &self->slots[second % self->window_s];

  if (slot->second != second) {
    memset (slot, 0, sizeof *slot);
    slot->second = second;
  }

  return slot;
}

/**
 * stampede_degradation_observe:
 * @self: a tracker
 * @now_us: when the answer was given, monotonic microseconds
 * @latency_ms: how long the request took, from arrival to answer
 * @error: whether the answer was an error (a 5xx or a 429)
 *
 * Adds one answer to the window.  May be called from any thread.
 */
void
stampede_degradation_observe (StampedeDegradation *self,
                              gint64               now_us,
                              double               latency_ms,
                              gboolean             error)
{
  Slot *slot;

  g_return_if_fail (self != NULL);
  g_return_if_fail (now_us >= 0);

  g_mutex_lock (&self->lock);
  slot = slot_at (self, now_us);
  slot->answers++;
  if (error)
    slot->errors++;
  if (latency_ms > STAMPEDE_DEGRADATION_P99_ENTER_MS)
    slot->slow_enter++;
  if (latency_ms > STAMPEDE_DEGRADATION_P99_EXIT_MS)
    slot->slow_exit++;
  g_mutex_unlock (&self->lock);
}

/**
 * stampede_degradation_observe_cpu:
 * @self: a tracker
 * @now_us: when the sample was taken, monotonic microseconds
 * @cpu_s: the CPU time the process has used since it started, in seconds
 *
 * Adds a CPU sample.  May be called from any thread.
 */
void
stampede_degradation_observe_cpu (StampedeDegradation *self,
                                  gint64               now_us,
                                  double               cpu_s)
{
  Slot *slot;

  g_return_if_fail (self != NULL);
  g_return_if_fail (now_us >= 0);

  g_mutex_lock (&self->lock);
  slot = slot_at (self, now_us);
  if (!slot->has_cpu) {
    slot->has_cpu = TRUE;
    slot->cpu_t_us = now_us;
    slot->cpu_s = cpu_s;
  }
  self->has_last_cpu = TRUE;
  self->last_cpu_t_us = now_us;
  self->last_cpu_s = cpu_s;
  g_mutex_unlock (&self->lock);
}

static double
window_cpu (StampedeDegradation *self,
            gint64               oldest_second)
{
  const Slot *first = NULL;
  double seconds, share;

  if (!self->has_last_cpu)
    return -1;

  for (guint i = 0; i < self->window_s; i++) {
    const Slot *slot = &self->slots[i];

    if (slot->second >= oldest_second && slot->has_cpu
        && (first == NULL || slot->cpu_t_us < first->cpu_t_us))
      first = slot;
  }

  if (first == NULL || self->last_cpu_t_us - first->cpu_t_us < G_USEC_PER_SEC)
    return -1;

  seconds = (self->last_cpu_t_us - first->cpu_t_us) / (double) G_USEC_PER_SEC;
  share = (self->last_cpu_s - first->cpu_s) / seconds / self->n_cores;

  return CLAMP (share, 0, 1);
}

static void
read_window (StampedeDegradation       *self,
             gint64                     now_us,
             StampedeDegradationWindow *out)
{
  gint64 oldest = now_us / G_USEC_PER_SEC - self->window_s + 1;
  guint64 slow_enter = 0, slow_exit = 0;

  memset (out, 0, sizeof *out);

  for (guint i = 0; i < self->window_s; i++) {
    const Slot *slot = &self->slots[i];

    if (slot->second < oldest || slot->second > now_us / G_USEC_PER_SEC)
      continue;
    out->answers += slot->answers;
    out->errors += slot->errors;
    slow_enter += slot->slow_enter;
    slow_exit += slot->slow_exit;
  }

  if (out->answers >= STAMPEDE_DEGRADATION_MIN_ANSWERS) {
    out->error_ratio = out->errors / (double) out->answers;
    out->p99_over_enter = 100 * slow_enter > out->answers;
    out->p99_over_exit = 100 * slow_exit > out->answers;
  }
  out->cpu_ratio = window_cpu (self, oldest);
}

/* The highest level whose entry threshold the window is over. */
static StampedeDegradationLevel
entry_level (const StampedeDegradationWindow *window)
{
  if (window->error_ratio > STAMPEDE_DEGRADATION_ERROR_ENTER)
    return STAMPEDE_DEGRADATION_CRITICAL;
  if (window->p99_over_enter)
    return STAMPEDE_DEGRADATION_SEVERE;
  if (window->cpu_ratio > STAMPEDE_DEGRADATION_CPU_ENTER)
    return STAMPEDE_DEGRADATION_MODERATE;

  return STAMPEDE_DEGRADATION_NORMAL;
}

/* The highest level whose exit threshold the window is still over. */
static StampedeDegradationLevel
stay_level (const StampedeDegradationWindow *window)
{
  if (window->error_ratio > STAMPEDE_DEGRADATION_ERROR_EXIT)
    return STAMPEDE_DEGRADATION_CRITICAL;
  if (window->p99_over_exit)
    return STAMPEDE_DEGRADATION_SEVERE;
  if (window->cpu_ratio > STAMPEDE_DEGRADATION_CPU_EXIT)
    return STAMPEDE_DEGRADATION_MODERATE;

  return STAMPEDE_DEGRADATION_NORMAL;
}

/**
 * stampede_degradation_update:
 * @self: a tracker
 * @now_us: the current monotonic time, microseconds
 *
 * Works out the level from the window.  A level rises as soon as its
 * threshold is crossed.  It falls only when the window has been under the
 * lower exit thresholds of the current level for the hold time, and then
 * to the highest level whose exit threshold is still crossed, so that a
 * figure hovering at a threshold does not make the level flap.
 *
 * Returns: the level
 */
StampedeDegradationLevel
stampede_degradation_update (StampedeDegradation *self,
                             gint64               now_us)
{
  StampedeDegradationWindow window;
  StampedeDegradationLevel level, enter, stay;

  g_return_val_if_fail (self != NULL, STAMPEDE_DEGRADATION_NORMAL);

  g_mutex_lock (&self->lock);
  read_window (self, now_us, &window);
  level = g_atomic_int_get (&self->level);
  enter = entry_level (&window);
  stay = stay_level (&window);

  if (enter > level) {
    level = enter;
    self->below_since_us = 0;
  } else if (stay < level) {
    if (self->below_since_us == 0)
      self->below_since_us = now_us;
    if (now_us - self->below_since_us >= self->hold_us) {
      level = stay;
      self->below_since_us = 0;
    }
  } else {
    self->below_since_us = 0;
  }

  g_atomic_int_set (&self->level, level);
  g_mutex_unlock (&self->lock);

  return level;
}

/**
 * stampede_degradation_get_level:
 * @self: a tracker
 *
 * Returns: the level of the latest update; may be called from any thread
 */
StampedeDegradationLevel
stampede_degradation_get_level (StampedeDegradation *self)
{
  g_return_val_if_fail (self != NULL, STAMPEDE_DEGRADATION_NORMAL);

  return g_atomic_int_get (&self->level);
}

void
stampede_degradation_get_window (StampedeDegradation       *self,
                                 gint64                     now_us,
                                 StampedeDegradationWindow *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  g_mutex_lock (&self->lock);
  read_window (self, now_us, out);
  g_mutex_unlock (&self->lock);
}

const char *
stampede_degradation_level_name (StampedeDegradationLevel level)
{
  static const char * const names[] = {
    "normal", "moderate", "severe", "critical",
  };

  if (level == STAMPEDE_DEGRADATION_AUTO)
    return "auto";

  g_return_val_if_fail (level >= 0 && level < (int) G_N_ELEMENTS (names),
                        NULL);

  return names[level];
}

/**
 * stampede_degradation_level_parse:
 * @name: a level's name, or "auto"
 * @out: (out): the level
 *
 * Returns: whether @name names a level
 */
gboolean
stampede_degradation_level_parse (const char               *name,
                                  StampedeDegradationLevel *out)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  for (int i = STAMPEDE_DEGRADATION_AUTO;
       i < STAMPEDE_DEGRADATION_N_LEVELS; i++) {
    if (strcmp (name, stampede_degradation_level_name (i)) == 0) {
      *out = i;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_process_cpu_seconds:
 *
 * Reads the CPU time this process has used, user and system, from
 * /proc/self/stat.
 *
 * Returns: the seconds, or a negative number if they cannot be read
 */
double
stampede_process_cpu_seconds (void)
{
  g_autofree char *text = NULL;
  unsigned long long utime, stime;
  long ticks = sysconf (_SC_CLK_TCK);
  const char *fields;

  if (!g_file_get_contents ("/proc/self/stat", &text, NULL, NULL)
      || ticks <= 0)
    return -1;

  /* The command name, in parentheses, may itself hold spaces and
   * parentheses: the fields are counted from the last ')'. */
  fields = strrchr (text, ')');
  if (fields == NULL
      || sscanf (fields + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                 "%llu %llu", &utime, &stime) != 2)
    return -1;

  return (utime + stime) / (double) ticks;
}
