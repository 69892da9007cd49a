/* stampede-fault-proxy.c — a TCP proxy that injects network and HTTP faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* accept4(), epoll_pwait2() */
#define _GNU_SOURCE

#include "stampede-fault-proxy.h"
#include "stampede-http-framer.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

/*
 * How it works.  One thread runs an edge-triggered epoll loop over plain
 * non-blocking sockets; the engine sends tens of thousands of small
 * requests a second through it, and a GIO stream per chunk would cost
 * more CPU than the engine itself.  Each accepted connection gets its own
 * upstream connection and two pipes, client to upstream ("up") and back
 * ("down").  When no fault touches a pipe, bytes are written straight
 * through; otherwise they wait in the pipe's queue of chunks, each with the
 * time it may leave (latency) and within a token bucket (bandwidth).
 *
 * HTTP awareness.  Both directions are framed as HTTP/1.x (Content-Length,
 * chunked, close-delimited responses, HEAD, 1xx, 204, 304) so that the
 * proxy can answer a request itself and still keep answers paired with
 * requests when a client pipelines.  Each connection keeps a queue of the
 * answers it owes the client in request order: "forwarded" entries wait
 * for the upstream's response, "made up" entries hold the proxy's own
 * answer.  A made-up answer leaves only when every answer ahead of it has
 * been passed on.  A stream that does not parse as HTTP/1.x (or switches
 * protocols) is forwarded opaquely from then on and takes no HTTP fault.
 *
 * Settings come from other threads under a mutex; the loop copies them
 * when a generation counter moves, so the hot path takes no lock.
 */

#define READ_SIZE         16384
#define PIPE_HIGH_WATER   (1024 * 1024)
#define MAX_EVENTS        256
#define MAX_CONNECTIONS   16384
#define PUMP_ROUNDS       16

typedef struct _Chunk Chunk;
struct _Chunk {
  Chunk  *next;
  gint64  release_us;
  gsize   len;
  gsize   off;
  guint8  data[];
};

typedef struct {
  Chunk  *head;
  Chunk  *tail;
  gsize   bytes;
  gint64  last_release_us;
  double  tokens;
  gint64  tokens_us;
  gint64  tokens_epoch;
} Pipe;

typedef struct _Conn Conn;

typedef struct {
  Conn     *conn;
  int       fd;
  gboolean  readable;
  gboolean  writable;
  gboolean  hangup;
  gboolean  eof;
  gboolean  shut;
} Side;

struct _Conn {
  Side           client;
  Side           upstream;
  gboolean       connected;
  gboolean       holed;
  gboolean       closed;
  gboolean       close_when_flushed;
  guint          refs;

  Pipe           up;
  Pipe           down;

  StampedeFramer req;
  StampedeFramer resp;
  GQueue         owed;
  gboolean       dropping;
  guint          drop_status;

  gint64         wake_us;
  GList          link;
};

/* An answer the connection owes its client, in request order. */
typedef struct {
  gboolean  made_up;
  gboolean  head_method;
  gboolean  close;
  GBytes   *answer;
} Owed;

typedef struct {
  gint64  at_us;
  Conn   *conn;
} Timer;

typedef struct {
  StampedeProxyFault fault;
  gboolean           active;
  gint64             since_us;
  gint64             ends_us;
} Setting;

enum {
  COUNT_CONNECTIONS,
  COUNT_ACTIVE,
  COUNT_REQUESTS,
  COUNT_FAILED,
  COUNT_RESETS,
  COUNT_UPSTREAM_ERRORS,
  COUNT_BYTES_UP,
  COUNT_BYTES_DOWN,
  COUNT_DELAYED,
  N_COUNTS,
};

struct _StampedeFaultProxy {
  GObject                 parent_instance;

  char                   *upstream_host;
  guint16                 upstream_port;
  struct sockaddr_storage upstream_addr;
  socklen_t               upstream_len;
  guint16                 port;

  int                     listen_fd;
  int                     epoll_fd;
  int                     wake_fd;
  GThread                *thread;
  int                     stopping;

  /* Shared with the setters, under the lock. */
  GMutex                  lock;
  Setting                 settings[STAMPEDE_N_PROXY_FAULTS];
  guint32                 seed;
  int                     generation;

  /* Owned by the loop thread. */
  int                     seen_generation;
  Setting                 live[STAMPEDE_N_PROXY_FAULTS];
  gboolean                on[STAMPEDE_N_PROXY_FAULTS];
  gint64                  next_expiry_us;
  GRand                  *rands[STAMPEDE_N_PROXY_FAULTS];
  guint                   fail_first_used;
  GQueue                  conns;
  GArray                 *timers;
  GPtrArray              *dead;
  gboolean                no_pwait2;
  guint8                  buf[READ_SIZE];

  _Atomic guint64         counts[N_COUNTS];
};

G_DEFINE_FINAL_TYPE (StampedeFaultProxy, stampede_fault_proxy, G_TYPE_OBJECT)

static char listener_tag;
static char wake_tag;

static inline void
count_add (StampedeFaultProxy *self,
           guint               which,
           guint64             n)
{
  atomic_fetch_add_explicit (&self->counts[which], n, memory_order_relaxed);
}

static inline void
count_sub (StampedeFaultProxy *self,
           guint               which,
           guint64             n)
{
  atomic_fetch_sub_explicit (&self->counts[which], n, memory_order_relaxed);
}

/* Answers made up by the proxy -------------------------------------------- */

static const char *
reason_phrase (guint status)
{
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default:  return status >= 500 ? "Server Error"
                   : status >= 400 ? "Client Error" : "Injected";
  }
}

static GBytes *
make_answer (guint    status,
             gboolean close)
{
  g_autofree char *body = NULL;
  char *text;
  gboolean bodiless = status < 200 || status == 204 || status == 304;

  body = g_strdup_printf ("{\"error\":\"%u %s, injected by the Stampede "
                          "fault proxy\"}", status, reason_phrase (status));
  text = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %zu\r\n"
                          "%s"
                          "Connection: %s\r\n"
                          "\r\n"
                          "%s",
                          status, reason_phrase (status),
                          bodiless ? (gsize) 0 : strlen (body),
                          status == 429 ? "Retry-After: 1\r\n" : "",
                          close ? "close" : "keep-alive",
                          bodiless ? "" : body);

  return g_bytes_new_take (text, strlen (text));
}

static void
owed_free (gpointer data)
{
  Owed *owed = data;

  g_clear_pointer (&owed->answer, g_bytes_unref);
  g_free (owed);
}

/* Pipes ------------------------------------------------------------------ */

