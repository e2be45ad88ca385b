// libFuzzer target: arbitrary bytes as a STATUS reply, as an event datagram, as a sequence of
// event lines fed to the AuthTracker, as escaped text and as a config value must give a value or
// an error, never a crash, hang or sanitizer report; and what is accepted must hold its
// invariants (escapes round-trip, MACs are MACs, bounds hold, errors carry wpa.* codes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wpa/auth_tracker.hpp"
#include "wpa/escape.hpp"
#include "wpa/event.hpp"
#include "wpa/reply.hpp"
#include "wpa/status.hpp"

namespace {

using namespace lintel::wpa;

void check(bool ok) {
    if (!ok) std::abort();
}

bool wpa_code(const lintel::Error& e) { return e.code.starts_with("wpa."); }

// Encoding then decoding gives the bytes back (while the encoded form is within the decoder's
// bound: encoding may quadruple the size).
void round_trip(std::string_view bytes) {
    const auto encoded = printf_encode(bytes);
    if (encoded.size() > k_max_escaped) return;
    auto back = printf_decode(encoded);
    check(back && *back == bytes);
}

void status(std::string_view text) {
    auto s = parse_status(text);
    if (!s) {
        check(wpa_code(s.error()));
        return;
    }
    check(!s->wpa_state.empty());
    check(s->other.size() <= k_max_status_lines);
    if (s->bssid) check(is_mac(*s->bssid));
    if (s->address) check(is_mac(*s->address));
    if (s->id) check(*s->id >= 0);
    if (s->ssid) round_trip(*s->ssid);
    check(summary(*s).find('\n') == std::string::npos);
}

void event(std::string_view text) {
    auto e = parse_event(text);
    if (!e) {
        check(e.error().code == "wpa.bad_event");
        return;
    }
    check(is_unsolicited(text));
    check(e->params.size() <= k_max_event_params);
    check(e->bssid.empty() || is_mac(e->bssid));
    check(!kind_name(e->kind).empty());
    check(e->kind == EventKind::other || e->name.starts_with("CTRL-EVENT-"));
}

// Lines as events, "S" lines as STATUS replies with '|' for newlines: the tracker must only
// ever answer with its verdicts, and a failure always has a reason.
void tracker(std::string_view text) {
    AuthPolicy policy;
    policy.medium = text.size() % 2 == 0 ? Medium::wired : Medium::wireless;
    policy.stop_on_failure = text.size() % 3 != 0;
    AuthTracker t(policy);
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const auto line = text.substr(pos, nl - pos);
        pos = nl + 1;
        AuthTracker::Verdict v = AuthTracker::Verdict::pending;
        if (line.starts_with('S')) {
            std::string reply(line.substr(1));
            for (auto& c : reply) {
                if (c == '|') c = '\n';
            }
            if (auto s = parse_status(reply)) {
                v = t.on_status(*s);
                check((v == AuthTracker::Verdict::authorized) <= t.authorized(*s));
            }
        } else if (auto e = parse_event(line)) {
            v = t.on_event(*e);
        }
        if (v == AuthTracker::Verdict::failed) check(!t.failure_reason().empty());
    }
}

void escapes(std::string_view text) {
    if (auto decoded = printf_decode(text)) {
        round_trip(*decoded);
    } else {
        check(decoded.error().code == "wpa.bad_escape");
    }
    for (char c : printf_encode(text)) check(c >= 0x20 && c <= 0x7e);
    round_trip(text);
    if (auto value = config_value(text)) {
        check(value->starts_with("\"") || value->starts_with("P\""));
        check(value->find('\n') == std::string::npos);
    } else {
        check(text.find('\0') != std::string_view::npos);
    }
    if (auto line = config_line("identity", text)) check(line->size() <= k_max_config_line);
    if (check_command(text)) check(text.find('\n') == std::string_view::npos);
    (void)refusal(text, "STATUS");
    (void)expect_ok(text, "RECONFIGURE");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 65536) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    status(text);
    event(text);
    tracker(text);
    escapes(text);
    return 0;
}
