/* stampede-http-framer.c — finds message boundaries in an HTTP/1.x stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-http-framer.h"

#include <string.h>

#define HEAD_LIMIT (64 * 1024)
#define LINE_LIMIT 4096

/**
 * stampede_framer_init:
 * @f: a framer to set up, expecting a head
 */
void
stampede_framer_init (StampedeFramer *f)
{
  memset (f, 0, sizeof *f);
  f->buf = g_byte_array_new ();
}

/**
 * stampede_framer_clear:
 * @f: a framer
 *
 * Frees what the framer holds; @f itself belongs to the caller.
 */
void
stampede_framer_clear (StampedeFramer *f)
{
  g_clear_pointer (&f->buf, g_byte_array_unref);
}

static gboolean
has_token (const char *value,
           gsize       len,
           const char *token)
{
  gsize tlen = strlen (token);

  for (gsize i = 0; i + tlen <= len; i++) {
    if (g_ascii_strncasecmp (value + i, token, tlen) == 0)
      return TRUE;
  }

  return FALSE;
}

static gboolean
header_is (const char *name,
           gsize       len,
           const char *wanted)
{
  return strlen (wanted) == len && g_ascii_strncasecmp (name, wanted, len) == 0;
}

static gboolean
parse_length (const char *value,
              gsize       len,
              guint64    *out)
{
  guint64 n = 0;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit (value[i]) || n > G_MAXUINT64 / 10 - 10)
      return FALSE;
    n = n * 10 + (guint64) (value[i] - '0');
  }

  *out = n;

  return TRUE;
}

static gboolean
parse_header (StampedeFramer *f,
              const char     *line,
              gsize           len)
{
  const char *colon = memchr (line, ':', len);
  const char *value;
  const char *end = line + len;
  gsize name_len;

  if (colon == NULL || colon == line)
    return FALSE;

  name_len = (gsize) (colon - line);
  value = colon + 1;
  while (value < end && (*value == ' ' || *value == '\t'))
    value++;
  while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
    end--;

  if (header_is (line, name_len, "content-length")) {
    f->has_length = TRUE;
    return parse_length (value, (gsize) (end - value), &f->length);
  }

  if (header_is (line, name_len, "transfer-encoding"))
    f->chunked = has_token (value, (gsize) (end - value), "chunked");
  else if (header_is (line, name_len, "connection")) {
    f->conn_close |= has_token (value, (gsize) (end - value), "close");
    f->conn_keep_alive |= has_token (value, (gsize) (end - value),
                                     "keep-alive");
  } else if (header_is (line, name_len, "expect"))
    f->expect_continue = has_token (value, (gsize) (end - value),
                                    "100-continue");

  return TRUE;
}

static gboolean
parse_start_line (StampedeFramer *f,
                  const char     *line,
                  gsize           len)
{
  if (len >= 12 && memcmp (line, "HTTP/1.", 7) == 0) {
    if (line[8] != ' ' || !g_ascii_isdigit (line[9])
        || !g_ascii_isdigit (line[10]) || !g_ascii_isdigit (line[11]))
      return FALSE;

    f->http10 = line[7] == '0';
    f->status = (line[9] - '0') * 100 + (line[10] - '0') * 10
                + (line[11] - '0');
    return TRUE;
  }

  if (len < 14 || memcmp (line + len - 9, " HTTP/1.", 8) != 0)
    return FALSE;

  f->http10 = line[len - 1] == '0';
  f->head_method = len > 5 && memcmp (line, "HEAD ", 5) == 0;

  return TRUE;
}

