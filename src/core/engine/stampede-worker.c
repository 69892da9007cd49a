/* stampede-worker.c — one load-generating thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gio/gio.h>

#include "stampede-answer-map.h"
#include "stampede-baseline.h"
#include "stampede-raw-http.h"
#include "stampede-request-template.h"
#include "stampede-transaction.h"
#include "stampede-tx-factory.h"
#include "stampede-worker.h"

/* The latency histograms track up to an hour in microseconds; a later
 * answer is counted at the top. */
#define HISTOGRAM_HIGHEST_US    G_GINT64_CONSTANT (3600000000)

/* The longest the loop sleeps, so that a change of rate or a stop is seen
 * soon even if no answer and no arrival wakes it. */
#define POLL_CAP_MS             5

/*
 * The shortest time between two wakes of the timer.  Waking for every
 * arrival costs more than the request itself once arrivals are less than
 * a few hundred microseconds apart (measured here: at 20,000/s on two
 * workers, 0.2 ms of batching saved about a fifth of the engine's CPU).
 * An arrival can so go out up to this late; the lateness is part of the
 * latency measured from its intended send time, never hidden.
 */
#define BATCH_US                200

/* Bodies are kept up to this size; a longer answer is unreadable. */
#define MAX_ANSWER_BYTES        (1024 * 1024)

#define INITIAL_REQUEST_BYTES   1024
#define INITIAL_ANSWER_BYTES    1024

/* How deep an answer may nest before it is rejected as unreadable. */
#define MAX_JSON_DEPTH          32

/*
 * The backlog of arrivals waiting for a handle is a ring of intended send
 * times.  It starts at BACKLOG_INITIAL entries and doubles when full, up
 * to BACKLOG_MAX (512 KiB), so it allocates a few times in a run and
 * never per arrival.  The age limit (the timeout) is what bounds it in
 * practice; the count limit only matters past 65,536 arrivals per worker
 * within one timeout, where an arrival that finds it full is dropped.
 * Both are powers of two, so that an index wraps with a mask.
 */
#define BACKLOG_INITIAL         256
#define BACKLOG_MAX             (1 << 16)

typedef struct _Slot Slot;

/* One easy handle, or one connection of the raw transport, with the
 * buffers of the transaction it carries.  Slots are made when first
 * needed and reused for the rest of the run, so a request costs no
 * allocation once the pool has grown. */
struct _Slot {
  Slot                *next_free;
  CURL                *easy;
  StampedeRawConn     *conn;

  StampedeTransaction  tx;
  gint64               intended_us;
  gint64               sent_us;
  StampedeOutcome      outcome;

  /* The attempts sent so far, the last one's HTTP status (0 without an
   * answer) and when it ended, and when the next attempt is due. */
  guint                attempts;
  long                 status;
  gint64               answered_us;
  gint64               retry_at_us;

  /* The raw transport's reading of the last answer's Retry-After. */
  gint64               retry_after_s;

  char                *request;
  gsize                request_cap;
  gsize                request_len;

  char                *answer;
  gsize                answer_len;
  gsize                answer_cap;
  gboolean             answer_overflow;
};

struct _StampedeWorker {
  guint                   index;
  guint                   n_workers;
  StampedeProfile        *profile;
  char                   *url;
  guint                   timeout_ms;
  gint64                  start_us;
  gint64                  end_us;
  gboolean                closed;

  /* Exactly one of the two transports: libcurl's multi handle, or the
   * raw HTTP/1.1 client. */
  CURLM                  *multi;
  struct curl_slist      *headers;
  StampedeRawHttp        *raw;
  int                     timer_fd;
  gint64                  armed_us;
  StampedeTxFactory      *factory;
  StampedeRequestTemplate *template;
  StampedeAnswerMap      *answer_map;
  GString                *scratch;

  GPtrArray              *slots;
  GPtrArray              *finished;
  Slot                   *free_slots;
  guint                   pool_cap;
  guint                   in_flight;
  guint64                 next_k;
  gint64                  next_due_us;

  /* Intended send times of the due arrivals that wait for a handle, in
   * order: a ring of @backlog_cap entries from @backlog_head. */
  gint64                 *backlog;
  guint                   backlog_cap;
  guint                   backlog_head;
  guint                   backlog_len;

  /* How long each arrival dropped in this turn of the loop waited, from
   * its intended time to the drop, kept until the shard lock is taken to
   * record them; reused, so it allocates only when it grows. */
  GArray                 *drop_waits;

  /* The retry policy, and the slots that wait to try again; a waiting
   * slot still counts in @in_flight. */
  guint                   retry_max;
  guint                   retry_base_ms;
  guint                   retry_cap_ms;
  guint64                 jitter;
  GPtrArray              *waiting;

  GThread                *thread;
  int                     stopping;
  int                     aborting;
  int                     done;

  /* The shard: everything below is guarded by @lock, which the worker
   * takes once per batch of arrivals or answers and the aggregator once
   * per harvest. */
  GMutex                  lock;
  StampedeWorkerTotals    totals;
  StampedeHistogram      *corrected;
  StampedeHistogram      *service;
  StampedeWorkerSamples  *samples;
  guint64                 random;
};

/* Answer scanning.
 *
 * A score answer is read with a small validating scanner rather than a
 * JSON parser, because building a document tree per answer costs more
 * than the HTTP exchange itself at the rates the engine runs.  The scanner
 * walks the whole text and accepts only well-formed JSON; it extracts the
 * top-level "decision" and the "name" and "ms" of each object in the
 * top-level "agents" array, and skips everything else.  The text must be
 * followed by a NUL byte, which strtod() relies on. */

typedef struct {
  const char *p;
  const char *end;
} Scanner;

static void
skip_space (Scanner *s)
{
  while (s->p < s->end
         && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
expect_char (Scanner *s,
             char     c)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != c)
    return FALSE;
  s->p++;

  return TRUE;
}

/* Scans a string and gives its raw contents, escapes left as they are. */
static gboolean
scan_string (Scanner     *s,
             const char **start,
             gsize       *len)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  s->p++;
  *start = s->p;

  while (s->p < s->end) {
    guchar c = (guchar) *s->p;

    if (c == '"') {
      *len = (gsize) (s->p - *start);
      s->p++;
      return TRUE;
    }
    if (c < 0x20)
      return FALSE;

    if (c == '\\') {
      if (s->end - s->p < 2)
        return FALSE;
      if (s->p[1] == 'u') {
        if (s->end - s->p < 6)
          return FALSE;
        for (int i = 2; i < 6; i++)
          if (!g_ascii_isxdigit (s->p[i]))
            return FALSE;
        s->p += 6;
        continue;
      }
      if (strchr ("\"\\/bfnrt", s->p[1]) == NULL || s->p[1] == '\0')
        return FALSE;
      s->p += 2;
      continue;
    }

    s->p++;
  }

  return FALSE;
}

static gboolean
scan_digits (Scanner *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;

  return s->p > start;
}