static void
pipe_clear (Pipe *pipe)
{
  while (pipe->head != NULL) {
    Chunk *next = pipe->head->next;

    g_free (pipe->head);
    pipe->head = next;
  }

  pipe->tail = NULL;
  pipe->bytes = 0;
}

static void
pipe_push (Pipe         *pipe,
           const guint8 *data,
           gsize         len,
           gint64        release_us)
{
  Chunk *chunk = g_malloc (sizeof *chunk + len);

  chunk->next = NULL;
  chunk->release_us = release_us;
  chunk->len = len;
  chunk->off = 0;
  memcpy (chunk->data, data, len);

  if (pipe->tail != NULL)
    pipe->tail->next = chunk;
  else
    pipe->head = chunk;

  pipe->tail = chunk;
  pipe->bytes += len;
}

static gboolean
fault_hits (StampedeFaultProxy     *self,
            StampedeProxyFaultKind  kind,
            guint                   direction)
{
  return self->on[kind] && (self->live[kind].fault.direction & direction);
}

static double
bandwidth_burst (double rate)
{
  /* Fifty milliseconds' worth keeps writes few without letting a
   * connection run ahead of the limit by more than that. */
  return MAX (rate / 20.0, 1.0);
}

static void
refill (StampedeFaultProxy *self,
        Pipe               *pipe,
        gint64              now)
{
  const Setting *s = &self->live[STAMPEDE_PROXY_FAULT_BANDWIDTH];
  double rate = s->fault.bytes_per_s;
  double burst = bandwidth_burst (rate);

  if (pipe->tokens_epoch != s->since_us) {
    pipe->tokens_epoch = s->since_us;
    pipe->tokens = burst;
    pipe->tokens_us = now;
    return;
  }

  pipe->tokens = MIN (burst, pipe->tokens
                             + rate * (double) (now - pipe->tokens_us) / 1e6);
  pipe->tokens_us = now;
}

static gboolean
side_ready (Conn *c,
            Side *side)
{
  if (side->fd < 0 || side->shut || !side->writable)
    return FALSE;

  return side != &c->upstream || c->connected;
}

/* Counts the bytes written; FALSE when the socket failed. */
static gboolean
side_write (StampedeFaultProxy *self,
            Side               *side,
            const guint8       *data,
            gsize               len,
            gsize              *written)
{
  ssize_t n;

  *written = 0;

  do
    n = send (side->fd, data, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);

  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      side->writable = FALSE;
      return TRUE;
    }
    return FALSE;
  }

  *written = (gsize) n;
  count_add (self, side == &side->conn->upstream ? COUNT_BYTES_UP
                                                 : COUNT_BYTES_DOWN, *written);
  if ((gsize) n < len)
    side->writable = FALSE;

  return TRUE;
}

static void conn_close (StampedeFaultProxy *self,
                        Conn               *c);

/* Writes what is due; returns whether any byte moved. */
static gboolean
pipe_flush (StampedeFaultProxy *self,
            Conn               *c,
            Pipe               *pipe,
            Side               *side,
            guint               direction,
            gint64              now)
{
  gboolean limited = fault_hits (self, STAMPEDE_PROXY_FAULT_BANDWIDTH,
                                 direction);
  gboolean moved = FALSE;

  while (pipe->head != NULL && pipe->head->release_us <= now
         && side_ready (c, side)) {
    Chunk *chunk = pipe->head;
    gsize want = chunk->len - chunk->off;
    gsize written;

    if (limited) {
      refill (self, pipe, now);
      want = MIN (want, (gsize) pipe->tokens);
      if (want == 0)
        break;
    }

    if (!side_write (self, side, chunk->data + chunk->off, want, &written)) {
      conn_close (self, c);
      return moved;
    }

    if (written == 0)
      break;

    moved = TRUE;
    if (limited)
      pipe->tokens -= (double) written;
    pipe->bytes -= written;
    chunk->off += written;
    if (chunk->off == chunk->len) {
      pipe->head = chunk->next;
      if (pipe->head == NULL)
        pipe->tail = NULL;
      g_free (chunk);
    }
  }

  return moved;
}

/* When the first chunk could leave, if time is what it waits for. */
static gint64
pipe_next_wake (StampedeFaultProxy *self,
                Pipe               *pipe,
                guint               direction,
                gint64              now)
{
  double rate, want;

  if (pipe->head == NULL)
    return G_MAXINT64;
  if (pipe->head->release_us > now)
    return pipe->head->release_us;
  if (!fault_hits (self, STAMPEDE_PROXY_FAULT_BANDWIDTH, direction))
    return G_MAXINT64;

  rate = self->live[STAMPEDE_PROXY_FAULT_BANDWIDTH].fault.bytes_per_s;
  want = MIN ((double) (pipe->head->len - pipe->head->off),
              bandwidth_burst (rate));
  if (pipe->tokens >= want)
    return G_MAXINT64;

  return now + 1 + (gint64) ((want - pipe->tokens) / rate * 1e6);
}

static gint64
latency_sample (StampedeFaultProxy *self)
{
  const StampedeProxyFault *f =
    &self->live[STAMPEDE_PROXY_FAULT_LATENCY].fault;
  double ms = f->latency_ms;

  if (f->jitter_ms > 0.0) {
    double u = g_rand_double (self->rands[STAMPEDE_PROXY_FAULT_LATENCY]);

    ms += f->jitter_ms * (2.0 * u - 1.0);
  }

  return (gint64) (MAX (ms, 0.0) * 1000.0);
}

/*
 * Sends bytes one way.  They go straight to the socket when nothing is
 * queued ahead of them and no fault shapes this direction; otherwise they
 * join the queue with the time they may leave.
 */
static void
emit (StampedeFaultProxy *self,
      Conn               *c,
      guint               direction,
      const guint8       *data,
      gsize               len,
      gint64              now)
{
  gboolean up = direction == STAMPEDE_FAULT_DIRECTION_UPSTREAM;
  Pipe *pipe = up ? &c->up : &c->down;
  Side *side = up ? &c->upstream : &c->client;
  gint64 release = now;
  gsize written = 0;

  if (c->holed || c->closed || len == 0)
    return;

  if (fault_hits (self, STAMPEDE_PROXY_FAULT_LATENCY, direction)) {
    release += latency_sample (self);
    count_add (self, COUNT_DELAYED, 1);
  }
  release = MAX (release, pipe->last_release_us);
  pipe->last_release_us = release;

  if (pipe->head == NULL && release <= now && side_ready (c, side)
      && !fault_hits (self, STAMPEDE_PROXY_FAULT_BANDWIDTH, direction)) {
    if (!side_write (self, side, data, len, &written)) {
      conn_close (self, c);
      return;
    }
  }

  if (written < len)
    pipe_push (pipe, data + written, len - written, release);
}

