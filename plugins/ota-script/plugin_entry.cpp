// The exported entry point of ota-script.so: the only symbol lintel-helper looks up.
#include "lintel/update_handler.hpp"
#include "script_handler.hpp"

LINTEL_UPDATE_HANDLER("script", "0.1.0", lintel::ota::script::ScriptHandler)