/* Scans a number by the JSON grammar and converts it. */
static gboolean
scan_number (Scanner *s,
             double  *value)
{
  const char *start;

  skip_space (s);
  start = s->p;

  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;

  if (s->p < s->end && *s->p == '.') {
    s->p++;
    if (!scan_digits (s))
      return FALSE;
  }

  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
      s->p++;
    if (!scan_digits (s))
      return FALSE;
  }

  if (value != NULL)
    *value = g_ascii_strtod (start, NULL);

  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return FALSE;
  s->p += len;

  return TRUE;
}

static gboolean skip_value (Scanner *s,
                            int      depth);

static gboolean
skip_object (Scanner *s,
             int      depth)
{
  const char *key;
  gsize key_len;

  if (!expect_char (s, '{'))
    return FALSE;
  if (expect_char (s, '}'))
    return TRUE;

  do {
    if (!scan_string (s, &key, &key_len) || !expect_char (s, ':')
        || !skip_value (s, depth + 1))
      return FALSE;
  } while (expect_char (s, ','));

  return expect_char (s, '}');
}

static gboolean
skip_array (Scanner *s,
            int      depth)
{
  if (!expect_char (s, '['))
    return FALSE;
  if (expect_char (s, ']'))
    return TRUE;

  do {
    if (!skip_value (s, depth + 1))
      return FALSE;
  } while (expect_char (s, ','));

  return expect_char (s, ']');
}

static gboolean
skip_value (Scanner *s,
            int      depth)
{
  const char *text;
  gsize len;

  if (depth > MAX_JSON_DEPTH)
    return FALSE;

  skip_space (s);
  if (s->p >= s->end)
    return FALSE;

  switch (*s->p) {
  case '{':
    return skip_object (s, depth);
  case '[':
    return skip_array (s, depth);
  case '"':
    return scan_string (s, &text, &len);
  case 't':
    return scan_literal (s, "true");
  case 'f':
    return scan_literal (s, "false");
  case 'n':
    return scan_literal (s, "null");
  default:
    return scan_number (s, NULL);
  }
}

static gboolean
raw_equal (const char *raw,
           gsize       len,
           const char *word)
{
  return strlen (word) == len && memcmp (raw, word, len) == 0;
}

static int
agent_from_name (const char *name,
                 gsize       len)
{
  if (raw_equal (name, len, "transaction_analyzer"))
    return STAMPEDE_AGENT_ANALYZER;
  if (raw_equal (name, len, "pattern_detector"))
    return STAMPEDE_AGENT_PATTERN;
  if (raw_equal (name, len, "geo_risk"))
    return STAMPEDE_AGENT_GEO;
  if (raw_equal (name, len, "reasoning"))
    return STAMPEDE_AGENT_REASONING;

  return -1;
}

/* Reads one element of "agents"; an element that is not an object, or
 * that lacks a known name or a usable "ms", is skipped. */
static gboolean
scan_agent (Scanner        *s,
            StampedeAnswer *answer)
{
  const char *key;
  gsize key_len;
  int agent = -1;
  double ms = -1;

  skip_space (s);
  if (s->p >= s->end || *s->p != '{')
    return skip_value (s, 2);

  s->p++;
  if (expect_char (s, '}'))
    return TRUE;

  do {
    if (!scan_string (s, &key, &key_len) || !expect_char (s, ':'))
      return FALSE;

    skip_space (s);
    if (raw_equal (key, key_len, "name") && s->p < s->end && *s->p == '"') {
      const char *name;
      gsize name_len;

      if (!scan_string (s, &name, &name_len))
        return FALSE;
      agent = agent_from_name (name, name_len);
    } else if (raw_equal (key, key_len, "ms") && s->p < s->end
               && (*s->p == '-' || g_ascii_isdigit (*s->p))) {
      if (!scan_number (s, &ms))
        return FALSE;
    } else if (!skip_value (s, 3)) {
      return FALSE;
    }
  } while (expect_char (s, ','));

  if (!expect_char (s, '}'))
    return FALSE;

  if (agent >= 0 && isfinite (ms) && ms >= 0) {
    answer->agent_seen[agent] = TRUE;
    answer->agent_ms[agent] = ms;
  }

  return TRUE;
}

static gboolean
scan_agents (Scanner        *s,
             StampedeAnswer *answer)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != '[')
    return skip_value (s, 1);

  s->p++;
  if (expect_char (s, ']'))
    return TRUE;

  do {
    if (!scan_agent (s, answer))
      return FALSE;
  } while (expect_char (s, ','));

  return expect_char (s, ']');
}

static gboolean
scan_decision (Scanner        *s,
               StampedeAnswer *answer,
               gboolean       *found)
{
  const char *text;
  gsize len;

  if (!scan_string (s, &text, &len))
    return FALSE;

  if (raw_equal (text, len, "approve"))
    answer->decision = STAMPEDE_DECISION_APPROVE;
  else if (raw_equal (text, len, "review"))
    answer->decision = STAMPEDE_DECISION_REVIEW;
  else if (raw_equal (text, len, "decline"))
    answer->decision = STAMPEDE_DECISION_DECLINE;
  else
    return FALSE;

  *found = TRUE;

  return TRUE;
}

/**
 * stampede_answer_parse:
 * @body: the answer's text, followed by a NUL byte
 * @len: the length of @body without the NUL
 * @answer: (out caller-allocates): where to put what was read
 *
 * Reads a score answer.  It is readable when it is one well-formed JSON
 * object whose "decision" is "approve", "review" or "decline".  Agent
 * timings are taken from "agents" where present.
 *
 * Returns: %TRUE if the answer is readable
 */
gboolean
stampede_answer_parse (const char     *body,
                       gsize           len,
                       StampedeAnswer *answer)
{
  Scanner s = { body, body + len };
  gboolean found = FALSE;
  const char *key;
  gsize key_len;

  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  memset (answer, 0, sizeof *answer);

  if (!expect_char (&s, '{'))
    return FALSE;

  if (!expect_char (&s, '}')) {
    do {
      gboolean ok;

      if (!scan_string (&s, &key, &key_len) || !expect_char (&s, ':'))
        return FALSE;

      if (raw_equal (key, key_len, "decision"))
        ok = scan_decision (&s, answer, &found);
      else if (raw_equal (key, key_len, "agents"))
        ok = scan_agents (&s, answer);
      else
        ok = skip_value (&s, 1);

      if (!ok)
        return FALSE;
    } while (expect_char (&s, ','));

    if (!expect_char (&s, '}'))
      return FALSE;
  }

  skip_space (&s);

  return found && s.p == s.end;
}

/* Totals. */

void
stampede_worker_totals_add (StampedeWorkerTotals       *sum,
                            const StampedeWorkerTotals *totals)
{
  g_return_if_fail (sum != NULL);
  g_return_if_fail (totals != NULL);

  sum->arrivals += totals->arrivals;
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    sum->outcomes[i] += totals->outcomes[i];

  sum->retries += totals->retries;
  sum->true_pos += totals->true_pos;
  sum->false_pos += totals->false_pos;
  sum->true_neg += totals->true_neg;
  sum->false_neg += totals->false_neg;
  sum->fraud_value_blocked += totals->fraud_value_blocked;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    sum->agent_ms_sum[i] += totals->agent_ms_sum[i];
    sum->agent_count[i] += totals->agent_count[i];
  }

  sum->baseline_tp += totals->baseline_tp;
  sum->baseline_fp += totals->baseline_fp;
  sum->baseline_tn += totals->baseline_tn;
  sum->baseline_fn += totals->baseline_fn;
  sum->baseline_ns += totals->baseline_ns;
}

