// The Modbus device and point model, and its strict parsing from a device's config map.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::modbus {

enum class Table : std::uint8_t { coil, discrete_input, input_register, holding_register };
enum class ValueType : std::uint8_t {
    boolean,
    int16,
    uint16,
    int32,
    uint32,
    int64,
    uint64,
    float32,
    float64,
    string,
};
// big: most significant byte (within a register) / register (within a value) first.
enum class Order : std::uint8_t { big, little };

std::string_view to_string(Table t);
std::string_view to_string(ValueType t);
bool is_bit_table(Table t);
bool is_writable_table(Table t);

struct PointConfig {
    std::string name;
    Table table = Table::holding_register;
    std::uint16_t address = 0;
    ValueType type = ValueType::uint16;
    std::uint16_t length = 0;  // registers, strings only
    Order byte_order = Order::big;
    Order word_order = Order::big;
    double scale = 1;
    double offset = 0;
    std::string unit;
    bool writable = false;
    std::optional<double> min;  // write limits, engineering units
    std::optional<double> max;

    // Registers (or bits, on coil/discrete tables) the point occupies.
    std::uint16_t width() const;
    // Integer types with identity scaling keep exact integers; everything else is a double.
    bool is_exact_integer() const;
};

enum class Parity : std::uint8_t { none, even, odd };
std::string_view to_string(Parity p);

// A serial line (Modbus RTU). Devices naming the same port share it and must agree on the rest.
struct SerialConfig {
    std::string port;  // device path, e.g. /dev/ttyUSB0
    unsigned baud = 9600;
    Parity parity = Parity::none;
    unsigned data_bits = 8;
    unsigned stop_bits = 1;

    bool same_line_settings(const SerialConfig& other) const {
        return baud == other.baud && parity == other.parity && data_bits == other.data_bits &&
               stop_bits == other.stop_bits;
    }
    std::string describe() const;  // "9600 8N1"
};

struct DeviceConfig {
    std::string host;                    // Modbus TCP; empty when `serial` is set
    std::optional<SerialConfig> serial;  // Modbus RTU
    std::uint16_t port = 502;
    std::uint8_t unit_id = 1;
    std::chrono::milliseconds timeout{1000};
    int retries = 1;
    std::chrono::milliseconds poll_interval{5000};
    int max_concurrent_requests = 1;
    std::chrono::milliseconds request_delay{0};
    std::uint16_t max_gap = 0;
    std::chrono::milliseconds backoff_max{60'000};
    Order byte_order = Order::big;
    Order word_order = Order::big;
    std::vector<PointConfig> points;
};

// Reads `settings` (a device map without the host's own keys). Every problem is added to
// `errors` as "file:line:col: key.path: reason"; returns nullopt if there was any.
std::optional<DeviceConfig> parse_device_config(const sdk::ConfigNode& settings,
                                                sdk::ConfigErrors& errors);

}  // namespace lintel::modbus
