/* Not yet written. */
#include "stampede-transaction.h"
