// The wpa-config action on a throwaway --wpa-config-dir: the file and its PEMs with their modes,
// the previous copy and restore, the paths it refuses, and strict params.
#include "helper/action_wpa_config.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "helper/actions.hpp"
#include "helper/wpa_request.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::entries;
using test::mode_of;
using test::read_file;
using test::TempDir;
using test::write_file;

constexpr std::string_view k_ca = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr std::string_view k_cert = "-----BEGIN CERTIFICATE-----\nC1\n-----END CERTIFICATE-----\n";
constexpr std::string_view k_key = "-----BEGIN PRIVATE KEY-----\nK1\n-----END PRIVATE KEY-----\n";

json eap_tls(const std::string& identity, std::string_view key = k_key) {
    return json{{"op", "write"},         {"file", "wpa_supplicant-wired-eth1.conf"},
                {"medium", "wired"},     {"method", "eap-tls"},
                {"identity", identity},  {"ca_cert", k_ca},
                {"client_cert", k_cert}, {"client_key", key}};
}

class WpaConfig : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directory(wpa_dir_);
        context_.wpa_config_dir = wpa_dir_;
        context_.wpa_ctrl_dir = "/run/wpa_supplicant";
        context_.wpa_group = "lintel";
        context_.peer_uid = 998;
        saved_umask_ = ::umask(022);  // modes must come out right whatever the umask
    }
    void TearDown() override { ::umask(saved_umask_); }

    ActionResult run(const json& params) {
        Request request;
        request.action = "wpa-config";
        request.params = params;
        ::testing::internal::CaptureStderr();
        auto r = dispatch(table_, request, context_);
        log_ = ::testing::internal::GetCapturedStderr();
        return r;
    }
    fs::path file() const { return wpa_dir_ / "wpa_supplicant-wired-eth1.conf"; }
    fs::path certs() const { return wpa_dir_ / "wpa_supplicant-wired-eth1.conf.d"; }
    std::string text() const { return read_file(file()).value_or("<missing>"); }

    TempDir dir_{"lintel-wpa-config"};
    fs::path wpa_dir_ = dir_ / "wpa_supplicant";
    ActionContext context_;
    ActionTable table_ = builtin_actions();
    std::string log_;
    mode_t saved_umask_ = 0;
};

TEST_F(WpaConfig, WritesTheFileAndItsPemsPrivately) {
    auto r = run(eap_tls("gw-001"));
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_EQ(r->at("file"), file().string());
    EXPECT_TRUE(r->at("previous").is_null());
    EXPECT_EQ(mode_of(file()), 0600u);
    EXPECT_EQ(mode_of(certs()), 0700u);
    ASSERT_EQ(entries(certs()).size(), 3u);
    for (const auto& name : entries(certs())) {
        EXPECT_EQ(mode_of(certs() / name), 0600u) << name;
        EXPECT_NE(text().find((certs() / name).string()), std::string::npos) << name;
    }
    EXPECT_NE(text().find("ctrl_interface=DIR=/run/wpa_supplicant GROUP=lintel\n"),
              std::string::npos);
    EXPECT_NE(text().find("\tidentity=\"gw-001\"\n"), std::string::npos);
    EXPECT_NE(log_.find("wpa-config: wrote " + file().string()), std::string::npos) << log_;
    EXPECT_EQ(log_.find("K1"), std::string::npos) << "the key reached the log";
}

TEST_F(WpaConfig, KeepsThePreviousCopyAndRestoresIt) {
    ASSERT_TRUE(run(eap_tls("first")));
    const std::string first = text();
    auto second =
        run(eap_tls("second", "-----BEGIN PRIVATE KEY-----\nK2\n-----END PRIVATE KEY-----\n"));
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->at("previous"), file().string() + ".previous");
    EXPECT_EQ(read_file(file().string() + ".previous").value_or(""), first);
    EXPECT_EQ(mode_of(file().string() + ".previous"), 0600u);
    EXPECT_NE(text().find("\"second\""), std::string::npos);
    // Both keys are there: the previous file still names its own.
    EXPECT_EQ(entries(certs()).size(), 4u);

    auto restored = run(json{{"op", "restore"}, {"file", "wpa_supplicant-wired-eth1.conf"}});
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(restored->at("restored"), true);
    EXPECT_EQ(text(), first);
    EXPECT_EQ(mode_of(file()), 0600u);

    // A third write drops PEMs neither the current nor the previous file names.
    ASSERT_TRUE(
        run(eap_tls("third", "-----BEGIN PRIVATE KEY-----\nK3\n-----END PRIVATE KEY-----\n")));
    const std::string current = text();
    const std::string previous = read_file(file().string() + ".previous").value_or("");
    for (const auto& name : entries(certs())) {
        const auto path = (certs() / name).string();
        EXPECT_TRUE(current.find(path) != std::string::npos ||
                    previous.find(path) != std::string::npos)
            << name << " is named by neither file";
    }
}

