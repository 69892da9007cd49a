/* stampede-raw-http.c — a minimal HTTP/1.1 client for the hot path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gio/gio.h>

#include "stampede-raw-http.h"

/* The input buffer of a connection.  Bodies pass through it to the body
 * function as they come, so only a head must fit whole; it grows, rarely,
 * up to MAX_HEAD_BYTES for a long one. */
#define INPUT_BYTES     (16 * 1024)
#define MAX_HEAD_BYTES  (64 * 1024)

/* Room in a request head for the Content-Length digits and the blank
 * line after them. */
#define LENGTH_ROOM     32

#define MAX_EVENTS      64

typedef enum {
  PHASE_IDLE,
  PHASE_CONNECTING,
  PHASE_WRITING,
  PHASE_HEAD,
  PHASE_LENGTH,
  PHASE_CHUNK_SIZE,
  PHASE_CHUNK_DATA,
  PHASE_CHUNK_END,
  PHASE_TRAILER,
  PHASE_UNTIL_CLOSE,
} Phase;

typedef enum {
  PARSE_MORE,
  PARSE_DONE,
  PARSE_ERROR,
} ParseResult;

struct _StampedeRawConn {
  StampedeRawHttp    *http;
  gpointer            user_data;
  StampedeRawConn    *next_done;
  int                 fd;
  Phase               phase;
  gboolean            busy;

  /* Whether this attempt runs on a connection that carried an earlier
   * request, whether any byte of its answer came, and whether it was
   * already sent again on a fresh connection. */
  gboolean            reused;
  gboolean            got_bytes;
  gboolean            resent;
  gboolean            close_after;
  gint64              deadline_us;

  const char         *body;
  gsize               body_len;
  char               *head;
  gsize               head_len;
  gsize               written;

  char               *input;
  gsize               input_cap;
  gsize               input_start;
  gsize               input_end;
  guint64             remaining;

  StampedeRawOutcome  outcome;
};

struct _StampedeRawHttp {
  int                      epoll_fd;
  int                      wake_fd;
  int                      watched_fd;
  struct sockaddr_storage  addr;
  socklen_t                addr_len;
  char                    *prefix;
  gsize                    prefix_len;
  gint64                   timeout_us;
  StampedeRawBodyFunc      body_func;

  GPtrArray               *conns;
  StampedeRawConn         *done_head;
  StampedeRawConn         *done_tail;
  guint                    n_busy;
  gint64                   next_sweep_us;
};

/* The target. */

static gboolean
parse_target (const char  *url,
              GUri       **uri_out,
              GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a valid URL", url);
    return FALSE;
  }

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "the raw transport needs a plain http:// URL with a host, "
                 "not “%s”", url);
    return FALSE;
  }

  if (uri_out != NULL)
    *uri_out = g_steal_pointer (&uri);

  return TRUE;
}

/**
 * stampede_raw_http_check_url:
 * @url: a target URL
 * @error: return location for a #GError
 *
 * Tells whether the raw transport can send to @url: a plain http:// URL
 * with a host.
 *
 * Returns: %TRUE if it can
 */
gboolean
stampede_raw_http_check_url (const char  *url,
                             GError     **error)
{
  g_return_val_if_fail (url != NULL, FALSE);

  return parse_target (url, NULL, error);
}

static gboolean
resolve (StampedeRawHttp  *self,
         const char       *host,
         int               port,
         GError          **error)
{
  struct addrinfo hints = { 0 };
  struct addrinfo *found = NULL;
  char service[16];
  int rc;

  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  g_snprintf (service, sizeof service, "%d", port);

  rc = getaddrinfo (host, service, &hints, &found);
  if (rc != 0 || found == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "Could not resolve “%s”: %s", host, gai_strerror (rc));
    return FALSE;
  }

  memcpy (&self->addr, found->ai_addr, found->ai_addrlen);
  self->addr_len = found->ai_addrlen;
  freeaddrinfo (found);

  return TRUE;
}

/* Writes the part of every request head that comes before the length of
 * its body. */
