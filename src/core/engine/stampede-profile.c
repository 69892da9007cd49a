/* Not yet written. */
#include "stampede-profile.h"
