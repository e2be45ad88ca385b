// The exported entry point of mqtt.so: the only symbol the host looks up.
#include "lintel/plugin.hpp"
#include "mqtt_driver.hpp"

LINTEL_PLUGIN("mqtt", "0.1.0", lintel::mqttdev::MqttDriver)