static void
make_prefix (StampedeRawHttp *self,
             GUri            *uri)
{
  const char *host = g_uri_get_host (uri);
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);
  int port = g_uri_get_port (uri);
  g_autoptr(GString) prefix = g_string_new ("POST ");

  g_string_append (prefix, *path != '\0' ? path : "/");
  if (query != NULL)
    g_string_append_printf (prefix, "?%s", query);

  g_string_append (prefix, " HTTP/1.1\r\nHost: ");
  if (strchr (host, ':') != NULL)
    g_string_append_printf (prefix, "[%s]", host);
  else
    g_string_append (prefix, host);
  if (port > 0 && port != 80)
    g_string_append_printf (prefix, ":%d", port);

  g_string_append (prefix, "\r\nContent-Type: application/json\r\n"
                   "Content-Length: ");

  self->prefix_len = prefix->len;
  self->prefix = g_string_free (g_steal_pointer (&prefix), FALSE);
}

/* Connections. */

static void
close_socket (StampedeRawConn *conn)
{
  if (conn->fd >= 0)
    close (conn->fd);
  conn->fd = -1;
  conn->phase = PHASE_IDLE;
}

static void
finish (StampedeRawConn   *conn,
        StampedeRawResult  result)
{
  StampedeRawHttp *http = conn->http;

  conn->outcome.result = result;
  conn->busy = FALSE;
  http->n_busy--;

  if (result != STAMPEDE_RAW_RESULT_OK || conn->close_after)
    close_socket (conn);
  else
    conn->phase = PHASE_IDLE;

  conn->next_done = NULL;
  if (http->done_tail != NULL)
    http->done_tail->next_done = conn;
  else
    http->done_head = conn;
  http->done_tail = conn;
}

static void start_attempt (StampedeRawConn *conn);

/*
 * Ends the attempt as a transport failure.  A connection kept alive may
 * have been closed by the target just as the request went out; as
 * libcurl does, a request that got no byte of answer on such a
 * connection is sent once more on a fresh one.
 */
static void
fail (StampedeRawConn *conn)
{
  close_socket (conn);

  if (conn->reused && !conn->got_bytes && !conn->resent) {
    conn->resent = TRUE;
    start_attempt (conn);
    return;
  }

  finish (conn, STAMPEDE_RAW_RESULT_FAILED);
}

/* Writes what is left of the request; Returns FALSE once the attempt
 * has ended. */
static gboolean
flush (StampedeRawConn *conn)
{
  gsize total = conn->head_len + conn->body_len;

  while (conn->written < total) {
    struct iovec iov[2];
    struct msghdr msg = { 0 };
    int n_iov = 0;
    ssize_t n;

    if (conn->written < conn->head_len) {
      iov[n_iov].iov_base = conn->head + conn->written;
      iov[n_iov].iov_len = conn->head_len - conn->written;
      n_iov++;
      iov[n_iov].iov_base = (char *) conn->body;
      iov[n_iov].iov_len = conn->body_len;
      n_iov++;
    } else {
      gsize done = conn->written - conn->head_len;

      iov[n_iov].iov_base = (char *) conn->body + done;
      iov[n_iov].iov_len = conn->body_len - done;
      n_iov++;
    }

    msg.msg_iov = iov;
    msg.msg_iovlen = n_iov;

    /* MSG_NOSIGNAL: a peer that went away is a failed attempt, not a
     * SIGPIPE for the whole process. */
    n = sendmsg (conn->fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TRUE;
      fail (conn);
      return FALSE;
    }

    conn->written += (gsize) n;
  }

  conn->phase = PHASE_HEAD;

  return TRUE;
}

