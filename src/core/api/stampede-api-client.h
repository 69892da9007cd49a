/* stampede-api-client.h — a client of an engine's control API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "stampede-run-config.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_API_CLIENT_ERROR (stampede_api_client_error_quark ())

typedef enum {
  STAMPEDE_API_CLIENT_ERROR_UNAUTHORIZED,
  STAMPEDE_API_CLIENT_ERROR_REFUSED,
  STAMPEDE_API_CLIENT_ERROR_PROTOCOL,
  STAMPEDE_API_CLIENT_ERROR_REJECTED,
} StampedeApiClientError;

/*
 * Talks to one engine through its control API with libsoup, asynchronously,
 * in the thread-default GMainContext at construction.  After
 * stampede_api_client_connect_stream() the client emits:
 *   "snapshot" (StampedeSnapshot *) for every snapshot the engine streams;
 *   "run-finished" (StampedeSnapshot *) with the final figures of a run;
 *   "stream-closed" (GError *error, NULL when disconnect_stream() ended it)
 *       when the stream ends; it does not reconnect by itself.
 * Errors: UNAUTHORIZED for a wrong token (401), REFUSED when the engine
 * cannot be reached, PROTOCOL for an answer that makes no sense, and
 * REJECTED when the engine refused the request (another 4xx or 5xx; the
 * message is the engine's, with the status code).
 */

#define STAMPEDE_TYPE_API_CLIENT (stampede_api_client_get_type ())

G_DECLARE_FINAL_TYPE (StampedeApiClient, stampede_api_client, STAMPEDE, API_CLIENT, GObject)

GQuark             stampede_api_client_error_quark   (void);
StampedeApiClient *stampede_api_client_new           (const char              *base_url,
                                                      const char              *token);
void               stampede_api_client_start_run_async (StampedeApiClient     *self,
                                                      const StampedeRunConfig *config,
                                                      GCancellable            *cancellable,
                                                      GAsyncReadyCallback      callback,
                                                      gpointer                 user_data);
gboolean           stampede_api_client_start_run_finish (StampedeApiClient    *self,
                                                      GAsyncResult            *result,
                                                      GError                 **error);
void               stampede_api_client_stop_run_async (StampedeApiClient      *self,
                                                      GCancellable            *cancellable,
                                                      GAsyncReadyCallback      callback,
                                                      gpointer                 user_data);
gboolean           stampede_api_client_stop_run_finish (StampedeApiClient     *self,
                                                      GAsyncResult            *result,
                                                      GError                 **error);
void               stampede_api_client_set_rate_async (StampedeApiClient      *self,
                                                      double                   rate,
                                                      GCancellable            *cancellable,
                                                      GAsyncReadyCallback      callback,
                                                      gpointer                 user_data);
gboolean           stampede_api_client_set_rate_finish (StampedeApiClient     *self,
                                                      GAsyncResult            *result,
                                                      GError                 **error);
void               stampede_api_client_get_status_async (StampedeApiClient    *self,
                                                      GCancellable            *cancellable,
                                                      GAsyncReadyCallback      callback,
                                                      gpointer                 user_data);
StampedeSnapshot  *stampede_api_client_get_status_finish (StampedeApiClient   *self,
                                                      GAsyncResult            *result,
                                                      GError                 **error);
void               stampede_api_client_connect_stream (StampedeApiClient      *self);
void               stampede_api_client_disconnect_stream (StampedeApiClient   *self);

G_END_DECLS
