// parse_event: frame, name, key=value words, then the fields of the kinds that carry them.
#include "wpa/event.hpp"

#include <array>
#include <charconv>

#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"
#include "wpa/status.hpp"

namespace lintel::wpa {
namespace {

struct Named {
    std::string_view name;
    EventKind kind;
};

constexpr std::array k_names{
    Named{"CTRL-EVENT-EAP-STARTED", EventKind::eap_started},
    Named{"CTRL-EVENT-EAP-PROPOSED-METHOD", EventKind::eap_proposed_method},
    Named{"CTRL-EVENT-EAP-METHOD", EventKind::eap_method},
    Named{"CTRL-EVENT-EAP-STATUS", EventKind::eap_status},
    Named{"CTRL-EVENT-EAP-PEER-CERT", EventKind::eap_peer_cert},
    Named{"CTRL-EVENT-EAP-PEER-ALT", EventKind::eap_peer_alt},
    Named{"CTRL-EVENT-EAP-TLS-CERT-ERROR", EventKind::eap_tls_cert_error},
    Named{"CTRL-EVENT-EAP-SUCCESS", EventKind::eap_success},
    Named{"CTRL-EVENT-EAP-FAILURE", EventKind::eap_failure},
    Named{"CTRL-EVENT-EAP-TIMEOUT-FAILURE", EventKind::eap_timeout_failure},
    Named{"CTRL-EVENT-EAP-TIMEOUT-FAILURE2", EventKind::eap_timeout_failure},
    Named{"CTRL-EVENT-CONNECTED", EventKind::connected},
    Named{"CTRL-EVENT-DISCONNECTED", EventKind::disconnected},
    Named{"CTRL-EVENT-TERMINATING", EventKind::terminating},
    Named{"CTRL-EVENT-SSID-TEMP-DISABLED", EventKind::ssid_temp_disabled},
    Named{"CTRL-EVENT-SSID-REENABLED", EventKind::ssid_reenabled},
    Named{"CTRL-EVENT-ASSOC-REJECT", EventKind::assoc_reject},
    Named{"CTRL-EVENT-NETWORK-NOT-FOUND", EventKind::network_not_found},
};

constexpr std::array k_kind_names{"eap_started",         "eap_proposed_method", "eap_method",
                                  "eap_status",          "eap_peer_cert",       "eap_peer_alt",
                                  "eap_tls_cert_error",  "eap_success",         "eap_failure",
                                  "eap_timeout_failure", "connected",           "disconnected",
                                  "terminating",         "ssid_temp_disabled",  "ssid_reenabled",
                                  "assoc_reject",        "network_not_found",   "other"};
static_assert(k_kind_names.size() == static_cast<std::size_t>(EventKind::other) + 1);

class Parser {
public:
    explicit Parser(std::string_view datagram) : in_(datagram) {}

    Expected<Event> run();

private:
    std::unexpected<Error> bad(std::size_t at, std::string what) const {
        const std::string which = event_.name.empty() ? "event" : "event " + event_.name;
        return make_error(std::string(reason::bad_event),
                          which + ", offset " + std::to_string(at) + ": " + std::move(what));
    }
    Expected<void> frame();
    void name();
    Expected<void> params();
    Expected<void> typed_fields();

