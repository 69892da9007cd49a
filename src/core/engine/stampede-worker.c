/* stampede-worker.c — one load-generating thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gio/gio.h>

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

typedef struct _Slot Slot;

/* One easy handle with the buffers of the transaction it carries.  Slots
 * are made when first needed and reused for the rest of the run, so a
 * request costs no allocation once the pool has grown. */
struct _Slot {
  Slot           *next_free;
  CURL           *easy;

  gint64          intended_us;
  gint64          sent_us;
  gboolean        fraud;
  double          amount_usd;

  char           *request;
  gsize           request_cap;

  char           *answer;
  gsize           answer_len;
  gsize           answer_cap;
  gboolean        answer_overflow;
};

struct _StampedeWorker {
  guint                 index;
  guint                 n_workers;
  StampedeProfile      *profile;
  char                 *url;
  guint                 timeout_ms;
  gint64                start_us;

  CURLM                *multi;
  struct curl_slist    *headers;
  int                   timer_fd;
  gint64                armed_us;
  StampedeTxFactory    *factory;
  StampedeTransaction   tx;

  GPtrArray            *slots;
  Slot                 *free_slots;
  guint                 pool_cap;
  guint                 in_flight;
  guint64               next_k;
  gint64                next_due_us;

  GThread              *thread;
  int                   stopping;
  int                   aborting;
  int                   done;

  /* The shard: everything below is guarded by @lock, which the worker
   * takes once per batch of arrivals or answers and the aggregator once
   * per harvest. */
  GMutex                lock;
  StampedeWorkerTotals  totals;
  StampedeHistogram    *corrected;
  StampedeHistogram    *service;
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

  sum->true_pos += totals->true_pos;
  sum->false_pos += totals->false_pos;
  sum->true_neg += totals->true_neg;
  sum->false_neg += totals->false_neg;
  sum->fraud_value_blocked += totals->fraud_value_blocked;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    sum->agent_ms_sum[i] += totals->agent_ms_sum[i];
    sum->agent_count[i] += totals->agent_count[i];
  }
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

static Slot *
slot_new (StampedeWorker *worker)
{
  Slot *slot;
  CURL *easy = curl_easy_init ();

  if (easy == NULL)
    return NULL;

  slot = g_new0 (Slot, 1);
  slot->easy = easy;
  slot->request_cap = INITIAL_REQUEST_BYTES;
  slot->request = g_malloc (slot->request_cap);
  slot->answer_cap = INITIAL_ANSWER_BYTES;
  slot->answer = g_malloc (slot->answer_cap);

  /* The URL is set once: libcurl parses it again whenever it is set.
   * Proxies are not used in this version, and libcurl would otherwise
   * honour the *_proxy variables of the environment. */
  curl_easy_setopt (easy, CURLOPT_URL, worker->url);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (easy, CURLOPT_POST, 1L);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, worker->headers);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) worker->timeout_ms);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, slot);
  curl_easy_setopt (easy, CURLOPT_PRIVATE, slot);

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

/* Serializes the next transaction into the slot's buffer and hands the
 * slot to libcurl.  Returns FALSE if libcurl refused it. */
static gboolean
send_transaction (StampedeWorker *self,
                  Slot           *slot,
                  gint64          intended_us,
                  gint64          now_us)
{
  gsize len;

  stampede_tx_factory_next (self->factory, g_get_real_time () / 1000,
                            &self->tx);

  len = stampede_transaction_to_json (&self->tx, slot->request,
                                      slot->request_cap);
  if (len >= slot->request_cap) {
    slot->request_cap = len + 1;
    slot->request = g_realloc (slot->request, slot->request_cap);
    len = stampede_transaction_to_json (&self->tx, slot->request,
                                        slot->request_cap);
  }

  slot->intended_us = intended_us;
  slot->sent_us = now_us;
  slot->fraud = self->tx.kind == STAMPEDE_TX_FRAUD;
  slot->amount_usd = self->tx.amount_usd;
  slot->answer_len = 0;
  slot->answer_overflow = FALSE;

  curl_easy_setopt (slot->easy, CURLOPT_POSTFIELDSIZE, (long) len);
  curl_easy_setopt (slot->easy, CURLOPT_POSTFIELDS, slot->request);

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

/* Sends every arrival of this worker that is due by @now_us, all in one
 * batch, and notes when the next one is due.  An arrival that finds no
 * free handle is dropped: it is counted, never delayed. */
static void
fire_due (StampedeWorker *self,
          gint64          now_us)
{
  gint64 elapsed_us = now_us - self->start_us;
  guint64 fired = 0;
  guint64 dropped = 0;
  guint64 refused = 0;

  self->next_due_us = G_MAXINT64;

  for (;;) {
    gint64 due = due_us (self, self->next_k);
    Slot *slot;

    if (due == G_MAXINT64)
      break;
    if (due > elapsed_us) {
      self->next_due_us = self->start_us + due;
      break;
    }

    slot = take_slot (self);
    if (slot == NULL) {
      dropped++;
    } else if (send_transaction (self, slot, self->start_us + due, now_us)) {
      self->in_flight++;
      fired++;
    } else {
      give_slot (self, slot);
      refused++;
    }

    self->next_k += self->n_workers;
  }

  if (fired + dropped + refused == 0)
    return;

  g_mutex_lock (&self->lock);
  self->totals.arrivals += fired + dropped + refused;
  self->totals.outcomes[STAMPEDE_OUTCOME_DROPPED] += dropped;
  self->totals.outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR] += refused;
  g_mutex_unlock (&self->lock);
}

