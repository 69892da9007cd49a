/* stampede-histogram.c — bounded-memory latency histogram
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-histogram.h"

#include <math.h>
#include <string.h>

/*
 * Layout.  Values from 0 to 2047 each get a counter of their own (bucket
 * 0).  Above that, bucket b (b ≥ 1) covers [1024 << b, 2048 << b) with 1024
 * counters, each 1 << b wide.  A counter is therefore never wider than
 * 1/1024 of the values it holds, which keeps every reported value within
 * 0.098 % of the recorded one: three significant decimal digits.
 *
 * The counters of bucket b sit at (b + 1) * 1024 + (sub - 1024), where sub
 * is the value shifted right by b; bucket 0 also uses the slots below 1024.
 * Finding a counter costs one count-leading-zeros and two shifts, with no
 * division and no loop, because record() runs once per transaction.
 */
#define SUB_BUCKET_HALF_MAGNITUDE 10
#define SUB_BUCKET_HALF_COUNT     (1 << SUB_BUCKET_HALF_MAGNITUDE)
#define SUB_BUCKET_COUNT          (2 * SUB_BUCKET_HALF_COUNT)
#define SUB_BUCKET_MASK           ((guint64) SUB_BUCKET_COUNT - 1)

struct _StampedeHistogram {
  gint64  highest;
  guint   bucket_count;
  gsize   counts_len;

  guint64 total;
  gint64  min;
  gint64  max;

  /* The exact sum of recorded values, so that the mean is exact rather
   * than a bucket approximation. */
  guint64 sum;

  guint64 counts[];
};

static inline gsize
index_for (gint64 value)
{
  guint64 v = (guint64) value;
  int pow2_ceiling = 64 - __builtin_clzll (v | SUB_BUCKET_MASK);
  int bucket = pow2_ceiling - (SUB_BUCKET_HALF_MAGNITUDE + 1);
  guint64 sub = v >> bucket;

  return ((gsize) (bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE)
         + (gsize) (sub - SUB_BUCKET_HALF_COUNT);
}

/* The smallest value counted at @index, and the width of its counter. */
static inline gint64
lowest_at (gsize  index,
           guint *shift)
{
  int bucket = (int) (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  guint64 sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;

  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }

  *shift = (guint) bucket;

  return (gint64) (sub << bucket);
}

static inline gint64
highest_at (gsize index)
{
  guint shift;
  gint64 lowest = lowest_at (index, &shift);

  return lowest + ((gint64) 1 << shift) - 1;
}

static guint
buckets_needed (gint64 highest)
{
  guint64 smallest_untracked = SUB_BUCKET_COUNT;
  guint needed = 1;

  while (smallest_untracked <= (guint64) highest) {
    smallest_untracked <<= 1;
    needed++;
  }

  return needed;
}

/**
 * stampede_histogram_new:
 * @highest: the highest value to track, at least 2
 *
 * Creates an empty histogram.  Its memory is fixed here: about 8 KiB per
 * doubling of @highest above 2048.
 *
 * Returns: (transfer full): a new histogram
 */
StampedeHistogram *
stampede_histogram_new (gint64 highest)
{
  StampedeHistogram *self;
  guint bucket_count;
  gsize counts_len;

  g_return_val_if_fail (highest >= 2, NULL);
  g_return_val_if_fail (highest <= G_MAXINT64 / 4, NULL);

  bucket_count = buckets_needed (highest);
  counts_len = (gsize) (bucket_count + 1) * SUB_BUCKET_HALF_COUNT;

  self = g_malloc0 (sizeof *self + counts_len * sizeof (guint64));
  self->highest = highest;
  self->bucket_count = bucket_count;
  self->counts_len = counts_len;

  return self;
}

/**
 * stampede_histogram_copy:
 * @self: a histogram
 *
 * Returns: (transfer full): an independent copy of @self
 */
StampedeHistogram *
stampede_histogram_copy (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self + self->counts_len * sizeof (guint64));
}

void
stampede_histogram_free (StampedeHistogram *self)
{
  g_free (self);
}

void
stampede_histogram_reset (StampedeHistogram *self)
{
  g_return_if_fail (self != NULL);

  self->total = 0;
  self->min = 0;
  self->max = 0;
  self->sum = 0;
  memset (self->counts, 0, self->counts_len * sizeof (guint64));
}

/**
 * stampede_histogram_record_n:
 * @self: a histogram
 * @value: the value; negative counts as 0, above the highest trackable
 *   value as that highest value
 * @count: how many times to record it
 *
 * Records @value @count times.
 */
void
stampede_histogram_record_n (StampedeHistogram *self,
                             gint64             value,
                             guint64            count)
{
  g_return_if_fail (self != NULL);

  if (count == 0)
    return;

  value = CLAMP (value, 0, self->highest);

  self->counts[index_for (value)] += count;
  self->sum += (guint64) value * count;

  if (self->total == 0 || value < self->min)
    self->min = value;
  if (value > self->max)
    self->max = value;

  self->total += count;
}

void
stampede_histogram_record (StampedeHistogram *self,
                           gint64             value)
{
  stampede_histogram_record_n (self, value, 1);
}

/**
 * stampede_histogram_merge:
 * @self: the histogram to add to
 * @other: a histogram created with the same highest value
 *
 * Adds every value recorded in @other to @self, as if they had been
 * recorded in @self directly.
 */
void
stampede_histogram_merge (StampedeHistogram       *self,
                          const StampedeHistogram *other)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (other != NULL);
  g_return_if_fail (self->highest == other->highest);

  if (other->total == 0)
    return;

  for (gsize i = 0; i < self->counts_len; i++)
    self->counts[i] += other->counts[i];

  if (self->total == 0 || other->min < self->min)
    self->min = other->min;
  if (other->max > self->max)
    self->max = other->max;

  self->total += other->total;
  self->sum += other->sum;
}

guint64
stampede_histogram_count (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total;
}

/* The exact smallest recorded value (after clamping); 0 when empty. */
gint64
stampede_histogram_min (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->min;
}

/* The exact largest recorded value (after clamping); 0 when empty. */
gint64
stampede_histogram_max (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max;
}

/* The exact mean of the recorded values; 0 when empty. */
double
stampede_histogram_mean (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->total == 0)
    return 0;

  return (double) self->sum / (double) self->total;
}

/**
 * stampede_histogram_percentile:
 * @self: a histogram
 * @percentile: from 0 to 100
 *
 * Finds the value at or below which @percentile % of the recorded values
 * fall: the rank is ceil (@percentile / 100 × count), as when reading a
 * sorted list of the samples, and the answer is the highest value that
 * shares a counter with the sample of that rank, but never more than
 * stampede_histogram_max().
 *
 * Returns: the value, or 0 for an empty histogram
 */
gint64
stampede_histogram_percentile (const StampedeHistogram *self,
                               double                   percentile)
{
  guint64 rank;
  guint64 seen = 0;

  g_return_val_if_fail (self != NULL, 0);

  if (self->total == 0)
    return 0;
  if (percentile >= 100)
    return self->max;

  percentile = MAX (percentile, 0);
  rank = (guint64) ceil (percentile * (double) self->total / 100.0);
  rank = CLAMP (rank, 1, self->total);

  for (gsize i = 0; i < self->counts_len; i++) {
    seen += self->counts[i];
    if (seen >= rank)
      return MIN (highest_at (i), self->max);
  }

  return self->max;
}

gint64
stampede_histogram_highest (const StampedeHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->highest;
}
