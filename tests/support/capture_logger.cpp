// Test support: CaptureLogger.
#include "support/capture_logger.hpp"

#include <cstdio>

#include "support/wait.hpp"

namespace lintel::test {
namespace {

const char* level_name(sdk::LogLevel l) {
    switch (l) {
        case sdk::LogLevel::debug:
            return "debug";
        case sdk::LogLevel::info:
            return "info";
        case sdk::LogLevel::warning:
            return "warning";
        case sdk::LogLevel::error:
            return "error";
    }
    return "?";
}

}  // namespace

CaptureLogger::CaptureLogger(std::string name, bool echo) : name_(std::move(name)), echo_(echo) {}

void CaptureLogger::log(sdk::LogLevel level, std::string_view message,
                        std::initializer_list<sdk::LogField> fields) {
    LogLine line{level, std::string(message), {}};
    for (const auto& f : fields) {
        if (!line.fields.empty()) line.fields += ' ';
        line.fields.append(f.key).append("=").append(f.value);
    }
    std::lock_guard lock(mutex_);
    if (echo_) {
        std::fprintf(stderr, "[%s%s%s] %s\n", name_.c_str(), name_.empty() ? "" : " ",
                     level_name(level), line.text().c_str());
    }
    lines_.push_back(std::move(line));
}

std::vector<LogLine> CaptureLogger::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::size_t CaptureLogger::count(const std::string& needle, sdk::LogLevel min_level) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& l : lines_) {
        if (l.level >= min_level && l.text().find(needle) != std::string::npos) ++n;
    }
    return n;
}

bool CaptureLogger::wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                             sdk::LogLevel min_level) const {
    return wait_until([&] { return contains(needle, min_level); }, timeout);
}

void CaptureLogger::clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
}

}  // namespace lintel::test