/* Samples.  A reservoir keeps a uniform sample of everything the worker
 * finished since the last harvest at the cost of one random draw per
 * transaction. */

static guint64
next_random (guint64 *state)
{
  /* xorshift64*: plenty for picking samples, and one multiply. */
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;

  return *state * G_GUINT64_CONSTANT (2685821657736338717);
}

/* Gives the place in the reservoir for the next finished transaction, or
 * NULL when it is not to be kept; the caller holds the shard lock. */
static StampedeTxSample *
reservoir_slot (StampedeWorker *self)
{
  StampedeWorkerSamples *samples = self->samples;
  guint64 j;

  samples->seen++;
  if (samples->n < STAMPEDE_SNAPSHOT_MAX_SAMPLES)
    return &samples->items[samples->n++];

  j = next_random (&self->random) % samples->seen;
  if (j < STAMPEDE_SNAPSHOT_MAX_SAMPLES)
    return &samples->items[j];

  return NULL;
}

/* Slots. */

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Slot *slot = user_data;
  gsize len = size * nmemb;

  /* An answer too long to keep is still read to its end, so that the
   * connection stays usable, and then judged unreadable. */
  if (slot->answer_overflow || slot->answer_len + len >= MAX_ANSWER_BYTES) {
    slot->answer_overflow = TRUE;
    return len;
  }

  if (slot->answer_len + len + 1 > slot->answer_cap) {
    while (slot->answer_len + len + 1 > slot->answer_cap)
      slot->answer_cap *= 2;
    slot->answer = g_realloc (slot->answer, slot->answer_cap);
  }

  memcpy (slot->answer + slot->answer_len, data, len);
  slot->answer_len += len;

  return len;
}

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  if (slot->easy != NULL)
    curl_easy_cleanup (slot->easy);
  g_free (slot->request);
  g_free (slot->answer);
  g_free (slot);
}

/* The raw transport hands bodies over as libcurl does. */
static void
raw_body_cb (const char *data,
             gsize       len,
             gpointer    user_data)
{
  write_cb ((char *) data, 1, len, user_data);
}

static Slot *
slot_new (StampedeWorker *worker)
{
  Slot *slot;
  CURL *easy = NULL;

  if (worker->raw == NULL) {
    easy = curl_easy_init ();
    if (easy == NULL)
      return NULL;
  }

  slot = g_new0 (Slot, 1);
  slot->easy = easy;
  slot->request_cap = INITIAL_REQUEST_BYTES;
  slot->request = g_malloc (slot->request_cap);
  slot->answer_cap = INITIAL_ANSWER_BYTES;
  slot->answer = g_malloc (slot->answer_cap);

  if (worker->raw != NULL) {
    slot->conn = stampede_raw_http_conn_new (worker->raw, slot);
    return slot;
  }

  /* Everything but the body's length is set once: libcurl parses the URL
   * again whenever it is set, and the body's buffer only moves when it
   * grows.  Proxies are not used in this version, and libcurl would
   * otherwise honour the *_proxy variables of the environment. */
  curl_easy_setopt (easy, CURLOPT_URL, worker->url);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (easy, CURLOPT_POST, 1L);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, worker->headers);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) worker->timeout_ms);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, slot);
  curl_easy_setopt (easy, CURLOPT_PRIVATE, slot);
  curl_easy_setopt (easy, CURLOPT_POSTFIELDS, slot->request);

  return slot;
}

/* Takes a free slot, growing the pool up to its cap when none is free. */
static Slot *
take_slot (StampedeWorker *self)
{
  Slot *slot = self->free_slots;

  if (slot != NULL) {
    self->free_slots = slot->next_free;
    return slot;
  }

  if (self->slots->len >= self->pool_cap)
    return NULL;

  slot = slot_new (self);
  if (slot != NULL)
    g_ptr_array_add (self->slots, slot);

  return slot;
}

static void
give_slot (StampedeWorker *self,
           Slot           *slot)
{
  slot->next_free = self->free_slots;
  self->free_slots = slot;
}

static void
reserve_request (Slot  *slot,
                 gsize  len)
{
  if (len < slot->request_cap)
    return;

  slot->request_cap = len + 1;
  slot->request = g_realloc (slot->request, slot->request_cap);
  if (slot->easy != NULL)
    curl_easy_setopt (slot->easy, CURLOPT_POSTFIELDS, slot->request);
}

/* Writes the slot's transaction as the request body and gives its
 * length. */
static gsize
write_request (StampedeWorker *self,
               Slot           *slot)
{
  gsize len;

  if (self->template != NULL) {
    stampede_request_template_expand (self->template, &slot->tx,
                                      self->scratch);
    reserve_request (slot, self->scratch->len);
    memcpy (slot->request, self->scratch->str, self->scratch->len + 1);
    return self->scratch->len;
  }

  len = stampede_transaction_to_json (&slot->tx, slot->request,
                                      slot->request_cap);
  if (len >= slot->request_cap) {
    reserve_request (slot, len);
    len = stampede_transaction_to_json (&slot->tx, slot->request,
                                        slot->request_cap);
  }

  return len;
}

/* Makes the next transaction in the slot and hands the slot to libcurl.
 * Returns FALSE if libcurl refused it. */
static gboolean
send_transaction (StampedeWorker *self,
                  Slot           *slot,
                  gint64          intended_us,
                  gint64          now_us,
                  gint64          now_ms)
{
  gsize len;

  stampede_tx_factory_next (self->factory, now_ms, &slot->tx);
  len = write_request (self, slot);

  slot->request_len = len;
  slot->intended_us = intended_us;
  slot->sent_us = now_us;
  slot->attempts = 1;
  slot->answer_len = 0;
  slot->answer_overflow = FALSE;

  /* The raw transport reports every failure, even one to connect, as
   * the end of the request, as libcurl does for a handle it took. */
  if (self->raw != NULL) {
    stampede_raw_conn_send (slot->conn, slot->request, len, now_us);
    return TRUE;
  }

  curl_easy_setopt (slot->easy, CURLOPT_POSTFIELDSIZE, (long) len);

  return curl_multi_add_handle (self->multi, slot->easy) == CURLM_OK;
}

/* Hands the slot's transaction to libcurl once more, as it was: the body
 * and its length are still set.  Returns FALSE if libcurl refused it. */
static gboolean
send_again_now (StampedeWorker *self,
                Slot           *slot,
                gint64          now_us)
{
  slot->sent_us = now_us;
  slot->attempts++;
  slot->answer_len = 0;
  slot->answer_overflow = FALSE;

  if (self->raw != NULL) {
    stampede_raw_conn_send (slot->conn, slot->request, slot->request_len,
                            now_us);
    return TRUE;
  }

  return curl_multi_add_handle (self->multi, slot->easy) == CURLM_OK;
}

/* The worker loop. */

