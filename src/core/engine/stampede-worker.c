/* Not yet written. */
#include "stampede-worker.h"
