/* stampede-report.h — summaries and exports of a finished run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "stampede-criteria.h"
#include "stampede-histogram.h"
#include "stampede-run-config.h"
#include "stampede-series.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

JsonNode *
stampede_report_build_summary (const StampedeRunConfig *config,
                               const StampedeSnapshot  *final);

void
stampede_report_add_criteria (JsonNode                     *summary,
                              const StampedeCriteriaResult *criteria);

void
stampede_report_null_undefined (JsonNode *summary);

gboolean
stampede_report_write_json (const StampedeRunConfig  *config,
                            const StampedeSnapshot   *final,
                            const char               *path,
                            GError                  **error);

gboolean
stampede_report_write_summary (JsonNode    *summary,
                               const char  *path,
                               GError     **error);

char *
stampede_report_format_text (const StampedeRunConfig *config,
                             const StampedeSnapshot  *final);

char *
stampede_report_format_criteria (const StampedeCriteriaResult *criteria);

char *
stampede_report_format_verdict (const StampedeCriteriaResult *criteria,
                                const char                   *run_failure);

char *
stampede_report_format_csv (GArray *series);

gboolean
stampede_report_write_csv (GArray      *series,
                           const char  *path,
                           GError     **error);

char *
stampede_report_format_spectrum (const StampedeHistogram *latency,
                                 const StampedeHistogram *service);

gboolean
stampede_report_write_spectrum (const StampedeHistogram  *latency,
                                const StampedeHistogram  *service,
                                const char               *path,
                                GError                  **error);

char *
stampede_report_format_junit (const char                   *suite,
                              double                        elapsed_s,
                              const StampedeCriteriaResult *criteria,
                              const char                   *run_failure);

gboolean
stampede_report_write_junit (const char                    *suite,
                             double                         elapsed_s,
                             const StampedeCriteriaResult  *criteria,
                             const char                    *run_failure,
                             const char                    *path,
                             GError                       **error);

G_END_DECLS
