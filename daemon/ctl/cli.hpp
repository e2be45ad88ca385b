// lintelctl's command line (CLI11) and what each command does with the answer.
#pragma once

#include <iosfwd>
#include <span>

namespace lintel::ctl {

// Runs lintelctl with `args` (argv including argv[0]); writes results to `out` and messages
// to `err`; returns the exit code (k_exit_* in client.hpp).
int run(std::span<const char* const> args, std::ostream& out, std::ostream& err);

}  // namespace lintel::ctl