/* Connections ------------------------------------------------------------- */

static void
conn_unref (Conn *c)
{
  if (--c->refs > 0)
    return;

  pipe_clear (&c->up);
  pipe_clear (&c->down);
  stampede_framer_clear (&c->req);
  stampede_framer_clear (&c->resp);
  g_queue_clear_full (&c->owed, owed_free);
  g_free (c);
}

static void
side_close (Side *side)
{
  if (side->fd >= 0) {
    close (side->fd);
    side->fd = -1;
  }
}

static void
conn_close (StampedeFaultProxy *self,
            Conn               *c)
{
  if (c->closed)
    return;

  /* Counted before the sockets close, so that a client that has seen its
   * connection end also sees the count. */
  count_sub (self, COUNT_ACTIVE, 1);
  c->closed = TRUE;
  side_close (&c->client);
  side_close (&c->upstream);
  g_queue_unlink (&self->conns, &c->link);
  g_ptr_array_add (self->dead, c);
}

/* An abortive close: the client gets a TCP RST, not a FIN. */
static void
conn_reset (StampedeFaultProxy *self,
            Conn               *c)
{
  struct linger lg = { .l_onoff = 1, .l_linger = 0 };

  if (c->client.fd >= 0)
    setsockopt (c->client.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);

  count_add (self, COUNT_RESETS, 1);
  conn_close (self, c);
}

static void
conn_hole (Conn *c)
{
  c->holed = TRUE;
  side_close (&c->upstream);
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  g_queue_clear_full (&c->owed, owed_free);
}

static gboolean
draw (StampedeFaultProxy     *self,
      StampedeProxyFaultKind  kind)
{
  return g_rand_double (self->rands[kind]) < self->live[kind].fault.share;
}

/* Passes on the made-up answers that no longer wait behind another. */
static void
flush_owed (StampedeFaultProxy *self,
            Conn               *c,
            gint64              now)
{
  Owed *owed;

  while ((owed = g_queue_peek_head (&c->owed)) != NULL && owed->made_up) {
    gsize len;
    const guint8 *data = g_bytes_get_data (owed->answer, &len);

    g_queue_pop_head (&c->owed);
    emit (self, c, STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, data, len, now);
    if (owed->close)
      c->close_when_flushed = TRUE;
    owed_free (owed);
  }
}

static void
owe_answer (StampedeFaultProxy *self,
            Conn               *c,
            guint               status,
            gboolean            close,
            gint64              now)
{
  Owed *owed = g_new0 (Owed, 1);

  owed->made_up = TRUE;
  owed->close = close;
  owed->answer = make_answer (status, close);
  g_queue_push_tail (&c->owed, owed);
  flush_owed (self, c, now);
}

/* Decides what becomes of a request whose head has just been read. */
static void
request_head (StampedeFaultProxy *self,
              Conn               *c,
              gint64              now)
{
  const StampedeProxyFault *first =
    &self->live[STAMPEDE_PROXY_FAULT_FAIL_FIRST].fault;
  guint status = 0;

  count_add (self, COUNT_REQUESTS, 1);

  if (self->on[STAMPEDE_PROXY_FAULT_RESET]
      && draw (self, STAMPEDE_PROXY_FAULT_RESET)) {
    conn_reset (self, c);
    return;
  }

  if (self->on[STAMPEDE_PROXY_FAULT_FAIL_FIRST]
      && self->fail_first_used < first->count) {
    self->fail_first_used++;
    status = first->status;
  } else if (self->on[STAMPEDE_PROXY_FAULT_HTTP_STATUS]
             && draw (self, STAMPEDE_PROXY_FAULT_HTTP_STATUS)) {
    status = self->live[STAMPEDE_PROXY_FAULT_HTTP_STATUS].fault.status;
  }

  if (status != 0) {
    count_add (self, COUNT_FAILED, 1);
    c->dropping = TRUE;
    c->drop_status = status;

    /* A client waiting for "100 Continue" may never send the body: answer
     * now and close, so that no body bytes are mistaken for a request. */
    if (c->req.expect_continue) {
      owe_answer (self, c, status, TRUE, now);
      c->dropping = FALSE;
      c->close_when_flushed = TRUE;
    }
  } else {
    Owed *owed = g_new0 (Owed, 1);

    owed->head_method = c->req.head_method;
    g_queue_push_tail (&c->owed, owed);
    c->dropping = FALSE;
    emit (self, c, STAMPEDE_FAULT_DIRECTION_UPSTREAM, c->req.buf->data,
          c->req.buf->len, now);
  }

  stampede_framer_begin_body (&c->req, FALSE, FALSE);
}

static void
request_end (StampedeFaultProxy *self,
             Conn               *c,
             gint64              now)
{
  if (c->dropping)
    owe_answer (self, c, c->drop_status,
                stampede_framer_wants_close (&c->req), now);

  c->dropping = FALSE;
}

/* The stream is not HTTP/1.x: forward it as it is from here on. */
static void
request_opaque (StampedeFaultProxy *self,
                Conn               *c,
                gint64              now)
{
  c->req.state = STAMPEDE_FRAME_OPAQUE;
  c->resp.state = STAMPEDE_FRAME_OPAQUE;
  c->dropping = FALSE;

  /* The stream as a whole is the unit the reset share applies to. */
  if (self->on[STAMPEDE_PROXY_FAULT_RESET]
      && draw (self, STAMPEDE_PROXY_FAULT_RESET)) {
    conn_reset (self, c);
    return;
  }

  emit (self, c, STAMPEDE_FAULT_DIRECTION_UPSTREAM, c->req.buf->data,
        c->req.buf->len, now);
  g_byte_array_set_size (c->req.buf, 0);
}

static void
client_bytes (StampedeFaultProxy *self,
              Conn               *c,
              const guint8       *buf,
              gsize               len,
              gint64              now)
{
  while ((len > 0 || c->req.state == STAMPEDE_FRAME_DONE) && !c->closed
         && !c->close_when_flushed) {
    gboolean in_head = c->req.state == STAMPEDE_FRAME_HEAD;
    gsize n;
    StampedeFrameEvent event = stampede_framer_step (&c->req, buf, len, &n);

    if (!in_head && n > 0 && !c->dropping)
      emit (self, c, STAMPEDE_FAULT_DIRECTION_UPSTREAM, buf, n, now);
    buf += n;
    len -= n;

    if (event == STAMPEDE_FRAME_EVENT_HEAD)
      request_head (self, c, now);
    else if (event == STAMPEDE_FRAME_EVENT_END)
      request_end (self, c, now);
    else if (event == STAMPEDE_FRAME_EVENT_ERROR)
      request_opaque (self, c, now);
  }
}