static gint64
due_us (StampedeWorker *self,
        guint64         k)
{
  double t = stampede_profile_time_of (self->profile, k);

  if (!isfinite (t))
    return G_MAXINT64;

  return (gint64) ceil (t * 1e6);
}

/* Counts arrivals that were never sent; the caller holds the shard lock.
 * They reach their outcome at once and so are finished transactions of
 * the sample too, with no latency. */
static void
count_unsent (StampedeWorker  *self,
              StampedeOutcome  outcome,
              guint64          n)
{
  self->totals.arrivals += n;
  self->totals.outcomes[outcome] += n;

  for (guint64 i = 0; i < n; i++) {
    StampedeTxSample *sample = reservoir_slot (self);

    if (sample != NULL)
      *sample = (StampedeTxSample) { .outcome = outcome };
  }
}

/* Notes that the arrival intended at @intended_us is dropped at
 * @now_us, for record_drops(). */
static void
note_drop (StampedeWorker *self,
           gint64          now_us,
           gint64          intended_us)
{
  gint64 wait_us = MAX (1, now_us - intended_us);

  g_array_append_val (self->drop_waits, wait_us);
}

/* Records the waits of the arrivals dropped since the last call in the
 * latency from the intended time: a dropped arrival ends when the engine
 * gives up sending it, and the wait until then is what its user saw.  It
 * was never sent, so it has no service time.  The caller holds the shard
 * lock. */
static void
record_drops (StampedeWorker *self)
{
  for (guint i = 0; i < self->drop_waits->len; i++)
    stampede_histogram_record (self->corrected,
                               g_array_index (self->drop_waits, gint64, i));
  g_array_set_size (self->drop_waits, 0);
}

/* The backlog. */

static gboolean
backlog_push (StampedeWorker *self,
              gint64          intended_us)
{
  guint mask;

  if (self->backlog_len == self->backlog_cap) {
    g_autofree gint64 *ring = NULL;
    guint cap = self->backlog_cap * 2;

    if (cap > BACKLOG_MAX)
      return FALSE;

    /* The ring is unrolled into the new one from its head. */
    ring = g_new (gint64, cap);
    mask = self->backlog_cap - 1;
    for (guint i = 0; i < self->backlog_len; i++)
      ring[i] = self->backlog[(self->backlog_head + i) & mask];
    g_free (self->backlog);
    self->backlog = g_steal_pointer (&ring);
    self->backlog_cap = cap;
    self->backlog_head = 0;
  }

  mask = self->backlog_cap - 1;
  self->backlog[(self->backlog_head + self->backlog_len) & mask] =
    intended_us;
  self->backlog_len++;

  return TRUE;
}

static gint64
backlog_pop (StampedeWorker *self)
{
  gint64 intended_us = self->backlog[self->backlog_head];

  self->backlog_head = (self->backlog_head + 1) & (self->backlog_cap - 1);
  self->backlog_len--;

  return intended_us;
}

/* Moves every arrival of this worker that is due by @now_us to the end
 * of the backlog, notes when the next one is due, and gives how many
 * found the backlog full. */
static guint64
queue_due (StampedeWorker *self,
           gint64          now_us)
{
  gint64 elapsed_us = now_us - self->start_us;
  guint64 full = 0;

  self->next_due_us = G_MAXINT64;

  for (;;) {
    gint64 due = due_us (self, self->next_k);

    if (due == G_MAXINT64)
      break;
    if (due > elapsed_us) {
      self->next_due_us = self->start_us + due;
      break;
    }

    if (!backlog_push (self, self->start_us + due)) {
      note_drop (self, now_us, self->start_us + due);
      full++;
    }
    self->next_k += self->n_workers;
  }

  return full;
}

typedef struct {
  guint64 fired;
  guint64 dropped;
  guint64 refused;
} Fired;

/* Sends from the head of the backlog while a handle is free, dropping on
 * the way the arrivals that have waited longer than the timeout. */
static void
send_backlog (StampedeWorker *self,
              gint64          now_us,
              Fired          *fired)
{
  gint64 limit_us = (gint64) self->timeout_ms * 1000;
  gint64 now_ms = 0;

  while (self->backlog_len > 0) {
    gint64 intended_us = self->backlog[self->backlog_head];
    Slot *slot;

    if (now_us - intended_us > limit_us) {
      note_drop (self, now_us, backlog_pop (self));
      fired->dropped++;
      continue;
    }

    slot = take_slot (self);
    if (slot == NULL)
      break;

    backlog_pop (self);
    if (now_ms == 0)
      now_ms = g_get_real_time () / 1000;

    if (send_transaction (self, slot, intended_us, now_us, now_ms)) {
      self->in_flight++;
      fired->fired++;
    } else {
      give_slot (self, slot);
      fired->refused++;
    }
  }
}

/*
 * Sends every arrival of this worker that is due by @now_us, all in one
 * batch, after those that already wait in the backlog.  An arrival
 * that finds no free handle waits; it is counted as dropped when it
 * could not be sent within the timeout of its intended time, when the
 * backlog is full, or when the run is stopped before a handle frees.
 */
static void
fire_due (StampedeWorker *self,
          gint64          now_us,
          gboolean        stopping)
{
  Fired fired = { 0 };

  fired.dropped = queue_due (self, now_us);
  send_backlog (self, now_us, &fired);

  if (stopping) {
    fired.dropped += self->backlog_len;
    while (self->backlog_len > 0)
      note_drop (self, now_us, backlog_pop (self));
    self->backlog_head = 0;
  }

  if (fired.fired + fired.dropped + fired.refused == 0)
    return;

  g_mutex_lock (&self->lock);
  self->totals.arrivals += fired.fired;
  count_unsent (self, STAMPEDE_OUTCOME_DROPPED, fired.dropped);
  record_drops (self);
  count_unsent (self, STAMPEDE_OUTCOME_TRANSPORT_ERROR, fired.refused);
  g_mutex_unlock (&self->lock);
}

static gboolean
read_answer (StampedeWorker *self,
             Slot           *slot,
             StampedeAnswer *answer)
{
  slot->answer[slot->answer_len] = '\0';

  if (self->answer_map != NULL)
    return stampede_answer_map_parse (self->answer_map, slot->answer,
                                      slot->answer_len, answer);

  return stampede_answer_parse (slot->answer, slot->answer_len, answer);
}

/* Judges an attempt that got an answer with @status, whichever
 * transport carried it. */
static StampedeOutcome
judge_status (StampedeWorker *self,
              Slot           *slot,
              long            status,
              StampedeAnswer *answer)
{
  slot->status = status;
  if (status < 200 || status > 299 || slot->answer_overflow)
    return STAMPEDE_OUTCOME_HTTP_ERROR;

  if (!read_answer (self, slot, answer))
    return STAMPEDE_OUTCOME_HTTP_ERROR;

  if (answer->decision == STAMPEDE_DECISION_DECLINE)
    return STAMPEDE_OUTCOME_DECLINED;

  return STAMPEDE_OUTCOME_OK;
}

