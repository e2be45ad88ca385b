// parse_event on every real event in data/ and on broken frames.
#include "wpa/event.hpp"

#include <gtest/gtest.h>

#include "samples.hpp"
#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

using test::sample_events;

Event must(std::string_view datagram) {
    auto e = parse_event(datagram);
    EXPECT_TRUE(e) << datagram << ": " << (e ? "" : e.error().message);
    return e ? *e : Event{};
}

std::vector<EventKind> kinds_of(std::string_view file) {
    std::vector<EventKind> out;
    for (const auto& line : sample_events(file)) out.push_back(must(line).kind);
    return out;
}

TEST(Event, EveryRealSampleParses) {
    for (const char* file :
         {"events_start_success.txt", "events_reconfigure_success.txt", "events_revoked_client.txt",
          "events_rogue_server.txt", "events_terminate.txt"}) {
        const auto lines = sample_events(file);
        ASSERT_FALSE(lines.empty()) << file;
        for (const auto& line : lines) {
            auto e = parse_event(line);
            ASSERT_TRUE(e) << file << ": " << line << ": " << e.error().message;
            EXPECT_EQ(e->priority, 3u) << line;
        }
    }
}

TEST(Event, FirstAuthenticationSequence) {
    const auto kinds = kinds_of("events_start_success.txt");
    using K = EventKind;
    const std::vector<K> want{K::other,
                              K::other,
                              K::eap_started,
                              K::eap_status,
                              K::eap_proposed_method,
                              K::eap_status,
                              K::eap_method,
                              K::eap_peer_cert,
                              K::eap_peer_cert,
                              K::eap_peer_cert,
                              K::eap_peer_cert,
                              K::eap_peer_alt,
                              K::eap_status,
                              K::eap_status,
                              K::eap_success,
                              K::connected};
    EXPECT_EQ(kinds, want);
}

TEST(Event, TypedFields) {
    auto connected =
        must("<3>CTRL-EVENT-CONNECTED - Connection to 01:80:c2:00:00:03 completed [id=0 id_str=]");
    EXPECT_EQ(connected.kind, EventKind::connected);
    EXPECT_EQ(connected.name, "CTRL-EVENT-CONNECTED");
    EXPECT_EQ(connected.bssid, "01:80:c2:00:00:03");
    EXPECT_EQ(connected.network_id, 0);
    ASSERT_NE(connected.param("id_str"), nullptr);
    EXPECT_EQ(*connected.param("id_str"), "");

    auto disconnected =
        must("<3>CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1");
    EXPECT_EQ(disconnected.kind, EventKind::disconnected);
    EXPECT_EQ(disconnected.bssid, "01:80:c2:00:00:03");
    EXPECT_EQ(disconnected.reason_code, 3);
    EXPECT_EQ(*disconnected.param("locally_generated"), "1");

    auto status = must("<3>CTRL-EVENT-EAP-STATUS status='local TLS alert' parameter='unknown CA'");
    EXPECT_EQ(status.kind, EventKind::eap_status);
    EXPECT_EQ(*status.param("status"), "local TLS alert");
    EXPECT_EQ(*status.param("parameter"), "unknown CA");

    auto cert_error = must(
        "<3>CTRL-EVENT-EAP-TLS-CERT-ERROR reason=1 depth=1 subject='/O=lintel tests/CN=lintel "
        "test CA' err='self-signed certificate in certificate chain'");
    EXPECT_EQ(cert_error.kind, EventKind::eap_tls_cert_error);
    EXPECT_EQ(*cert_error.param("subject"), "/O=lintel tests/CN=lintel test CA");
    EXPECT_EQ(*cert_error.param("err"), "self-signed certificate in certificate chain");

    auto disabled = must(
        "<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"caf\\xc3\\xa9\" auth_failures=1 "
        "duration=10 reason=AUTH_FAILED");
    EXPECT_EQ(disabled.kind, EventKind::ssid_temp_disabled);
    EXPECT_EQ(disabled.network_id, 0);
    EXPECT_EQ(*disabled.param("ssid"), "caf\xc3\xa9");
    EXPECT_EQ(*disabled.param("reason"), "AUTH_FAILED");

    auto method = must("<3>CTRL-EVENT-EAP-METHOD EAP vendor 0 method 13 (TLS) selected");
    EXPECT_EQ(method.kind, EventKind::eap_method);
    EXPECT_EQ(method.text, "EAP vendor 0 method 13 (TLS) selected");
    EXPECT_TRUE(method.params.empty());

    auto terminating = must("<3>CTRL-EVENT-TERMINATING ");
    EXPECT_EQ(terminating.kind, EventKind::terminating);
    EXPECT_EQ(terminating.text, "");

    auto failure = must("<3>CTRL-EVENT-EAP-FAILURE EAP authentication failed");
    EXPECT_EQ(failure.kind, EventKind::eap_failure);
    EXPECT_EQ(failure.text, "EAP authentication failed");
}

