/* Not yet written. */
#include "stampede-platform.h"