static gboolean
open_socket (StampedeRawConn *conn)
{
  StampedeRawHttp *http = conn->http;
  struct epoll_event event = { 0 };
  int one = 1;
  int fd;

  fd = socket (http->addr.ss_family,
               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0)
    return FALSE;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  /* Edge-triggered for both directions, so that a connection is
   * registered once for its whole life and never modified per request. */
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = conn;
  if (epoll_ctl (http->epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0) {
    close (fd);
    return FALSE;
  }
  conn->fd = fd;

  if (connect (fd, (struct sockaddr *) &http->addr, http->addr_len) == 0) {
    conn->phase = PHASE_WRITING;
    return TRUE;
  }

  if (errno == EINPROGRESS) {
    conn->phase = PHASE_CONNECTING;
    return TRUE;
  }

  close_socket (conn);

  return FALSE;
}

static void
start_attempt (StampedeRawConn *conn)
{
  conn->written = 0;
  conn->input_start = 0;
  conn->input_end = 0;
  conn->got_bytes = FALSE;
  conn->close_after = FALSE;
  conn->outcome.status = 0;
  conn->outcome.retry_after_s = 0;

  if (conn->fd >= 0) {
    conn->reused = TRUE;
    conn->phase = PHASE_WRITING;
  } else {
    conn->reused = FALSE;
    if (!open_socket (conn)) {
      finish (conn, STAMPEDE_RAW_RESULT_FAILED);
      return;
    }
  }

  if (conn->phase == PHASE_WRITING)
    flush (conn);
}

/**
 * stampede_raw_conn_send:
 * @conn: an idle connection
 * @body: the request body, which must stay in place until the request
 *   is done
 * @len: its length
 * @now_us: the monotonic time of the send
 *
 * Starts a request on @conn; its end, whatever it is, comes from
 * stampede_raw_http_next_done().
 */
void
stampede_raw_conn_send (StampedeRawConn *conn,
                        const char      *body,
                        gsize            len,
                        gint64           now_us)
{
  StampedeRawHttp *http;
  char digits[24];
  gsize n_digits = 0;
  gsize value = len;

  g_return_if_fail (conn != NULL);
  g_return_if_fail (!conn->busy);

  http = conn->http;
  conn->body = body;
  conn->body_len = len;
  conn->busy = TRUE;
  conn->resent = FALSE;
  conn->deadline_us = now_us + http->timeout_us;
  http->n_busy++;
  http->next_sweep_us = MIN (http->next_sweep_us, conn->deadline_us);

  do {
    digits[n_digits++] = (char) ('0' + value % 10);
    value /= 10;
  } while (value > 0);

  conn->head_len = http->prefix_len;
  while (n_digits > 0)
    conn->head[conn->head_len++] = digits[--n_digits];
  memcpy (conn->head + conn->head_len, "\r\n\r\n", 4);
  conn->head_len += 4;

  start_attempt (conn);
}

/* Answers. */

static gboolean
name_is (const char *name,
         gsize       len,
         const char *word)
{
  return strlen (word) == len && g_ascii_strncasecmp (name, word, len) == 0;
}

static gboolean
value_has (const char *value,
           gsize       len,
           const char *word)
{
  gsize word_len = strlen (word);

  for (gsize i = 0; i + word_len <= len; i++)
    if (g_ascii_strncasecmp (value + i, word, word_len) == 0)
      return TRUE;

  return FALSE;
}

/* Reads a decimal number that fills @len bytes exactly. */
static gboolean
parse_decimal (const char *text,
               gsize       len,
               guint64    *value)
{
  guint64 v = 0;

  if (len == 0 || len > 18)
    return FALSE;

  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
    v = v * 10 + (guint64) (text[i] - '0');
  }
  *value = v;

  return TRUE;
}

typedef struct {
  gboolean chunked;
  gboolean has_length;
  guint64  length;
} Framing;

