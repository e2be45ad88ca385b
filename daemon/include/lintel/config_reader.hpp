// Strict, typed reading of one map in a ConfigNode tree: every key read is marked known,
// finish() reports the unknown ones; wrong types and out-of-range values are errors that name
// file, line, column and key path. Used by the core config and by every plugin alike.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::sdk {

using Duration = std::chrono::milliseconds;

// Scalar parsers, usable on their own (and fuzzed). nullopt + `why` on failure.
std::optional<bool> parse_bool(std::string_view text, std::string& why);
std::optional<std::int64_t> parse_int(std::string_view text, std::string& why);
std::optional<double> parse_double(std::string_view text, std::string& why);
// "500ms", "5s", "2m", "1h", "1d"; a bare "0" is zero.
std::optional<Duration> parse_duration(std::string_view text, std::string& why);
// "256MiB", "64KiB", "1GiB", "10MB", "4096" (bytes).
std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why);
std::string format_duration(Duration d);
std::string format_size(std::uint64_t bytes);

class MapReader {
public:
    // Reports an error (and reads nothing) when `node` is not a map. A null node is read as an
    // empty map so that an optional section may be left out or left empty.
    MapReader(const ConfigNode& node, ConfigErrors& errors);
    MapReader(const MapReader&) = delete;
    MapReader& operator=(const MapReader&) = delete;

    bool ok() const { return ok_; }
    const ConfigNode& node() const { return node_; }
    ConfigErrors& errors() { return errors_; }

    // The child node, marked known; nullptr if absent. `required` reports it missing.
    const ConfigNode* child(std::string_view key, bool required = false);
    bool has(std::string_view key) const { return node_.find(key) != nullptr; }

    std::optional<std::string> string(std::string_view key);  // required
    std::string string(std::string_view key, std::string fallback);
    std::optional<std::string> optional_string(std::string_view key);
    // One of `allowed`; required when fallback is empty.
    std::optional<std::string> choice(std::string_view key,
                                      std::span<const std::string_view> allowed,
                                      std::optional<std::string_view> fallback = std::nullopt);

    std::optional<bool> boolean(std::string_view key);  // required
    bool boolean(std::string_view key, bool fallback);

    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max);

    std::optional<double> number(std::string_view key);  // required, finite
    double number(std::string_view key, double fallback);

    Duration duration(std::string_view key, Duration fallback, Duration min, Duration max);
    std::uint64_t size(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                       std::uint64_t max);

    // Reports every key present but never read. Call once, after reading.
    void finish();

private:
    const ConfigNode* scalar_child(std::string_view key, bool required);

    const ConfigNode& node_;
    ConfigErrors& errors_;
    std::vector<std::string> known_;
    bool ok_ = true;
};

}  // namespace lintel::sdk
