/* Not yet written. */
#include "stampede-run-config.h"