static gboolean
read_header (StampedeRawConn *conn,
             const char      *line,
             gsize            len,
             Framing         *framing)
{
  const char *colon = memchr (line, ':', len);
  const char *value;
  gsize name_len;
  gsize value_len;
  guint64 number;

  if (colon == NULL)
    return FALSE;

  name_len = (gsize) (colon - line);
  value = colon + 1;
  value_len = len - name_len - 1;
  while (value_len > 0 && (*value == ' ' || *value == '\t')) {
    value++;
    value_len--;
  }
  while (value_len > 0
         && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
    value_len--;

  if (name_is (line, name_len, "content-length")) {
    if (!parse_decimal (value, value_len, &framing->length))
      return FALSE;
    framing->has_length = TRUE;
  } else if (name_is (line, name_len, "transfer-encoding")) {
    framing->chunked = value_has (value, value_len, "chunked");
  } else if (name_is (line, name_len, "connection")) {
    if (value_has (value, value_len, "close"))
      conn->close_after = TRUE;
    else if (value_has (value, value_len, "keep-alive"))
      conn->close_after = FALSE;
  } else if (name_is (line, name_len, "retry-after")) {
    if (parse_decimal (value, value_len, &number))
      conn->outcome.retry_after_s = (gint64) MIN (number, G_MAXINT32);
  }

  return TRUE;
}

/* Reads a head of @len bytes, its blank line excluded, and sets the
 * phase that reads the body. */
static ParseResult
read_head (StampedeRawConn *conn,
           const char      *head,
           gsize            len)
{
  Framing framing = { 0 };
  const char *end = head + len;
  const char *line;
  guint status;

  /* "HTTP/1.x NNN" */
  if (len < 12 || memcmp (head, "HTTP/1.", 7) != 0
      || (head[7] != '0' && head[7] != '1') || head[8] != ' '
      || !g_ascii_isdigit (head[9]) || !g_ascii_isdigit (head[10])
      || !g_ascii_isdigit (head[11]))
    return PARSE_ERROR;

  status = (guint) ((head[9] - '0') * 100 + (head[10] - '0') * 10
                    + (head[11] - '0'));
  conn->close_after = head[7] == '0';
  conn->outcome.retry_after_s = 0;

  line = memchr (head, '\n', len);
  line = line != NULL ? line + 1 : end;
  while (line < end) {
    const char *eol = memchr (line, '\n', (gsize) (end - line));
    const char *next = eol != NULL ? eol + 1 : end;
    gsize line_len = (gsize) ((eol != NULL ? eol : end) - line);

    if (line_len > 0 && line[line_len - 1] == '\r')
      line_len--;
    if (line_len > 0 && !read_header (conn, line, line_len, &framing))
      return PARSE_ERROR;
    line = next;
  }

  /* An interim answer is followed by the real one. */
  if (status >= 100 && status < 200) {
    conn->phase = PHASE_HEAD;
    return PARSE_MORE;
  }

  conn->outcome.status = status;

  if (status == 204 || status == 304)
    return PARSE_DONE;

  if (framing.chunked) {
    conn->phase = PHASE_CHUNK_SIZE;
  } else if (framing.has_length) {
    if (framing.length == 0)
      return PARSE_DONE;
    conn->remaining = framing.length;
    conn->phase = PHASE_LENGTH;
  } else {
    conn->close_after = TRUE;
    conn->phase = PHASE_UNTIL_CLOSE;
  }

  return PARSE_MORE;
}

/* Finds the end of the next line of the input: the offset of its '\n',
 * or -1 when it has not all come. */
static gssize
find_line (StampedeRawConn *conn)
{
  const char *start = conn->input + conn->input_start;
  const char *eol = memchr (start, '\n', conn->input_end - conn->input_start);

  return eol != NULL ? eol - conn->input : -1;
}

/* Finds the blank line that ends a head; gives the offset just past it,
 * or -1. */
static gssize
find_head_end (StampedeRawConn *conn)
{
  const char *p = conn->input + conn->input_start;
  const char *end = conn->input + conn->input_end;

  while (p < end) {
    const char *eol = memchr (p, '\n', (gsize) (end - p));

    if (eol == NULL)
      return -1;
    if (eol + 1 < end && eol[1] == '\n')
      return eol + 2 - conn->input;
    if (eol + 2 < end && eol[1] == '\r' && eol[2] == '\n')
      return eol + 3 - conn->input;
    p = eol + 1;
  }

  return -1;
}

static void
deliver (StampedeRawConn *conn,
         gsize            max)
{
  gsize take = MIN (max, conn->input_end - conn->input_start);

  if (take > 0)
    conn->http->body_func (conn->input + conn->input_start, take,
                           conn->user_data);
  conn->input_start += take;
  conn->remaining -= MIN (conn->remaining, take);
}

static ParseResult
read_chunk_size (StampedeRawConn *conn)
{
  gssize eol = find_line (conn);
  const char *p = conn->input + conn->input_start;
  guint64 size = 0;
  int n_digits = 0;

  if (eol < 0)
    return PARSE_MORE;

  while (g_ascii_isxdigit (*p) && n_digits < 15) {
    size = size * 16 + (guint64) g_ascii_xdigit_value (*p);
    p++;
    n_digits++;
  }
  if (n_digits == 0 || g_ascii_isxdigit (*p))
    return PARSE_ERROR;

  conn->input_start = (gsize) eol + 1;
  conn->remaining = size;
  conn->phase = size == 0 ? PHASE_TRAILER : PHASE_CHUNK_DATA;

  return PARSE_DONE;
}

/*
 * Reads what the input holds of the answer.  PARSE_DONE: the answer is
 * complete; PARSE_MORE: it needs more input; PARSE_ERROR: it is not
 * HTTP/1.1 as this client reads it.
 */
static ParseResult
parse (StampedeRawConn *conn)
{
  for (;;) {
    ParseResult result;
    gssize at;

    switch (conn->phase) {
    case PHASE_HEAD:
      at = find_head_end (conn);
      if (at < 0)
        return PARSE_MORE;
      result = read_head (conn, conn->input + conn->input_start,
                          (gsize) at - conn->input_start);
      conn->input_start = (gsize) at;
      if (result != PARSE_MORE)
        return result;
      break;

    case PHASE_LENGTH:
      deliver (conn, conn->remaining);
      if (conn->remaining == 0)
        return PARSE_DONE;
      return PARSE_MORE;

    case PHASE_CHUNK_SIZE:
      result = read_chunk_size (conn);
      if (result != PARSE_DONE)
        return result;
      break;

    case PHASE_CHUNK_DATA:
      deliver (conn, conn->remaining);
      if (conn->remaining > 0)
        return PARSE_MORE;
      conn->phase = PHASE_CHUNK_END;
      break;

    case PHASE_CHUNK_END:
      if (conn->input_end - conn->input_start < 2)
        return PARSE_MORE;
      if (memcmp (conn->input + conn->input_start, "\r\n", 2) != 0)
        return PARSE_ERROR;
      conn->input_start += 2;
      conn->phase = PHASE_CHUNK_SIZE;
      break;

    case PHASE_TRAILER:
      at = find_line (conn);
      if (at < 0)
        return PARSE_MORE;
      /* A line of nothing (or a lone CR) ends the trailer. */
      if ((gsize) at - conn->input_start <= 1) {
        conn->input_start = (gsize) at + 1;
        return PARSE_DONE;
      }
      conn->input_start = (gsize) at + 1;
      break;

    case PHASE_UNTIL_CLOSE:
      deliver (conn, G_MAXSIZE);
      return PARSE_MORE;

    case PHASE_IDLE:
    case PHASE_CONNECTING:
    case PHASE_WRITING:
    default:
      return PARSE_ERROR;
    }
  }
}

/* Makes room at the end of the input: consumed bytes are dropped, and
 * the buffer grows only for a head longer than it. */
static gboolean
make_room (StampedeRawConn *conn)
{
  if (conn->input_start == conn->input_end) {
    conn->input_start = 0;
    conn->input_end = 0;
  }
  if (conn->input_end < conn->input_cap)
    return TRUE;

  if (conn->input_start > 0) {
    memmove (conn->input, conn->input + conn->input_start,
             conn->input_end - conn->input_start);
    conn->input_end -= conn->input_start;
    conn->input_start = 0;
    return TRUE;
  }

  if (conn->input_cap >= MAX_HEAD_BYTES)
    return FALSE;

  conn->input_cap *= 2;
  conn->input = g_realloc (conn->input, conn->input_cap);

  return TRUE;
}

/* Reads what has come.  @hung_up tells that the peer has closed its
 * side, which calls for reading on to the end. */
static void
receive (StampedeRawConn *conn,
         gboolean         hung_up)
{
  for (;;) {
    gsize room;
    ssize_t n;
    ParseResult result;

    if (!make_room (conn)) {
      close_socket (conn);
      finish (conn, STAMPEDE_RAW_RESULT_FAILED);
      return;
    }

    room = conn->input_cap - conn->input_end;
    n = recv (conn->fd, conn->input + conn->input_end, room, 0);

    if (n == 0) {
      if (conn->phase == PHASE_UNTIL_CLOSE)
        finish (conn, STAMPEDE_RAW_RESULT_OK);
      else if (conn->got_bytes)
        finish (conn, STAMPEDE_RAW_RESULT_FAILED);
      else
        fail (conn);
      return;
    }

    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        if (conn->got_bytes)
          finish (conn, STAMPEDE_RAW_RESULT_FAILED);
        else
          fail (conn);
      }
      return;
    }

    conn->got_bytes = TRUE;
    conn->input_end += (gsize) n;
    result = parse (conn);

    if (result == PARSE_ERROR) {
      finish (conn, STAMPEDE_RAW_RESULT_FAILED);
      return;
    }

    if (result == PARSE_DONE) {
      /* No request was pipelined, so anything more is not ours and the
       * connection cannot be trusted with the next one. */
      if (conn->input_start != conn->input_end)
        conn->close_after = TRUE;
      conn->input_start = 0;
      conn->input_end = 0;
      finish (conn, STAMPEDE_RAW_RESULT_OK);
      return;
    }

    /* A short read drained the socket; the edge-triggered poll tells of
     * what comes next, which saves the read that would say EAGAIN.  An
     * end of stream already seen brings no further edge, so then, and
     * for an answer that ends with the connection, it reads on. */
    if ((gsize) n < room && !hung_up && conn->phase != PHASE_UNTIL_CLOSE)
      return;
  }
}

