/* stampede-platform-private.h — the platform's internals, shared by the
 * files it is split into and by its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "stampede-agents.h"
#include "stampede-card-store.h"
#include "stampede-degradation.h"
#include "stampede-faults.h"
#include "stampede-latency-model.h"
#include "stampede-platform.h"

G_BEGIN_DECLS

/* The largest request body the platform reads. */
#define STAMPEDE_PLATFORM_BODY_LIMIT (64 * 1024)

/* Upper bounds of the latency histograms on /metrics, in seconds. */
#define STAMPEDE_PLATFORM_N_BUCKETS 15

/* The card store's retries when it answers "throttled": exponential
 * back-off from 1 ms, doubling up to 32 ms, six attempts in all (31 ms of
 * waiting when every attempt is throttled). */
#define STAMPEDE_PLATFORM_STORE_ATTEMPTS     6
#define STAMPEDE_PLATFORM_STORE_BACKOFF_US   1000
#define STAMPEDE_PLATFORM_STORE_BACKOFF_CAP  32000

/*
 * What /metrics reports.  The server thread alone writes these and serves
 * /metrics, so they need no lock.
 */
typedef struct {
  guint64 status[600];
  guint64 decisions[3];
  guint64 by_level[STAMPEDE_DEGRADATION_N_LEVELS];
  guint64 level_changes;
  guint64 partition_held;
  guint64 partition_reset;
  guint64 agent_failed[STAMPEDE_PLATFORM_N_AGENTS];
  guint64 agent_skipped[STAMPEDE_PLATFORM_N_AGENTS];
  guint64 agent_bucket[STAMPEDE_PLATFORM_N_AGENTS][STAMPEDE_PLATFORM_N_BUCKETS];
  guint64 agent_count[STAMPEDE_PLATFORM_N_AGENTS];
  double  agent_sum_s[STAMPEDE_PLATFORM_N_AGENTS];
  guint64 request_bucket[STAMPEDE_PLATFORM_N_BUCKETS];
  guint64 request_count;
  double  request_sum_s;
  guint64 store_ops;
  guint64 store_throttled;
  guint64 store_retries;
  guint64 store_gave_up;
} StampedePlatformCounters;

/*
 * The first group of fields may be used from any thread, each as its
 * comment says.  The second group is written by the caller's thread
 * (start, stop) and read by the server thread.  The last group belongs to
 * the server thread alone while it runs.
 */
struct _StampedePlatform {
  GObject                  parent_instance;

  StampedeCardStore       *cards;        /* own locks */
  StampedeFaults          *faults;       /* own lock */
  StampedeDegradation     *degradation;  /* own lock */
  gint                     override;     /* atomic StampedeDegradationLevel */
  GMutex                   config_lock;  /* guards the four below */
  StampedeLatencyModel     latency[STAMPEDE_PLATFORM_N_AGENTS];
  guint                    queue_depth;
  guint                    max_scoring;
  char                    *admin_token;

  GMutex                   lock;
  GCond                    cond;
  GThread                 *thread;
  GMainContext            *context;
  GMainLoop               *loop;
  char                    *address;
  guint                    port;
  gboolean                 listening;
  gboolean                 start_done;
  GError                  *start_error;

  /* Server thread only. */
  SoupServer              *server;
  GRand                   *rand;
  GQueue                   queue;        /* jobs waiting to be scored */
  GQueue                   held;         /* jobs held by a partition */
  GQueue                   scoring;      /* jobs being scored */
  GSource                 *pump_source;
  GSource                 *tick_source;
  StampedeDegradationLevel last_level;
  StampedePlatformCounters counters;
};

/* Shared by the platform's files. */
void               _stampede_platform_respond_json    (SoupServerMessage *msg,
                                                       guint              status,
                                                       GString           *body);
void               _stampede_platform_respond_error   (SoupServerMessage *msg,
                                                       guint              status,
                                                       const char        *message);
void               _stampede_platform_respond_refusal (StampedePlatform  *self,
                                                       SoupServerMessage *msg,
                                                       guint              status,
                                                       const char        *message);
void               _stampede_platform_respond_method  (SoupServerMessage *msg,
                                                       const char        *allow);
void               _stampede_platform_append_string   (GString           *out,
                                                       const char        *text);
StampedeDegradationLevel
                   _stampede_platform_level           (StampedePlatform  *self);
void               _stampede_platform_count_latency   (guint64           *buckets,
                                                       double             seconds);
extern const double _stampede_platform_bucket_s[STAMPEDE_PLATFORM_N_BUCKETS];

/* stampede-platform-score.c */
void               _stampede_platform_score_init      (StampedePlatform  *self);
void               _stampede_platform_handle_score    (StampedePlatform  *self,
                                                       SoupServerMessage *msg,
                                                       gint64             received_us);
void               _stampede_platform_release_held    (StampedePlatform  *self);
void               _stampede_platform_drop_jobs       (StampedePlatform  *self);

/* stampede-platform-admin.c */
void               _stampede_platform_handle_admin    (StampedePlatform  *self,
                                                       SoupServerMessage *msg,
                                                       const char        *path);
void               _stampede_platform_handle_metrics  (StampedePlatform  *self,
                                                       SoupServerMessage *msg);

/* For tests. */
void                 stampede_platform_set_card_capacity
                                          (StampedePlatform *self,
                                           guint             capacity);
StampedeCardStore   *stampede_platform_get_card_store
                                          (StampedePlatform *self);
StampedeDegradation *stampede_platform_get_degradation
                                          (StampedePlatform *self);

G_END_DECLS
