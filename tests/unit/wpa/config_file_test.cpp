// render_config: every bundle type's network block as wpa_supplicant 2.10 reads it, escaping,
// long values in hex or refused, and the combinations it will not write.
#include "wpa/config_file.hpp"

#include <gtest/gtest.h>

#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

const GlobalSettings k_global{"/run/wpa_supplicant", "lintel"};
const CertificatePaths k_tls_paths{
    "/etc/wpa_supplicant/x.conf.d/ca-1.pem",
    std::filesystem::path("/etc/wpa_supplicant/x.conf.d/client-1.pem"),
    std::filesystem::path("/etc/wpa_supplicant/x.conf.d/key-1.pem")};

NetworkSettings eap_tls() {
    NetworkSettings n;
    n.medium = Medium::wired;
    n.method = Method::eap_tls;
    n.identity = "gw-001@corp.example";
    n.server_domain = "radius.corp.example";
    return n;
}

TEST(WpaConfigFile, WiredEapTls) {
    auto text = render_config(k_global, eap_tls(), k_tls_paths);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_NE(text->find("ctrl_interface=DIR=/run/wpa_supplicant GROUP=lintel\n"),
              std::string::npos);
    EXPECT_NE(text->find("\nap_scan=0\n"), std::string::npos);
    const std::string block = text->substr(text->find("network={\n"));
    EXPECT_EQ(block,
              "network={\n"
              "\tkey_mgmt=IEEE8021X\n"
              "\teap=TLS\n"
              "\tidentity=\"gw-001@corp.example\"\n"
              "\tca_cert=\"/etc/wpa_supplicant/x.conf.d/ca-1.pem\"\n"
              "\tdomain_suffix_match=\"radius.corp.example\"\n"
              "\tclient_cert=\"/etc/wpa_supplicant/x.conf.d/client-1.pem\"\n"
              "\tprivate_key=\"/etc/wpa_supplicant/x.conf.d/key-1.pem\"\n"
              "\teapol_flags=0\n"
              "}\n");
}

