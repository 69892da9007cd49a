/* stampede-vendor-file.h — other products' figures, from a file the user gives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "stampede-story.h"

G_BEGIN_DECLS

/**
 * StampedeVendor:
 * @name: the product's name
 * @figures: its figures; NAN where the file gives none
 */
typedef struct {
  char                    *name;
  StampedeDetectorFigures  figures;
} StampedeVendor;

/**
 * StampedeVendorFile:
 * @path: where it was read from
 * @source: where its figures come from, as the file says
 * @vendors: (array length=n_vendors): the products
 * @n_vendors: how many there are
 *
 * Figures of other products that the user supplies; Stampede never makes
 * them up, and shows @source next to them.  The file is JSON:
 *
 *   {"source": "who measured them, where and when",
 *    "vendors": [{"name": "…", "accuracy": 0.95, "recall": 0.8,
 *                 "false_positive_rate": 0.02, "latency_ms": 120}]}
 *
 * Shares are fractions between 0 and 1; every figure is optional.
 */
typedef struct {
  char           *path;
  char           *source;
  StampedeVendor *vendors;
  guint           n_vendors;
} StampedeVendorFile;

StampedeVendorFile *stampede_vendor_file_new_from_data (const char          *data,
                                                        gssize               length,
                                                        const char          *path,
                                                        GError             **error);
StampedeVendorFile *stampede_vendor_file_new_from_path (const char          *path,
                                                        GError             **error);
void                stampede_vendor_file_free          (StampedeVendorFile  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeVendorFile, stampede_vendor_file_free)

G_END_DECLS
