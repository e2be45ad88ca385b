// Schema of the `commands:` section: keys, principals, roles, limits. Default deny: with no
// section, or no key, the gateway accepts no command at all.
#include "core/commands_config.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "core/config_names.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;

constexpr auto kDay = 24h;

// A required name key, checked against the safe alphabet (names appear in logs and audit rows).
std::string name_value(MapReader& r, std::string_view key, std::string_view what) {
    auto v = r.string(key);
    if (!v) return {};
    if (!is_config_name(*v)) {
        r.errors().add(*r.node().find(key), std::string(what) + " \"" + *v +
                                                "\" must be 1-64 characters of A-Z a-z 0-9 . _ -, "
                                                "not starting with . or -");
        return {};
    }
    return *v;
}

// A list of strings; a single scalar is accepted as a list of one.
std::vector<std::string> string_list(MapReader& r, std::string_view key) {
    std::vector<std::string> out;
    const ConfigNode* n = r.child(key);
    if (n == nullptr || n->is_null()) return out;
    if (n->is_scalar()) return {n->scalar};
    if (!n->is_sequence()) {
        r.errors().add(*n, "expected a list of strings");
        return out;
    }
    for (const auto& item : n->items) {
        if (!item.is_scalar() || item.scalar.empty()) {
            r.errors().add(item, "expected a non-empty string");
            continue;
        }
        out.push_back(item.scalar);
    }
    return out;
}

// Sequence items of `key`, each handed to `each` with its reader; reports a non-list.
template <typename Fn>
void for_each_item(MapReader& r, std::string_view key, Fn each) {
    const ConfigNode* list = r.child(key);
    if (list == nullptr || list->is_null()) return;
    if (!list->is_sequence()) {
        r.errors().add(*list, "expected a list");
        return;
    }
    for (const auto& item : list->items) {
        MapReader ir(item, r.errors());
        if (!ir.ok()) continue;
        each(ir, item);
        ir.finish();
    }
}

// "30/1m": count per window.
void parse_rate_limit(MapReader& r, RateLimit& out) {
    const ConfigNode* n = r.child("rate_limit");
    if (n == nullptr) return;
    const std::string text = n->is_scalar() ? n->scalar : std::string();
    const auto slash = text.find('/');
    std::string why;
    std::optional<std::int64_t> count;
    std::optional<sdk::Duration> per;
    if (slash != std::string::npos) {
        count = sdk::parse_int(std::string_view(text).substr(0, slash), why);
        if (count) per = sdk::parse_duration(std::string_view(text).substr(slash + 1), why);
    }
    if (!count || !per || *count < 1 || *count > 100000 || *per < 1s || *per > kDay) {
        r.errors().add(*n, "rate_limit must look like 30/1m: 1-100000 commands per 1s-1d" +
                               (why.empty() ? std::string() : " (" + why + ")"));
        return;
    }
    out.count = static_cast<std::uint32_t>(*count);
    out.per = *per;
}

bool valid_pattern(std::string_view p) {
    if (p.empty() || p.size() > 128) return false;
    for (char c : p) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '/') return false;
    }
    return true;
}

void parse_grant(MapReader& r, const ConfigNode& item, Role& role) {
    Grant g;
    if (auto a = r.string("action")) {
        const auto& known = known_command_actions();
        if (std::find(known.begin(), known.end(), *a) == known.end()) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            r.errors().add(*item.find("action"),
                           "unknown action \"" + *a + "\" (one of: " + list + ")");
        }
        g.action = *a;
    }
    g.devices = string_list(r, "devices");
    g.points = string_list(r, "points");
    for (const auto* list : {&g.devices, &g.points}) {
        for (const auto& p : *list) {
            if (!valid_pattern(p)) {
                r.errors().add(item, "pattern \"" + p + "\" must be 1-128 printable characters");
            }
        }
    }
    role.allow.push_back(std::move(g));
}