static void
response_head (Conn *c)
{
  Owed *owed = g_queue_peek_head (&c->owed);
  int status = c->resp.status;
  gboolean no_body;

  if (status == 101) {
    c->req.state = STAMPEDE_FRAME_OPAQUE;
    c->resp.state = STAMPEDE_FRAME_OPAQUE;
    return;
  }

  no_body = owed != NULL && owed->head_method;
  stampede_framer_begin_body (&c->resp, no_body, TRUE);
}

static void
response_end (StampedeFaultProxy *self,
              Conn               *c,
              gint64              now)
{
  Owed *owed;

  /* An interim answer (100 Continue) does not settle the request. */
  if (c->resp.status < 200)
    return;

  owed = g_queue_peek_head (&c->owed);
  if (owed != NULL && !owed->made_up) {
    g_queue_pop_head (&c->owed);
    owed_free (owed);
  }

  flush_owed (self, c, now);
}

/*
 * Upstream bytes always pass; they are framed piece by piece so that a
 * made-up answer due after this response goes out right after it, before
 * the next response's bytes.
 */
static void
upstream_bytes (StampedeFaultProxy *self,
                Conn               *c,
                const guint8       *buf,
                gsize               len,
                gint64              now)
{
  while ((len > 0 || c->resp.state == STAMPEDE_FRAME_DONE) && !c->closed) {
    gsize n;
    StampedeFrameEvent event = stampede_framer_step (&c->resp, buf, len, &n);

    emit (self, c, STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, buf, n, now);
    buf += n;
    len -= n;

    if (event == STAMPEDE_FRAME_EVENT_HEAD)
      response_head (c);
    else if (event == STAMPEDE_FRAME_EVENT_END)
      response_end (self, c, now);
    else if (event == STAMPEDE_FRAME_EVENT_ERROR) {
      c->resp.state = STAMPEDE_FRAME_OPAQUE;
      emit (self, c, STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, buf, len, now);
      return;
    }
  }
}

static void refresh_faults (StampedeFaultProxy *self,
                            gint64              now);

/*
 * Bytes just read may have been sent after a setter returned, while this
 * loop iteration still ran on older settings; the settings are checked
 * again after each read so that a fault covers every byte read after its
 * setter returned.  It costs one atomic load.
 */
static void
catch_up (StampedeFaultProxy *self,
          Conn               *c,
          gint64              now)
{
  refresh_faults (self, now);

  if (self->on[STAMPEDE_PROXY_FAULT_BLACKHOLE] && !c->holed)
    conn_hole (c);
}

/* Reads what one side has, within the pipe's high-water mark. */
static gboolean
side_read (StampedeFaultProxy *self,
           Conn               *c,
           Side               *side,
           gint64              now)
{
  gboolean from_client = side == &c->client;
  Pipe *pipe = from_client ? &c->up : &c->down;
  gboolean moved = FALSE;

  while (side->readable && !side->eof && side->fd >= 0 && !c->closed) {
    ssize_t n;

    if (!c->holed && (pipe->bytes >= PIPE_HIGH_WATER
                      || (from_client && c->close_when_flushed)))
      break;

    n = recv (side->fd, self->buf, sizeof self->buf, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        side->readable = FALSE;
        break;
      }
      conn_close (self, c);
      return TRUE;
    }

    moved = TRUE;
    if (n > 0)
      catch_up (self, c, now);

    /* Edge-triggered epoll reports every later arrival, so a short read
     * means the socket is drained and the recv() that would only say
     * EAGAIN can be saved: a third fewer system calls per request.  A
     * peer's FIN that came with the data raises no later event, hence
     * the hangup exception. */
    if (n > 0 && (gsize) n < sizeof self->buf && !side->hangup)
      side->readable = FALSE;

    if (n == 0)
      side->eof = TRUE;
    else if (c->holed)
      continue;
    else if (from_client)
      client_bytes (self, c, self->buf, (gsize) n, now);
    else
      upstream_bytes (self, c, self->buf, (gsize) n, now);
  }

  return moved;
}

/* Ends a connection whose streams are done. */
static void
conn_settle (StampedeFaultProxy *self,
             Conn               *c,
             gint64              now)
{
  if (c->holed) {
    if (c->client.eof)
      conn_close (self, c);
    return;
  }

  if (c->upstream.eof && c->resp.state == STAMPEDE_FRAME_UNTIL_CLOSE) {
    c->resp.state = STAMPEDE_FRAME_DONE;
    upstream_bytes (self, c, NULL, 0, now);
  }

  /* Once the upstream has closed, whatever it still owed will never come;
   * an HTTP client that has closed and is owed nothing is done too. */
  if (c->down.head == NULL
      && (c->close_when_flushed || c->upstream.eof
          || (c->client.eof && c->up.head == NULL
              && g_queue_is_empty (&c->owed)
              && c->req.state != STAMPEDE_FRAME_OPAQUE))) {
    conn_close (self, c);
    return;
  }

  if (c->client.eof && c->up.head == NULL && c->connected
      && !c->upstream.shut) {
    shutdown (c->upstream.fd, SHUT_WR);
    c->upstream.shut = TRUE;
  }
}

static void
timer_push (StampedeFaultProxy *self,
            gint64              at_us,
            Conn               *c)
{
  Timer t = { at_us, c };
  Timer *v;
  guint i;

  g_array_append_val (self->timers, t);
  v = (Timer *) (gpointer) self->timers->data;

  for (i = self->timers->len - 1; i > 0; i = (i - 1) / 2) {
    guint parent = (i - 1) / 2;
    Timer tmp;

    if (v[parent].at_us <= v[i].at_us)
      break;
    tmp = v[parent];
    v[parent] = v[i];
    v[i] = tmp;
  }

  c->refs++;
}

static Timer
timer_pop (StampedeFaultProxy *self)
{
  Timer *v = (Timer *) (gpointer) self->timers->data;
  Timer top = v[0];
  guint n = self->timers->len - 1;
  guint i = 0;

  v[0] = v[n];
  g_array_set_size (self->timers, n);

  for (;;) {
    guint l = 2 * i + 1, r = l + 1, m = i;
    Timer tmp;

    if (l < n && v[l].at_us < v[m].at_us)
      m = l;
    if (r < n && v[r].at_us < v[m].at_us)
      m = r;
    if (m == i)
      break;
    tmp = v[m];
    v[m] = v[i];
    v[i] = tmp;
    i = m;
  }

  return top;
}

