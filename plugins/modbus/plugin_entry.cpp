// The exported entry point of modbus.so: the only symbol the host looks up.
#include "driver.hpp"
#include "lintel/plugin.hpp"

LINTEL_PLUGIN("modbus", "0.1.0", lintel::modbus::ModbusDriver)
