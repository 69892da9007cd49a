/* main.c — the entry point of `stampede`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <locale.h>

#include "stampede-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StampedeApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = stampede_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
