// The `commands:` section: trust store (command-signing keys bound to principals), roles and
// their grants, freshness and clock rules, rate limits, security events and the audit bound.
// Documented in docs/commands.md and lintel.yaml(5).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::core {

// One command-signing public key. Its algorithm (Ed25519 or P-256) comes from the key itself.
struct CommandKey {
    std::string id;  // the JWS "kid"
    std::filesystem::path public_key_file;
    std::string principal;  // who signs with it
    bool revoked = false;
    sdk::Mark mark;  // for errors found when the key file is loaded

    bool operator==(const CommandKey& o) const {
        return id == o.id && public_key_file == o.public_key_file && principal == o.principal &&
               revoked == o.revoked;
    }
};

struct RateLimit {
    std::uint32_t count = 30;               // commands...
    std::chrono::milliseconds per{60'000};  // ...per this window, per principal
    bool operator==(const RateLimit&) const = default;
};

struct Principal {
    std::string name;
    std::vector<std::string> roles;
    RateLimit rate_limit;
    bool operator==(const Principal&) const = default;
};

// One allowed action. Patterns use * and ? (glob); an empty list means "any". Device and point
// patterns apply to actions that name a device/point (read-point, write-point, restart-driver).
struct Grant {
    std::string action;
    std::vector<std::string> devices;
    std::vector<std::string> points;
    bool operator==(const Grant&) const = default;
};

struct Role {
    std::string name;
    std::vector<Grant> allow;
    bool operator==(const Role&) const = default;
};

// What to do while the system clock is not known to be synchronised (a 4G box can boot with a
// wrong clock): `auto` asks the kernel (adjtimex); `synced`/`unsynced` override it.
enum class ClockPolicy { automatic, synced, unsynced };

struct SecurityEventSettings {
    std::uint32_t threshold = 5;                  // rejections of one source...
    std::chrono::milliseconds window{60'000};     // ...within this window raise an event
    std::chrono::milliseconds shun_for{600'000};  // and shun the key/principal this long (0: never)
    bool operator==(const SecurityEventSettings&) const = default;
};

struct CommandsSettings {
    bool enabled = false;  // true when the section is present (and not enabled: false)
    std::uint64_t max_bytes = 16 * 1024;
    std::chrono::milliseconds max_age{300'000};         // issued_at no older than this
    std::chrono::milliseconds max_future_skew{30'000};  // issued_at no further ahead than this
    std::chrono::milliseconds max_lifetime{600'000};    // expires_at - issued_at at most
    ClockPolicy clock = ClockPolicy::automatic;
    std::vector<CommandKey> keys;
    std::vector<Principal> principals;
    std::vector<Role> roles;
    SecurityEventSettings security;
    std::uint64_t audit_max_rows = 100'000;

    bool operator==(const CommandsSettings&) const = default;
};

// Every action the gateway knows, for config validation and docs.
const std::vector<std::string>& known_command_actions();

// `*` any run of characters, `?` one character; everything else literal.
bool glob_match(std::string_view pattern, std::string_view text);

// Parses the `commands:` section (node may be null: commands disabled).
void parse_commands(const sdk::ConfigNode* node, CommandsSettings& out, sdk::ConfigErrors& errors);

}  // namespace lintel::core