static void
handle_event (StampedeRawConn *conn,
              guint32          events)
{
  int error = 0;
  socklen_t error_len = sizeof error;

  if (!conn->busy) {
    /* An idle connection the target closed, or that got bytes nobody
     * asked for, is not used again. */
    if (conn->fd >= 0
        && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
      close_socket (conn);
    return;
  }

  if (conn->phase == PHASE_CONNECTING) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
      return;
    if (getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &error, &error_len) < 0
        || error != 0) {
      fail (conn);
      return;
    }
    conn->phase = PHASE_WRITING;
  }

  if (conn->phase == PHASE_WRITING) {
    if (!flush (conn) || conn->phase == PHASE_WRITING)
      return;
  }

  if (conn->busy && conn->phase >= PHASE_HEAD
      && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
    receive (conn, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
}

/* Ends every request whose deadline has passed. */
static void
sweep (StampedeRawHttp *self,
       gint64           now_us)
{
  gint64 next_us = G_MAXINT64;

  if (self->n_busy == 0 || now_us < self->next_sweep_us)
    return;

  for (guint i = 0; i < self->conns->len; i++) {
    StampedeRawConn *conn = g_ptr_array_index (self->conns, i);

    if (!conn->busy)
      continue;
    if (conn->deadline_us <= now_us) {
      close_socket (conn);
      finish (conn, STAMPEDE_RAW_RESULT_TIMEOUT);
    } else {
      next_us = MIN (next_us, conn->deadline_us);
    }
  }

  self->next_sweep_us = next_us;
}

/**
 * stampede_raw_http_poll:
 * @self: a transport
 * @timeout_ms: the longest to wait for something to happen; 0 not to
 * @fd_ready: (out): set to %TRUE when the watched descriptor is readable
 *
 * Waits for the sockets, the watched descriptor or a wake-up, does the
 * reading and writing due, and ends the requests past their deadline.
 * It does not wait when finished requests are still to be collected.
 */
void
stampede_raw_http_poll (StampedeRawHttp *self,
                        int              timeout_ms,
                        gboolean        *fd_ready)
{
  struct epoll_event events[MAX_EVENTS];
  int n;

  g_return_if_fail (self != NULL);

  if (self->done_head != NULL)
    timeout_ms = 0;

  if (timeout_ms > 0 && self->n_busy > 0) {
    gint64 left_us = self->next_sweep_us - g_get_monotonic_time ();

    timeout_ms = (int) CLAMP ((left_us + 999) / 1000, 0, timeout_ms);
  }

  n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, timeout_ms);

  for (int i = 0; i < n; i++) {
    gpointer ptr = events[i].data.ptr;

    if (ptr == &self->wake_fd) {
      guint64 count;

      if (read (self->wake_fd, &count, sizeof count) < 0)
        continue;
    } else if (ptr == &self->watched_fd) {
      if (fd_ready != NULL)
        *fd_ready = TRUE;
    } else {
      handle_event (ptr, events[i].events);
    }
  }

  sweep (self, g_get_monotonic_time ());
}

