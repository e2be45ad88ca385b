// The exported entry point of ota-file.so: the only symbol lintel-helper looks up.
#include "file_handler.hpp"
#include "lintel/update_handler.hpp"

LINTEL_UPDATE_HANDLER("file", "0.1.0", lintel::ota::file::FileHandler)
