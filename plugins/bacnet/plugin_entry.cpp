// The exported entry point of bacnet.so: the only symbol the host looks up.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "driver.hpp"
#include "lintel/plugin.hpp"

LINTEL_PLUGIN("bacnet", "0.1.0", lintel::bacnet::BacnetDriver)
