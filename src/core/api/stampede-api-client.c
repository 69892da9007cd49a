/* Not yet written. */
#include "stampede-api-client.h"