static void
conn_schedule (StampedeFaultProxy *self,
               Conn               *c,
               gint64              at_us)
{
  if (at_us >= c->wake_us)
    return;

  c->wake_us = at_us;
  timer_push (self, at_us, c);
}

static void
conn_pump (StampedeFaultProxy *self,
           Conn               *c,
           gint64              now)
{
  gint64 up_wake, down_wake;
  guint round;

  g_assert (c != NULL);

  if (self->on[STAMPEDE_PROXY_FAULT_BLACKHOLE] && !c->holed)
    conn_hole (c);

  for (round = 0; round < PUMP_ROUNDS && !c->closed; round++) {
    gboolean moved = FALSE;

    moved |= side_read (self, c, &c->client, now);
    if (!c->closed)
      moved |= pipe_flush (self, c, &c->up, &c->upstream,
                           STAMPEDE_FAULT_DIRECTION_UPSTREAM, now);
    if (!c->closed)
      moved |= side_read (self, c, &c->upstream, now);
    if (!c->closed)
      moved |= pipe_flush (self, c, &c->down, &c->client,
                           STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, now);
    if (!moved)
      break;
  }

  if (!c->closed)
    conn_settle (self, c, now);
  if (c->closed)
    return;

  /* A busy connection yields to the others and comes back at once. */
  if (round == PUMP_ROUNDS)
    conn_schedule (self, c, now);

  up_wake = pipe_next_wake (self, &c->up, STAMPEDE_FAULT_DIRECTION_UPSTREAM,
                            now);
  down_wake = pipe_next_wake (self, &c->down,
                              STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, now);
  conn_schedule (self, c, MIN (up_wake, down_wake));
}

