/* stampede-request-template.h — a request body written from a template
 * (engine private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-transaction.h"

G_BEGIN_DECLS

/*
 * A body for a target that does not read the wire format: the text of the
 * template with each `{{field}}` replaced by the transaction's field, one
 * of id, card_id, merchant_id, merchant_name, mcc, country, card_country,
 * amount, currency, lat, lon, channel and timestamp_ms.  Strings are
 * written JSON-escaped without their quotes, so the template decides
 * whether a value is quoted; amount is the decimal of the wire format
 * ("12.34", "1500", "12.345") without quotes; lat and lon have four
 * decimals; an omitted optional field is "" for a string and null for a
 * coordinate.  A template is compiled once and is read-only afterwards,
 * so workers may share it.
 */
typedef struct _StampedeRequestTemplate StampedeRequestTemplate;

StampedeRequestTemplate *
stampede_request_template_new (const char  *text,
                               GError     **error);

void
stampede_request_template_free (StampedeRequestTemplate *self);

void
stampede_request_template_expand (StampedeRequestTemplate   *self,
                                  const StampedeTransaction *tx,
                                  GString                   *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeRequestTemplate,
                               stampede_request_template_free)

G_END_DECLS