static StampedeOutcome
judge (StampedeWorker *self,
       Slot           *slot,
       CURLcode        result,
       StampedeAnswer *answer)
{
  long status = 0;

  slot->status = 0;
  if (result == CURLE_OPERATION_TIMEDOUT)
    return STAMPEDE_OUTCOME_TIMEOUT;
  if (result != CURLE_OK)
    return STAMPEDE_OUTCOME_TRANSPORT_ERROR;

  curl_easy_getinfo (slot->easy, CURLINFO_RESPONSE_CODE, &status);

  return judge_status (self, slot, status, answer);
}

static StampedeOutcome
judge_raw (StampedeWorker           *self,
           Slot                     *slot,
           const StampedeRawOutcome *raw,
           StampedeAnswer           *answer)
{
  slot->status = 0;
  slot->retry_after_s = raw->retry_after_s;
  if (raw->result == STAMPEDE_RAW_RESULT_TIMEOUT)
    return STAMPEDE_OUTCOME_TIMEOUT;
  if (raw->result != STAMPEDE_RAW_RESULT_OK)
    return STAMPEDE_OUTCOME_TRANSPORT_ERROR;

  return judge_status (self, slot, (long) raw->status, answer);
}

static void
sample_answer (StampedeWorker       *self,
               Slot                 *slot,
               StampedeOutcome       outcome,
               const StampedeAnswer *answer,
               gint64                now_us)
{
  StampedeTxSample *sample = reservoir_slot (self);
  gboolean answered = outcome == STAMPEDE_OUTCOME_OK
                      || outcome == STAMPEDE_OUTCOME_DECLINED;

  if (sample == NULL)
    return;

  sample->outcome = outcome;
  sample->is_fraud = slot->tx.kind == STAMPEDE_TX_FRAUD;
  sample->latency_ms = (now_us - slot->intended_us) / 1000.0f;
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    sample->agent_ms[i] = answered && answer->agent_seen[i]
                          ? (float) answer->agent_ms[i] : 0.0f;
}

/*
 * Records one finished transaction; the caller holds the shard lock.
 * Latency is recorded for every transaction the target answered at the
 * HTTP level, error statuses included, and for every timeout, at the
 * moment the engine gave up waiting: a stall shows in full, as at least
 * the timeout, rather than vanishing from the figures.  Transport
 * failures, refusals that come at once, are only counted: their speed
 * says nothing about the target's.
 */
static void
record (StampedeWorker       *self,
        Slot                 *slot,
        StampedeOutcome       outcome,
        const StampedeAnswer *answer,
        gint64                now_us)
{
  StampedeWorkerTotals *totals = &self->totals;
  gboolean fraud = slot->tx.kind == STAMPEDE_TX_FRAUD;
  gint64 least_us = 1;

  totals->outcomes[outcome]++;
  sample_answer (self, slot, outcome, answer, now_us);

  /* libcurl counts its timeout in whole milliseconds and may give up a
   * fraction of one early; a transaction that timed out went unanswered
   * for the whole timeout all the same. */
  if (outcome == STAMPEDE_OUTCOME_TIMEOUT)
    least_us = (gint64) self->timeout_ms * 1000;

  if (outcome == STAMPEDE_OUTCOME_OK || outcome == STAMPEDE_OUTCOME_DECLINED
      || outcome == STAMPEDE_OUTCOME_HTTP_ERROR
      || outcome == STAMPEDE_OUTCOME_TIMEOUT) {
    stampede_histogram_record (self->corrected,
                               MAX (least_us, now_us - slot->intended_us));
    stampede_histogram_record (self->service,
                               MAX (least_us, now_us - slot->sent_us));
  }

  if (outcome == STAMPEDE_OUTCOME_DECLINED) {
    if (fraud) {
      totals->true_pos++;
      totals->fraud_value_blocked += slot->tx.amount_usd;
    } else {
      totals->false_pos++;
    }
  } else if (outcome == STAMPEDE_OUTCOME_OK) {
    if (fraud)
      totals->false_neg++;
    else
      totals->true_neg++;
  }

  if (outcome == STAMPEDE_OUTCOME_OK || outcome == STAMPEDE_OUTCOME_DECLINED) {
    for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
      if (!answer->agent_seen[i])
        continue;
      totals->agent_ms_sum[i] += answer->agent_ms[i];
      totals->agent_count[i]++;
    }
  }
}

static gint64
clock_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Judges the answered transactions of a batch by the rules-only baseline,
 * timed as one batch so that the clock costs little next to the rules;
 * the caller holds the shard lock. */
static void
judge_baseline (StampedeWorker *self)
{
  StampedeWorkerTotals *totals = &self->totals;
  gint64 start_ns = clock_ns ();
  guint n = 0;

  for (guint i = 0; i < self->finished->len; i++) {
    Slot *slot = g_ptr_array_index (self->finished, i);
    gboolean fraud;

    if (slot->outcome != STAMPEDE_OUTCOME_OK
        && slot->outcome != STAMPEDE_OUTCOME_DECLINED)
      continue;

    fraud = slot->tx.kind == STAMPEDE_TX_FRAUD;
    if (stampede_baseline_declines (&slot->tx)) {
      if (fraud)
        totals->baseline_tp++;
      else
        totals->baseline_fp++;
    } else {
      if (fraud)
        totals->baseline_fn++;
      else
        totals->baseline_tn++;
    }
    n++;
  }

  if (n > 0)
    totals->baseline_ns += (guint64) (clock_ns () - start_ns);
}

/* In the closed model, sends again on each connection whose answer came,
 * until the run's end; the caller holds the shard lock. */
static void
send_again (StampedeWorker *self,
            gint64          now_us,
            gboolean        stopping)
{
  gint64 now_ms = g_get_real_time () / 1000;
  gboolean going = !stopping && now_us < self->end_us;

  for (guint i = 0; i < self->finished->len; i++) {
    Slot *slot = g_ptr_array_index (self->finished, i);

    if (!going) {
      give_slot (self, slot);
      continue;
    }

    if (send_transaction (self, slot, now_us, now_us, now_ms)) {
      self->totals.arrivals++;
      self->in_flight++;
    } else {
      give_slot (self, slot);
      count_unsent (self, STAMPEDE_OUTCOME_TRANSPORT_ERROR, 1);
    }
  }
}

/* Retries. */

static gboolean
may_retry (StampedeWorker *self,
           Slot           *slot,
           gboolean        stopping)
{
  if (stopping || slot->attempts > self->retry_max)
    return FALSE;

  switch (slot->outcome) {
  case STAMPEDE_OUTCOME_TRANSPORT_ERROR:
  case STAMPEDE_OUTCOME_TIMEOUT:
    return TRUE;
  case STAMPEDE_OUTCOME_HTTP_ERROR:
    return slot->status == 429 || slot->status == 503;
  default:
    return FALSE;
  }
}

/*
 * How long to wait before the slot's next attempt: what the answer's
 * Retry-After asks (libcurl reads both its forms; 0 when it is absent,
 * so "Retry-After: 0" counts as absent), or else a back-off that starts
 * at the base and doubles with each attempt.  Either is capped.  The
 * back-off is half fixed and half random, so that transactions failed
 * together do not come back together, yet never wait less than half of
 * it; the random half is drawn from the run's seed.
 */
