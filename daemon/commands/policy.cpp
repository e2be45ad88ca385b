// Default-deny authorisation, sliding-window rate limits and shunning.
#include "commands/policy.hpp"

#include <cmath>

#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

Decision allow() { return Decision{true, {}, {}}; }
Decision refuse(std::string_view code, std::string message) {
    return Decision{false, std::string(code), std::move(message)};
}

bool any_match(const std::vector<std::string>& patterns, const std::optional<std::string>& value) {
    if (patterns.empty()) return true;  // the grant does not restrict this dimension
    if (!value) return false;           // it restricts it, and the command names none
    for (const auto& p : patterns) {
        if (core::glob_match(p, *value)) return true;
    }
    return false;
}

std::string describe(const Target& t) {
    std::string s = t.action;
    if (t.device) s += " on " + *t.device;
    if (t.point) s += "/" + *t.point;
    return s;
}

std::optional<double> numeric(const sdk::Value& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
}

}  // namespace

Policy::Policy(const core::CommandsSettings& settings) : settings_(settings) {}

const core::Principal* Policy::find_principal(std::string_view name) const {
    for (const auto& p : settings_.principals) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

Decision Policy::authorise(std::string_view principal, const Target& target) const {
    const core::Principal* p = find_principal(principal);
    if (p == nullptr) {
        return refuse(reason::unauthorised,
                      "principal \"" + std::string(principal) + "\" is not configured");
    }
    for (const auto& role_name : p->roles) {
        for (const auto& role : settings_.roles) {
            if (role.name != role_name) continue;
            for (const auto& g : role.allow) {
                if (g.action == target.action && any_match(g.devices, target.device) &&
                    any_match(g.points, target.point)) {
                    return allow();
                }
            }
        }
    }
    return refuse(reason::unauthorised, "no role of principal \"" + std::string(principal) +
                                            "\" allows " + describe(target));
}

Decision Policy::take_rate(std::string_view principal, Clock::time_point now) {
    const core::Principal* p = find_principal(principal);
    if (p == nullptr) return refuse(reason::unauthorised, "unknown principal");
    auto it = recent_.find(principal);
    if (it == recent_.end())
        it = recent_.emplace(std::string(principal), std::deque<Clock::time_point>{}).first;
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= p->rate_limit.per) times.pop_front();
    if (times.size() >= p->rate_limit.count) {
        return refuse(reason::rate_limited,
                      "principal \"" + p->name + "\" exceeded " +
                          std::to_string(p->rate_limit.count) + " commands per " +
                          std::to_string(p->rate_limit.per.count() / 1000) + " s");
    }
    times.push_back(now);
    return allow();
}

void Policy::shun(const std::string& who, Clock::time_point until) {
    auto& slot = shunned_[who];
    if (slot < until) slot = until;
}

bool Policy::unshun(const std::string& who) { return shunned_.erase(who) > 0; }

std::optional<Clock::time_point> Policy::shunned_until(const std::string& who,
                                                       Clock::time_point now) const {
    auto it = shunned_.find(who);
    if (it == shunned_.end() || it->second <= now) return std::nullopt;
    return it->second;
}

std::map<std::string, Clock::time_point> Policy::shunned(Clock::time_point now) const {
    std::map<std::string, Clock::time_point> out;
    for (const auto& [who, until] : shunned_) {
        if (until > now) out.emplace(who, until);
    }
    return out;
}

Decision check_write(const std::optional<sdk::WritablePoint>& declared, std::string_view device,
                     std::string_view point, const sdk::Value& value) {
    const std::string where = std::string(device) + "/" + std::string(point);
    if (!declared) {
        return refuse(reason::not_writable,
                      where + " is not declared writable in the device configuration");
    }
    const bool is_string = std::holds_alternative<std::string>(value);
    if ((declared->kind == sdk::ValueKind::string) != is_string) {
        return refuse(reason::bad_args, where + " takes a " +
                                            (declared->kind == sdk::ValueKind::string
                                                 ? std::string("string")
                                                 : std::string("number or boolean")));
    }
    if (auto v = numeric(value)) {
        if (!std::isfinite(*v)) return refuse(reason::bad_args, where + ": value is not finite");
        if (declared->min && *v < *declared->min) {
            return refuse(reason::out_of_range, where + ": " + std::to_string(*v) +
                                                    " is below its minimum " +
                                                    std::to_string(*declared->min));
        }
        if (declared->max && *v > *declared->max) {
            return refuse(reason::out_of_range, where + ": " + std::to_string(*v) +
                                                    " is above its maximum " +
                                                    std::to_string(*declared->max));
        }
    }
    return allow();
}

}  // namespace lintel::commands
