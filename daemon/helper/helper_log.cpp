// stderr log lines for lintel-helper, with a syslog priority prefix when journald reads them.
#include "helper/helper_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/timestamp.hpp"

namespace lintel::helper {
namespace {

bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (env == nullptr) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
}

std::string_view journal_prefix(LogLevel level) {
    switch (level) {
        case LogLevel::info:
            return "<6>";
        case LogLevel::warning:
            return "<4>";
        case LogLevel::error:
            return "<3>";
    }
    return "<6>";
}

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::info:
            return "info";
        case LogLevel::warning:
            return "warning";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

}  // namespace

void log_line(LogLevel level, std::string_view message) {
    static const bool journal = stderr_is_journal();
    std::string line;
    if (journal) {
        // journald adds time, identifier and pid itself.
        line += journal_prefix(level);
    } else {
        line += common::timestamp_utc();
        line += " lintel-helper[";
        line += std::to_string(::getpid());
        line += "] ";
        line += level_name(level);
        line += ": ";
    }
    // One event, one line: control characters (a newline in a dpkg message) cannot split it.
    for (char c : message) line += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    line += '\n';
    // One write per line: concurrent helper instances share the log file in tests.
    const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    (void)written;
}

std::string log_quoted(std::string_view text, std::size_t max) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(text[i]);
        if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\') {
            out += static_cast<char>(u);
        } else if (u == '"' || u == '\\') {
            out += '\\';
            out += static_cast<char>(u);
        } else {
            out += "\\x";
            out += k_hex[u >> 4];
            out += k_hex[u & 0x0f];
        }
    }
    out += '"';
    return out;
}

}  // namespace lintel::helper