TEST_F(WpaConfig, RestoreWithoutAPreviousCopyIsRefused) {
    auto r = run(json{{"op", "restore"}, {"file", "wpa_supplicant-wired-eth1.conf"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.nothing_to_restore");
    EXPECT_FALSE(fs::exists(file()));
}

TEST_F(WpaConfig, OnlyPlainConfNamesInItsOwnDirectory) {
    for (const char* name :
         {"../x.conf", "/etc/passwd", "sub/x.conf", "x.txt", ".x.conf", "a..conf", "x.conf/", ""}) {
        auto params = eap_tls("gw");
        params["file"] = name;
        auto r = run(params);
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().code, "helper.bad_params") << name;
    }
    EXPECT_TRUE(entries(wpa_dir_).empty());
    // A symlink where the file belongs is left alone.
    fs::create_symlink("/etc/passwd", file());
    auto r = run(eap_tls("gw"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.unsafe_path");
    EXPECT_TRUE(fs::is_symlink(file()));
}

TEST_F(WpaConfig, ARefusedValueWritesNothing) {
    ASSERT_TRUE(write_file(file(), "old\n", 0600));
    auto params = eap_tls(std::string(250, '\x01'));  // 511 bytes even in hex
    auto r = run(params);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "wpa.bad_value");
    EXPECT_EQ(text(), "old\n");
    EXPECT_FALSE(fs::exists(certs()));
    EXPECT_FALSE(fs::exists(file().string() + ".previous"));
}

TEST_F(WpaConfig, WithoutItsDirectorySettingsItRefuses) {
    context_.wpa_config_dir.clear();
    auto r = run(eap_tls("gw"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.internal");
}

TEST(WpaConfigParams, StrictPerMethod) {
    auto ok = parse_wpa_config_params(eap_tls("gw"));
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->network.method, wpa::Method::eap_tls);
    EXPECT_EQ(ok->client_key, std::string(k_key));
    // Round trip through what linteld sends.
    auto again = parse_wpa_config_params(wpa_config_params(*ok));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->network.identity, "gw");

    const json psk{{"op", "write"},        {"file", "w.conf"}, {"medium", "wifi"},
                   {"method", "wifi-psk"}, {"ssid", "Plant"},  {"key_mgmt", {"WPA-PSK"}},
                   {"psk", "passphrase"}};
    ASSERT_TRUE(parse_wpa_config_params(psk));
    struct Bad {
        json params;
        const char* names;
    };
    auto with = [](json p, const char* key, json value) {
        p[key] = std::move(value);
        return p;
    };
    auto without = [](json p, const char* key) {
        p.erase(key);
        return p;
    };
    const Bad bad[] = {
        {with(eap_tls("gw"), "password", "x"), "password"},    // not for eap-tls
        {with(eap_tls("gw"), "ssid", "x"), "ssid"},            // not on a wire
        {with(eap_tls("gw"), "extra", 1), "extra"},            // unknown
        {with(eap_tls("gw"), "identity", 7), "identity"},      // type
        {with(eap_tls("gw"), "identity", ""), "identity"},     // empty
        {without(eap_tls("gw"), "client_key"), "client_key"},  // missing
        {with(eap_tls("gw"), "op", "delete"), "op"},
        {with(eap_tls("gw"), "medium", "serial"), "medium"},
        {with(psk, "key_mgmt", json::array()), "key_mgmt"},
        {without(psk, "key_mgmt"), "key_mgmt"},
        {with(json{{"op", "restore"}, {"file", "w.conf"}}, "identity", "x"), "restore"},
        {json::array(), "object"},
    };
    for (const auto& b : bad) {
        auto r = parse_wpa_config_params(b.params);
        ASSERT_FALSE(r) << b.params.dump();
        EXPECT_EQ(r.error().code, "helper.bad_params");
        EXPECT_NE(r.error().message.find(b.names), std::string::npos) << r.error().message;
    }
    // A secret's value is never quoted back.
    auto secret = parse_wpa_config_params(with(psk, "psk", std::string(65, 's')));
    ASSERT_FALSE(secret);
    EXPECT_EQ(secret.error().message.find("sssss"), std::string::npos);
}

}  // namespace
}  // namespace lintel::helper