/* Reads the start line and the headers that decide how the body ends. */
static gboolean
parse_head (StampedeFramer *f)
{
  const char *p = (const char *) f->buf->data;
  const char *end = p + f->buf->len;
  gboolean first = TRUE;

  f->status = 0;
  f->head_method = f->http10 = FALSE;
  f->conn_close = f->conn_keep_alive = f->expect_continue = FALSE;
  f->chunked = f->has_length = FALSE;
  f->length = 0;

  while (p < end) {
    const char *eol = memchr (p, '\n', (gsize) (end - p));
    gsize len;

    if (eol == NULL)
      break;

    len = (gsize) (eol - p);
    if (len > 0 && p[len - 1] == '\r')
      len--;

    if (first) {
      if (!parse_start_line (f, p, len))
        return FALSE;
      first = FALSE;
    } else if (len > 0 && !parse_header (f, p, len)) {
      return FALSE;
    }

    p = eol + 1;
  }

  return !first;
}

/* Is the line that ends at this newline empty (nothing, or only "\r")? */
static gboolean
line_is_blank (StampedeFramer *f,
               const guint8   *buf,
               gsize           nl)
{
  gsize line_len = f->line_len + nl;

  if (line_len == 0)
    return TRUE;
  if (line_len != 1)
    return FALSE;

  return nl == 1 ? buf[0] == '\r' : f->buf->data[f->buf->len - 1] == '\r';
}

static StampedeFrameEvent
framer_head (StampedeFramer *f,
             const guint8   *buf,
             gsize           len,
             gsize          *consumed)
{
  gsize i = 0;

  while (i < len) {
    const guint8 *nl = memchr (buf + i, '\n', len - i);
    gsize take = nl != NULL ? (gsize) (nl - (buf + i)) + 1 : len - i;
    gboolean blank = nl != NULL && line_is_blank (f, buf + i, take - 1);

    /* Empty lines before a start line are allowed and ignored. */
    if (!(blank && f->buf->len == 0))
      g_byte_array_append (f->buf, buf + i, (guint) take);

    i += take;
    f->line_len = nl != NULL ? 0 : f->line_len + take;

    if (f->buf->len > HEAD_LIMIT) {
      *consumed = i;
      return STAMPEDE_FRAME_EVENT_ERROR;
    }

    if (blank && f->buf->len > 0) {
      *consumed = i;
      return parse_head (f) ? STAMPEDE_FRAME_EVENT_HEAD
                            : STAMPEDE_FRAME_EVENT_ERROR;
    }
  }

  *consumed = len;

  return STAMPEDE_FRAME_EVENT_NONE;
}

static gboolean
parse_chunk_size (StampedeFramer *f)
{
  guint64 size = 0;
  gsize digits = 0;

  for (guint i = 0; i < f->buf->len; i++) {
    int v = g_ascii_xdigit_value ((char) f->buf->data[i]);

    if (v < 0)
      break;
    if (size > G_MAXUINT64 / 16)
      return FALSE;
    size = size * 16 + (guint64) v;
    digits++;
  }

  if (digits == 0)
    return FALSE;

  f->remaining = size;
  f->state = size == 0 ? STAMPEDE_FRAME_TRAILER : STAMPEDE_FRAME_CHUNK_DATA;

  return TRUE;
}

/* The line-based parts of a chunked body: sizes, chunk ends, trailers. */
static StampedeFrameEvent
framer_line (StampedeFramer *f,
             const guint8   *buf,
             gsize           len,
             gsize          *consumed)
{
  const guint8 *nl = memchr (buf, '\n', len);
  gsize take = nl != NULL ? (gsize) (nl - buf) + 1 : len;
  gsize line_len;

  g_byte_array_append (f->buf, buf, (guint) take);
  *consumed = take;

  if (f->buf->len > LINE_LIMIT)
    return STAMPEDE_FRAME_EVENT_ERROR;
  if (nl == NULL)
    return STAMPEDE_FRAME_EVENT_NONE;

  line_len = f->buf->len - 1;
  if (line_len > 0 && f->buf->data[line_len - 1] == '\r')
    line_len--;

  if (f->state == STAMPEDE_FRAME_CHUNK_SIZE) {
    if (!parse_chunk_size (f))
      return STAMPEDE_FRAME_EVENT_ERROR;
  } else if (f->state == STAMPEDE_FRAME_CHUNK_END) {
    if (line_len != 0)
      return STAMPEDE_FRAME_EVENT_ERROR;
    f->state = STAMPEDE_FRAME_CHUNK_SIZE;
  } else if (line_len == 0) {
    f->state = STAMPEDE_FRAME_DONE;
  }

  g_byte_array_set_size (f->buf, 0);

  return STAMPEDE_FRAME_EVENT_NONE;
}

