/* stampede-baseline.c — the rules-only scorer the target is compared with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "stampede-baseline.h"

/* Above this many US dollars a single purchase is declined outright. */
#define HUGE_AMOUNT_USD  5000.0

/* Below this, an online purchase looks like a stolen card being tried. */
#define PROBE_AMOUNT_USD 2.0

/* Merchant categories that move money rather than goods: gambling
 * (7995), quasi-cash and crypto (6051), money transfer (4829) and
 * direct marketing (5967). */
static const char * const risky_mccs[] = { "7995", "6051", "4829", "5967" };

static gboolean
risky_mcc (const char *mcc)
{
  for (guint i = 0; i < G_N_ELEMENTS (risky_mccs); i++)
    if (strcmp (mcc, risky_mccs[i]) == 0)
      return TRUE;

  return FALSE;
}

/**
 * stampede_baseline_declines:
 * @tx: a transaction
 *
 * Judges @tx the way a static rule set without history or model would,
 * so that the target's accuracy can be shown next to what plain rules
 * get on the very same stream.  It declines when the amount is over
 * 5,000 USD; when the merchant's category moves money (gambling,
 * quasi-cash, money transfer, direct marketing) and the merchant is in
 * another country than the card; and when an online purchase is under
 * 2 USD.  It reads only what is sent to the target, never the ground
 * truth.
 *
 * Returns: %TRUE if the rules decline @tx
 */
gboolean
stampede_baseline_declines (const StampedeTransaction *tx)
{
  g_return_val_if_fail (tx != NULL, FALSE);

  if (tx->amount_usd > HUGE_AMOUNT_USD)
    return TRUE;

  if (risky_mcc (tx->mcc) && strcmp (tx->country, tx->card_country) != 0)
    return TRUE;

  return tx->amount_usd < PROBE_AMOUNT_USD
         && strcmp (tx->channel, "ecom") == 0;
}
