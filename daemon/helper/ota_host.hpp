// What lintel-helper gives an update handler during one call (sdk::UpdateHost): its log, the
// command runner under the request's deadline, and file operations that never follow a symlink.
#pragma once

#include <chrono>
#include <string>

#include "lintel/update_handler.hpp"

namespace lintel::helper {

// Handler log lines in the helper's log, prefixed with "<action> <handler>/<component>: ".
class HelperLogger : public sdk::Logger {
public:
    explicit HelperLogger(std::string prefix) : prefix_(std::move(prefix)) {}
    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField> fields) override;
    bool enabled(sdk::LogLevel level) const override { return level != sdk::LogLevel::debug; }

private:
    std::string prefix_;
};

class HelperUpdateHost : public sdk::UpdateHost {
public:
    HelperUpdateHost(std::string log_prefix, std::chrono::steady_clock::time_point deadline)
        : log_(std::move(log_prefix)), deadline_(deadline) {}

    sdk::Logger& log() override { return log_; }
    Expected<sdk::CommandResult> run(const sdk::Command& command) override;
    Expected<std::optional<sdk::FileStatus>> file_status(const sdk::FileRef& file) override;
    Expected<void> copy_file(const sdk::FileRef& from, const sdk::FileRef& to,
                             const sdk::FileAttributes& attributes) override;
    Expected<void> write_file(const sdk::FileRef& to, std::string_view content,
                              const sdk::FileAttributes& attributes) override;
    Expected<bool> remove_file(const sdk::FileRef& file) override;

private:
    HelperLogger log_;
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace lintel::helper
