/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-studio"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "svd-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SvdApplication) app = NULL;

  /* Set up before the option parser runs so --help is translated too. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, SVD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = svd_application_new (G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
