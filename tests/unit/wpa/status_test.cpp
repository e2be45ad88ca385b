// parse_status on real STATUS replies of wpa_supplicant 2.10 (data/) and on broken ones.
#include "wpa/status.hpp"

#include <gtest/gtest.h>

#include "samples.hpp"
#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

using test::sample;

TEST(Status, AuthorizedWiredPort) {
    auto s = parse_status(sample("status_wired_authorized.txt"));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->wpa_state, "COMPLETED");
    EXPECT_EQ(s->supp_port_status, "Authorized");
    EXPECT_TRUE(s->port_authorized());
    EXPECT_TRUE(s->completed());
    EXPECT_EQ(s->pae_state, "AUTHENTICATED");
    EXPECT_EQ(s->eap_state, "SUCCESS");
    EXPECT_EQ(s->selected_method, "13 (EAP-TLS)");
    EXPECT_EQ(s->bssid, "01:80:c2:00:00:03");  // the PAE group address
    EXPECT_EQ(s->ssid, "");
    EXPECT_EQ(s->id, 0);
    EXPECT_EQ(s->mode, "station");
    EXPECT_EQ(s->key_mgmt, "IEEE 802.1X (no WPA)");
    ASSERT_TRUE(s->address);
    EXPECT_TRUE(is_mac(*s->address));
    EXPECT_FALSE(s->ip_address);
    // Unknown keys are kept in order, values as sent.
    ASSERT_NE(s->find_other("EAP TLS cipher"), nullptr);
    EXPECT_EQ(*s->find_other("EAP TLS cipher"), "ECDHE-ECDSA-AES256-GCM-SHA384");
    EXPECT_EQ(*s->find_other("eap_tls_version"), "TLSv1.2");
    EXPECT_NE(s->find_other("eap_session_id"), nullptr);
    EXPECT_EQ(s->other.front().first, "freq");
    EXPECT_EQ(summary(*s),
              "wpa_state=COMPLETED suppPortStatus=Authorized PAE=AUTHENTICATED EAP=SUCCESS");
}

TEST(Status, WiredStatesBeforeAndAfter) {
    auto start = parse_status(sample("status_wired_disconnected.txt"));
    ASSERT_TRUE(start) << start.error().message;
    EXPECT_EQ(start->wpa_state, "DISCONNECTED");
    EXPECT_FALSE(start->supp_port_status);
    EXPECT_FALSE(start->port_authorized());

    auto connecting = parse_status(sample("status_wired_connecting.txt"));
    ASSERT_TRUE(connecting) << connecting.error().message;
    EXPECT_EQ(connecting->wpa_state, "ASSOCIATED");
    EXPECT_EQ(connecting->pae_state, "CONNECTING");
    EXPECT_EQ(connecting->eap_state, "IDLE");
    EXPECT_FALSE(connecting->port_authorized());

    auto held = parse_status(sample("status_wired_held_failure.txt"));
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_EQ(held->pae_state, "HELD");
    EXPECT_EQ(held->eap_state, "FAILURE");
    EXPECT_FALSE(held->port_authorized());

    // After LOGOFF the wired port is unauthorized while wpa_state still says COMPLETED: why
    // await_authorized looks at suppPortStatus on a wire.
    auto logoff = parse_status(sample("status_wired_logoff.txt"));
    ASSERT_TRUE(logoff) << logoff.error().message;
    EXPECT_TRUE(logoff->completed());
    EXPECT_FALSE(logoff->port_authorized());
    EXPECT_EQ(logoff->pae_state, "LOGOFF");
}

TEST(Status, DecodesTheSsidAndKeepsWirelessFields) {
    // A Wi-Fi reply's shape (hand-written: this machine has no radio); the SSID as
    // wpa_supplicant prints it, printf-escaped.
    auto s = parse_status(
        "bssid=aa:bb:cc:dd:ee:ff\nfreq=2412\nssid=caf\\xc3\\xa9 \\\"net\\\"\nid=3\nmode=station\n"
        "pairwise_cipher=CCMP\ngroup_cipher=CCMP\nkey_mgmt=WPA2/IEEE 802.1X/EAP\n"
        "wpa_state=COMPLETED\nip_address=192.0.2.7\naddress=02:00:00:00:01:00\n"
        "Supplicant PAE state=AUTHENTICATED\nsuppPortStatus=Authorized\nEAP state=SUCCESS\n");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->ssid, "caf\xc3\xa9 \"net\"");
    EXPECT_EQ(s->id, 3);
    EXPECT_EQ(s->ip_address, "192.0.2.7");
    EXPECT_EQ(*s->find_other("freq"), "2412");
}

TEST(Status, RefusalsAreCommandFailed) {
    for (const char* reply : {"FAIL\n", "FAIL-BUSY\n", "UNKNOWN COMMAND\n"}) {
        auto s = parse_status(reply);
        ASSERT_FALSE(s) << reply;
        EXPECT_EQ(s.error().code, reason::command_failed) << reply;
        EXPECT_NE(s.error().message.find("STATUS"), std::string::npos);
    }
}

TEST(Status, MalformedRepliesNameTheLine) {
    struct Case {
        std::string reply;
        const char* expect;
    };
    const std::vector<Case> cases{
        {"wpa_state=COMPLETED\nno equals sign\n", "line 2: no '='"},
        {"wpa_state=COMPLETED\n=value\n", "line 2: empty key"},
        {"wpa_state=COMPLETED\nwpa_state=DISCONNECTED\n", "line 2: duplicate key wpa_state"},
        {"wpa_state=COMPLETED\nssid=x", "line 2: not terminated"},
        {"wpa_state=COMPLETED\nfreq=1\x01\n", "line 2: freq: control byte"},
        {"wpa_state=COMPLETED\nbssid=01:80:c2:00:00\n", "line 2: bssid is not a MAC"},
        {"address=zz:80:c2:00:00:03\nwpa_state=X\n", "line 1: address is not a MAC"},
        {"wpa_state=COMPLETED\nid=-1\n", "line 2: id is not a network number"},
        {"wpa_state=COMPLETED\nid=7x\n", "line 2: id is not a network number"},
        {"wpa_state=COMPLETED\nssid=bad\\q\n", "line 2: ssid: unknown escape"},
        {"wpa_state=\n", "line 1: wpa_state is empty"},
        {"address=01:80:c2:00:00:03\n", "no wpa_state"},
        {"wpa_state=A\n" + std::string(k_max_status_key + 1, 'k') + "=v\n", "line 2: key longer"},
        {"wpa_state=A\nk=" + std::string(k_max_status_value + 1, 'v') + "\n",
         "line 2: k: value longer"},
        {"", "no wpa_state"},
    };
    for (const auto& c : cases) {
        auto s = parse_status(c.reply);
        ASSERT_FALSE(s) << c.reply;
        EXPECT_EQ(s.error().code, reason::bad_reply) << c.reply;
        EXPECT_NE(s.error().message.find(c.expect), std::string::npos)
            << s.error().message << " (wanted: " << c.expect << ")";
    }
}

TEST(Status, Bounded) {
    std::string many = "wpa_state=A\n";
    for (std::size_t i = 0; i < k_max_status_lines; ++i) many += "k" + std::to_string(i) + "=v\n";
    auto lines = parse_status(many);
    ASSERT_FALSE(lines);
    EXPECT_NE(lines.error().message.find("more than 256 lines"), std::string::npos);
    auto big = parse_status(std::string(k_max_status_bytes + 1, 'a'));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, reason::bad_reply);
}

}  // namespace
}  // namespace lintel::wpa
