/* test-http-framer.c — HTTP/1.x message boundaries, fed in every split
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "stampede-http-framer.h"

/*
 * Feeds @text in pieces of @piece bytes and writes each event with the
 * stream offset where it happened: "H36" for a head ending at byte 36,
 * "E46" for a message ending at byte 46, "X" for an error.  Heads of
 * responses get no body when @no_body is set.
 */
static char *
frame (const char *text,
       gsize       piece,
       gboolean    response,
       gboolean    no_body)
{
  g_autoptr(GString) events = g_string_new (NULL);
  StampedeFramer f;
  gsize total = strlen (text);
  gsize offset = 0;

  stampede_framer_init (&f);

  while (offset < total || f.state == STAMPEDE_FRAME_DONE) {
    gsize len = MIN (piece, total - offset);
    gsize n;
    StampedeFrameEvent ev = stampede_framer_step (&f, (const guint8 *) text
                                                  + offset, len, &n);

    offset += n;
    if (ev == STAMPEDE_FRAME_EVENT_HEAD) {
      g_string_append_printf (events, "H%zu ", offset);
      stampede_framer_begin_body (&f, no_body, response);
    } else if (ev == STAMPEDE_FRAME_EVENT_END) {
      g_string_append_printf (events, "E%zu ", offset);
    } else if (ev == STAMPEDE_FRAME_EVENT_ERROR) {
      g_string_append (events, "X ");
      break;
    }
  }

  if (f.state == STAMPEDE_FRAME_UNTIL_CLOSE)
    g_string_append (events, "U ");

  stampede_framer_clear (&f);

  return g_strchomp (g_string_free (g_steal_pointer (&events), FALSE));
}

static void
assert_framing (const char *text,
                gboolean    response,
                gboolean    no_body,
                const char *expected)
{
  for (gsize piece = 1; piece <= strlen (text); piece++) {
    g_autofree char *got = frame (text, piece, response, no_body);

    if (g_strcmp0 (got, expected) != 0)
      g_error ("split every %zu bytes: got “%s”, expected “%s”", piece,
               got, expected);
  }
}

static void
test_content_length (void)
{
  const char *head = "POST /v1/score HTTP/1.1\r\nHost: t\r\n"
                     "Content-Length: 10\r\n\r\n";
  g_autofree char *text = g_strconcat (head, "0123456789", head,
                                       "abcdefghij", NULL);
  g_autofree char *expected = NULL;
  gsize h = strlen (head);

  /* Two pipelined requests: each head, then each body of 10 bytes. */
  expected = g_strdup_printf ("H%zu E%zu H%zu E%zu", h, h + 10, 2 * h + 10,
                              2 * h + 20);
  assert_framing (text, FALSE, FALSE, expected);
}

static void
test_chunked (void)
{
  const char *head = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const char *body = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                     "0\r\nTrailer: yes\r\n\r\n";
  const char *next = "GET / HTTP/1.1\r\n\r\n";
  g_autofree char *text = g_strconcat (head, body, next, NULL);
  g_autofree char *expected = NULL;
  gsize a = strlen (head);
  gsize b = a + strlen (body);
  gsize c = b + strlen (next);

  expected = g_strdup_printf ("H%zu E%zu H%zu E%zu", a, b, c, c);
  assert_framing (text, FALSE, FALSE, expected);
}

static void
test_responses (void)
{
  const char *interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  g_autofree char *text = g_strconcat (interim, ok, NULL);
  g_autofree char *expected = NULL;
  gsize a = strlen (interim);
  gsize b = a + strlen (ok) - 2;

  expected = g_strdup_printf ("H%zu E%zu H%zu E%zu", a, a, b, b + 2);
  assert_framing (text, TRUE, FALSE, expected);

  /* The answer to a HEAD request announces a length but has no body. */
  assert_framing ("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", TRUE, TRUE,
                  "H39 E39");

  /* No length and not chunked: the body runs to the end of the stream. */
  assert_framing ("HTTP/1.1 200 OK\r\n\r\nabc", TRUE, FALSE, "H19 U");
}

static void
test_errors (void)
{
  assert_framing ("SSH-2.0-OpenSSH_9.2\r\n\r\n", FALSE, FALSE, "X");
  assert_framing ("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", FALSE,
                  FALSE, "X");
  assert_framing ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "zz\r\n", FALSE, FALSE, "H47 X");
}

static void
test_connection (void)
{
  const char *cases[][2] = {
    { "GET / HTTP/1.1\r\nHost: t\r\n\r\n", "keep" },
    { "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "close" },
    { "GET / HTTP/1.0\r\n\r\n", "close" },
    { "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "keep" },
    { "HEAD / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", "keep head expect" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    StampedeFramer f;
    g_autoptr(GString) got = g_string_new (NULL);
    gsize n;

    stampede_framer_init (&f);
    g_assert_cmpint (stampede_framer_step (&f, (const guint8 *) cases[i][0],
                                           strlen (cases[i][0]), &n),
                     ==, STAMPEDE_FRAME_EVENT_HEAD);
    g_assert_cmpuint (n, ==, strlen (cases[i][0]));

    g_string_append (got, stampede_framer_wants_close (&f) ? "close"
                                                           : "keep");
    if (f.head_method)
      g_string_append (got, " head");
    if (f.expect_continue)
      g_string_append (got, " expect");
    g_assert_cmpstr (got->str, ==, cases[i][1]);
    stampede_framer_clear (&f);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/http-framer/content-length",
                   test_content_length);
  g_test_add_func ("/stampede/http-framer/chunked", test_chunked);
  g_test_add_func ("/stampede/http-framer/responses", test_responses);
  g_test_add_func ("/stampede/http-framer/errors", test_errors);
  g_test_add_func ("/stampede/http-framer/connection", test_connection);

  return g_test_run ();
}