void check_references(const ConfigNode& node, const CommandsSettings& c, ConfigErrors& errors) {
    std::set<std::string> keys, principals, roles;
    for (const auto& k : c.keys) {
        if (!k.id.empty() && !keys.insert(k.id).second)
            errors.add(k.mark, node.path + ".keys", "duplicate key id \"" + k.id + "\"");
    }
    for (const auto& r : c.roles) {
        if (!r.name.empty() && !roles.insert(r.name).second)
            errors.add(node, "duplicate role \"" + r.name + "\"");
    }
    for (const auto& p : c.principals) {
        if (!p.name.empty() && !principals.insert(p.name).second)
            errors.add(node, "duplicate principal \"" + p.name + "\"");
        for (const auto& role : p.roles) {
            if (!roles.contains(role))
                errors.add(node,
                           "principal \"" + p.name + "\" names unknown role \"" + role + "\"");
        }
    }
    for (const auto& k : c.keys) {
        if (!k.principal.empty() && !principals.contains(k.principal)) {
            errors.add(k.mark, node.path + ".keys",
                       "key \"" + k.id + "\" names unknown principal \"" + k.principal + "\"");
        }
    }
    if (c.enabled && c.keys.empty()) {
        errors.add(node, "commands are enabled but no key is configured (commands.keys)");
    }
}

}  // namespace

const std::vector<std::string>& known_command_actions() {
    static const std::vector<std::string> actions{
        "ping",          "get-status",        "get-config",   "read-point",     "write-point",
        "set-log-level", "reload-config",     "apply-config", "restart-driver", "shun",
        "unshun",        "get-audit",         "revoke-key",   "ota-update",     "ota-abort",
        "ota-status",    "renew-certificate", "set-crl",      "set-credentials"};
    return actions;
}

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

void parse_commands(const ConfigNode* node, CommandsSettings& c, ConfigErrors& errors) {
    if (node == nullptr || node->is_null()) return;
    MapReader r(*node, errors);
    if (!r.ok()) return;
    c.enabled = r.boolean("enabled", true);
    c.max_bytes = r.size("max_bytes", c.max_bytes, 1024, 128 * 1024);
    c.max_age = r.duration("max_age", c.max_age, 1s, kDay);
    c.max_future_skew = r.duration("max_future_skew", c.max_future_skew, 0ms, 1h);
    c.max_lifetime = r.duration("max_lifetime", c.max_lifetime, 1s, kDay);
    static constexpr std::array<std::string_view, 3> kClock{"auto", "synced", "unsynced"};
    const auto clock = r.choice("clock", kClock, "auto").value_or("auto");
    c.clock = clock == "synced"     ? ClockPolicy::synced
              : clock == "unsynced" ? ClockPolicy::unsynced
                                    : ClockPolicy::automatic;

    for_each_item(r, "keys", [&](MapReader& kr, const ConfigNode& item) {
        CommandKey k;
        k.mark = item.mark;
        k.id = name_value(kr, "id", "key id");
        if (auto f = kr.string("public_key")) {
            if (f->empty() || f->front() != '/') {
                kr.errors().add(*item.find("public_key"),
                                "must be an absolute path to a PEM public key, got \"" + *f + "\"");
            }
            k.public_key_file = *f;
        }
        k.principal = name_value(kr, "principal", "principal");
        k.revoked = kr.boolean("revoked", false);
        c.keys.push_back(std::move(k));
    });
    for_each_item(r, "principals", [&](MapReader& pr, const ConfigNode&) {
        Principal p;
        p.name = name_value(pr, "name", "principal");
        p.roles = string_list(pr, "roles");
        parse_rate_limit(pr, p.rate_limit);
        c.principals.push_back(std::move(p));
    });
    for_each_item(r, "roles", [&](MapReader& rr, const ConfigNode&) {
        Role role;
        role.name = name_value(rr, "name", "role");
        for_each_item(rr, "allow",
                      [&](MapReader& gr, const ConfigNode& item) { parse_grant(gr, item, role); });
        c.roles.push_back(std::move(role));
    });
    if (const ConfigNode* s = r.child("security_events")) {
        MapReader sr(*s, errors);
        c.security.threshold =
            static_cast<std::uint32_t>(sr.integer("threshold", c.security.threshold, 1, 100000));
        c.security.window = sr.duration("window", c.security.window, 1s, kDay);
        c.security.shun_for = sr.duration("shun_for", c.security.shun_for, 0ms, 30 * kDay);
        sr.finish();
    }
    if (const ConfigNode* a = r.child("audit")) {
        MapReader ar(*a, errors);
        c.audit_max_rows = static_cast<std::uint64_t>(
            ar.integer("max_rows", static_cast<std::int64_t>(c.audit_max_rows), 100, 10'000'000));
        ar.finish();
    }
    r.finish();
    check_references(*node, c, errors);
}

}  // namespace lintel::core
