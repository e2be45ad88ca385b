// The `commands:` section: defaults (disabled), a full trust store, every refusal with its
// position, and the glob matcher used by role grants.
#include <gtest/gtest.h>

#include "core/commands_config.hpp"
#include "core/yaml_loader.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;

struct Parsed {
    CommandsSettings settings;
    sdk::ConfigErrors errors;
};

Parsed parse(const std::string& yaml) {
    Parsed p;
    auto root = load_yaml_string(yaml, "lintel.yaml", p.errors);
    if (!root) return p;
    parse_commands(root->find("commands"), p.settings, p.errors);
    return p;
}

const std::string kFull = R"(commands:
  max_age: 2m
  max_future_skew: 10s
  clock: unsynced
  keys:
    - {id: ops-1, public_key: /etc/lintel/keys/ops-1.pub, principal: ops}
    - {id: old-1, public_key: /etc/lintel/keys/old-1.pub, principal: ops, revoked: true}
  principals:
    - {name: ops, roles: [operator, auditor], rate_limit: 10/1m}
  roles:
    - name: operator
      allow:
        - {action: write-point, devices: ["ahu-*"], points: [setpoint]}
        - {action: ping}
    - name: auditor
      allow:
        - {action: get-audit}
  security_events: {threshold: 3, window: 30s, shun_for: 5m}
  audit: {max_rows: 5000}
)";

TEST(CommandsConfig, AbsentSectionMeansNoCommandsAtAll) {
    auto p = parse("gateway: {id: gw}\n");
    EXPECT_TRUE(p.errors.empty()) << p.errors.to_string();
    EXPECT_FALSE(p.settings.enabled);
    EXPECT_TRUE(p.settings.keys.empty());
}

TEST(CommandsConfig, FullTrustStoreIsRead) {
    auto p = parse(kFull);
    ASSERT_TRUE(p.errors.empty()) << p.errors.to_string();
    const auto& c = p.settings;
    EXPECT_TRUE(c.enabled);
    EXPECT_EQ(c.max_age, 2min);
    EXPECT_EQ(c.max_future_skew, 10s);
    EXPECT_EQ(c.clock, ClockPolicy::unsynced);
    ASSERT_EQ(c.keys.size(), 2U);
    EXPECT_EQ(c.keys[0].id, "ops-1");
    EXPECT_EQ(c.keys[0].public_key_file, "/etc/lintel/keys/ops-1.pub");
    EXPECT_FALSE(c.keys[0].revoked);
    EXPECT_TRUE(c.keys[1].revoked);
    ASSERT_EQ(c.principals.size(), 1U);
    EXPECT_EQ(c.principals[0].roles, (std::vector<std::string>{"operator", "auditor"}));
    EXPECT_EQ(c.principals[0].rate_limit.count, 10U);
    EXPECT_EQ(c.principals[0].rate_limit.per, 1min);
    ASSERT_EQ(c.roles.size(), 2U);
    ASSERT_EQ(c.roles[0].allow.size(), 2U);
    EXPECT_EQ(c.roles[0].allow[0].devices, (std::vector<std::string>{"ahu-*"}));
    EXPECT_EQ(c.roles[0].allow[0].points, (std::vector<std::string>{"setpoint"}));
    EXPECT_TRUE(c.roles[0].allow[1].devices.empty());
    EXPECT_EQ(c.security.threshold, 3U);
    EXPECT_EQ(c.security.shun_for, 5min);
    EXPECT_EQ(c.audit_max_rows, 5000U);
}

TEST(CommandsConfig, EnabledWithoutKeysIsRefused) {
    auto p = parse("commands:\n  max_age: 1m\n");
    ASSERT_EQ(p.errors.size(), 1U) << p.errors.to_string();
    EXPECT_EQ(p.errors.issues()[0].to_string(),
              "lintel.yaml:2:3: commands: commands are enabled but no key is configured "
              "(commands.keys)");
    EXPECT_TRUE(parse("commands:\n  enabled: false\n").errors.empty());
}

TEST(CommandsConfig, UnknownActionRoleAndPrincipalAreNamed) {
    auto p = parse(R"(commands:
  keys:
    - {id: k1, public_key: /k1.pub, principal: nobody}
  principals:
    - {name: ops, roles: [ghost]}
  roles:
    - name: operator
      allow:
        - {action: format-disk}
)");
    const std::string all = p.errors.to_string();
    EXPECT_NE(all.find("lintel.yaml:9:20: commands.roles[0].allow[0].action: unknown action "
                       "\"format-disk\" (one of: ping,"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("principal \"ops\" names unknown role \"ghost\""), std::string::npos) << all;
    EXPECT_NE(all.find("key \"k1\" names unknown principal \"nobody\""), std::string::npos) << all;
    EXPECT_EQ(p.errors.size(), 3U) << all;
}

TEST(CommandsConfig, BadValuesAreRefused) {
    auto p = parse(R"(commands:
  clock: sundial
  keys:
    - {id: "bad id", public_key: relative.pub, principal: ops}
    - {id: k2, public_key: /k2.pub, principal: ops}
    - {id: k2, public_key: /k3.pub, principal: ops}
  principals:
    - {name: ops, roles: [], rate_limit: lots}
  roles: []
  security_events: {threshold: 0}
  surprise: 1
)");
    const std::string all = p.errors.to_string();
    for (const char* needle :
         {"commands.clock: \"sundial\" is not one of", "key id \"bad id\" must be",
          "commands.keys[0].public_key: must be an absolute path", "duplicate key id \"k2\"",
          "rate_limit must look like 30/1m",
          "commands.security_events.threshold: 0 is out of range",
          "commands.surprise: unknown key"}) {
        EXPECT_NE(all.find(needle), std::string::npos) << needle << "\n" << all;
    }
}

TEST(GlobMatch, StarQuestionAndLiterals) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("ahu-*", "ahu-1"));
    EXPECT_TRUE(glob_match("ahu-?", "ahu-1"));
    EXPECT_FALSE(glob_match("ahu-?", "ahu-12"));
    EXPECT_TRUE(glob_match("*-setpoint", "zone3-setpoint"));
    EXPECT_TRUE(glob_match("a*b*c", "a-x-b-y-c"));
    EXPECT_FALSE(glob_match("a*b*c", "a-x-b-y-d"));
    EXPECT_FALSE(glob_match("setpoint", "setpoint2"));
    EXPECT_FALSE(glob_match("", "x"));
    EXPECT_TRUE(glob_match("**", "x"));
}

}  // namespace
}  // namespace lintel::core
