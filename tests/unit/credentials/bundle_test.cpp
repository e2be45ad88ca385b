// The bundle format: every type round-trips, every field and rule is refused with its path and
// code, no message or metadata ever carries a secret, and Secret never prints.
#include "credentials/bundle.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "credentials/reason_codes.hpp"
#include "credentials_test_support.hpp"

namespace lintel::credentials {
namespace {

using nlohmann::json;
using namespace test;

json json_of(const Bundle& bundle) {
    auto text = bundle_json(bundle);
    EXPECT_TRUE(text) << text.error().message;
    return text ? json::parse(text->reveal()) : json();
}

// Every string a refusal or metadata must never contain: the secrets of the test bundles and
// a line from the middle of each private key.
std::vector<std::string> secrets() {
    std::vector<std::string> out{std::string(k_password), std::string(k_psk)};
    for (const auto& key : {TestPki::get().pki.observer.key, TestPki::get().rsa_client.key}) {
        const std::string pem = text_of(key);
        const auto line = pem.find('\n') + 1;
        out.push_back(pem.substr(line, 40));
    }
    return out;
}

// `doc` with the keys of `changes` set.
json with(json doc, const json& changes) {
    doc.update(changes);
    return doc;
}

void expect_no_secret(std::string_view text) {
    for (const auto& secret : secrets()) {
        EXPECT_EQ(text.find(secret), std::string_view::npos) << "a secret in: " << text;
    }
}

// Parses `doc` and expects a refusal with `code` whose message contains `what`.
void expect_refused(const json& doc, std::string_view code, std::string_view what) {
    auto parsed = parse_bundle(doc.dump());
    ASSERT_FALSE(parsed) << "accepted: " << doc.dump().substr(0, 200);
    EXPECT_EQ(parsed.error().code, code) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(what), std::string::npos)
        << "message: " << parsed.error().message << "\nexpected: " << what;
    expect_no_secret(parsed.error().message);
}

void expect_malformed(const json& doc, std::string_view what) {
    expect_refused(doc, reason::malformed, what);
}

TEST(Bundle, EveryTypeRoundTrips) {
    for (const Bundle& original :
         {eap_tls_bundle(), peap_bundle(), ttls_wifi_bundle(), wifi_psk_bundle()}) {
        auto text = bundle_json(original);
        ASSERT_TRUE(text) << original.id << ": " << text.error().message;
        auto parsed = parse_bundle(text->reveal());
        ASSERT_TRUE(parsed) << original.id << ": " << parsed.error().message;
        EXPECT_TRUE(*parsed == original) << original.id;
        EXPECT_EQ(parsed->client_key, original.client_key);
        EXPECT_EQ(parsed->password, original.password);
        EXPECT_EQ(parsed->psk, original.psk);
    }
}

TEST(Bundle, ReadsTheDocumentedExample) {
    // docs/credentials.md's PEAP example, with the test CA in place of the elided PEM.
    json doc = {{"v", 1},
                {"id", "cred-2024-11-07"},
                {"gateway", "gw-001"},
                {"issued_at", 1730970000000},
                {"expires_at", 1738746000000},
                {"type", "peap"},
                {"interface", "wired"},
                {"identity", "gw-001@corp.example"},
                {"anonymous_identity", "anonymous@corp.example"},
                {"ca_cert", text_of(TestPki::get().pki.ca_cert)},
                {"server_domain", "radius.corp.example"},
                {"password", "s3cret"},
                {"phase2", "mschapv2"}};
    auto b = parse_bundle(doc.dump());
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->type, BundleType::peap);
    EXPECT_EQ(b->interface, Interface::wired);
    EXPECT_EQ(b->identity, "gw-001@corp.example");
    EXPECT_EQ(b->anonymous_identity, "anonymous@corp.example");
    EXPECT_EQ(b->server_domain, "radius.corp.example");
    EXPECT_EQ(b->password.reveal(), "s3cret");
    EXPECT_EQ(b->phase2, "mschapv2");
    EXPECT_EQ(b->expires_at_ms, 1738746000000);
    EXPECT_TRUE(b->key_mgmt.empty());
}