static gint64
retry_delay_us (StampedeWorker *self,
                Slot           *slot)
{
  gint64 cap_us = (gint64) self->retry_cap_ms * 1000;
  gint64 ceiling_us = (gint64) self->retry_base_ms * 1000;
  curl_off_t after_s = 0;

  if (slot->easy == NULL)
    after_s = slot->retry_after_s;
  else if (slot->status != 0
           && curl_easy_getinfo (slot->easy, CURLINFO_RETRY_AFTER,
                                 &after_s) != CURLE_OK)
    after_s = 0;

  if (slot->status != 0 && after_s > 0)
    return MIN ((gint64) MIN (after_s, G_MAXINT32) * G_USEC_PER_SEC, cap_us);

  for (guint i = 1; i < slot->attempts && ceiling_us < cap_us; i++)
    ceiling_us *= 2;
  ceiling_us = MIN (ceiling_us, cap_us);

  return ceiling_us / 2
         + (gint64) (next_random (&self->jitter)
                     % (guint64) (ceiling_us / 2 + 1));
}

/* Ends a slot with the outcome of its last attempt, at the time that
 * attempt ended; the caller holds the shard lock. */
static void
end_with_last (StampedeWorker *self,
               Slot           *slot)
{
  StampedeAnswer none = { 0 };

  record (self, slot, slot->outcome, &none, slot->answered_us);
  give_slot (self, slot);
  self->in_flight--;
}

/* Sends again every waiting slot whose time has come.  After a stop no
 * attempt is sent again: each waiting slot ends with its last outcome.
 * A retry libcurl refuses ends the same way. */
static void
send_retries (StampedeWorker *self,
              gint64          now_us,
              gboolean        stopping)
{
  guint i = 0;

  if (self->waiting->len == 0)
    return;

  g_mutex_lock (&self->lock);

  while (i < self->waiting->len) {
    Slot *slot = g_ptr_array_index (self->waiting, i);

    if (!stopping && slot->retry_at_us > now_us) {
      i++;
      continue;
    }

    g_ptr_array_remove_index_fast (self->waiting, i);
    if (!stopping && send_again_now (self, slot, now_us))
      self->totals.retries++;
    else
      end_with_last (self, slot);
  }

  g_mutex_unlock (&self->lock);
}

/* The earliest time a waiting slot is to be sent again. */
static gint64
next_retry_us (StampedeWorker *self)
{
  gint64 next_us = G_MAXINT64;

  for (guint i = 0; i < self->waiting->len; i++) {
    Slot *slot = g_ptr_array_index (self->waiting, i);

    next_us = MIN (next_us, slot->retry_at_us);
  }

  return next_us;
}

/* Ends one attempt: it waits to be tried again, or it is recorded.  The
 * caller holds the shard lock. */
static void
end_attempt (StampedeWorker       *self,
             Slot                 *slot,
             const StampedeAnswer *answer,
             gint64                now_us,
             gboolean              stopping)
{
  slot->answered_us = now_us;

  if (may_retry (self, slot, stopping)) {
    slot->retry_at_us = now_us + retry_delay_us (self, slot);
    g_ptr_array_add (self->waiting, slot);
    return;
  }

  record (self, slot, slot->outcome, answer, now_us);
  g_ptr_array_add (self->finished, slot);
  self->in_flight--;
}

/* One clock reading and one lock serve the whole batch: all of it
 * finished within the last turn of the transport.  The lock is held on
 * return when the count is not 0. */
static guint
collect_curl (StampedeWorker *self,
              gboolean        stopping,
              gint64         *now_us)
{
  guint n_done = 0;
  CURLMsg *msg;
  int n_left;

  while ((msg = curl_multi_info_read (self->multi, &n_left)) != NULL) {
    StampedeAnswer answer;
    Slot *slot = NULL;

    if (msg->msg != CURLMSG_DONE)
      continue;

    if (n_done == 0) {
      *now_us = g_get_monotonic_time ();
      g_mutex_lock (&self->lock);
    }

    n_done++;
    curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
    slot->outcome = judge (self, slot, msg->data.result, &answer);
    end_attempt (self, slot, &answer, *now_us, stopping);
    curl_multi_remove_handle (self->multi, slot->easy);
  }

  return n_done;
}

static guint
collect_raw (StampedeWorker *self,
             gboolean        stopping,
             gint64         *now_us)
{
  StampedeRawOutcome raw;
  guint n_done = 0;
  Slot *slot;

  while ((slot = stampede_raw_http_next_done (self->raw, &raw)) != NULL) {
    StampedeAnswer answer;

    if (n_done == 0) {
      *now_us = g_get_monotonic_time ();
      g_mutex_lock (&self->lock);
    }

    n_done++;
    slot->outcome = judge_raw (self, slot, &raw, &answer);
    end_attempt (self, slot, &answer, *now_us, stopping);
  }

  return n_done;
}

/*
 * Collects the answers of the last turn of the transport and gives how
 * many there were.  An attempt that the retry policy tries again is not
 * an answer to record: its slot waits, still in flight, and its latency
 * from the intended send time will include the wait.
 */
static guint
collect_answers (StampedeWorker *self,
                 gboolean        stopping)
{
  gint64 now_us = 0;
  guint n_done;

  g_ptr_array_set_size (self->finished, 0);

  if (self->raw != NULL)
    n_done = collect_raw (self, stopping, &now_us);
  else
    n_done = collect_curl (self, stopping, &now_us);

  if (n_done == 0)
    return 0;

  judge_baseline (self);

  if (self->closed) {
    send_again (self, now_us, stopping);
  } else {
    for (guint i = 0; i < self->finished->len; i++)
      give_slot (self, g_ptr_array_index (self->finished, i));
  }

  g_mutex_unlock (&self->lock);

  return n_done;
}

/* Does the reading and writing that is due without waiting. */
static void
transport_perform (StampedeWorker *self)
{
  int running;

  if (self->raw != NULL)
    stampede_raw_http_poll (self->raw, 0, NULL);
  else
    curl_multi_perform (self->multi, &running);
}

/* Waits up to @timeout_ms for the transport, a wake-up or, when
 * @with_timer, the timer; gives whether the timer fired. */
static gboolean
transport_poll (StampedeWorker *self,
                gboolean        with_timer,
                int             timeout_ms)
{
  struct curl_waitfd timer = { self->timer_fd, CURL_WAIT_POLLIN, 0 };
  gboolean fired = FALSE;

  if (self->raw != NULL) {
    stampede_raw_http_poll (self->raw, timeout_ms, &fired);
    return fired;
  }

  curl_multi_poll (self->multi, with_timer ? &timer : NULL,
                   with_timer ? 1 : 0, timeout_ms, NULL);

  return timer.revents != 0;
}

/* When the loop must next look at the clock: the next arrival, the next
 * retry, or the moment the oldest arrival in the backlog becomes too old
 * to send, which may come before any answer frees a handle. */
static gint64
next_wake_us (StampedeWorker *self)
{
  gint64 wake_us = MIN (self->next_due_us, next_retry_us (self));

  if (self->backlog_len > 0)
    wake_us = MIN (wake_us, self->backlog[self->backlog_head]
                            + (gint64) self->timeout_ms * 1000 + 1);

  return wake_us;
}

