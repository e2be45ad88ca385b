// The exported entry point of http.so: the only symbol the host looks up.
#include "driver.hpp"
#include "lintel/plugin.hpp"

LINTEL_PLUGIN("http", "0.1.0", lintel::http::HttpDriver)