TEST(Bundle, DefaultsKeyMgmtPerType) {
    json psk = json_of(wifi_psk_bundle());
    psk.erase("key_mgmt");
    EXPECT_EQ(parse_bundle(psk.dump()).value().key_mgmt, std::vector<std::string>{"WPA-PSK"});
    json eap = json_of(ttls_wifi_bundle());
    eap.erase("key_mgmt");
    EXPECT_EQ(parse_bundle(eap.dump()).value().key_mgmt, std::vector<std::string>{"WPA-EAP"});
    psk["key_mgmt"] = {"SAE", "WPA-PSK"};
    EXPECT_EQ(parse_bundle(psk.dump()).value().key_mgmt,
              (std::vector<std::string>{"SAE", "WPA-PSK"}));
}

TEST(Bundle, AcceptsAnRsaClientAndAHexPsk) {
    Bundle tls = eap_tls_bundle();
    tls.client_cert = text_of(TestPki::get().rsa_client.cert);
    tls.client_key = Secret(text_of(TestPki::get().rsa_client.key));
    EXPECT_TRUE(bundle_json(tls));
    Bundle psk = wifi_psk_bundle();
    psk.psk = Secret(std::string(64, 'a'));
    EXPECT_TRUE(bundle_json(psk));
    psk.psk = Secret(std::string(63, '~'));
    EXPECT_TRUE(bundle_json(psk));
}

TEST(Bundle, RefusesWhatIsNotABundleObject) {
    auto refused = [](std::string_view text, std::string_view code, std::string_view what) {
        auto b = parse_bundle(text);
        ASSERT_FALSE(b) << text;
        EXPECT_EQ(b.error().code, code) << b.error().message;
        EXPECT_NE(b.error().message.find(what), std::string::npos) << b.error().message;
    };
    refused("", reason::malformed, "bundle: empty");
    refused("[1]", reason::malformed, "must be a JSON object, got array");
    refused("{\"v\":1,", reason::malformed, "not valid JSON at byte");
    refused("\xEF\xBB\xBF{}", reason::malformed, "byte order mark");
    refused("{\"v\":1,\"v\":1}", reason::malformed, "duplicate key \"v\"");
    refused("{\"key_mgmt\":[[\"x\"]]}", reason::malformed, "nested too deeply");
    refused(std::string(k_max_bundle_bytes + 1, ' '), reason::too_large, "at most 65536");
    refused("{}", reason::malformed, "has no \"v\"");
    refused("{\"v\":2}", reason::unsupported, "reads bundle format 1, got 2");
    refused("{\"v\":\"1\"}", reason::unsupported, "got \"1\"");
}

TEST(Bundle, RefusesAParseErrorWithoutQuotingTheText) {
    json doc = json_of(peap_bundle());
    std::string text = doc.dump();
    // Break the JSON right after the password: nlohmann's own message would quote it.
    const auto at = text.find(k_password) + k_password.size();
    text.insert(at, "\\q");
    auto b = parse_bundle(text);
    ASSERT_FALSE(b);
    expect_no_secret(b.error().message);
}

TEST(Bundle, RefusesUnknownAndMisplacedKeys) {
    json tls = json_of(eap_tls_bundle());
    expect_malformed(with(tls, {{"colour", "blue"}}), "unknown key \"colour\"");
    expect_malformed(with(tls, {{"psk", "whatever1"}}),
                     "psk: not used by an eap-tls bundle on interface wired");
    expect_malformed(with(tls, {{"ssid", "x"}}), "ssid: not used by an eap-tls bundle");
    expect_malformed(with(tls, {{"password", "x"}}), "password: not used");
    json peap = json_of(peap_bundle());
    expect_malformed(with(peap, {{"client_key", "x"}}), "client_key: not used by a peap bundle");
    json psk = json_of(wifi_psk_bundle());
    expect_malformed(with(psk, {{"identity", "x"}}), "identity: not used");
    expect_malformed(with(psk, {{"interface", "wired"}}),
                     "a wifi-psk bundle is for interface wifi");
}

