// Errors as values: a stable dotted code ("store.corrupt") plus an operator-facing message.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace lintel {

struct Error {
    std::string code;     // stable, machine-readable: "<module>.<reason>"
    std::string message;  // for the operator: what happened, to what, what next
};

template <typename T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> make_error(std::string code, std::string message) {
    return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

}  // namespace lintel
