// apply-config's record of a configuration on trial: written before the new file, removed once
// it is confirmed or rolled back. Found at start-up, it means linteld stopped during the trial,
// and the previous file is restored (docs/commands.md, "apply-config").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "lintel/error.hpp"

namespace lintel::app {

struct PendingApply {
    std::string command_id;
    std::string kid;
    std::string principal;
    std::string file;                     // "lintel.yaml" or "devices.d/<name>.yaml"
    std::optional<std::string> previous;  // the file before; nullopt: it did not exist
    std::int64_t started_ms = 0;
    std::int64_t deadline_ms = 0;
};

// One JSON file, 0600 (it holds a configuration), replaced atomically.
class ApplyJournal {
public:
    explicit ApplyJournal(std::filesystem::path path) : path_(std::move(path)) {}

    Expected<void> record(const PendingApply& pending) const;
    // nullopt when there is none; an error (code "apply_journal.corrupt") names what is wrong.
    Expected<std::optional<PendingApply>> read() const;
    Expected<void> clear() const;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace lintel::app