TEST(Bundle, RefusesMissingKeys) {
    const std::pair<Bundle, std::vector<std::string>> cases[] = {
        {eap_tls_bundle(),
         {"id", "gateway", "issued_at", "type", "interface", "identity", "ca_cert", "client_cert",
          "client_key"}},
        {peap_bundle(), {"password", "phase2"}},
        {ttls_wifi_bundle(), {"ssid"}},
        {wifi_psk_bundle(), {"ssid", "psk"}},
    };
    for (const auto& [bundle, keys] : cases) {
        for (const auto& key : keys) {
            json doc = json_of(bundle);
            doc.erase(key);
            expect_malformed(doc, "has no \"" + key + "\"");
        }
    }
}

TEST(Bundle, RefusesBadCommonFields) {
    json doc = json_of(peap_bundle());
    expect_malformed(with(doc, {{"type", "eap-md5"}}), "type: \"eap-md5\" is not one of");
    expect_malformed(with(doc, {{"type", 7}}), "type: must be a string, got number");
    expect_malformed(with(doc, {{"interface", "bluetooth"}}), "interface: \"bluetooth\"");
    expect_malformed(with(doc, {{"id", "has space"}}), "id: must be 1-64 characters");
    expect_malformed(with(doc, {{"id", std::string(65, 'a')}}), "id: must be");
    expect_malformed(with(doc, {{"gateway", "gw/1"}}), "gateway: must be");
    expect_malformed(with(doc, {{"issued_at", -1}}), "issued_at: must be an integer >= 0");
    expect_malformed(with(doc, {{"issued_at", 1.5}}), "issued_at: must be an integer");
    expect_malformed(with(doc, {{"issued_at", "now"}}), "issued_at: must be an integer");
    expect_malformed(with(doc, {{"expires_at", k_issued_at}}),
                     "expires_at: must be after issued_at");
    expect_malformed(with(doc, {{"expires_at", 1e15}}), "expires_at: must be an integer");
}

TEST(Bundle, RefusesBadEapFields) {
    json doc = json_of(peap_bundle());
    expect_malformed(with(doc, {{"identity", ""}}), "identity: must not be empty");
    expect_malformed(with(doc, {{"identity", std::string(129, 'u')}}),
                     "identity: must be at most 128 bytes");
    expect_malformed(with(doc, {{"identity", "a\nb"}}),
                     "identity: holds a control character at byte 1");
    expect_malformed(with(doc, {{"anonymous_identity", "\x7f"}}),
                     "anonymous_identity: holds a control character");
    expect_malformed(with(doc, {{"server_domain", "-bad.example"}}),
                     "server_domain: must be a DNS name");
    expect_malformed(with(doc, {{"server_domain", "a..b"}}), "server_domain: must be");
    expect_malformed(with(doc, {{"phase2", "pap"}}),
                     "phase2: \"pap\" is not one of mschapv2, gtc (for peap)");
    expect_malformed(with(doc, {{"password", ""}}), "password: must not be empty");
    expect_malformed(with(doc, {{"password", std::string(129, 'p')}}),
                     "password: must be at most 128 bytes");
    expect_malformed(with(doc, {{"password", std::string(k_password) + "\n"}}),
                     "password: holds a control character");
    expect_malformed(with(doc, {{"password", 42}}), "password: must be a string");
    json ttls = json_of(ttls_wifi_bundle());
    expect_malformed(with(ttls, {{"phase2", "gtc"}}), "(for ttls)");
    EXPECT_TRUE(parse_bundle(with(ttls, {{"phase2", "eap-mschapv2"}}).dump()));
}