static gsize
framer_take_body (StampedeFramer *f,
                  gsize           len,
                  guint           next_state)
{
  gsize n = (gsize) MIN ((guint64) len, f->remaining);

  f->remaining -= n;
  if (f->remaining == 0)
    f->state = next_state;

  return n;
}

/**
 * stampede_framer_step:
 * @f: a framer
 * @buf: the next bytes of the stream
 * @len: how many
 * @consumed: (out): how many bytes this step used
 *
 * Consumes bytes up to the next message boundary.  After a HEAD event the
 * caller reads the head in f->buf, then calls stampede_framer_begin_body().
 *
 * Returns: what happened at the end of the bytes consumed
 */
StampedeFrameEvent
stampede_framer_step (StampedeFramer *f,
                      const guint8   *buf,
                      gsize           len,
                      gsize          *consumed)
{
  *consumed = 0;

  switch (f->state) {
  case STAMPEDE_FRAME_DONE:
    f->state = STAMPEDE_FRAME_HEAD;
    return STAMPEDE_FRAME_EVENT_END;

  case STAMPEDE_FRAME_HEAD:
    return framer_head (f, buf, len, consumed);

  case STAMPEDE_FRAME_BODY:
    *consumed = framer_take_body (f, len, STAMPEDE_FRAME_DONE);
    return STAMPEDE_FRAME_EVENT_NONE;

  case STAMPEDE_FRAME_CHUNK_DATA:
    *consumed = framer_take_body (f, len, STAMPEDE_FRAME_CHUNK_END);
    return STAMPEDE_FRAME_EVENT_NONE;

  case STAMPEDE_FRAME_CHUNK_SIZE:
  case STAMPEDE_FRAME_CHUNK_END:
  case STAMPEDE_FRAME_TRAILER:
    return framer_line (f, buf, len, consumed);

  case STAMPEDE_FRAME_UNTIL_CLOSE:
  case STAMPEDE_FRAME_OPAQUE:
  default:
    *consumed = len;
    return STAMPEDE_FRAME_EVENT_NONE;
  }
}

/**
 * stampede_framer_begin_body:
 * @f: a framer that has just reported a head
 * @no_body: the message has no body whatever its headers say (the answer
 *   to a HEAD request)
 * @response: the head was a response's
 *
 * Chooses how the body ends from the head just parsed.
 */
void
stampede_framer_begin_body (StampedeFramer *f,
                            gboolean        no_body,
                            gboolean        response)
{
  g_byte_array_set_size (f->buf, 0);
  f->line_len = 0;

  /* Interim answers, 204 and 304 never have a body, whatever they say. */
  if (response && (f->status < 200 || f->status == 204 || f->status == 304))
    no_body = TRUE;

  if (no_body)
    f->state = STAMPEDE_FRAME_DONE;
  else if (f->chunked)
    f->state = STAMPEDE_FRAME_CHUNK_SIZE;
  else if (f->has_length) {
    f->remaining = f->length;
    f->state = f->length > 0 ? STAMPEDE_FRAME_BODY : STAMPEDE_FRAME_DONE;
  } else
    f->state = response ? STAMPEDE_FRAME_UNTIL_CLOSE : STAMPEDE_FRAME_DONE;
}

/**
 * stampede_framer_wants_close:
 * @f: a framer that has parsed a head
 *
 * Returns: %TRUE if the connection ends after this message
 */
gboolean
stampede_framer_wants_close (const StampedeFramer *f)
{
  return f->conn_close || (f->http10 && !f->conn_keep_alive);
}
