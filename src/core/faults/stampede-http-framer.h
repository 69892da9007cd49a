/* stampede-http-framer.h — finds message boundaries in an HTTP/1.x stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * An incremental framer for one direction of an HTTP/1.x connection, as
 * much of HTTP as a proxy needs to know where each message ends: the head,
 * then a body delimited by Content-Length, chunked encoding, or (responses
 * only) the end of the stream.  It copies nothing but the head; the caller
 * keeps or passes on the bytes as it likes.  The fault proxy uses it; it
 * has no other state and no allocation per message.
 *
 * Use: feed bytes to stampede_framer_step() until it has consumed them all
 * (call it once more, with no bytes, while the state is DONE).  On a HEAD
 * event the head is in buf and parsed into the fields below; the caller
 * then chooses how the body ends with stampede_framer_begin_body().  An
 * ERROR event means the stream is not HTTP/1.x as far as the framer can
 * tell.
 */
typedef enum {
  STAMPEDE_FRAME_HEAD,
  STAMPEDE_FRAME_BODY,
  STAMPEDE_FRAME_CHUNK_SIZE,
  STAMPEDE_FRAME_CHUNK_DATA,
  STAMPEDE_FRAME_CHUNK_END,
  STAMPEDE_FRAME_TRAILER,
  STAMPEDE_FRAME_DONE,
  STAMPEDE_FRAME_UNTIL_CLOSE,
  STAMPEDE_FRAME_OPAQUE,
} StampedeFrameState;

typedef enum {
  STAMPEDE_FRAME_EVENT_NONE,
  STAMPEDE_FRAME_EVENT_HEAD,
  STAMPEDE_FRAME_EVENT_END,
  STAMPEDE_FRAME_EVENT_ERROR,
} StampedeFrameEvent;

typedef struct {
  StampedeFrameState  state;
  GByteArray         *buf;
  gsize               line_len;
  guint64             remaining;

  /* From the last head: the status (responses; 0 for requests), and what
   * decides how the body ends and whether the connection stays open. */
  int                 status;
  gboolean            head_method;
  gboolean            http10;
  gboolean            conn_close;
  gboolean            conn_keep_alive;
  gboolean            expect_continue;
  gboolean            chunked;
  gboolean            has_length;
  guint64             length;
} StampedeFramer;

void               stampede_framer_init        (StampedeFramer       *f);
void               stampede_framer_clear       (StampedeFramer       *f);
StampedeFrameEvent stampede_framer_step        (StampedeFramer       *f,
                                                const guint8         *buf,
                                                gsize                 len,
                                                gsize                *consumed);
void               stampede_framer_begin_body  (StampedeFramer       *f,
                                                gboolean              no_body,
                                                gboolean              response);
gboolean           stampede_framer_wants_close (const StampedeFramer *f);

G_END_DECLS