static gboolean
epoll_add (StampedeFaultProxy *self,
           int                 fd,
           guint32             events,
           gpointer            tag)
{
  struct epoll_event ev = { .events = events, .data.ptr = tag };

  return epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static void
tune_socket (int fd)
{
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static gboolean
conn_connect (StampedeFaultProxy *self,
              Conn               *c)
{
  int fd = socket (self->upstream_addr.ss_family,
                   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;

  c->upstream.fd = fd;
  tune_socket (fd);

  if (connect (fd, (struct sockaddr *) &self->upstream_addr,
               self->upstream_len) < 0 && errno != EINPROGRESS)
    return FALSE;

  return epoll_add (self, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                    &c->upstream);
}

static void
accept_one (StampedeFaultProxy *self,
            int                 fd)
{
  Conn *c = g_new0 (Conn, 1);

  refresh_faults (self, g_get_monotonic_time ());

  c->refs = 1;
  c->wake_us = G_MAXINT64;
  c->client = (Side) { .conn = c, .fd = fd, .writable = TRUE };
  c->upstream = (Side) { .conn = c, .fd = -1 };
  c->link.data = c;
  stampede_framer_init (&c->req);
  stampede_framer_init (&c->resp);
  g_queue_init (&c->owed);
  g_queue_push_tail_link (&self->conns, &c->link);
  count_add (self, COUNT_CONNECTIONS, 1);
  count_add (self, COUNT_ACTIVE, 1);

  tune_socket (fd);
  if (!epoll_add (self, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                  &c->client)) {
    conn_close (self, c);
    return;
  }

  if (self->on[STAMPEDE_PROXY_FAULT_BLACKHOLE]) {
    c->holed = TRUE;
    return;
  }

  if (!conn_connect (self, c)) {
    count_add (self, COUNT_UPSTREAM_ERRORS, 1);
    conn_close (self, c);
  }
}

static void
accept_all (StampedeFaultProxy *self)
{
  for (;;) {
    int fd = accept4 (self->listen_fd, NULL, NULL,
                      SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        g_debug ("fault proxy: accept failed: %s", g_strerror (errno));
      return;
    }

    if (atomic_load (&self->counts[COUNT_ACTIVE]) >= MAX_CONNECTIONS) {
      close (fd);
      continue;
    }

    accept_one (self, fd);
  }
}

/* The upstream connect finished, one way or the other. */
static void
finish_connect (StampedeFaultProxy *self,
                Conn               *c)
{
  int err = 0;
  socklen_t len = sizeof err;

  if (getsockopt (c->upstream.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;

  if (err != 0) {
    count_add (self, COUNT_UPSTREAM_ERRORS, 1);
    conn_close (self, c);
    return;
  }

  c->connected = TRUE;
}

static void
dispatch (StampedeFaultProxy       *self,
          const struct epoll_event *ev,
          gint64                    now)
{
  Side *side = ev->data.ptr;
  Conn *c;

  if (ev->data.ptr == &listener_tag) {
    accept_all (self);
    return;
  }

  if (ev->data.ptr == &wake_tag) {
    guint64 value;

    if (read (self->wake_fd, &value, sizeof value) < 0)
      g_debug ("fault proxy: wake read: %s", g_strerror (errno));
    return;
  }

  c = side->conn;
  if (c->closed)
    return;

  if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    side->readable = TRUE;
  if (ev->events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    side->hangup = TRUE;
  if (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
    side->writable = TRUE;

  if (side == &c->upstream && !c->connected && !c->holed
      && (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
    finish_connect (self, c);
    if (c->closed)
      return;
  }

  conn_pump (self, c, now);
}

static void
run_timers (StampedeFaultProxy *self,
            gint64              now)
{
  g_autoptr(GArray) due = g_array_new (FALSE, FALSE, sizeof (Timer));

  while (self->timers->len > 0
         && g_array_index (self->timers, Timer, 0).at_us <= now) {
    Timer t = timer_pop (self);

    g_array_append_val (due, t);
  }

  for (guint i = 0; i < due->len; i++) {
    Timer *t = &g_array_index (due, Timer, i);

    if (!t->conn->closed && t->conn->wake_us == t->at_us) {
      t->conn->wake_us = G_MAXINT64;
      conn_pump (self, t->conn, now);
    }
    conn_unref (t->conn);
  }
}

/* Takes the settings the setters left, and notices faults that ended. */
static void
refresh_faults (StampedeFaultProxy *self,
                gint64              now)
{
  int generation = g_atomic_int_get (&self->generation);

  if (generation == self->seen_generation && now < self->next_expiry_us)
    return;

  if (generation != self->seen_generation) {
    Setting fresh[STAMPEDE_N_PROXY_FAULTS];
    guint32 seed;

    g_mutex_lock (&self->lock);
    memcpy (fresh, self->settings, sizeof fresh);
    seed = self->seed;
    self->seen_generation = generation;
    g_mutex_unlock (&self->lock);

    /* A fault set anew starts its own replayable sequence of draws. */
    for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++) {
      if (fresh[k].active && fresh[k].since_us != self->live[k].since_us) {
        g_rand_set_seed (self->rands[k], seed + k);
        if (k == STAMPEDE_PROXY_FAULT_FAIL_FIRST)
          self->fail_first_used = 0;
      }
    }

    memcpy (self->live, fresh, sizeof fresh);
  }

  self->next_expiry_us = G_MAXINT64;
  for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++) {
    const Setting *s = &self->live[k];

    self->on[k] = s->active && (s->ends_us == 0 || now < s->ends_us);
    if (self->on[k] && s->ends_us != 0)
      self->next_expiry_us = MIN (self->next_expiry_us, s->ends_us);
  }
}

/* How long the loop may sleep, in microseconds; -1 for as long as it likes. */
static gint64
wait_timeout_us (StampedeFaultProxy *self,
                 gint64              now)
{
  gint64 next = self->next_expiry_us;

  if (self->timers->len > 0)
    next = MIN (next, g_array_index (self->timers, Timer, 0).at_us);
  if (next == G_MAXINT64)
    return -1;

  return CLAMP (next - now, 0, 60 * G_USEC_PER_SEC);
}

/*
 * epoll_pwait2() (Linux 5.11) sleeps to the microsecond, so an injected
 * latency is not rounded up by up to a millisecond as with epoll_wait().
 */
static int
wait_events (StampedeFaultProxy *self,
             struct epoll_event *events,
             gint64              timeout_us)
{
  struct timespec ts = {
    .tv_sec = timeout_us / G_USEC_PER_SEC,
    .tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000,
  };
  int n;

  if (!self->no_pwait2) {
    n = epoll_pwait2 (self->epoll_fd, events, MAX_EVENTS,
                      timeout_us < 0 ? NULL : &ts, NULL);
    if (n >= 0 || errno != ENOSYS)
      return n;
    self->no_pwait2 = TRUE;
  }

  return epoll_wait (self->epoll_fd, events, MAX_EVENTS,
                     timeout_us < 0 ? -1 : (int) ((timeout_us + 999) / 1000));
}

static void
sweep_dead (StampedeFaultProxy *self)
{
  for (guint i = 0; i < self->dead->len; i++)
    conn_unref (g_ptr_array_index (self->dead, i));

  g_ptr_array_set_size (self->dead, 0);
}

static void
close_everything (StampedeFaultProxy *self)
{
  while (self->conns.head != NULL)
    conn_close (self, self->conns.head->data);

  while (self->timers->len > 0) {
    Timer t = timer_pop (self);

    conn_unref (t.conn);
  }

  sweep_dead (self);
}

static gpointer
proxy_thread (gpointer data)
{
  StampedeFaultProxy *self = data;
  struct epoll_event events[MAX_EVENTS];
  gint64 now = g_get_monotonic_time ();

  refresh_faults (self, now);

  while (!g_atomic_int_get (&self->stopping)) {
    int n;

    now = g_get_monotonic_time ();
    n = wait_events (self, events, wait_timeout_us (self, now));

    if (n < 0 && errno != EINTR) {
      g_warning ("fault proxy: epoll_wait failed: %s", g_strerror (errno));
      break;
    }

    now = g_get_monotonic_time ();
    refresh_faults (self, now);

    for (int i = 0; i < n; i++)
      dispatch (self, &events[i], now);

    run_timers (self, now);
    sweep_dead (self);
  }

  close_everything (self);

  return NULL;
}

/* GObject ----------------------------------------------------------------- */

static void
stampede_fault_proxy_finalize (GObject *object)
{
  StampedeFaultProxy *self = STAMPEDE_FAULT_PROXY (object);

  stampede_fault_proxy_stop (self);

  for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++)
    g_clear_pointer (&self->rands[k], g_rand_free);
  g_clear_pointer (&self->timers, g_array_unref);
  g_clear_pointer (&self->dead, g_ptr_array_unref);
  g_clear_pointer (&self->upstream_host, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (stampede_fault_proxy_parent_class)->finalize (object);
}

static void
stampede_fault_proxy_class_init (StampedeFaultProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stampede_fault_proxy_finalize;
}

static void
stampede_fault_proxy_init (StampedeFaultProxy *self)
{
  self->listen_fd = -1;
  self->epoll_fd = -1;
  self->wake_fd = -1;
  self->seed = 1;
  self->next_expiry_us = G_MAXINT64;
  g_mutex_init (&self->lock);
  g_queue_init (&self->conns);
  self->timers = g_array_new (FALSE, FALSE, sizeof (Timer));
  self->dead = g_ptr_array_new ();

  for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++)
    self->rands[k] = g_rand_new_with_seed (self->seed + k);
}

/**
 * stampede_fault_proxy_new:
 * @upstream_host: the host to forward to, a name or an address
 * @upstream_port: its port
 *
 * Creates a proxy with no fault set.  The host is resolved when the proxy
 * starts.
 *
 * Returns: (transfer full): a new proxy
 */
StampedeFaultProxy *
stampede_fault_proxy_new (const char *upstream_host,
                          guint16     upstream_port)
{
  StampedeFaultProxy *self;

  g_return_val_if_fail (upstream_host != NULL, NULL);
  g_return_val_if_fail (upstream_port != 0, NULL);

  self = g_object_new (STAMPEDE_TYPE_FAULT_PROXY, NULL);
  self->upstream_host = g_strdup (upstream_host);
  self->upstream_port = upstream_port;

  return self;
}

static gboolean
resolve_upstream (StampedeFaultProxy  *self,
                  GError             **error)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autolist(GInetAddress) addresses = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  GInetAddress *chosen;

  addresses = g_resolver_lookup_by_name (resolver, self->upstream_host,
                                         NULL, error);
  if (addresses == NULL)
    return FALSE;

  /* Local services mostly listen on IPv4 only, while "localhost" may
   * resolve to ::1 first: prefer an IPv4 address when there is one. */
  chosen = addresses->data;
  for (GList *l = addresses; l != NULL; l = l->next) {
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4) {
      chosen = l->data;
      break;
    }
  }

  address = g_inet_socket_address_new (chosen, self->upstream_port);
  self->upstream_len = (socklen_t) g_socket_address_get_native_size (address);

  return g_socket_address_to_native (address, &self->upstream_addr,
                                     sizeof self->upstream_addr, error);
}

static gboolean
set_errno_error (GError     **error,
                 const char  *what)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "fault proxy: %s: %s", what, g_strerror (saved));

  return FALSE;
}

static gboolean
open_listener (StampedeFaultProxy  *self,
               GInetAddress        *address,
               guint16              port,
               GError             **error)
{
  g_autoptr(GSocketAddress) sockaddr = g_inet_socket_address_new (address,
                                                                  port);
  struct sockaddr_storage native;
  socklen_t len = sizeof native;
  int one = 1;

  if (!g_socket_address_to_native (sockaddr, &native, sizeof native, error))
    return FALSE;

  self->listen_fd = socket (native.ss_family,
                            SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->listen_fd < 0)
    return set_errno_error (error, "socket");

  setsockopt (self->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

  if (bind (self->listen_fd, (struct sockaddr *) &native,
            (socklen_t) g_socket_address_get_native_size (sockaddr)) < 0)
    return set_errno_error (error, "bind");
  if (listen (self->listen_fd, SOMAXCONN) < 0)
    return set_errno_error (error, "listen");
  if (getsockname (self->listen_fd, (struct sockaddr *) &native, &len) < 0)
    return set_errno_error (error, "getsockname");

  self->port = native.ss_family == AF_INET6
               ? g_ntohs (((struct sockaddr_in6 *) &native)->sin6_port)
               : g_ntohs (((struct sockaddr_in *) &native)->sin_port);

  return TRUE;
}

static gboolean
open_loop (StampedeFaultProxy  *self,
           GError             **error)
{
  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll_fd < 0)
    return set_errno_error (error, "epoll_create1");

  self->wake_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->wake_fd < 0)
    return set_errno_error (error, "eventfd");

  if (!epoll_add (self, self->listen_fd, EPOLLIN, &listener_tag)
      || !epoll_add (self, self->wake_fd, EPOLLIN, &wake_tag))
    return set_errno_error (error, "epoll_ctl");

  return TRUE;
}