static StampedeOutcome
judge (Slot           *slot,
       CURLcode        result,
       StampedeAnswer *answer)
{
  long status = 0;

  if (result == CURLE_OPERATION_TIMEDOUT)
    return STAMPEDE_OUTCOME_TIMEOUT;
  if (result != CURLE_OK)
    return STAMPEDE_OUTCOME_TRANSPORT_ERROR;

  curl_easy_getinfo (slot->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299 || slot->answer_overflow)
    return STAMPEDE_OUTCOME_HTTP_ERROR;

  slot->answer[slot->answer_len] = '\0';
  if (!stampede_answer_parse (slot->answer, slot->answer_len, answer))
    return STAMPEDE_OUTCOME_HTTP_ERROR;

  if (answer->decision == STAMPEDE_DECISION_DECLINE)
    return STAMPEDE_OUTCOME_DECLINED;

  return STAMPEDE_OUTCOME_OK;
}

/* Records one finished transaction; the caller holds the shard lock.
 * Latency is recorded for every transaction the target answered at the
 * HTTP level, error statuses included; transport failures and timeouts
 * have no answer time and are only counted. */
static void
record (StampedeWorker       *self,
        Slot                 *slot,
        StampedeOutcome       outcome,
        const StampedeAnswer *answer,
        gint64                now_us)
{
  StampedeWorkerTotals *totals = &self->totals;

  totals->outcomes[outcome]++;

  if (outcome == STAMPEDE_OUTCOME_OK || outcome == STAMPEDE_OUTCOME_DECLINED
      || outcome == STAMPEDE_OUTCOME_HTTP_ERROR) {
    stampede_histogram_record (self->corrected,
                               MAX (1, now_us - slot->intended_us));
    stampede_histogram_record (self->service,
                               MAX (1, now_us - slot->sent_us));
  }

  if (outcome == STAMPEDE_OUTCOME_DECLINED) {
    if (slot->fraud) {
      totals->true_pos++;
      totals->fraud_value_blocked += slot->amount_usd;
    } else {
      totals->false_pos++;
    }
  } else if (outcome == STAMPEDE_OUTCOME_OK) {
    if (slot->fraud)
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

static void
collect_answers (StampedeWorker *self)
{
  gint64 now_us = 0;
  gboolean locked = FALSE;
  CURLMsg *msg;
  int n_left;

  while ((msg = curl_multi_info_read (self->multi, &n_left)) != NULL) {
    StampedeAnswer answer;
    StampedeOutcome outcome;
    Slot *slot = NULL;

    if (msg->msg != CURLMSG_DONE)
      continue;

    /* One clock reading and one lock serve the whole batch: all of it
     * finished within the last curl_multi_perform(). */
    if (!locked) {
      now_us = g_get_monotonic_time ();
      g_mutex_lock (&self->lock);
      locked = TRUE;
    }

    curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
    outcome = judge (slot, msg->data.result, &answer);
    curl_multi_remove_handle (self->multi, slot->easy);
    record (self, slot, outcome, &answer, now_us);
    give_slot (self, slot);
    self->in_flight--;
  }

  if (locked)
    g_mutex_unlock (&self->lock);
}

/* Arms the timer for the next arrival, but no sooner than BATCH_US after
 * this turn of the loop began, so that at high rates one wake sends
 * several arrivals. */
static void
arm_timer (StampedeWorker *self,
           gint64          now_us)
{
  struct itimerspec spec = { 0 };
  gint64 wake_us = self->next_due_us;

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
  double duration = stampede_profile_duration (self->profile);

  if (self->in_flight > 0 || self->next_due_us != G_MAXINT64)
    return FALSE;

  /* Until the end of the profile a change of rate could still add
   * arrivals; after a stop, or past the end, the total is final. */
  return stopping || now_us - self->start_us >= duration * G_USEC_PER_SEC;
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
 * The timer descriptor wakes the poll at the microsecond an arrival is
 * due, where the poll's own timeout has millisecond steps.  Every turn of
 * the loop, whatever woke it, sends all the arrivals that are due by then,
 * so when arrivals come faster than the loop turns they go out in batches
 * rather than one wake each.
 */
static gpointer
worker_thread (gpointer data)
{
  StampedeWorker *self = data;

  while (!g_atomic_int_get (&self->aborting)) {
    struct curl_waitfd timer = { self->timer_fd, CURL_WAIT_POLLIN, 0 };
    gboolean stopping = g_atomic_int_get (&self->stopping);
    gint64 now_us = g_get_monotonic_time ();
    int running;

    fire_due (self, now_us);
    curl_multi_perform (self->multi, &running);
    collect_answers (self);

    if (finished (self, stopping, now_us))
      break;

    arm_timer (self, now_us);
    curl_multi_poll (self->multi, &timer, 1, POLL_CAP_MS, NULL);
    if (timer.revents != 0)
      drain_timer (self);
  }

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

/**
 * stampede_worker_new:
 * @index: which worker this is, from 0
 * @n_workers: how many workers share the run
 * @config: the run's configuration, valid
 * @profile: the run's schedule, which must outlive the worker
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
  /* The caps add up to max_in_flight exactly; the engine never makes
   * more workers than that. */
  self->pool_cap = config->max_in_flight / n_workers
                   + (index < config->max_in_flight % n_workers ? 1 : 0);
  self->pool_cap = MAX (1, self->pool_cap);
  self->next_k = index;
  self->armed_us = G_MAXINT64;
  self->slots = g_ptr_array_new_with_free_func (slot_free);
  self->factory = stampede_tx_factory_new (config->seed, index);
  self->corrected = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->service = stampede_histogram_new (HISTOGRAM_HIGHEST_US);

  self->timer_fd = timerfd_create (CLOCK_MONOTONIC,
                                   TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->timer_fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Could not make a timer for worker %u: %s", index,
                 g_strerror (saved));
    return NULL;
  }

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
  self->thread = g_thread_new (name, worker_thread, self);
}

/**
 * stampede_worker_stop:
 * @self: a worker
 *
 * Tells the worker that the profile has been cut short: it sends nothing
 * that is not already due, waits for the answers in flight and ends.
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

  curl_multi_wakeup (self->multi);
}

/* Makes the worker end at once, abandoning what is in flight. */
void
stampede_worker_abort (StampedeWorker *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->aborting, TRUE);
  curl_multi_wakeup (self->multi);
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
 *
 * Takes a consistent picture of the worker's shard.  The exchange of
 * histograms is a swap of pointers, so the worker waits for nothing but
 * the copy of its totals.
 */
void
stampede_worker_harvest (StampedeWorker        *self,
                         StampedeWorkerTotals  *totals,
                         StampedeHistogram    **corrected,
                         StampedeHistogram    **service)
{
  StampedeHistogram *swap;

  g_return_if_fail (self != NULL);
  g_return_if_fail (totals != NULL);
  g_return_if_fail (corrected != NULL && *corrected != NULL);
  g_return_if_fail (service != NULL && *service != NULL);

  g_mutex_lock (&self->lock);
  *totals = self->totals;
  swap = self->corrected;
  self->corrected = *corrected;
  *corrected = swap;
  swap = self->service;
  self->service = *service;
  *service = swap;
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

    if (self->multi != NULL)
      curl_multi_remove_handle (self->multi, slot->easy);
  }
  g_ptr_array_unref (self->slots);

  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_clear_pointer (&self->headers, curl_slist_free_all);
  g_clear_pointer (&self->factory, stampede_tx_factory_free);
  g_clear_pointer (&self->corrected, stampede_histogram_free);
  g_clear_pointer (&self->service, stampede_histogram_free);
  if (self->timer_fd >= 0)
    close (self->timer_fd);

  g_free (self->url);
  g_mutex_clear (&self->lock);
  g_free (self);
}
