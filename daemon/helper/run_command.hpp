// Runs a fixed argv (no shell) with a fixed environment, captures its output, bounds its time.
// Actions use it for dpkg-query today and for dpkg, wpa_cli, networkctl later.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::helper {

// The whole environment of every program the helper runs (no variable of the caller's leaks in).
const std::vector<std::string>& fixed_environment();

struct CommandSpec {
    std::vector<std::string> argv;      // argv[0] is an absolute path: PATH is never searched
    std::vector<std::string> env;       // the child's whole environment ("KEY=value")
    std::filesystem::path working_dir;  // empty: inherited (the helper's is "/")
    std::chrono::milliseconds timeout{10'000};
    std::size_t max_output = 64 * 1024;  // per stream; the rest is read and dropped
};

struct CommandResult {
    bool exited = false;  // true: exited with exit_code; false: killed by signal
    int exit_code = 0;
    int signal = 0;
    std::string out;
    std::string err;
    bool truncated = false;  // out or err was longer than max_output
};

// Errors (code helper.internal) when the command cannot be started or did not finish within
// spec.timeout (it is killed with SIGKILL and reaped first). A non-zero exit is a result.
Expected<CommandResult> run_command(const CommandSpec& spec);

}  // namespace lintel::helper
