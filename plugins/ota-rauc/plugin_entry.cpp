// The exported entry point of ota-rauc.so: the only symbol lintel-helper looks up.
#include "lintel/update_handler.hpp"
#include "rauc_handler.hpp"

LINTEL_UPDATE_HANDLER("rauc", "0.1.0", lintel::ota::rauc::RaucHandler)
