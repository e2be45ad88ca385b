// What every lintel-sign subcommand shares: exit codes and the error code for usage mistakes.
#pragma once

#include <string_view>

#include "commands/reason_codes.hpp"
#include "lintel/error.hpp"

namespace lintel::sign {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_invalid = 1;  // refused, invalid, or could not be done
inline constexpr int k_exit_usage = 2;    // the command line is wrong

// Errors with this code (or commands.bad_input: a field we were asked to sign) exit 2.
inline constexpr std::string_view k_usage = "sign.usage";

inline int exit_code_for(const Error& error) {
    return error.code == k_usage || error.code == commands::error::bad_input ? k_exit_usage
                                                                             : k_exit_invalid;
}

}  // namespace lintel::sign
