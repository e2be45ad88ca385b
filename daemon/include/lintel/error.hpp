// Errors as values: a stable dotted code ("store.corrupt") plus an operator-facing message.
#pragma once

#include <exception>
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

// What an escaped exception says, for the completion handler of a coroutine that must not die
// silently (a plugin's device loop): its what(), or "unknown error".
inline std::string exception_text(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
    }
    return "unknown error";
}

}  // namespace lintel
