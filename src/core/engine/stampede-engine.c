/* Not yet written. */
#include "stampede-engine.h"
