/* stampede-answer-map.h — reads a target's own answer shape (engine
 * private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-run-config.h"
#include "stampede-worker.h"

G_BEGIN_DECLS

/*
 * The slow but general way to read an answer, for a target whose answer
 * is not the wire contract's: the body is parsed into a document and the
 * configured JSON pointers pick the decision, the score and the agents'
 * milliseconds.  One map per worker: it keeps a parser to reuse.
 */
typedef struct _StampedeAnswerMap StampedeAnswerMap;

StampedeAnswerMap *stampede_answer_map_new   (const StampedeRunConfig *config);
void               stampede_answer_map_free  (StampedeAnswerMap       *self);
gboolean           stampede_answer_map_parse (StampedeAnswerMap       *self,
                                              const char              *body,
                                              gsize                    len,
                                              StampedeAnswer          *answer);

JsonNode          *stampede_json_pointer_get (JsonNode                *root,
                                              const char              *pointer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeAnswerMap, stampede_answer_map_free)

G_END_DECLS