TEST(Event, UnnamedAndUnknownEventsAreOther) {
    auto associated = must("<3>Associated with 01:80:c2:00:00:03");
    EXPECT_EQ(associated.kind, EventKind::other);
    EXPECT_EQ(associated.name, "");
    EXPECT_EQ(associated.text, "Associated with 01:80:c2:00:00:03");

    auto unknown = must("<3>CTRL-EVENT-DSCP-POLICY clear_all");
    EXPECT_EQ(unknown.kind, EventKind::other);
    EXPECT_EQ(unknown.name, "CTRL-EVENT-DSCP-POLICY");
    EXPECT_EQ(unknown.text, "clear_all");

    auto key = must("<3>WPA: Key negotiation completed with aa:bb:cc:dd:ee:ff [PTK=CCMP GTK=CCMP]");
    EXPECT_EQ(key.kind, EventKind::other);
    EXPECT_EQ(key.name, "");
}

TEST(Event, GlobalInterfacePrefixAndOtherPriorities) {
    auto e = must("IFNAME=eth1 <4>CTRL-EVENT-EAP-FAILURE EAP authentication failed");
    EXPECT_EQ(e.ifname, "eth1");
    EXPECT_EQ(e.priority, 4u);
    EXPECT_EQ(e.kind, EventKind::eap_failure);
    EXPECT_EQ(must("<12>CTRL-EVENT-EAP-SUCCESS x\n").text, "x");  // a trailing newline is dropped
}

TEST(Event, QuotesInsideCertificateSubjects) {
    // Subjects are printed raw: a quote of the other kind, or one inside a word, stays.
    auto e = must("<3>CTRL-EVENT-EAP-PEER-CERT depth=0 subject='/O=O'Reilly \"x\"/CN=a' hash=ab12");
    EXPECT_EQ(*e.param("subject"), "/O=O'Reilly \"x\"/CN=a");
    EXPECT_EQ(*e.param("hash"), "ab12");
    auto escaped = must("<3>CTRL-EVENT-SSID-REENABLED id=2 ssid=\"a\\\" b\"");
    EXPECT_EQ(*escaped.param("ssid"), "a\" b");
    EXPECT_EQ(escaped.network_id, 2);
}

TEST(Event, MalformedFramesNameTheOffset) {
    struct Case {
        std::string datagram;
        const char* expect;
    };
    const std::vector<Case> cases{
        {"", "offset 0: expected '<'"},
        {"3>CTRL-EVENT-EAP-SUCCESS", "offset 0: expected '<'"},
        {"<>x", "offset 1: expected a priority digit"},
        {"<3x", "offset 2: expected '>'"},
        {"<1234>x", "offset 4: expected '>'"},
        {"IFNAME=eth0", "offset 7: IFNAME= without"},
        {"IFNAME= <3>x", "offset 7: interface name of bad length"},
        {"<3>CTRL-EVENT-EAP-SUCCESS a\tb", "offset 27: control byte 9"},
        {"<3>CTRL-EVENT-EAP-STATUS status='open", "status: unterminated ' quote"},
        {"<3>CTRL-EVENT-SSID-REENABLED id=1 ssid=\"a\\q\"", "ssid: unknown escape"},
        {"<3>CTRL-EVENT-DISCONNECTED bssid=01:80 reason=3", "bssid is not a MAC"},
        {"<3>CTRL-EVENT-DISCONNECTED reason=x", "reason=x is not a number"},
        {"<3>" + std::string(k_max_event_bytes, 'a'), "longer than"},
    };
    for (const auto& c : cases) {
        auto e = parse_event(c.datagram);
        ASSERT_FALSE(e) << c.datagram.substr(0, 80);
        EXPECT_EQ(e.error().code, reason::bad_event);
        EXPECT_NE(e.error().message.find(c.expect), std::string::npos)
            << e.error().message << " (wanted: " << c.expect << ")";
    }
    std::string many = "<3>CTRL-EVENT-X";
    for (std::size_t i = 0; i <= k_max_event_params; ++i) many += " k=v";
    auto e = parse_event(many);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("more than 64 parameters"), std::string::npos);
}

TEST(Event, KindNames) {
    EXPECT_EQ(kind_name(EventKind::eap_failure), "eap_failure");
    EXPECT_EQ(kind_name(EventKind::other), "other");
    EXPECT_EQ(kind_name(EventKind::network_not_found), "network_not_found");
}

}  // namespace
}  // namespace lintel::wpa