/**
 * stampede_raw_http_next_done:
 * @self: a transport
 * @outcome: (out caller-allocates): how the request ended
 *
 * Takes the next finished request, in the order they finished.
 *
 * Returns: (nullable): the user data of its connection, or %NULL when
 *   none is left
 */
gpointer
stampede_raw_http_next_done (StampedeRawHttp    *self,
                             StampedeRawOutcome *outcome)
{
  StampedeRawConn *conn;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (outcome != NULL, NULL);

  conn = self->done_head;
  if (conn == NULL)
    return NULL;

  self->done_head = conn->next_done;
  if (self->done_head == NULL)
    self->done_tail = NULL;
  conn->next_done = NULL;
  *outcome = conn->outcome;

  return conn->user_data;
}

/**
 * stampede_raw_http_conn_new:
 * @self: a transport
 * @user_data: what stampede_raw_http_next_done() gives for this
 *   connection's requests
 *
 * Makes a connection, which connects when first used and lives as long
 * as @self.
 *
 * Returns: (transfer none): the connection
 */
StampedeRawConn *
stampede_raw_http_conn_new (StampedeRawHttp *self,
                            gpointer         user_data)
{
  StampedeRawConn *conn;

  g_return_val_if_fail (self != NULL, NULL);

  conn = g_new0 (StampedeRawConn, 1);
  conn->http = self;
  conn->user_data = user_data;
  conn->fd = -1;
  conn->head = g_malloc (self->prefix_len + LENGTH_ROOM);
  memcpy (conn->head, self->prefix, self->prefix_len);
  conn->input_cap = INPUT_BYTES;
  conn->input = g_malloc (conn->input_cap);
  g_ptr_array_add (self->conns, conn);

  return conn;
}