static void
close_fds (StampedeFaultProxy *self)
{
  int *fds[] = { &self->listen_fd, &self->epoll_fd, &self->wake_fd };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++) {
    if (*fds[i] >= 0)
      close (*fds[i]);
    *fds[i] = -1;
  }
}

/**
 * stampede_fault_proxy_start:
 * @self: a proxy
 * @listen_address: (nullable): a loopback address, 127.0.0.1 if %NULL
 * @port: the port to listen on, 0 for any free one
 * @error: return location for an error
 *
 * Resolves the upstream, listens and starts the proxy's thread.  Only
 * loopback addresses are accepted: the proxy is the engine's own and no
 * other host should reach a target through it.
 *
 * Returns: %TRUE once the proxy is listening
 */
gboolean
stampede_fault_proxy_start (StampedeFaultProxy  *self,
                            const char          *listen_address,
                            guint16              port,
                            GError             **error)
{
  g_autoptr(GInetAddress) address = NULL;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_PROXY (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  address = g_inet_address_new_from_string (listen_address != NULL
                                            ? listen_address : "127.0.0.1");
  if (address == NULL || !g_inet_address_get_is_loopback (address)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "fault proxy: “%s” is not a loopback address",
                 listen_address);
    return FALSE;
  }

  if (!resolve_upstream (self, error)
      || !open_listener (self, address, port, error)
      || !open_loop (self, error)) {
    close_fds (self);
    return FALSE;
  }

  self->thread = g_thread_try_new ("stampede-faults", proxy_thread, self,
                                   error);
  if (self->thread == NULL) {
    close_fds (self);
    return FALSE;
  }

  return TRUE;
}

static void
wake (StampedeFaultProxy *self)
{
  guint64 one = 1;

  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof one) < 0)
    g_debug ("fault proxy: wake write: %s", g_strerror (errno));
}

/**
 * stampede_fault_proxy_stop:
 * @self: a proxy
 *
 * Closes every connection and joins the proxy's thread.  Counters and
 * fault settings are kept.
 */
void
stampede_fault_proxy_stop (StampedeFaultProxy *self)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  if (self->thread == NULL)
    return;

  g_atomic_int_set (&self->stopping, TRUE);
  wake (self);
  g_thread_join (g_steal_pointer (&self->thread));
  g_atomic_int_set (&self->stopping, FALSE);
  close_fds (self);
}

/**
 * stampede_fault_proxy_get_port:
 * @self: a proxy
 *
 * Returns: the port the proxy listens on, 0 before it started
 */
guint16
stampede_fault_proxy_get_port (StampedeFaultProxy *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_PROXY (self), 0);

  return self->port;
}

/**
 * stampede_fault_proxy_set_seed:
 * @self: a proxy
 * @seed: the seed of the proxy's random draws
 *
 * The draws of fault kind K (shares, jitter) come from a GRand seeded with
 * @seed + K each time a fault of that kind is set, one draw per request
 * that reaches that fault, so a run can be replayed.  The default is 1.
 */
void
stampede_fault_proxy_set_seed (StampedeFaultProxy *self,
                               guint32             seed)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->lock);
  self->seed = seed;
  g_mutex_unlock (&self->lock);
}

static void
publish (StampedeFaultProxy *self)
{
  g_atomic_int_inc (&self->generation);
  wake (self);
}

/**
 * stampede_fault_proxy_inject:
 * @self: a proxy
 * @fault: the fault to set, replacing any of its kind
 * @error: return location for an error
 *
 * Sets a fault from any thread.  It takes effect for the bytes the proxy
 * reads from then on, and ends by itself after its duration.
 *
 * Returns: %TRUE if @fault was valid and is now set
 */
gboolean
stampede_fault_proxy_inject (StampedeFaultProxy        *self,
                             const StampedeProxyFault  *fault,
                             GError                   **error)
{
  Setting *s;
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (STAMPEDE_IS_FAULT_PROXY (self), FALSE);
  g_return_val_if_fail (fault != NULL, FALSE);

  if (!stampede_proxy_fault_validate (fault, error))
    return FALSE;

  g_mutex_lock (&self->lock);
  s = &self->settings[fault->kind];
  s->fault = *fault;
  s->active = TRUE;
  /* Two settings within one microsecond must still look distinct. */
  s->since_us = MAX (now, s->since_us + 1);
  s->ends_us = fault->duration_ms == 0
               ? 0 : s->since_us + (gint64) fault->duration_ms * 1000;
  g_mutex_unlock (&self->lock);

  publish (self);

  return TRUE;
}

