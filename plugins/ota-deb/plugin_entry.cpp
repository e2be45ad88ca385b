// The exported entry point of ota-deb.so: the only symbol lintel-helper looks up.
#include "deb_handler.hpp"
#include "lintel/update_handler.hpp"

LINTEL_UPDATE_HANDLER("deb", "0.1.0", lintel::ota::deb::DebHandler)