/* Arms the timer for the next wake, but no sooner than BATCH_US after
 * this turn of the loop began, so that at high rates one wake sends
 * several arrivals. */
static void
arm_timer (StampedeWorker *self,
           gint64          now_us)
{
  struct itimerspec spec = { 0 };
  gint64 wake_us = next_wake_us (self);

  if (wake_us != G_MAXINT64)
    wake_us = MAX (wake_us, now_us + BATCH_US);
  if (wake_us == self->armed_us)
    return;

  /* A zero it_value disarms the timer. */
  if (wake_us != G_MAXINT64) {
    spec.it_value.tv_sec = wake_us / G_USEC_PER_SEC;
    spec.it_value.tv_nsec = (wake_us % G_USEC_PER_SEC) * 1000;
  }

  timerfd_settime (self->timer_fd, TFD_TIMER_ABSTIME, &spec, NULL);
  self->armed_us = wake_us;
}

static gboolean
finished (StampedeWorker *self,
          gboolean        stopping,
          gint64          now_us)
{
  if (self->in_flight > 0 || self->backlog_len > 0
      || self->next_due_us != G_MAXINT64)
    return FALSE;

  /* Until the end of the profile a change of rate could still add
   * arrivals; after a stop, or past the end, the total is final. */
  return stopping || now_us >= self->end_us;
}

static void
drain_timer (StampedeWorker *self)
{
  guint64 expirations;

  while (read (self->timer_fd, &expirations, sizeof expirations) < 0
         && errno == EINTR)
    ;
}

/*
 * The open model.  The timer descriptor wakes the poll at the
 * microsecond an arrival is due, where the poll's own timeout has
 * millisecond steps.  Every turn of the loop, whatever woke it, sends all
 * the arrivals that are due by then, so when arrivals come faster than
 * the loop turns they go out in batches rather than one wake each.  When
 * answers free handles while arrivals wait in the backlog, those go out
 * in the same turn; libcurl's poll returns at once for a handle just
 * added.
 */
static void
run_open (StampedeWorker *self)
{
  while (!g_atomic_int_get (&self->aborting)) {
    gboolean stopping = g_atomic_int_get (&self->stopping);
    gint64 now_us = g_get_monotonic_time ();

    fire_due (self, now_us, stopping);
    send_retries (self, now_us, stopping);
    transport_perform (self);
    if (collect_answers (self, stopping) > 0 && self->backlog_len > 0)
      fire_due (self, g_get_monotonic_time (), stopping);

    if (finished (self, stopping, now_us))
      break;

    arm_timer (self, now_us);
    if (transport_poll (self, TRUE, POLL_CAP_MS))
      drain_timer (self);
  }
}

/* Opens the closed model: every connection of the worker sends its first
 * transaction at once. */
static void
start_closed (StampedeWorker *self)
{
  gint64 now_us = g_get_monotonic_time ();
  gint64 now_ms = g_get_real_time () / 1000;
  guint64 refused = 0;
  guint64 sent = 0;

  for (guint i = 0; i < self->pool_cap; i++) {
    Slot *slot = take_slot (self);

    if (slot == NULL) {
      refused++;
    } else if (send_transaction (self, slot, now_us, now_us, now_ms)) {
      self->in_flight++;
      sent++;
    } else {
      give_slot (self, slot);
      refused++;
    }
  }

  g_mutex_lock (&self->lock);
  self->totals.arrivals += sent;
  count_unsent (self, STAMPEDE_OUTCOME_TRANSPORT_ERROR, refused);
  g_mutex_unlock (&self->lock);
}

/*
 * The closed model: answers are collected after every turn of libcurl
 * and their connections sent again at once, from inside the same batch.
 * libcurl is turned again straight away to write the new requests, since
 * a poll would return at once for them; the loop only polls once a turn
 * brought no answer.
 */
static void
run_closed (StampedeWorker *self)
{
  start_closed (self);

  while (!g_atomic_int_get (&self->aborting)) {
    gboolean stopping = g_atomic_int_get (&self->stopping);
    guint answered;

    transport_perform (self);
    answered = collect_answers (self, stopping);
    send_retries (self, g_get_monotonic_time (), stopping);

    if (finished (self, stopping, g_get_monotonic_time ()))
      break;

    if (answered == 0)
      transport_poll (self, FALSE, POLL_CAP_MS);
  }
}

static gpointer
worker_thread (gpointer data)
{
  StampedeWorker *self = data;

  if (self->closed)
    run_closed (self);
  else
    run_open (self);

  g_atomic_int_set (&self->done, TRUE);

  return NULL;
}

/* Lifecycle. */

static gpointer
init_curl (gpointer data)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);

  return NULL;
}

/* Gives this worker's share of @total, the shares of all the workers
 * adding up to @total exactly. */
static guint
share_of (guint total,
          guint index,
          guint n_workers)
{
  return total / n_workers + (index < total % n_workers ? 1 : 0);
}

static gboolean
setup_mapping (StampedeWorker           *self,
               const StampedeRunConfig  *config,
               GError                  **error)
{
  if (config->request_template != NULL) {
    self->template = stampede_request_template_new (config->request_template,
                                                    error);
    if (self->template == NULL)
      return FALSE;
  }

  if (!stampede_run_config_uses_default_mapping (config))
    self->answer_map = stampede_answer_map_new (config);

  return TRUE;
}

static gboolean
setup_raw (StampedeWorker  *self,
           GError         **error)
{
  self->raw = stampede_raw_http_new (self->url, self->timeout_ms,
                                     raw_body_cb, error);
  if (self->raw == NULL)
    return FALSE;

  if (!stampede_raw_http_watch_fd (self->raw, self->timer_fd)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "Could not watch the timer of worker %u", self->index);
    return FALSE;
  }

  return TRUE;
}

/**
 * stampede_worker_new:
 * @index: which worker this is, from 0
 * @n_workers: how many workers share the run
 * @config: the run's configuration, valid
 * @profile: the run's schedule, which must outlive the worker; in the
 *   closed model only its duration is used
 * @error: return location for a #GError
 *
 * Prepares a worker; its thread starts with stampede_worker_start().
 *
 * Returns: (transfer full) (nullable): the worker, or %NULL with @error
 *   set when libcurl or the timer could not be set up
 */
