/* Not yet written. */
#include "stampede-histogram.h"
