// Authorisation of verified commands: default deny; a principal may run an action only if one of
// its roles grants it (with device/point patterns), writes only to points their device declared
// writable and within min/max, and at most rate_limit commands per window. Shunned principals
// and keys are refused until their cooldown ends.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/commands_config.hpp"
#include "lintel/plugin.hpp"
#include "lintel/point.hpp"

namespace lintel::commands {

using Clock = std::chrono::steady_clock;

// What a command asks to touch, as far as authorisation cares.
struct Target {
    std::string action;
    std::optional<std::string> device;
    std::optional<std::string> point;
};

struct Decision {
    bool allowed = false;
    std::string reason;   // a cmd.* code when refused
    std::string message;  // for the audit and the result: which rule refused it
};

class Policy {
public:
    explicit Policy(const core::CommandsSettings& settings);

    // Role grants only (no rate, no shun): may `principal` do `target`?
    Decision authorise(std::string_view principal, const Target& target) const;

    // Counts one command of `principal` at `now`; refused once its rate_limit is reached in the
    // sliding window (refused attempts do not count against it).
    Decision take_rate(std::string_view principal, Clock::time_point now);

    // Shunning (after repeated rejections, or by command): `who` is "key:<kid>" or
    // "principal:<name>".
    void shun(const std::string& who, Clock::time_point until);
    bool unshun(const std::string& who);
    // The time `who` is shunned until, if it still is at `now`.
    std::optional<Clock::time_point> shunned_until(const std::string& who,
                                                   Clock::time_point now) const;
    std::map<std::string, Clock::time_point> shunned(Clock::time_point now) const;

private:
    const core::Principal* find_principal(std::string_view name) const;

    core::CommandsSettings settings_;
    std::map<std::string, std::deque<Clock::time_point>, std::less<>> recent_;
    std::map<std::string, Clock::time_point> shunned_;
};

// Writes must stay inside what the device config declared (sdk::WritablePoint).
Decision check_write(const std::optional<sdk::WritablePoint>& declared, std::string_view device,
                     std::string_view point, const sdk::Value& value);

}  // namespace lintel::commands
