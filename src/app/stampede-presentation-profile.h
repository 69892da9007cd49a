/* stampede-presentation-profile.h — what the Presentation page shows, to whom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "stampede-format.h"

G_BEGIN_DECLS

#define STAMPEDE_SETTINGS_SCHEMA "org.stampede.Stampede"

typedef enum {
  STAMPEDE_AUDIENCE_BUSINESS,
  STAMPEDE_AUDIENCE_TECHNICAL,
} StampedeAudience;

/* The hero figures of the Presentation page. */
typedef enum {
  STAMPEDE_HERO_PROCESSED,
  STAMPEDE_HERO_FRAUD_BLOCKED,
  STAMPEDE_HERO_FRAUD_VALUE,
  STAMPEDE_HERO_AVAILABILITY,
  STAMPEDE_HERO_TPS,
  STAMPEDE_HERO_ACCURACY,
  STAMPEDE_HERO_P99,
  STAMPEDE_HERO_ERROR_RATE,
  STAMPEDE_N_HEROES,
} StampedeHero;

/**
 * StampedeCostModel:
 * @cost_per_tx_usd: what scoring one transaction costs
 * @measured_fraud_loss: whether the loss avoided is the measured amount of
 *   the blocked fraud, rather than @fraud_loss_per_block_usd for each
 * @fraud_loss_per_block_usd: the loss avoided per blocked fraud
 * @review_cost_usd: what an analyst's review of a declined legitimate
 *   transaction costs
 *
 * The assumptions of the business value card.  Every one of them is a
 * model, shown and editable in Preferences.
 */
typedef struct {
  double   cost_per_tx_usd;
  gboolean measured_fraud_loss;
  double   fraud_loss_per_block_usd;
  double   review_cost_usd;
} StampedeCostModel;

/**
 * StampedePresentationProfile:
 * @audience: who the figures are for
 * @heroes: (array length=n_heroes): the hero figures shown, in order
 * @n_heroes: how many are shown
 * @currency: the display currency
 * @style: how figures are written
 * @cost: the cost model
 *
 * What the Presentation page shows and how, as saved in GSettings.
 */
typedef struct {
  StampedeAudience        audience;
  StampedeHero            heroes[STAMPEDE_N_HEROES];
  guint                   n_heroes;
  const StampedeCurrency *currency;
  StampedeNumberStyle     style;
  StampedeCostModel       cost;
} StampedePresentationProfile;

const char *
stampede_hero_to_string (StampedeHero hero);

gboolean
stampede_hero_from_string (const char   *name,
                           StampedeHero *hero);

const char *
stampede_hero_get_title (StampedeHero hero);

GSettings *
stampede_settings_new (void);

void
stampede_presentation_profile_load (StampedePresentationProfile *self,
                                    GSettings                   *settings);

gboolean
stampede_presentation_profile_shows (const StampedePresentationProfile *self,
                                     StampedeHero                       hero);

const char *
stampede_presentation_profile_key (StampedeAudience  audience,
                                   const char       *what);

G_END_DECLS
