/* Not yet written. */
#include "stampede-tx-factory.h"