TEST(WpaConfigFile, PeapAndTtlsInnerMethods) {
    NetworkSettings n = eap_tls();
    n.method = Method::peap;
    n.anonymous_identity = "anonymous@corp.example";
    n.password = "s3cret";
    n.phase2 = "mschapv2";
    auto peap = render_config(k_global, n, {"/ca.pem", {}, {}});
    ASSERT_TRUE(peap) << peap.error().message;
    EXPECT_NE(peap->find("\teap=PEAP\n"), std::string::npos);
    EXPECT_NE(peap->find("\tanonymous_identity=\"anonymous@corp.example\"\n"), std::string::npos);
    EXPECT_NE(peap->find("\tpassword=\"s3cret\"\n"), std::string::npos);
    EXPECT_NE(peap->find("\tphase2=\"auth=MSCHAPV2\"\n"), std::string::npos);
    EXPECT_EQ(peap->find("client_cert"), std::string::npos);

    n.method = Method::ttls;
    n.phase2 = "eap-gtc";
    n.medium = Medium::wireless;
    n.ssid = "Corp WLAN";
    n.key_mgmt = {"WPA-EAP", "WPA-EAP-SHA256"};
    auto ttls = render_config(k_global, n, {"/ca.pem", {}, {}});
    ASSERT_TRUE(ttls) << ttls.error().message;
    EXPECT_NE(ttls->find("\nap_scan=1\n"), std::string::npos);
    EXPECT_NE(ttls->find("\tssid=\"Corp WLAN\"\n"), std::string::npos);
    EXPECT_NE(ttls->find("\tkey_mgmt=WPA-EAP WPA-EAP-SHA256\n"), std::string::npos);
    EXPECT_NE(ttls->find("\teap=TTLS\n"), std::string::npos);
    EXPECT_NE(ttls->find("\tphase2=\"autheap=GTC\"\n"), std::string::npos);
    EXPECT_EQ(ttls->find("eapol_flags"), std::string::npos);

    n.phase2 = "gtc";  // a PEAP name, not TTLS
    auto bad = render_config(k_global, n, {"/ca.pem", {}, {}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, reason::bad_value);
}

TEST(WpaConfigFile, WifiPskPassphraseHexAndSae) {
    NetworkSettings n;
    n.medium = Medium::wireless;
    n.method = Method::wifi_psk;
    n.ssid = "Plant Floor";
    n.key_mgmt = {"SAE", "WPA-PSK"};
    n.psk = "wifi-passphrase-4711";
    auto text = render_config(k_global, n, {});
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_NE(text->find("\tkey_mgmt=SAE WPA-PSK\n\tieee80211w=1\n"), std::string::npos) << *text;
    EXPECT_NE(text->find("\tpsk=\"wifi-passphrase-4711\"\n"), std::string::npos);

    n.key_mgmt = {"SAE"};
    EXPECT_NE(render_config(k_global, n, {})->find("\tieee80211w=2\n"), std::string::npos);

    n.key_mgmt = {"WPA-PSK"};
    n.psk = std::string(64, 'a');
    EXPECT_NE(render_config(k_global, n, {})->find("\tpsk=" + std::string(64, 'a') + "\n"),
              std::string::npos);

    n.psk = "has\"quote-inside";
    auto quote = render_config(k_global, n, {});
    ASSERT_FALSE(quote);
    EXPECT_EQ(quote.error().code, reason::bad_value);
    EXPECT_EQ(quote.error().message.find("has\"quote"), std::string::npos) << "secret quoted";

    n.psk = "wifi-passphrase-4711";
    n.medium = Medium::wired;
    EXPECT_FALSE(render_config(k_global, n, {}));  // WPA-Personal on a wire
    n.medium = Medium::wireless;
    n.key_mgmt = {"WPA-EAP"};
    EXPECT_FALSE(render_config(k_global, n, {}));  // an 802.1X key_mgmt for a PSK
    n.key_mgmt = {};
    EXPECT_FALSE(render_config(k_global, n, {}));
}

TEST(WpaConfigFile, EscapesAndComments) {
    NetworkSettings n = eap_tls();
    n.identity = "gw \"1\" #not-a-comment\\ü";
    auto text = render_config(k_global, n, k_tls_paths);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_NE(text->find("\tidentity=P\"gw \\\"1\\\" #not-a-comment\\\\\\xc3\\xbc\"\n"),
              std::string::npos)
        << *text;
    NetworkSettings w;
    w.medium = Medium::wireless;
    w.method = Method::wifi_psk;
    w.ssid = std::string("caf\xc3\xa9\n", 6);
    w.key_mgmt = {"WPA-PSK"};
    w.psk = "passphrase";
    auto ssid = render_config(k_global, w, {});
    ASSERT_TRUE(ssid) << ssid.error().message;
    EXPECT_NE(ssid->find("\tssid=P\"caf\\xc3\\xa9\\n\"\n"), std::string::npos) << *ssid;
}

TEST(WpaConfigFile, LongValuesGoHexOrAreRefused) {
    NetworkSettings n = eap_tls();
    // 128 bytes that escape to 4 each: 512 + key > 510 quoted, but 256 hex digits fit.
    n.identity = std::string(128, '\x01');
    auto text = render_config(k_global, n, k_tls_paths);
    ASSERT_TRUE(text) << text.error().message;
    std::string hex;
    for (int i = 0; i < 128; ++i) hex += "01";
    EXPECT_NE(text->find("\tidentity=" + hex + "\n"), std::string::npos) << *text;
    // Every line of the file fits wpa_supplicant's buffer.
    std::size_t start = 0;
    while (start < text->size()) {
        const auto end = text->find('\n', start);
        EXPECT_LE(end - start + 1, k_max_config_line);
        start = end + 1;
    }
    // A path too long even for one line is refused with the key named.
    CertificatePaths long_paths = k_tls_paths;
    long_paths.ca_cert = "/" + std::string(600, 'p');
    auto refused = render_config(k_global, eap_tls(), long_paths);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, reason::bad_value);
    EXPECT_NE(refused.error().message.find("ca_cert"), std::string::npos);
    // And a value too long for hex too.
    auto too_long = config_line_or_hex("password", std::string(300, '\x02'));
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().message.find("password: 300 bytes"), std::string::npos);
}

TEST(WpaConfigFile, MissingPiecesAreRefused) {
    auto no_cert = render_config(k_global, eap_tls(), {"/ca.pem", {}, {}});
    ASSERT_FALSE(no_cert);
    NetworkSettings n = eap_tls();
    n.identity.clear();
    EXPECT_FALSE(render_config(k_global, n, k_tls_paths));
    EXPECT_FALSE(
        render_config(GlobalSettings{"/run/wpa supplicant", "lintel"}, eap_tls(), k_tls_paths));
    EXPECT_FALSE(render_config(GlobalSettings{"/run/wpa_supplicant", ""}, eap_tls(), k_tls_paths));
}

}  // namespace
}  // namespace lintel::wpa
