// parse_status: line by line, each known key into its field, the rest kept in order.
#include "wpa/status.hpp"

#include <charconv>
#include <set>

#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"
#include "wpa/reply.hpp"

namespace lintel::wpa {
namespace {

std::unexpected<Error> bad(std::size_t line, std::string what) {
    return make_error(std::string(reason::bad_reply),
                      "STATUS reply, line " + std::to_string(line) + ": " + std::move(what));
}

bool has_control_byte(std::string_view text) {
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

// Stores one known key; false when the key is not one of ours.
Expected<bool> take_known(Status& s, std::string_view key, std::string_view value,
                          std::size_t line) {
    auto text = [&](std::optional<std::string>& field) {
        field = std::string(value);
        return true;
    };
    auto mac = [&](std::optional<std::string>& field) -> Expected<bool> {
        if (!is_mac(value)) {
            return bad(
                line, std::string(key) + " is not a MAC address: \"" + printf_encode(value) + "\"");
        }
        field = std::string(value);
        return true;
    };
    if (key == "wpa_state") {
        if (value.empty()) return bad(line, "wpa_state is empty");
        s.wpa_state = std::string(value);
        return true;
    }
    if (key == "suppPortStatus") return text(s.supp_port_status);
    if (key == "Supplicant PAE state") return text(s.pae_state);
    if (key == "EAP state") return text(s.eap_state);
    if (key == "selectedMethod") return text(s.selected_method);
    if (key == "bssid") return mac(s.bssid);
    if (key == "address") return mac(s.address);
    if (key == "mode") return text(s.mode);
    if (key == "key_mgmt") return text(s.key_mgmt);
    if (key == "ip_address") return text(s.ip_address);
    if (key == "ssid") {
        auto decoded = printf_decode(value);
        if (!decoded) return bad(line, "ssid: " + decoded.error().message);
        s.ssid = std::move(*decoded);
        return true;
    }
    if (key == "id") {
        int id = -1;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
        if (ec != std::errc() || end != value.data() + value.size() || id < 0) {
            return bad(line, "id is not a network number: \"" + printf_encode(value) + "\"");
        }
        s.id = id;
        return true;
    }
    return false;
}

}  // namespace

const std::string* Status::find_other(std::string_view key) const {
    for (const auto& [k, v] : other) {
        if (k == key) return &v;
    }
    return nullptr;
}

bool is_mac(std::string_view text) {
    if (text.size() != 17) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i % 3 == 2) {
            if (c != ':') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

Expected<Status> parse_status(std::string_view reply) {
    if (auto refused = refusal(reply, "STATUS"); !refused) return std::unexpected(refused.error());
    if (reply.size() > k_max_status_bytes) {
        return make_error(std::string(reason::bad_reply),
                          "STATUS reply is " + std::to_string(reply.size()) + " bytes, more than " +
                              std::to_string(k_max_status_bytes));
    }
    Status s;
    std::set<std::string_view> seen;
    std::size_t line = 0;
    std::size_t pos = 0;
    while (pos < reply.size()) {
        ++line;
        if (line > k_max_status_lines) {
            return bad(line, "more than " + std::to_string(k_max_status_lines) + " lines");
        }
        const auto nl = reply.find('\n', pos);
        if (nl == std::string_view::npos) return bad(line, "not terminated (truncated reply?)");
        const auto text = reply.substr(pos, nl - pos);
        pos = nl + 1;
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) {
            return bad(line, "no '=' in \"" + printf_encode(text.substr(0, 64)) + "\"");
        }
        const auto key = text.substr(0, eq);
        const auto value = text.substr(eq + 1);
        if (key.empty()) return bad(line, "empty key");
        if (key.size() > k_max_status_key) {
            return bad(line, "key longer than " + std::to_string(k_max_status_key) + " bytes");
        }
        if (has_control_byte(key)) return bad(line, "control byte in the key");
        const std::string shown_key = printf_encode(key);
        if (value.size() > k_max_status_value) {
            return bad(line, shown_key + ": value longer than " +
                                 std::to_string(k_max_status_value) + " bytes");
        }
        if (has_control_byte(value)) return bad(line, shown_key + ": control byte in the value");
        if (!seen.insert(key).second) return bad(line, "duplicate key " + shown_key);
        auto known = take_known(s, key, value, line);
        if (!known) return std::unexpected(known.error());
        if (!*known) s.other.emplace_back(std::string(key), std::string(value));
    }
    if (s.wpa_state.empty()) {
        return make_error(std::string(reason::bad_reply), "STATUS reply has no wpa_state");
    }
    return s;
}

std::string summary(const Status& status) {
    std::string out = "wpa_state=" + status.wpa_state;
    if (status.supp_port_status) out += " suppPortStatus=" + *status.supp_port_status;
    if (status.pae_state) out += " PAE=" + *status.pae_state;
    if (status.eap_state) out += " EAP=" + *status.eap_state;
    return out;
}

}  // namespace lintel::wpa
