/* Not yet written. */
#include "stampede-report.h"