    std::string_view in_;
    std::size_t pos_ = 0;
    std::size_t text_at_ = 0;  // offset of `text` in the datagram, for messages
    Event event_;
};

bool is_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<int> to_int(std::string_view text) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

Expected<void> Parser::frame() {
    if (in_.size() > k_max_event_bytes) {
        return bad(k_max_event_bytes,
                   "longer than " + std::to_string(k_max_event_bytes) + " bytes");
    }
    if (in_.starts_with("IFNAME=")) {
        pos_ = 7;
        const auto space = in_.find(' ', pos_);
        if (space == std::string_view::npos) return bad(pos_, "IFNAME= without a following space");
        const auto ifname = in_.substr(pos_, space - pos_);
        if (ifname.empty() || ifname.size() > 64) return bad(pos_, "interface name of bad length");
        for (std::size_t i = 0; i < ifname.size(); ++i) {
            const auto c = static_cast<unsigned char>(ifname[i]);
            if (c <= 0x20 || c >= 0x7f) return bad(pos_ + i, "bad byte in the interface name");
        }
        event_.ifname = std::string(ifname);
        pos_ = space + 1;
    }
    if (pos_ >= in_.size() || in_[pos_] != '<') return bad(pos_, "expected '<'");
    ++pos_;
    const auto start = pos_;
    unsigned priority = 0;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9' && pos_ - start < 3) {
        priority = priority * 10 + static_cast<unsigned>(in_[pos_] - '0');
        ++pos_;
    }
    if (pos_ == start) return bad(pos_, "expected a priority digit");
    if (pos_ >= in_.size() || in_[pos_] != '>') return bad(pos_, "expected '>' after the priority");
    ++pos_;
    event_.priority = priority;
    // A trailing newline is tolerated (wpa_supplicant sends none); other control bytes are not.
    if (in_.ends_with('\n')) in_.remove_suffix(1);
    for (std::size_t i = pos_; i < in_.size(); ++i) {
        const auto c = static_cast<unsigned char>(in_[i]);
        if (c < 0x20 || c == 0x7f) return bad(i, "control byte " + std::to_string(c));
    }
    return {};
}

// "CTRL-EVENT-X rest": an upper-case word with a '-' names the event; otherwise the whole text
// is the text ("Associated with 01:80:c2:00:00:03").
void Parser::name() {
    auto end = pos_;
    while (end < in_.size() && is_name_char(in_[end])) ++end;
    const auto word = in_.substr(pos_, end - pos_);
    const bool named = word.size() >= 3 && word.find('-') != std::string_view::npos &&
                       word.front() != '-' && (end == in_.size() || in_[end] == ' ');
    if (named) {
        event_.name = std::string(word);
        pos_ = end;
        while (pos_ < in_.size() && in_[pos_] == ' ') ++pos_;
    }
    auto text = in_.substr(pos_);
    while (text.ends_with(' ')) text.remove_suffix(1);
    event_.text = std::string(text);
    text_at_ = pos_;
    for (const auto& n : k_names) {
        if (n.name == word && named) event_.kind = n.kind;
    }
}

// Words of the text; key=value ones become params. A quoted value ends at the first matching
// quote followed by a space or the end (certificate subjects are printed raw and may hold a
// quote of the other kind, or even of the same kind inside a word).
Expected<void> Parser::params() {
    const std::string_view text = event_.text;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        if (i >= text.size()) break;
        std::size_t word = i;
        if (text[word] == '[') ++word;  // "[id=0 id_str=]" of CTRL-EVENT-CONNECTED
        std::size_t k = word;
        while (k < text.size() && is_key_char(text[k])) ++k;
        const bool is_param = k > word && k < text.size() && text[k] == '=';
        if (!is_param) {
            while (i < text.size() && text[i] != ' ') ++i;
            continue;
        }
        const std::string key(text.substr(word, k - word));
        std::size_t v = k + 1;
        std::string value;
        if (v < text.size() && (text[v] == '\'' || text[v] == '"')) {
            const char quote = text[v];
            std::size_t close = v + 1;
            for (;; ++close) {
                close = text.find(quote, close);
                if (close == std::string_view::npos) {
                    return bad(text_at_ + v,
                               key + ": unterminated " + std::string(1, quote) + " quote");
                }
                // In a "..." value a quote preceded by an odd run of backslashes is escaped.
                std::size_t backslashes = 0;
                while (quote == '"' && close - backslashes > v + 1 &&
                       text[close - backslashes - 1] == '\\') {
                    ++backslashes;
                }
                if (backslashes % 2 == 1) continue;
                if (close + 1 == text.size() || text[close + 1] == ' ' || text[close + 1] == ']') {
                    break;
                }
            }
            const auto inner = text.substr(v + 1, close - v - 1);
            if (quote == '"') {
                auto decoded = printf_decode(inner);
                if (!decoded) return bad(text_at_ + v + 1, key + ": " + decoded.error().message);
                value = std::move(*decoded);
            } else {
                value = std::string(inner);
            }
            i = close + 1;
            if (i < text.size() && text[i] == ']') ++i;
        } else {
            auto end = text.find(' ', v);
            if (end == std::string_view::npos) end = text.size();
            auto raw = text.substr(v, end - v);
            if (raw.ends_with(']')) raw.remove_suffix(1);
            value = std::string(raw);
            i = end;
        }
        if (event_.params.size() >= k_max_event_params) {
            return bad(text_at_ + word,
                       "more than " + std::to_string(k_max_event_params) + " parameters");
        }
        event_.params.emplace_back(key, std::move(value));
    }
    return {};
}

Expected<void> Parser::typed_fields() {
    auto int_param = [&](std::string_view key, std::optional<int>& out) -> Expected<void> {
        const std::string* v = event_.param(key);
        if (v == nullptr) return {};
        out = to_int(*v);
        if (!out)
            return bad(text_at_, std::string(key) + "=" + printf_encode(*v) + " is not a number");
        return {};
    };
    switch (event_.kind) {
        case EventKind::connected: {
            // "- Connection to 01:80:c2:00:00:03 completed [id=0 id_str=]"
            constexpr std::string_view k_lead = "- Connection to ";
            if (event_.text.starts_with(k_lead)) {
                const auto mac = std::string_view(event_.text).substr(k_lead.size(), 17);
                if (is_mac(mac)) event_.bssid = std::string(mac);
            }
            return int_param("id", event_.network_id);
        }
        case EventKind::disconnected: {
            if (const auto* b = event_.param("bssid")) {
                if (!is_mac(*b)) return bad(text_at_, "bssid is not a MAC address");
                event_.bssid = *b;
            }
            return int_param("reason", event_.reason_code);
        }
        case EventKind::assoc_reject:
            if (const auto* b = event_.param("bssid"); b != nullptr && is_mac(*b))
                event_.bssid = *b;
            return int_param("status_code", event_.reason_code);
        case EventKind::ssid_temp_disabled:
        case EventKind::ssid_reenabled:
            return int_param("id", event_.network_id);
        default:
            return {};
    }
}

Expected<Event> Parser::run() {
    if (auto f = frame(); !f) return std::unexpected(f.error());
    name();
    if (!event_.name.empty()) {
        if (auto p = params(); !p) return std::unexpected(p.error());
        if (auto t = typed_fields(); !t) return std::unexpected(t.error());
    }
    return std::move(event_);
}

}  // namespace

const std::string* Event::param(std::string_view key) const {
    for (const auto& [k, v] : params) {
        if (k == key) return &v;
    }
    return nullptr;
}

Expected<Event> parse_event(std::string_view datagram) { return Parser(datagram).run(); }

std::string_view kind_name(EventKind kind) { return k_kind_names[static_cast<std::size_t>(kind)]; }

}  // namespace lintel::wpa
