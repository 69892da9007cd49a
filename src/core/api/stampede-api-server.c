/* Not yet written. */
#include "stampede-api-server.h"
