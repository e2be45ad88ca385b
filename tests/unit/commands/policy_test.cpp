// Authorisation: default deny, role grants with device/point globs, rate limits, shunning, and
// the writable-point limits.
#include <gtest/gtest.h>

#include "commands/policy.hpp"
#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

using namespace std::chrono_literals;

core::CommandsSettings settings() {
    core::CommandsSettings s;
    s.enabled = true;
    s.principals = {{"ops", {"operator"}, {3, 10s}}, {"viewer", {"reader"}, {30, 60s}}};
    s.roles = {
        {"operator",
         {{"write-point", {"ahu-*"}, {"setpoint", "mode"}},
          {"ping", {}, {}},
          {"read-point", {}, {}}}},
        {"reader", {{"read-point", {"meter-?"}, {}}}},
    };
    return s;
}

Target target(std::string action, std::optional<std::string> device = std::nullopt,
              std::optional<std::string> point = std::nullopt) {
    return Target{std::move(action), std::move(device), std::move(point)};
}

TEST(Policy, DefaultDenyAndGrantsWithPatterns) {
    Policy p(settings());
    EXPECT_TRUE(p.authorise("ops", target("ping")).allowed);
    EXPECT_TRUE(p.authorise("ops", target("write-point", "ahu-3", "setpoint")).allowed);
    EXPECT_TRUE(p.authorise("ops", target("read-point", "anything", "x")).allowed);

    auto d = p.authorise("ops", target("write-point", "chiller-1", "setpoint"));
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.reason, reason::unauthorised);
    EXPECT_EQ(d.message, "no role of principal \"ops\" allows write-point on chiller-1/setpoint");
    EXPECT_FALSE(p.authorise("ops", target("write-point", "ahu-3", "valve")).allowed);
    EXPECT_FALSE(p.authorise("ops", target("write-point")).allowed)
        << "a grant restricted to devices does not cover a command that names none";
    EXPECT_FALSE(p.authorise("ops", target("reload-config")).allowed);
    EXPECT_TRUE(p.authorise("viewer", target("read-point", "meter-1", "kwh")).allowed);
    EXPECT_FALSE(p.authorise("viewer", target("read-point", "meter-12", "kwh")).allowed);
    EXPECT_FALSE(p.authorise("nobody", target("ping")).allowed);
}

TEST(Policy, RateLimitIsASlidingWindowPerPrincipal) {
    Policy p(settings());
    const auto t0 = Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(p.take_rate("ops", t0 + i * 1s).allowed) << i;
    auto d = p.take_rate("ops", t0 + 3s);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.reason, reason::rate_limited);
    EXPECT_EQ(d.message, "principal \"ops\" exceeded 3 commands per 10 s");
    EXPECT_TRUE(p.take_rate("viewer", t0 + 3s).allowed) << "limits are per principal";
    EXPECT_FALSE(p.take_rate("ops", t0 + 9s).allowed) << "refusals do not extend the window";
    EXPECT_TRUE(p.take_rate("ops", t0 + 10s).allowed) << "the first one left the window";
}

TEST(Policy, ShunExpiresAndCanBeLifted) {
    Policy p(settings());
    const auto t0 = Clock::time_point{} + 1h;
    p.shun("key:ops-1", t0 + 60s);
    EXPECT_TRUE(p.shunned_until("key:ops-1", t0 + 59s));
    EXPECT_FALSE(p.shunned_until("key:ops-1", t0 + 60s));
    EXPECT_FALSE(p.shunned_until("principal:ops", t0));
    p.shun("principal:ops", t0 + 10s);
    p.shun("principal:ops", t0 + 5s);  // a shorter shun never shortens a longer one
    EXPECT_EQ(*p.shunned_until("principal:ops", t0), t0 + 10s);
    EXPECT_EQ(p.shunned(t0).size(), 2U);
    EXPECT_TRUE(p.unshun("principal:ops"));
    EXPECT_FALSE(p.unshun("principal:ops"));
    EXPECT_FALSE(p.shunned_until("principal:ops", t0));
}

TEST(CheckWrite, OnlyDeclaredPointsWithinTheirLimits) {
    sdk::WritablePoint sp{"setpoint", sdk::ValueKind::real, 10.0, 30.0};
    EXPECT_TRUE(check_write(sp, "ahu-1", "setpoint", 21.5).allowed);
    EXPECT_TRUE(check_write(sp, "ahu-1", "setpoint", std::int64_t{30}).allowed);

    auto d = check_write(std::nullopt, "ahu-1", "fan", 1.0);
    EXPECT_EQ(d.reason, reason::not_writable);
    EXPECT_EQ(d.message, "ahu-1/fan is not declared writable in the device configuration");
    d = check_write(sp, "ahu-1", "setpoint", 30.5);
    EXPECT_EQ(d.reason, reason::out_of_range);
    EXPECT_NE(d.message.find("above its maximum"), std::string::npos);
    d = check_write(sp, "ahu-1", "setpoint", 9.0);
    EXPECT_EQ(d.reason, reason::out_of_range);
    d = check_write(sp, "ahu-1", "setpoint", std::string("hot"));
    EXPECT_EQ(d.reason, reason::bad_args);
    d = check_write(sp, "ahu-1", "setpoint", std::numeric_limits<double>::infinity());
    EXPECT_EQ(d.reason, reason::bad_args);
    sdk::WritablePoint unbounded{"relay", sdk::ValueKind::boolean, std::nullopt, std::nullopt};
    EXPECT_TRUE(check_write(unbounded, "ahu-1", "relay", true).allowed);
}

}  // namespace
}  // namespace lintel::commands