TEST(Bundle, RefusesBadPems) {
    const auto& pki = TestPki::get().pki;
    const std::string ca = text_of(pki.ca_cert);
    json doc = json_of(eap_tls_bundle());
    expect_malformed(with(doc, {{"ca_cert", "not a pem"}}),
                     "ca_cert: text outside a PEM block at byte 0");
    expect_malformed(with(doc, {{"ca_cert", "junk\n" + ca}}), "ca_cert: text outside");
    expect_malformed(with(doc, {{"ca_cert", ca + "trailer"}}), "ca_cert: text outside");
    expect_malformed(with(doc, {{"ca_cert", ""}}), "ca_cert: holds no PEM block");
    expect_malformed(with(doc, {{"ca_cert", ca.substr(0, ca.size() - 10)}}), "has no END line");
    std::string nine;
    for (int i = 0; i < 9; ++i) nine += ca;
    expect_malformed(with(doc, {{"ca_cert", nine}}), "more than 8 PEM blocks");
    expect_malformed(with(doc, {{"ca_cert", ca + text_of(pki.observer.key)}}),
                     "only CERTIFICATE blocks belong here");
    std::string broken = ca;
    broken[broken.find('\n') + 5] = '*';
    expect_malformed(with(doc, {{"ca_cert", broken}}),
                     "ca_cert: certificate 1 is not a valid X.509 certificate");
    expect_malformed(with(doc, {{"ca_cert", std::string(k_max_pem_bytes + 1, ' ')}}),
                     "ca_cert: holds 24577 bytes; at most 24576");
    expect_malformed(with(doc, {{"client_cert", "x"}}), "client_cert: text outside");
}

