// Test support: a lintel::sdk::Logger that records every line (and echoes it) for assertions.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "lintel/log.hpp"

namespace lintel::test {

struct LogLine {
    sdk::LogLevel level;
    std::string message;
    std::string fields;  // "KEY=value KEY=value"
    std::string text() const { return message + (fields.empty() ? "" : " " + fields); }
};

// Thread-safe. Echoes to stderr (ctest shows it for failed tests) unless echo is false.
class CaptureLogger : public sdk::Logger {
public:
    explicit CaptureLogger(std::string name = {}, bool echo = true);

    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField> fields = {}) override;
    bool enabled(sdk::LogLevel) const override { return true; }

    std::vector<LogLine> lines() const;
    // Lines whose message or fields contain `needle`, at `min_level` or above.
    std::size_t count(const std::string& needle,
                      sdk::LogLevel min_level = sdk::LogLevel::debug) const;
    bool contains(const std::string& needle, sdk::LogLevel min_level = sdk::LogLevel::debug) const {
        return count(needle, min_level) > 0;
    }
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                  sdk::LogLevel min_level = sdk::LogLevel::debug) const;
    void clear();

private:
    std::string name_;
    bool echo_;
    mutable std::mutex mutex_;
    std::vector<LogLine> lines_;
};

}  // namespace lintel::test
