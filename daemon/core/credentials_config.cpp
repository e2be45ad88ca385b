// Schema of the `credentials:` section (credentials_config.hpp).
#include "core/credentials_config.hpp"

#include <array>
#include <set>

#include "core/ota_config.hpp"  // absolute_path_value
#include "lintel/config_reader.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigNode;
using sdk::MapReader;

// A Linux interface name: 1-15 bytes, no '/', whitespace or ':' (IFNAMSIZ, dev_valid_name).
bool is_ifname(std::string_view s) {
    if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::filesystem::path absolute(MapReader& r, std::string_view key, std::filesystem::path fallback) {
    auto path = absolute_path_value(r, key, false);
    return path ? path->lexically_normal() : fallback;
}

void parse_interfaces(MapReader& r, CredentialsSettings& o) {
    const ConfigNode* list = r.child("interfaces", o.enabled);
    if (list == nullptr || list->is_null()) return;
    if (!list->is_sequence() || list->items.empty() || list->items.size() > 2) {
        r.errors().add(*list, "expected a list of 1-2 {name, type, config_file} (one per type)");
        return;
    }
    std::set<std::string> types, names;
    static constexpr std::array<std::string_view, 2> k_types{"wired", "wifi"};
    for (const auto& item : list->items) {
        MapReader ir(item, r.errors());
        if (!ir.ok()) continue;
        CredentialsInterface i;
        if (auto name = ir.string("name")) {
            if (!is_ifname(*name)) {
                ir.errors().add(*item.find("name"),
                                "\"" + *name +
                                    "\" is not an interface name (1-15 of A-Z a-z 0-9 "
                                    "- _ .)");
            } else if (!names.insert(*name).second) {
                ir.errors().add(*item.find("name"), "interface \"" + *name + "\" listed twice");
            }
            i.name = *name;
        }
        if (auto type = ir.choice("type", k_types)) {
            i.type = *type;
            if (!types.insert(*type).second) {
                ir.errors().add(*item.find("type"),
                                "a second " + *type +
                                    " interface: a bundle names its interface "
                                    "by type, so each type may be managed once");
            }
        }
        const std::string driver = i.type == "wifi" ? "nl80211" : "wired";
        i.config_file =
            absolute(ir, "config_file",
                     "/etc/wpa_supplicant/wpa_supplicant-" + driver + "-" + i.name + ".conf");
        if (ir.has("config_file") && i.config_file.extension() != ".conf") {
            ir.errors().add(*item.find("config_file"),
                            "must end in .conf (lintel-helper writes "
                            "only such names)");
        }
        ir.finish();
        o.interfaces.push_back(std::move(i));
    }
}

}  // namespace

void parse_credentials(const ConfigNode* node, CredentialsSettings& o, sdk::ConfigErrors& errors) {
    if (node == nullptr || node->is_null()) return;
    MapReader r(*node, errors);
    if (!r.ok()) return;
    o.enabled = r.boolean("enabled", true);
    parse_interfaces(r, o);
    o.ctrl_dir = absolute(r, "ctrl_dir", o.ctrl_dir);
    o.client_dir = absolute(r, "client_dir", o.client_dir);
    // Below ~10 s a RECONFIGURE cannot finish (wpa_supplicant waits 2 s before its first
    // EAPOL-Start); above 10 min nobody waits for a command's answer.
    o.auth_deadline = r.duration("auth_deadline", o.auth_deadline, 10s, 600s);
    o.store_dir = absolute(r, "store_dir", o.store_dir);
    r.finish();
}

}  // namespace lintel::core
