// lintel-helper's log: one line per event on stderr (the journal, under systemd).
#pragma once

#include <string>
#include <string_view>

namespace lintel::helper {

enum class LogLevel { info, warning, error };

// Writes one line. Under systemd (JOURNAL_STREAM matches stderr) the line starts with a "<N>"
// syslog priority, which journald turns into the entry's priority; otherwise with a UTC time.
void log_line(LogLevel level, std::string_view message);

// `text` quoted for a log line: printable ASCII kept, anything else as \xNN, cut at `max` bytes.
// Peers choose action names and the like, and must not be able to forge or split log lines.
std::string log_quoted(std::string_view text, std::size_t max = 64);

}  // namespace lintel::helper
