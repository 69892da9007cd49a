/* stampede-presentation-profile.c — what the Presentation page shows, to whom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <string.h>

#include "stampede-presentation-profile.h"

static const char * const hero_names[] = {
  "processed",
  "fraud-blocked",
  "fraud-value",
  "availability",
  "tps",
  "accuracy",
  "p99",
  "error-rate",
};

G_STATIC_ASSERT (G_N_ELEMENTS (hero_names) == STAMPEDE_N_HEROES);

static const char * const audience_names[] = {
  "business",
  "technical",
};

/* What a profile shows when no schema can be found at all, the same as
 * the schema's defaults for a business audience. */
static const StampedeHero fallback_heroes[] = {
  STAMPEDE_HERO_PROCESSED,
  STAMPEDE_HERO_FRAUD_BLOCKED,
  STAMPEDE_HERO_FRAUD_VALUE,
  STAMPEDE_HERO_AVAILABILITY,
  STAMPEDE_HERO_TPS,
  STAMPEDE_HERO_ACCURACY,
};

const char *
stampede_hero_to_string (StampedeHero hero)
{
  g_return_val_if_fail (hero < STAMPEDE_N_HEROES, NULL);

  return hero_names[hero];
}

gboolean
stampede_hero_from_string (const char   *name,
                           StampedeHero *hero)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (hero != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (hero_names); i++) {
    if (g_str_equal (name, hero_names[i])) {
      *hero = i;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_hero_get_title:
 * @hero: a hero figure
 *
 * Returns: the caption under the figure, translated
 */
const char *
stampede_hero_get_title (StampedeHero hero)
{
  g_return_val_if_fail (hero < STAMPEDE_N_HEROES, NULL);

  switch (hero) {
  case STAMPEDE_HERO_PROCESSED:
    return _("Transactions processed");
  case STAMPEDE_HERO_FRAUD_BLOCKED:
    return _("Fraudulent transactions blocked");
  case STAMPEDE_HERO_FRAUD_VALUE:
    return _("Fraud value prevented");
  case STAMPEDE_HERO_AVAILABILITY:
    return _("Availability of the target");
  case STAMPEDE_HERO_TPS:
    return _("Transactions per second");
  case STAMPEDE_HERO_ACCURACY:
    return _("Decisions that were right");
  case STAMPEDE_HERO_P99:
    return _("Latency, 99th percentile");
  case STAMPEDE_HERO_ERROR_RATE:
    return _("Requests that failed");
  case STAMPEDE_N_HEROES:
  default:
    g_return_val_if_reached (NULL);
  }
}

/**
 * stampede_settings_new:
 *
 * Opens the app's settings.  An installed schema comes first; a program
 * run from its build tree finds the schema compiled next to it.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when no
 *   schema can be found, in which case the defaults apply
 */
GSettings *
stampede_settings_new (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) built = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (installed != NULL)
    schema = g_settings_schema_source_lookup (installed,
                                              STAMPEDE_SETTINGS_SCHEMA, TRUE);

#ifdef STAMPEDE_BUILD_SCHEMA_DIR
  if (schema == NULL)
    built = g_settings_schema_source_new_from_directory (
      STAMPEDE_BUILD_SCHEMA_DIR, installed, FALSE, NULL);
  if (built != NULL)
    schema = g_settings_schema_source_lookup (built,
                                              STAMPEDE_SETTINGS_SCHEMA, FALSE);
#endif

  if (schema == NULL) {
    g_warning ("No schema “%s” is installed; the presentation uses its "
               "defaults and saves nothing", STAMPEDE_SETTINGS_SCHEMA);
    return NULL;
  }

  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * stampede_presentation_profile_key:
 * @audience: a profile
 * @what: a setting that each profile has, e.g. "figures" or "currency"
 *
 * Returns: the name of the key that holds @what for @audience, e.g.
 *   "business-figures"
 */
const char *
stampede_presentation_profile_key (StampedeAudience  audience,
                                   const char       *what)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (audience <= STAMPEDE_AUDIENCE_TECHNICAL, NULL);
  g_return_val_if_fail (what != NULL, NULL);

  key = g_strdup_printf ("%s-%s", audience_names[audience], what);

  return g_intern_string (key);
}

static void
load_defaults (StampedePresentationProfile *self)
{
  self->audience = STAMPEDE_AUDIENCE_BUSINESS;
  memcpy (self->heroes, fallback_heroes, sizeof fallback_heroes);
  self->n_heroes = G_N_ELEMENTS (fallback_heroes);
  self->currency = stampede_currency_lookup ("USD");
  self->style.compact = TRUE;
  self->style.thin_space = FALSE;
  self->cost.cost_per_tx_usd = 0.002;
  self->cost.measured_fraud_loss = TRUE;
  self->cost.fraud_loss_per_block_usd = 150.0;
  self->cost.review_cost_usd = 4.0;
}

static void
load_heroes (StampedePresentationProfile *self,
             GSettings                   *settings)
{
  g_auto(GStrv) names = NULL;
  guint shown = 0;

  names = g_settings_get_strv (
    settings, stampede_presentation_profile_key (self->audience, "figures"));

  /* A figure named twice or unknown (from a newer version, say) is left
   * out rather than refused. */
  for (guint i = 0; names[i] != NULL; i++) {
    StampedeHero hero;

    if (!stampede_hero_from_string (names[i], &hero))
      continue;
    if (shown & (1u << hero))
      continue;

    shown |= 1u << hero;
    self->heroes[self->n_heroes++] = hero;
  }
}

/**
 * stampede_presentation_profile_load:
 * @self: the profile to fill
 * @settings: (nullable): the app's settings, or %NULL for the defaults
 *
 * Reads the profile that @settings select.
 */
void
stampede_presentation_profile_load (StampedePresentationProfile *self,
                                    GSettings                   *settings)
{
  g_autofree char *code = NULL;
  StampedeAudience audience;

  g_return_if_fail (self != NULL);
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  memset (self, 0, sizeof *self);
  load_defaults (self);
  if (settings == NULL)
    return;

  audience = g_settings_get_enum (settings, "audience");
  self->audience = MIN (audience, STAMPEDE_AUDIENCE_TECHNICAL);

  self->n_heroes = 0;
  load_heroes (self, settings);

  code = g_settings_get_string (
    settings, stampede_presentation_profile_key (self->audience, "currency"));
  self->currency = stampede_currency_lookup (code);
  if (self->currency == NULL)
    self->currency = stampede_currency_lookup ("USD");

  self->style.compact = g_settings_get_boolean (
    settings, stampede_presentation_profile_key (self->audience, "compact"));
  self->style.thin_space = g_settings_get_boolean (
    settings,
    stampede_presentation_profile_key (self->audience, "thin-space"));

  self->cost.cost_per_tx_usd =
    g_settings_get_double (settings, "cost-per-transaction");
  self->cost.measured_fraud_loss =
    g_settings_get_enum (settings, "fraud-loss-source") == 0;
  self->cost.fraud_loss_per_block_usd =
    g_settings_get_double (settings, "fraud-loss-per-block");
  self->cost.review_cost_usd = g_settings_get_double (settings,
                                                      "review-cost");
}

gboolean
stampede_presentation_profile_shows (const StampedePresentationProfile *self,
                                     StampedeHero                       hero)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->n_heroes; i++) {
    if (self->heroes[i] == hero)
      return TRUE;
  }

  return FALSE;
}