TEST(Bundle, RefusesAClientKeyThatIsNotTheCertificates) {
    const auto& test_pki = TestPki::get();
    json doc = json_of(eap_tls_bundle());
    expect_malformed(with(doc, {{"client_key", text_of(test_pki.pki.gateway.key)}}),
                     "client_key: does not belong to the client certificate");
    expect_malformed(with(doc, {{"client_key", text_of(test_pki.rsa_client.key)}}),
                     "client_key: does not belong");
    expect_malformed(with(doc, {{"client_key", text_of(test_pki.pki.observer.cert)}}),
                     "client_key: is a \"CERTIFICATE\" block");
    expect_malformed(with(doc, {{"client_key", "no key"}}), "client_key: text outside");
    const std::string key = text_of(test_pki.pki.observer.key);
    expect_malformed(with(doc, {{"client_key", key + key}}),
                     "client_key: holds more than 1 PEM block");
    expect_malformed(with(doc, {{"client_key",
                                 "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                                 "-----END ENCRYPTED PRIVATE KEY-----\n"}}),
                     "client_key: is an encrypted private key");
    std::string broken = key;
    broken[broken.find('\n') + 3] = '*';
    expect_malformed(with(doc, {{"client_key", broken}}), "client_key: is not a valid private key");
}

TEST(Bundle, RefusesAWeakClientKey) {
    const auto& p = TestPki::get();
    auto weak = commands::test::make_self_signed(p.dir, "client-weak", "rsa1024", "weak");
    ASSERT_TRUE(weak) << weak.error().message;
    json doc = json_of(eap_tls_bundle());
    doc["client_cert"] = text_of(weak->cert);
    doc["client_key"] = text_of(weak->key);
    expect_malformed(doc, "client_key: is a 1024-bit RSA key; at least 2048 bits are needed");
}

TEST(Bundle, RefusesBadWifiFields) {
    json psk = json_of(wifi_psk_bundle());
    expect_malformed(with(psk, {{"ssid", ""}}), "ssid: must not be empty");
    expect_malformed(with(psk, {{"ssid", std::string(33, 's')}}), "ssid: must be at most 32 bytes");
    EXPECT_TRUE(parse_bundle(with(psk, {{"ssid", std::string(32, 's')}}).dump()));
    for (const std::string& bad :
         {std::string("short12"), std::string(64, 'g'), std::string(65, 'a'),
          std::string("caf\xc3\xa9-passphrase"), std::string("tab\there!")}) {
        expect_malformed(with(psk, {{"psk", bad}}),
                         "psk: must be a passphrase of 8-63 printable ASCII characters");
    }
    expect_malformed(with(psk, {{"psk", std::string(64, 'a')}, {"key_mgmt", {"SAE"}}}),
                     "psk: SAE (in key_mgmt) needs a passphrase");
    expect_malformed(with(psk, {{"key_mgmt", "WPA-PSK"}}),
                     "key_mgmt: must be a list of strings, got string");
    expect_malformed(with(psk, {{"key_mgmt", json::array()}}), "key_mgmt: must list 1 to 3");
    expect_malformed(with(psk, {{"key_mgmt", {"WPA-EAP"}}}),
                     "key_mgmt[0]: \"WPA-EAP\" is not one of WPA-PSK, WPA-PSK-SHA256, SAE");
    expect_malformed(with(psk, {{"key_mgmt", {"SAE", "SAE"}}}), "key_mgmt[1]: duplicate \"SAE\"");
    json eap = json_of(ttls_wifi_bundle());
    expect_malformed(with(eap, {{"key_mgmt", {"WPA-PSK"}}}), "(for 802.1X on Wi-Fi)");
}

TEST(Bundle, SecretsNeverAppearInRefusals) {
    // The secret fields refused for their shape: the message describes the rule, not the value.
    json peap = json_of(peap_bundle());
    peap["password"] = std::string(k_password) + std::string(200, 'x');
    auto b = parse_bundle(peap.dump());
    ASSERT_FALSE(b);
    expect_no_secret(b.error().message);
    json psk = json_of(wifi_psk_bundle());
    psk["psk"] = std::string(k_psk) + std::string(50, 'y');
    b = parse_bundle(psk.dump());
    ASSERT_FALSE(b);
    expect_no_secret(b.error().message);
    json tls = json_of(eap_tls_bundle());
    tls["client_key"] = text_of(TestPki::get().rsa_client.key);
    b = parse_bundle(tls.dump());
    ASSERT_FALSE(b);
    expect_no_secret(b.error().message);
}

TEST(Bundle, BuilderRefusesWhatTheParserRefuses) {
    Bundle b = peap_bundle();
    b.psk = Secret("not for peap");
    auto text = bundle_json(b);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, reason::malformed);
    EXPECT_NE(text.error().message.find("psk: not used by a peap bundle"), std::string::npos);
    b = wifi_psk_bundle();
    b.ssid.clear();
    EXPECT_NE(bundle_json(b).error().message.find("has no \"ssid\""), std::string::npos);
}

TEST(Bundle, ChecksGatewayExpiryAndClientCertificate) {
    const Bundle peap = peap_bundle();
    EXPECT_TRUE(check_bundle(peap, k_gateway_id, k_issued_at));
    auto wrong = check_bundle(peap, "gw-other", k_issued_at);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, reason::wrong_gateway);
    EXPECT_NE(wrong.error().message.find("is for gateway \"gw-cred-001\", this is \"gw-other\""),
              std::string::npos);
    auto expired = check_bundle(peap, k_gateway_id, *peap.expires_at_ms);
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, reason::expired);
    EXPECT_TRUE(check_bundle(peap, k_gateway_id, *peap.expires_at_ms - 1));

    Bundle tls = eap_tls_bundle();
    EXPECT_TRUE(check_bundle(tls, k_gateway_id, k_issued_at));
    tls.client_cert = text_of(TestPki::get().pki.expired.cert);
    tls.client_key = Secret(text_of(TestPki::get().pki.expired.key));
    ASSERT_TRUE(bundle_json(tls));  // the format is fine; the clock is not
    auto old = check_bundle(tls, k_gateway_id, k_issued_at);
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, reason::cert_expired);
    EXPECT_NE(old.error().message.find("gw-expired"), std::string::npos);
}

