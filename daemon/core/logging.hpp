// Daemon logging: journald with structured fields when run by systemd, else lines on stderr.
// Thread-safe (the store thread logs too).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lintel/log.hpp"

namespace lintel::core {

enum class LogSink { stderr_lines, journald };

// True when stderr is connected to the journal (systemd sets JOURNAL_STREAM to its dev:inode).
bool stderr_is_journal();

class DaemonLogger final : public sdk::Logger {
public:
    DaemonLogger(LogSink sink, sdk::LogLevel level);

    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField> fields) override;
    bool enabled(sdk::LogLevel level) const override;
    void set_level(sdk::LogLevel level) { level_.store(level); }
    // Same, with a list built at run time (used by ScopedLogger).
    void log_fields(sdk::LogLevel level, std::string_view message,
                    const std::vector<sdk::LogField>& fields);

private:
    LogSink sink_;
    std::atomic<sdk::LogLevel> level_;
    std::mutex stderr_mutex_;
};

// A logger that adds fixed fields (e.g. DEVICE=meter-1, COMPONENT=uplink) to every line.
class ScopedLogger final : public sdk::Logger {
public:
    ScopedLogger(DaemonLogger& parent, std::vector<std::pair<std::string, std::string>> fields);
    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField> fields) override;
    bool enabled(sdk::LogLevel level) const override { return parent_.enabled(level); }

private:
    DaemonLogger& parent_;
    std::vector<std::pair<std::string, std::string>> fields_;
};

std::string_view to_string(sdk::LogLevel level);

}  // namespace lintel::core