StampedeWorker *
stampede_worker_new (guint                     index,
                     guint                     n_workers,
                     const StampedeRunConfig  *config,
                     StampedeProfile          *profile,
                     GError                  **error)
{
  static GOnce curl_once = G_ONCE_INIT;
  g_autoptr(StampedeWorker) self = NULL;

  g_return_val_if_fail (index < n_workers, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  g_once (&curl_once, init_curl, NULL);

  self = g_new0 (StampedeWorker, 1);
  g_mutex_init (&self->lock);
  self->timer_fd = -1;
  self->index = index;
  self->n_workers = n_workers;
  self->profile = profile;
  self->url = g_strdup (config->target_url);
  self->timeout_ms = config->timeout_ms;
  self->closed = config->connections > 0;

  /* The caps add up to max_in_flight, or to the connections of a closed
   * model, exactly; the engine never makes more workers than that. */
  self->pool_cap = share_of (self->closed ? config->connections
                                          : config->max_in_flight,
                             index, n_workers);
  self->pool_cap = MAX (1, self->pool_cap);
  self->next_k = index;
  self->next_due_us = G_MAXINT64;
  self->backlog_cap = BACKLOG_INITIAL;
  self->backlog = g_new (gint64, self->backlog_cap);
  self->drop_waits = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                        BACKLOG_INITIAL);
  self->retry_max = config->retry_max;
  self->retry_base_ms = config->retry_base_ms;
  self->retry_cap_ms = config->retry_cap_ms;
  self->waiting = g_ptr_array_sized_new (self->pool_cap);
  self->armed_us = G_MAXINT64;
  self->slots = g_ptr_array_new_with_free_func (slot_free);
  self->finished = g_ptr_array_new ();
  self->scratch = g_string_new (NULL);
  self->factory = stampede_tx_factory_new (config->seed, index);
  self->corrected = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->service = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->samples = g_new0 (StampedeWorkerSamples, 1);
  /* Any nonzero state will do; the seed makes the samples repeatable. */
  self->random = (config->seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15))
                 + index + 1;
  if (self->random == 0)
    self->random = 1;
  self->jitter = (config->seed ^ G_GUINT64_CONSTANT (0xd1b54a32d192ed03))
                 + index + 1;
  if (self->jitter == 0)
    self->jitter = 1;

  if (!setup_mapping (self, config, error))
    return NULL;

  self->timer_fd = timerfd_create (CLOCK_MONOTONIC,
                                   TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->timer_fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Could not make a timer for worker %u: %s", index,
                 g_strerror (saved));
    return NULL;
  }

  if (config->transport == STAMPEDE_TRANSPORT_RAW)
    return setup_raw (self, error) ? g_steal_pointer (&self) : NULL;

  self->multi = curl_multi_init ();
  self->headers = curl_slist_append (NULL, "Content-Type: application/json");
  self->headers = curl_slist_append (self->headers, "Expect:");
  if (self->multi == NULL || self->headers == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "Could not set up libcurl for worker %u", index);
    return NULL;
  }

  /* Fewer cached connections than handles silently costs a new
   * connection per request, or queues transfers inside libcurl. */
  curl_multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, (long) self->pool_cap);
  curl_multi_setopt (self->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                     (long) self->pool_cap);

  return g_steal_pointer (&self);
}

void
stampede_worker_start (StampedeWorker *self,
                       gint64          start_us)
{
  g_autofree char *name = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == NULL);

  name = g_strdup_printf ("stampede-w%u", self->index);
  self->start_us = start_us;
  self->end_us = start_us
                 + (gint64) (stampede_profile_duration (self->profile)
                             * G_USEC_PER_SEC);
  self->thread = g_thread_new (name, worker_thread, self);
}

/**
 * stampede_worker_stop:
 * @self: a worker
 *
 * Tells the worker that the run has been cut short: it sends nothing
 * that is not already due, drops the arrivals that wait for a handle,
 * tries nothing again, waits for the answers in flight and ends.
 */
void
stampede_worker_stop (StampedeWorker *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->stopping, TRUE);
  stampede_worker_wake (self);
}

/* Makes the worker look at the profile again at once. */
void
stampede_worker_wake (StampedeWorker *self)
{
  g_return_if_fail (self != NULL);

  if (self->raw != NULL)
    stampede_raw_http_wakeup (self->raw);
  else
    curl_multi_wakeup (self->multi);
}

/* Makes the worker end at once, abandoning what is in flight. */
void
stampede_worker_abort (StampedeWorker *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->aborting, TRUE);
  stampede_worker_wake (self);
}

gboolean
stampede_worker_is_done (StampedeWorker *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->thread == NULL || g_atomic_int_get (&self->done);
}

void
stampede_worker_join (StampedeWorker *self)
{
  g_return_if_fail (self != NULL);

  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

/**
 * stampede_worker_harvest:
 * @self: a worker
 * @totals: (out caller-allocates): the worker's running totals
 * @corrected: (inout): an empty histogram, exchanged for the one holding
 *   the latencies from intended send recorded since the last harvest
 * @service: (inout): likewise for the latencies from actual send
 * @samples: (inout): a sample buffer, exchanged for the one holding the
 *   sample of the transactions finished since the last harvest
 *
 * Takes a consistent picture of the worker's shard.  The exchanges are
 * swaps of pointers, so the worker waits for nothing but the copy of its
 * totals.
 */
void
stampede_worker_harvest (StampedeWorker         *self,
                         StampedeWorkerTotals   *totals,
                         StampedeHistogram     **corrected,
                         StampedeHistogram     **service,
                         StampedeWorkerSamples **samples)
{
  StampedeHistogram *swap;
  StampedeWorkerSamples *swap_samples;

  g_return_if_fail (self != NULL);
  g_return_if_fail (totals != NULL);
  g_return_if_fail (corrected != NULL && *corrected != NULL);
  g_return_if_fail (service != NULL && *service != NULL);
  g_return_if_fail (samples != NULL && *samples != NULL);

  g_mutex_lock (&self->lock);
  *totals = self->totals;
  swap = self->corrected;
  self->corrected = *corrected;
  *corrected = swap;
  swap = self->service;
  self->service = *service;
  *service = swap;
  swap_samples = self->samples;
  self->samples = *samples;
  self->samples->seen = 0;
  self->samples->n = 0;
  *samples = swap_samples;
  g_mutex_unlock (&self->lock);
}

/**
 * stampede_worker_free:
 * @self: (nullable): a worker
 *
 * Ends the worker's thread if it is still going, abandoning what is in
 * flight, and frees the worker.
 */
void
stampede_worker_free (StampedeWorker *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL) {
    stampede_worker_abort (self);
    stampede_worker_join (self);
  }

  /* Handles must leave the multi handle before either is cleaned up. */
  for (guint i = 0; i < self->slots->len; i++) {
    Slot *slot = g_ptr_array_index (self->slots, i);

    if (self->multi != NULL && slot->easy != NULL)
      curl_multi_remove_handle (self->multi, slot->easy);
  }
  g_ptr_array_unref (self->slots);
  g_ptr_array_unref (self->finished);
  g_ptr_array_unref (self->waiting);
  g_free (self->backlog);
  g_array_unref (self->drop_waits);

  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_clear_pointer (&self->raw, stampede_raw_http_free);
  g_clear_pointer (&self->headers, curl_slist_free_all);
  g_clear_pointer (&self->factory, stampede_tx_factory_free);
  g_clear_pointer (&self->corrected, stampede_histogram_free);
  g_clear_pointer (&self->service, stampede_histogram_free);
  g_clear_pointer (&self->template, stampede_request_template_free);
  g_clear_pointer (&self->answer_map, stampede_answer_map_free);
  g_string_free (self->scratch, TRUE);
  g_free (self->samples);
  if (self->timer_fd >= 0)
    close (self->timer_fd);

  g_free (self->url);
  g_mutex_clear (&self->lock);
  g_free (self);
}
