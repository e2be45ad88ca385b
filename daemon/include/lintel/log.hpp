// Structured logging for the daemon and plugins: a message plus key=value fields
// (journald fields under systemd, "key=value" suffixes on stderr).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace lintel::sdk {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

struct LogField {
    std::string_view key;  // upper-case journald field name, e.g. "DEVICE", "PEER"
    std::string_view value;
};

class Logger {
public:
    virtual ~Logger() = default;
    virtual void log(LogLevel level, std::string_view message,
                     std::initializer_list<LogField> fields = {}) = 0;
    virtual bool enabled(LogLevel level) const = 0;

    void debug(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::debug, m, f);
    }
    void info(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::info, m, f);
    }
    void warning(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::warning, m, f);
    }
    void error(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::error, m, f);
    }
};

}  // namespace lintel::sdk
