// journald / stderr log sinks.
#include "core/logging.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/timestamp.hpp"

namespace lintel::core {

std::string_view to_string(sdk::LogLevel level) {
    switch (level) {
        case sdk::LogLevel::debug:
            return "debug";
        case sdk::LogLevel::info:
            return "info";
        case sdk::LogLevel::warning:
            return "warning";
        case sdk::LogLevel::error:
            return "error";
    }
    return "info";
}

namespace {

int syslog_priority(sdk::LogLevel level) {
    switch (level) {
        case sdk::LogLevel::debug:
            return LOG_DEBUG;
        case sdk::LogLevel::info:
            return LOG_INFO;
        case sdk::LogLevel::warning:
            return LOG_WARNING;
        case sdk::LogLevel::error:
            return LOG_ERR;
    }
    return LOG_INFO;
}

// Log lines must stay one line: a device name or a peer's error text could carry a newline.
void append_sanitised(std::string& out, std::string_view text) {
    for (char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            out += '?';
        else
            out += c;
    }
}

}  // namespace

bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (env == nullptr) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
}

DaemonLogger::DaemonLogger(LogSink sink, sdk::LogLevel level) : sink_(sink), level_(level) {}

bool DaemonLogger::enabled(sdk::LogLevel level) const {
    return static_cast<int>(level) >= static_cast<int>(level_.load());
}

void DaemonLogger::log(sdk::LogLevel level, std::string_view message,
                       std::initializer_list<sdk::LogField> fields) {
    log_fields(level, message, std::vector<sdk::LogField>(fields));
}

void DaemonLogger::log_fields(sdk::LogLevel level, std::string_view message,
                              const std::vector<sdk::LogField>& fields) {
    if (!enabled(level)) return;
    if (sink_ == LogSink::journald) {
        std::vector<std::string> items;
        items.reserve(fields.size() + 3);
        items.push_back("MESSAGE=" + std::string(message));
        items.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
        items.push_back("SYSLOG_IDENTIFIER=linteld");
        for (const auto& f : fields)
            items.push_back("LINTEL_" + std::string(f.key) + "=" + std::string(f.value));
        std::vector<iovec> iov(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            iov[i].iov_base = items[i].data();
            iov[i].iov_len = items[i].size();
        }
        if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0) return;
        // journald unreachable: fall through to stderr so nothing is lost.
    }
    std::string line = common::timestamp_utc();
    line += ' ';
    line += to_string(level);
    line += ": ";
    append_sanitised(line, message);
    for (const auto& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        append_sanitised(line, f.value);
    }
    line += '\n';
    std::lock_guard lock(stderr_mutex_);
    // One write per line so concurrent writers (store thread) never interleave mid-line.
    const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    (void)written;
}

ScopedLogger::ScopedLogger(DaemonLogger& parent,
                           std::vector<std::pair<std::string, std::string>> fields)
    : parent_(parent), fields_(std::move(fields)) {}

void ScopedLogger::log(sdk::LogLevel level, std::string_view message,
                       std::initializer_list<sdk::LogField> fields) {
    if (!parent_.enabled(level)) return;
    std::vector<sdk::LogField> all;
    all.reserve(fields_.size() + fields.size());
    for (const auto& [k, v] : fields_) all.push_back(sdk::LogField{k, v});
    all.insert(all.end(), fields.begin(), fields.end());
    parent_.log_fields(level, message, all);
}

}  // namespace lintel::core
