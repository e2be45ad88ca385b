// The actions table and dispatch.
#include "helper/actions.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "helper/action_version.hpp"

namespace lintel::helper {
namespace {

Request request(std::string action, nlohmann::json params = nlohmann::json::object()) {
    Request r;
    r.action = std::move(action);
    r.params = std::move(params);
    return r;
}

TEST(Actions, BuiltinTableHasVersionWriteConfigAndTheOtaActions) {
    auto table = builtin_actions();
    ASSERT_NE(table.find("version"), nullptr);
    ASSERT_NE(table.find("write-config"), nullptr);
    EXPECT_EQ(table.names(),
              "version, write-config, ota-installed-version, ota-install, ota-commit, "
              "ota-rollback, ota-reboot, wpa-config");
    EXPECT_EQ(helper_version(), LINTEL_HELPER_EXPECTED_VERSION);
}

TEST(Actions, DispatchRunsTheHandlerWithParams) {
    ActionTable table;
    ASSERT_TRUE(table.add(Action{"echo", "returns its params",
                                 [](const nlohmann::json& params, const ActionContext&) {
                                     return ActionResult(nlohmann::ordered_json(params));
                                 }}));
    auto r = dispatch(table, request("echo", {{"a", 1}}), ActionContext{});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->at("a"), 1);
}

TEST(Actions, UnknownActionNamesWhatIsKnown) {
    auto table = builtin_actions();
    auto r = dispatch(table, request("install"), ActionContext{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.unknown_action");
    EXPECT_EQ(r.error().message,
              "unknown action \"install\" (this helper knows: version, write-config, "
              "ota-installed-version, ota-install, ota-commit, ota-rollback, ota-reboot, "
              "wpa-config)");
    // The peer's name is escaped and cut in the message (which is also logged).
    auto odd = dispatch(table, request("a\x1b\x7f\xc3\xa9\"" + std::string(100, 'x')), {});
    ASSERT_FALSE(odd);
    EXPECT_TRUE(odd.error().message.starts_with(R"(unknown action "a\x1b\x7f\xc3\xa9\"xxx)"))
        << odd.error().message;
    EXPECT_NE(odd.error().message.find("...\" (this helper knows"), std::string::npos);
}

TEST(Actions, DuplicateRegistrationIsRefused) {
    ActionTable table;
    auto noop = [](const nlohmann::json&, const ActionContext&) {
        return ActionResult(nlohmann::ordered_json::object());
    };
    ASSERT_TRUE(table.add(Action{"a", "", noop}));
    auto again = table.add(Action{"a", "", noop});
    ASSERT_FALSE(again);
    EXPECT_EQ(table.actions().size(), 1u);
}

TEST(Actions, AThrowingHandlerBecomesInternal) {
    ActionTable table;
    ASSERT_TRUE(table.add(Action{"boom", "", [](const nlohmann::json&, const ActionContext&) {
                                     throw std::runtime_error("disk on fire");
                                     return ActionResult(nlohmann::ordered_json::object());
                                 }}));
    auto r = dispatch(table, request("boom"), ActionContext{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.internal");
    EXPECT_NE(r.error().message.find("disk on fire"), std::string::npos);
}

TEST(Actions, VersionTakesNoParams) {
    auto table = builtin_actions();
    auto r = dispatch(table, request("version", {{"verbose", true}}), ActionContext{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.bad_params");
    EXPECT_TRUE(expect_no_params(nlohmann::json::object(), "x"));
}

}  // namespace
}  // namespace lintel::helper