TEST(Bundle, MetadataShowsWhatAnOperatorNeedsAndNoSecret) {
    const Bundle tls = eap_tls_bundle();
    const BundleMetadata m = metadata(tls);
    EXPECT_EQ(m.id, "cred-tls-1");
    EXPECT_EQ(m.type, BundleType::eap_tls);
    EXPECT_EQ(m.identity, "observer@corp.example");
    ASSERT_TRUE(m.client_cert);
    EXPECT_NE(m.client_cert->subject.find("CN = observer"), std::string::npos);
    EXPECT_NE(m.client_cert->issuer.find("CN ="), std::string::npos);
    EXPECT_GT(m.client_cert->not_after_ms, k_issued_at);
    EXPECT_EQ(m.client_cert->sha256.size(), 64u);
    ASSERT_EQ(m.ca_certs.size(), 1u);
    const json shown = to_json(m);
    EXPECT_EQ(shown.at("type"), "eap-tls");
    EXPECT_EQ(shown.at("client_cert").at("not_after"), m.client_cert->not_after_ms);
    for (const Bundle& b : {tls, peap_bundle(), ttls_wifi_bundle(), wifi_psk_bundle()}) {
        const std::string text = to_json(metadata(b)).dump();
        expect_no_secret(text);
        EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
        EXPECT_EQ(text.find("BEGIN"), std::string::npos) << "no PEM at all in metadata";
    }
    const json psk = to_json(metadata(wifi_psk_bundle()));
    EXPECT_EQ(psk.at("ssid"), "Plant Floor");
    EXPECT_EQ(psk.at("key_mgmt"), json::array({"WPA-PSK"}));
    EXPECT_FALSE(psk.contains("psk"));
    EXPECT_FALSE(to_json(metadata(peap_bundle())).contains("password"));
}

TEST(Secret, NeverPrintsAndComparesByContent) {
    const Secret s(k_password);
    std::ostringstream out;
    out << s;
    EXPECT_EQ(out.str(), "<redacted>");
    EXPECT_EQ(::testing::PrintToString(s), "<redacted>");
    EXPECT_EQ(s.reveal(), k_password);
    EXPECT_TRUE(s == Secret(k_password));
    EXPECT_FALSE(s == Secret("corr3ct-h0rse-batterY"));
    EXPECT_FALSE(s == Secret("short"));
    Secret grown;
    for (int i = 0; i < 100; ++i) grown.append("0123456789");  // reallocates (and wipes) often
    EXPECT_EQ(grown.size(), 1000u);
}

TEST(Secret, WipeOverwritesTheBuffer) {
    char buffer[16] = "secret-material";
    wipe(buffer, sizeof buffer);
    for (char c : buffer) EXPECT_EQ(c, '\0');
}

TEST(Bundle, FieldRulesForTheSigningTool) {
    EXPECT_TRUE(is_valid_psk("12345678"));
    EXPECT_FALSE(is_valid_psk("1234567"));
    EXPECT_TRUE(is_valid_psk(std::string(64, 'F')));
    EXPECT_TRUE(is_dns_name("radius.corp.example"));
    EXPECT_FALSE(is_dns_name("radius.corp.example."));
    EXPECT_FALSE(is_dns_name("under_score.example"));
    EXPECT_FALSE(is_dns_name(std::string(64, 'a') + ".example"));
    EXPECT_EQ(text_problem("ok", 10), std::nullopt);
    EXPECT_NE(text_problem("\xff", 10), std::nullopt);
}

}  // namespace
}  // namespace lintel::credentials