static void
inject_or_warn (StampedeFaultProxy       *self,
                const StampedeProxyFault *fault)
{
  g_autoptr(GError) error = NULL;

  if (!stampede_fault_proxy_inject (self, fault, &error))
    g_critical ("fault proxy: %s", error->message);
}

/**
 * stampede_fault_proxy_set_latency:
 * @self: a proxy
 * @mean_ms: the delay added to each chunk of bytes
 * @jitter_ms: the delay varies uniformly by up to this much either way
 * @direction: the directions delayed
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * Delays bytes; their order is kept, so a chunk never overtakes another.
 */
void
stampede_fault_proxy_set_latency (StampedeFaultProxy     *self,
                                  double                  mean_ms,
                                  double                  jitter_ms,
                                  StampedeFaultDirection  direction,
                                  guint                   duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_LATENCY,
    .latency_ms = mean_ms,
    .jitter_ms = jitter_ms,
    .direction = direction,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_set_bandwidth:
 * @self: a proxy
 * @bytes_per_s: the limit for each connection and direction
 * @direction: the directions limited
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * Limits throughput with a token bucket holding 50 ms of bytes.
 */
void
stampede_fault_proxy_set_bandwidth (StampedeFaultProxy     *self,
                                    double                  bytes_per_s,
                                    StampedeFaultDirection  direction,
                                    guint                   duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_BANDWIDTH,
    .bytes_per_s = bytes_per_s,
    .direction = direction,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_set_reset:
 * @self: a proxy
 * @share: the share of requests, from 0 to 1, whose connection is reset
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * Resets the client's connection (RST) when a chosen request's head
 * arrives; the request is not forwarded.  A stream that is not HTTP counts
 * as one request.
 */
void
stampede_fault_proxy_set_reset (StampedeFaultProxy *self,
                                double              share,
                                guint               duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_RESET,
    .share = share,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_set_blackhole:
 * @self: a proxy
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * While active, connections are accepted and read from but nothing is
 * forwarded or answered.  A connection caught by the black hole stays in
 * it until its client closes, as one across a real partition would be
 * broken; connections opened afterwards work again.
 */
void
stampede_fault_proxy_set_blackhole (StampedeFaultProxy *self,
                                    guint               duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_BLACKHOLE,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_set_http_status:
 * @self: a proxy
 * @status: the status to answer, from 200 to 599
 * @share: the share of requests, from 0 to 1, answered with it
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * Answers a share of requests with @status and a small JSON body instead
 * of forwarding them; a 429 carries "Retry-After: 1".
 */
void
stampede_fault_proxy_set_http_status (StampedeFaultProxy *self,
                                      guint               status,
                                      double              share,
                                      guint               duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_HTTP_STATUS,
    .status = status,
    .share = share,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_set_fail_first:
 * @self: a proxy
 * @status: the status to answer, from 200 to 599
 * @count: how many requests to answer with it
 * @duration_ms: how long the fault lasts, 0 until cleared
 *
 * Answers the first @count requests after this call with @status.
 */
void
stampede_fault_proxy_set_fail_first (StampedeFaultProxy *self,
                                     guint               status,
                                     guint               count,
                                     guint               duration_ms)
{
  StampedeProxyFault fault = {
    .kind = STAMPEDE_PROXY_FAULT_FAIL_FIRST,
    .status = status,
    .count = count,
    .duration_ms = duration_ms,
  };

  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  inject_or_warn (self, &fault);
}

/**
 * stampede_fault_proxy_clear:
 * @self: a proxy
 * @kind: the kind of fault to end
 *
 * Ends a fault now.  Bytes already held back by the latency fault keep
 * their release times.
 */
void
stampede_fault_proxy_clear (StampedeFaultProxy     *self,
                            StampedeProxyFaultKind  kind)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));
  g_return_if_fail (kind < STAMPEDE_N_PROXY_FAULTS);

  g_mutex_lock (&self->lock);
  self->settings[kind].active = FALSE;
  g_mutex_unlock (&self->lock);

  publish (self);
}

/**
 * stampede_fault_proxy_clear_all:
 * @self: a proxy
 *
 * Ends every fault now.
 */
void
stampede_fault_proxy_clear_all (StampedeFaultProxy *self)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->lock);
  for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++)
    self->settings[k].active = FALSE;
  g_mutex_unlock (&self->lock);

  publish (self);
}

/**
 * stampede_fault_proxy_get_fault:
 * @self: a proxy
 * @kind: a fault kind
 * @fault: (out) (optional): the fault as it was set
 * @since_us: (out) (optional): when it was set, in g_get_monotonic_time()
 *
 * Returns: %TRUE if a fault of @kind is active now
 */
gboolean
stampede_fault_proxy_get_fault (StampedeFaultProxy     *self,
                                StampedeProxyFaultKind  kind,
                                StampedeProxyFault     *fault,
                                gint64                 *since_us)
{
  gint64 now = g_get_monotonic_time ();
  gboolean active;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_PROXY (self), FALSE);
  g_return_val_if_fail (kind < STAMPEDE_N_PROXY_FAULTS, FALSE);

  g_mutex_lock (&self->lock);
  active = self->settings[kind].active
           && (self->settings[kind].ends_us == 0
               || now < self->settings[kind].ends_us);
  if (active && fault != NULL)
    *fault = self->settings[kind].fault;
  if (since_us != NULL)
    *since_us = active ? self->settings[kind].since_us : 0;
  g_mutex_unlock (&self->lock);

  return active;
}

/**
 * stampede_fault_proxy_get_stats:
 * @self: a proxy
 * @stats: (out): the counters
 *
 * Reads the counters; callable from any thread while the proxy runs.
 */
void
stampede_fault_proxy_get_stats (StampedeFaultProxy      *self,
                                StampedeFaultProxyStats *stats)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_PROXY (self));
  g_return_if_fail (stats != NULL);

  stats->connections = atomic_load (&self->counts[COUNT_CONNECTIONS]);
  stats->active_connections = atomic_load (&self->counts[COUNT_ACTIVE]);
  stats->requests = atomic_load (&self->counts[COUNT_REQUESTS]);
  stats->requests_failed = atomic_load (&self->counts[COUNT_FAILED]);
  stats->resets = atomic_load (&self->counts[COUNT_RESETS]);
  stats->upstream_errors = atomic_load (&self->counts[COUNT_UPSTREAM_ERRORS]);
  stats->bytes_up = atomic_load (&self->counts[COUNT_BYTES_UP]);
  stats->bytes_down = atomic_load (&self->counts[COUNT_BYTES_DOWN]);
  stats->delayed_chunks = atomic_load (&self->counts[COUNT_DELAYED]);
}
