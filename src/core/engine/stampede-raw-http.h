/* stampede-raw-http.h — a minimal HTTP/1.1 client for the hot path
 * (engine private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * One worker's plain-HTTP transport: an epoll loop over keep-alive
 * connections, each carrying one request at a time.  A connection is
 * made when first used and again after a failure, a timeout or a
 * "Connection: close"; a request costs no allocation.  Everything but
 * stampede_raw_http_wakeup() belongs to the worker's thread.
 */
typedef struct _StampedeRawHttp StampedeRawHttp;
typedef struct _StampedeRawConn StampedeRawConn;

typedef enum {
  STAMPEDE_RAW_RESULT_OK,
  STAMPEDE_RAW_RESULT_FAILED,
  STAMPEDE_RAW_RESULT_TIMEOUT,
} StampedeRawResult;

/* How a request ended: @status is the HTTP status when @result is OK,
 * and @retry_after_s the answer's Retry-After in seconds, 0 when it has
 * none or names a date. */
typedef struct {
  StampedeRawResult result;
  guint             status;
  gint64            retry_after_s;
} StampedeRawOutcome;

/* Receives the body of an answer, piece by piece, in order. */
typedef void (*StampedeRawBodyFunc) (const char *data,
                                     gsize       len,
                                     gpointer    user_data);

gboolean         stampede_raw_http_check_url  (const char          *url,
                                               GError             **error);
StampedeRawHttp *stampede_raw_http_new        (const char          *url,
                                               guint                timeout_ms,
                                               StampedeRawBodyFunc  body_func,
                                               GError             **error);
void             stampede_raw_http_free       (StampedeRawHttp     *self);
gboolean         stampede_raw_http_watch_fd   (StampedeRawHttp     *self,
                                               int                  fd);
void             stampede_raw_http_wakeup     (StampedeRawHttp     *self);
void             stampede_raw_http_poll       (StampedeRawHttp     *self,
                                               int                  timeout_ms,
                                               gboolean            *fd_ready);
gpointer         stampede_raw_http_next_done  (StampedeRawHttp     *self,
                                               StampedeRawOutcome  *outcome);
StampedeRawConn *stampede_raw_http_conn_new   (StampedeRawHttp     *self,
                                               gpointer             user_data);
void             stampede_raw_conn_send       (StampedeRawConn     *conn,
                                               const char          *body,
                                               gsize                len,
                                               gint64               now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeRawHttp, stampede_raw_http_free)

G_END_DECLS