static void
conn_free (gpointer data)
{
  StampedeRawConn *conn = data;

  close_socket (conn);
  g_free (conn->head);
  g_free (conn->input);
  g_free (conn);
}

static gboolean
watch (StampedeRawHttp *self,
       int              fd,
       gpointer         ptr)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN;
  event.data.ptr = ptr;

  return epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0;
}

/**
 * stampede_raw_http_new:
 * @url: a plain http:// URL, which is resolved now
 * @timeout_ms: a request not answered within this is a timeout
 * @body_func: what receives the bodies of answers
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the transport, or %NULL with
 *   @error set
 */
StampedeRawHttp *
stampede_raw_http_new (const char           *url,
                       guint                 timeout_ms,
                       StampedeRawBodyFunc   body_func,
                       GError              **error)
{
  g_autoptr(StampedeRawHttp) self = NULL;
  g_autoptr(GUri) uri = NULL;
  int port;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body_func != NULL, NULL);

  if (!parse_target (url, &uri, error))
    return NULL;

  self = g_new0 (StampedeRawHttp, 1);
  self->epoll_fd = -1;
  self->wake_fd = -1;
  self->watched_fd = -1;
  self->timeout_us = (gint64) timeout_ms * 1000;
  self->body_func = body_func;
  self->conns = g_ptr_array_new_with_free_func (conn_free);
  self->next_sweep_us = G_MAXINT64;

  port = g_uri_get_port (uri);
  if (!resolve (self, g_uri_get_host (uri), port > 0 ? port : 80, error))
    return NULL;
  make_prefix (self, uri);

  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  self->wake_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->epoll_fd < 0 || self->wake_fd < 0
      || !watch (self, self->wake_fd, &self->wake_fd)) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Could not set up the raw transport: %s",
                 g_strerror (saved));
    return NULL;
  }

  return g_steal_pointer (&self);
}

/**
 * stampede_raw_http_watch_fd:
 * @self: a transport
 * @fd: a descriptor, such as a timer, that stampede_raw_http_poll() is
 *   to wake for when it is readable; the caller reads it
 *
 * Returns: %TRUE if it is watched
 */
gboolean
stampede_raw_http_watch_fd (StampedeRawHttp *self,
                            int              fd)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->watched_fd < 0, FALSE);

  if (!watch (self, fd, &self->watched_fd))
    return FALSE;
  self->watched_fd = fd;

  return TRUE;
}

/* Makes a poll return at once; callable from any thread. */
void
stampede_raw_http_wakeup (StampedeRawHttp *self)
{
  guint64 one = 1;

  g_return_if_fail (self != NULL);

  if (write (self->wake_fd, &one, sizeof one) < 0)
    return;
}

void
stampede_raw_http_free (StampedeRawHttp *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->conns, g_ptr_array_unref);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  if (self->epoll_fd >= 0)
    close (self->epoll_fd);
  g_free (self->prefix);
  g_free (self);
}
