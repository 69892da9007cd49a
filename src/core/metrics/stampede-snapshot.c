/* Not yet written. */
#include "stampede-snapshot.h"
