// lintel.yaml + devices.d loading: every error class with its file:line:col: key.path: reason.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/config_loader.hpp"
#include "core/credentials.hpp"
#include "core/credentials_config.hpp"
#include "core/yaml_loader.hpp"

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("lintel-config-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "pki");
        write("pki/ca.pem", "ca", 0644);
        write("pki/gw.pem", "cert", 0644);
        write("pki/gw.key", "key", 0600);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& rel, const std::string& text, mode_t mode = 0644) {
        const fs::path p = dir_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
        ::chmod(p.c_str(), mode);
        return p;
    }

    std::string main_yaml(const std::string& extra = "") {
        const std::string pki = (dir_ / "pki").string();
        return "gateway:\n"
               "  id: gw-test\n"
               "uplink:\n"
               "  host: localhost\n"
               "  tls:\n"
               "    ca_file: " +
               pki +
               "/ca.pem\n"
               "    cert_file: " +
               pki +
               "/gw.pem\n"
               "    key_file: " +
               pki + "/gw.key\n" + extra;
    }

    std::optional<Config> load(const std::string& text, sdk::ConfigErrors& errors) {
        const fs::path p = write("lintel.yaml", text);
        return load_config(p, LoadOptions{"/usr/lib/lintel/plugins", true}, errors);
    }

    std::string file() const { return (dir_ / "lintel.yaml").string(); }

    fs::path dir_;
};

TEST_F(ConfigTest, MinimalConfigGetsDefaults) {
    sdk::ConfigErrors errors;
    auto c = load(main_yaml(), errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_EQ(c->gateway_id, "gw-test");
    EXPECT_EQ(c->uplink.port, 8883);
    EXPECT_EQ(c->uplink.protocol, "mqtt5");
    EXPECT_EQ(c->uplink.topic_prefix, "lintel/v1");
    EXPECT_EQ(c->uplink.reconnect_max, std::chrono::seconds(30));
    EXPECT_EQ(c->buffer.max_bytes, 256ULL << 20);
    EXPECT_EQ(c->buffer.commit_interval, std::chrono::milliseconds(50));
    EXPECT_EQ(c->plugin_dir, "/usr/lib/lintel/plugins");
    EXPECT_EQ(c->devices_dir, dir_ / "devices.d");
}

TEST_F(ConfigTest, ParsesDurationsAndSizes) {
    sdk::ConfigErrors errors;
    auto c = load(main_yaml("  keepalive: 45s\n  reconnect:\n    initial: 500ms\n    max: 2m\n"
                            "buffer:\n  max_bytes: 64MiB\n  commit_interval: 20ms\n"),
                  errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_EQ(c->uplink.keepalive, std::chrono::seconds(45));
    EXPECT_EQ(c->uplink.reconnect_initial, std::chrono::milliseconds(500));
    EXPECT_EQ(c->uplink.reconnect_max, std::chrono::minutes(2));
    EXPECT_EQ(c->buffer.max_bytes, 64ULL << 20);
}

TEST_F(ConfigTest, UplinkIdentityDefaultsAndKeys) {
    using namespace std::chrono_literals;
    sdk::ConfigErrors errors;
    auto d = load(main_yaml(), errors);
    ASSERT_TRUE(d) << errors.to_string();
    EXPECT_EQ(d->uplink.identity.renew_before, 30 * 24h);
    EXPECT_EQ(d->uplink.identity.warn_before, (std::vector<Duration>{30 * 24h, 7 * 24h, 24h}));
    EXPECT_FALSE(d->uplink.identity.claim_cert_file);
    auto c = load(main_yaml("  identity:\n    ca_file: /etc/lintel/pki/issuer.pem\n"
                            "    renew_before: 3651d\n    warn_before: [14d, 2d]\n"
                            "    reply_timeout: 5s\n    attempts: 4\n    switch_timeout: 20s\n"
                            "    claim_cert_file: /etc/lintel/pki/claim.crt\n"
                            "    claim_key_file: /etc/lintel/pki/claim.key\n"),
                  errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_EQ(c->uplink.identity.ca_file, fs::path("/etc/lintel/pki/issuer.pem"));
    EXPECT_EQ(c->uplink.identity.renew_before, 3651 * 24h);
    EXPECT_EQ(c->uplink.identity.warn_before, (std::vector<Duration>{14 * 24h, 48h}));
    EXPECT_EQ(c->uplink.identity.reply_timeout, 5s);
    EXPECT_EQ(c->uplink.identity.attempts, 4);
    EXPECT_EQ(c->uplink.identity.switch_timeout, 20s);
    EXPECT_EQ(c->uplink.identity.claim_key_file, fs::path("/etc/lintel/pki/claim.key"));
}

TEST_F(ConfigTest, UplinkIdentityMistakesAreReported) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml("  identity:\n    warn_before: [7d, soon]\n"
                                "    claim_cert_file: /etc/lintel/pki/claim.crt\n"
                                "    attempts: 0\n    colour: red\n"),
                      errors));
    const std::string all = errors.to_string();
    EXPECT_NE(all.find("uplink.identity.warn_before"), std::string::npos) << all;
    EXPECT_NE(all.find("claim_cert_file and claim_key_file go together"), std::string::npos) << all;
    EXPECT_NE(all.find("uplink.identity.attempts: 0 is out of range"), std::string::npos) << all;
    EXPECT_NE(all.find("uplink.identity.colour: unknown key"), std::string::npos) << all;
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineColumnAndPath) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml("  keepalve: 30s\n"), errors));
    ASSERT_EQ(errors.size(), 1U) << errors.to_string();
    EXPECT_EQ(errors.issues()[0].to_string(),
              file() + ":9:3: uplink.keepalve: unknown key \"keepalve\"");
}

TEST_F(ConfigTest, WrongTypeOutOfRangeAndBadUnitAreAllReported) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(
        load(main_yaml("  port: eighty\n  max_in_flight: 0\nbuffer:\n  max_bytes: 12 parsecs\n"),
             errors));
    ASSERT_EQ(errors.size(), 3U) << errors.to_string();
    EXPECT_EQ(
        errors.issues()[0].to_string(),
        file() +
            ":12:14: buffer.max_bytes: size \"12 parsecs\" has an unknown unit: use B, KiB, MiB, "
            "GiB, KB, MB or GB (for example 256MiB)");
    EXPECT_EQ(errors.issues()[1].to_string(),
              file() + ":9:9: uplink.port: expected an integer, got \"eighty\"");
    EXPECT_EQ(errors.issues()[2].to_string(),
              file() + ":10:18: uplink.max_in_flight: 0 is out of range [1, 1000]");
}

TEST_F(ConfigTest, MissingRequiredSection) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load("gateway:\n  id: gw-1\n", errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(), file() + ":1:1: uplink: required key is missing");
}

TEST_F(ConfigTest, InvalidGatewayIdIsRefused) {
    sdk::ConfigErrors errors;
    std::string text = main_yaml();
    text.replace(text.find("gw-test"), 7, "gw/+");
    EXPECT_FALSE(load(text, errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_NE(errors.issues()[0].to_string().find(":2:7: gateway.id: gateway id \"gw/+\" must be"),
              std::string::npos)
        << errors.to_string();
}

TEST_F(ConfigTest, ReconnectInitialAboveMaxIsRefused) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml("  reconnect:\n    initial: 1m\n    max: 10s\n"), errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_NE(errors.issues()[0].reason.find("must not exceed max"), std::string::npos);
}

TEST_F(ConfigTest, PrivateKeyReadableByOthersIsRefusedNamingThePath) {
    ::chmod((dir_ / "pki/gw.key").c_str(), 0644);
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml(), errors));
    ASSERT_EQ(errors.size(), 1U) << errors.to_string();
    const std::string key = (dir_ / "pki/gw.key").string();
    EXPECT_EQ(errors.issues()[0].to_string(),
              file() + ":8:15: uplink.tls.key_file: private key file " + key +
                  " has mode 0644; it must be 0600 or stricter (chmod 600 " + key + ")");
}

TEST_F(ConfigTest, StricterKeyModeIsAccepted) {
    ::chmod((dir_ / "pki/gw.key").c_str(), 0400);
    sdk::ConfigErrors errors;
    EXPECT_TRUE(load(main_yaml(), errors)) << errors.to_string();
}

// uplink.tls with the key in a PKCS#11 token: the PIN file takes the key file's place in the
// credential checks; a PIN never in the URI; the URI and the pkcs11 section only together.
std::string token_tls(const fs::path& dir, const std::string& uri) {
    const std::string pki = (dir / "pki").string();
    return "gateway:\n  id: gw-test\nuplink:\n  host: localhost\n  tls:\n    ca_file: " + pki +
           "/ca.pem\n    cert_file: " + pki + "/gw.pem\n    key_file: \"" + uri +
           "\"\n    pkcs11:\n      module: /usr/lib/softhsm/libsofthsm2.so\n      pin_file: " +
           pki + "/token.pin\n";
}

TEST_F(ConfigTest, TokenKeyTakesModuleAndPinFile) {
    write("pki/token.pin", "1234\n", 0600);
    sdk::ConfigErrors errors;
    auto config = load(token_tls(dir_, "pkcs11:token=lintel;object=gateway;type=private"), errors);
    ASSERT_TRUE(config) << errors.to_string();
    ASSERT_TRUE(config->uplink.tls.pkcs11);
    EXPECT_EQ(config->uplink.tls.key_file, "pkcs11:token=lintel;object=gateway;type=private");
    EXPECT_EQ(config->uplink.tls.pkcs11->module, "/usr/lib/softhsm/libsofthsm2.so");
    EXPECT_EQ(config->uplink.tls.pkcs11->pin_file, dir_ / "pki/token.pin");
    EXPECT_TRUE(config->missing_credentials.empty());
}

TEST_F(ConfigTest, TokenPinFileIsCheckedLikeAKeyFile) {
    write("pki/token.pin", "1234\n", 0640);
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(token_tls(dir_, "pkcs11:token=lintel;object=gateway"), errors));
    ASSERT_EQ(errors.size(), 1U) << errors.to_string();
    const std::string pin = (dir_ / "pki/token.pin").string();
    EXPECT_EQ(errors.issues()[0].to_string(),
              file() + ":11:17: uplink.tls.pkcs11.pin_file: private key file " + pin +
                  " has mode 0640; it must be 0600 or stricter (chmod 600 " + pin + ")");

    fs::remove(dir_ / "pki/token.pin");
    sdk::ConfigErrors later;
    auto config = load(token_tls(dir_, "pkcs11:token=lintel;object=gateway"), later);
    ASSERT_TRUE(config) << later.to_string();
    ASSERT_EQ(config->missing_credentials.size(), 1U);
    EXPECT_EQ(config->missing_credentials[0].key, "uplink.tls.pkcs11.pin_file");
}

TEST_F(ConfigTest, TokenUriWithPinOrWithoutKeyOrSectionIsRefused) {
    write("pki/token.pin", "1234\n", 0600);
    for (const std::string uri :
         {"pkcs11:token=lintel;object=gw?pin-value=1234", "pkcs11:token=lintel",
          "pkcs11:token=lintel;object=gw;type=cert", "pkcs11:token=lintel;bogus=1"}) {
        sdk::ConfigErrors errors;
        EXPECT_FALSE(load(token_tls(dir_, uri), errors)) << uri;
        ASSERT_EQ(errors.size(), 1U) << errors.to_string();
        EXPECT_NE(errors.issues()[0].to_string().find(":8:15: uplink.tls.key_file: pkcs11: URI: "),
                  std::string::npos)
            << errors.to_string();
        EXPECT_EQ(errors.to_string().find("1234\n"), std::string::npos);
    }
    sdk::ConfigErrors no_section;
    EXPECT_FALSE(load(
        main_yaml().replace(main_yaml().find((dir_ / "pki/gw.key").string()),
                            (dir_ / "pki/gw.key").string().size(), "pkcs11:token=lintel;object=gw"),
        no_section));
    EXPECT_NE(no_section.to_string().find("needs uplink.tls.pkcs11 with module and pin_file"),
              std::string::npos)
        << no_section.to_string();
    sdk::ConfigErrors file_key;
    EXPECT_FALSE(load(main_yaml("    pkcs11: {module: /m.so, pin_file: /p}\n"), file_key));
    EXPECT_NE(file_key.to_string().find("uplink.tls.pkcs11: is only used with a pkcs11: URI"),
              std::string::npos)
        << file_key.to_string();
}

TEST_F(ConfigTest, MissingCredentialFilesMeanNotProvisionedNotAnError) {
    fs::remove(dir_ / "pki/gw.pem");
    fs::remove(dir_ / "pki/gw.key");
    sdk::ConfigErrors errors;
    auto config = load(main_yaml(), errors);
    ASSERT_TRUE(config) << errors.to_string();
    ASSERT_EQ(config->missing_credentials.size(), 2U);
    EXPECT_EQ(config->missing_credentials[0].path, dir_ / "pki/gw.pem");
    EXPECT_EQ(config->missing_credentials[0].key, "uplink.tls.cert_file");
    EXPECT_EQ(config->missing_credentials[1].key, "uplink.tls.key_file");
    EXPECT_TRUE(config->missing_credentials[1].private_key);
    EXPECT_EQ(describe_missing(config->missing_credentials),
              "missing " + (dir_ / "pki/gw.pem").string() +
                  " (this gateway's certificate, uplink.tls.cert_file); missing " +
                  (dir_ / "pki/gw.key").string() +
                  " (this gateway's private key, uplink.tls.key_file)");
}

TEST_F(ConfigTest, MissingPkiDirectoryMeansNotProvisioned) {
    fs::remove_all(dir_ / "pki");
    sdk::ConfigErrors errors;
    auto config = load(main_yaml("    crl_file: " + (dir_ / "pki/ca.crl").string() + "\n"), errors);
    ASSERT_TRUE(config) << errors.to_string();
    EXPECT_EQ(config->missing_credentials.size(), 4U);
}

TEST_F(ConfigTest, CredentialPathThatIsNotAFileIsAnErrorAtItsKey) {
    fs::remove(dir_ / "pki/gw.pem");
    fs::create_directories(dir_ / "pki/gw.pem");
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml(), errors));
    ASSERT_EQ(errors.size(), 1U) << errors.to_string();
    EXPECT_EQ(errors.issues()[0].to_string(),
              file() + ":7:16: uplink.tls.cert_file: " + (dir_ / "pki/gw.pem").string() +
                  " is not a regular file");
}

TEST_F(ConfigTest, ProvisionedConfigHasNothingMissing) {
    sdk::ConfigErrors errors;
    auto config = load(main_yaml(), errors);
    ASSERT_TRUE(config) << errors.to_string();
    EXPECT_TRUE(config->missing_credentials.empty());
    EXPECT_TRUE(check_credential_files(config->uplink.tls).provisioned());
}

TEST_F(ConfigTest, RelativePathIsRefused) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml("buffer:\n  path: buffer.db\n"), errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(),
              file() + ":10:9: buffer.path: must be an absolute path, got \"buffer.db\"");
}

TEST_F(ConfigTest, DeviceFragmentsAreLoadedInOrderAndDuplicatesRefused) {
    write("devices.d/10-a.yaml",
          "devices:\n  - name: meter-1\n    driver: modbus\n    host: 10.0.0.5\n");
    write("devices.d/20-b.yaml", "devices:\n  - name: meter-2\n    driver: modbus\n");
    write("devices.d/README", "not yaml, ignored");
    sdk::ConfigErrors errors;
    auto c = load(main_yaml(), errors);
    ASSERT_TRUE(c) << errors.to_string();
    ASSERT_EQ(c->devices.size(), 2U);
    EXPECT_EQ(c->devices[0].name, "meter-1");
    EXPECT_EQ(c->devices[0].driver, "modbus");
    ASSERT_EQ(c->devices[0].settings.entries.size(),
              1U);  // host only: name/driver belong to the host
    EXPECT_EQ(c->devices[0].settings.entries[0].key, "host");

    write("devices.d/30-c.yaml", "devices:\n  - name: meter-1\n    driver: modbus\n");
    sdk::ConfigErrors errors2;
    EXPECT_FALSE(load(main_yaml(), errors2));
    ASSERT_EQ(errors2.size(), 1U);
    EXPECT_NE(errors2.issues()[0].to_string().find(
                  "30-c.yaml:2:11: devices[0].name: duplicate device name "
                  "\"meter-1\" (first defined at "),
              std::string::npos)
        << errors2.to_string();
}

TEST_F(ConfigTest, FragmentWithUnknownTopLevelKeyIsRefused) {
    write("devices.d/a.yaml", "device:\n  - name: x\n");
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml(), errors));
    const std::string text = errors.to_string();
    EXPECT_NE(text.find("a.yaml:1:1: devices: required key is missing"), std::string::npos) << text;
    EXPECT_NE(text.find("a.yaml:1:1: device: unknown key \"device\""), std::string::npos) << text;
}

TEST_F(ConfigTest, DeviceNeedsNameAndDriver) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load(main_yaml("devices:\n  - name: Bad Name\n    driver: Modbus\n"), errors));
    const std::string text = errors.to_string();
    EXPECT_NE(text.find(":10:11: devices[0].name: device name \"Bad Name\" must be"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(":11:13: devices[0].driver: driver name \"Modbus\" must be"),
              std::string::npos)
        << text;
}

TEST_F(ConfigTest, EmptyFileExplainsWhatIsNeeded) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load("", errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_NE(errors.issues()[0].reason.find("empty"), std::string::npos);
}

// The conffile shipped in the package must stay valid as the schema evolves.
TEST(ShippedConfig, EtcLintelYamlIsValid) {
    sdk::ConfigErrors errors;
    auto c = load_config(std::filesystem::path(LINTEL_SOURCE_DIR) / "etc/lintel/lintel.yaml",
                         LoadOptions{"/usr/lib/lintel/plugins", false}, errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_EQ(c->uplink.tls.key_file, "/etc/lintel/pki/gateway.key");
    EXPECT_EQ(c->buffer.path, "/var/lib/lintel/buffer.db");
    EXPECT_TRUE(c->devices.empty()) << "examples must not be active by default";
}

TEST_F(ConfigTest, OverlayReplacesAddsAndRemovesFilesWithoutTouchingTheDisk) {
    write("devices.d/10-a.yaml", "devices:\n  - name: meter-1\n    driver: modbus\n");
    write("devices.d/20-b.yaml", "devices:\n  - name: meter-2\n    driver: modbus\n");
    const fs::path main = write("lintel.yaml", main_yaml());
    const ConfigOverlay overlay{
        {main, main_yaml("log:\n  level: debug\n")},
        {dir_ / "devices.d/10-a.yaml", std::nullopt},  // removed
        {dir_ / "devices.d/30-c.yaml", "devices:\n  - {name: meter-3, driver: modbus}\n"},
        {dir_ / "elsewhere/40-d.yaml", "devices:\n  - {name: x, driver: modbus}\n"}};
    sdk::ConfigErrors errors;
    auto c = load_config(main, LoadOptions{"/usr/lib/lintel/plugins", true, &overlay}, errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_EQ(c->log_level, sdk::LogLevel::debug);
    ASSERT_EQ(c->devices.size(), 2U);
    EXPECT_EQ(c->devices[0].name, "meter-2");
    EXPECT_EQ(c->devices[1].name, "meter-3");

    // An overlay's errors name the file it stands for.
    const ConfigOverlay bad{{dir_ / "devices.d/30-c.yaml", "devices: [\n"}};
    sdk::ConfigErrors bad_errors;
    EXPECT_FALSE(load_config(main, LoadOptions{"/usr/lib/lintel/plugins", true, &bad}, bad_errors));
    EXPECT_NE(bad_errors.to_string().find("30-c.yaml"), std::string::npos)
        << bad_errors.to_string();

    // Nothing was written.
    EXPECT_TRUE(fs::exists(dir_ / "devices.d/10-a.yaml"));
    EXPECT_FALSE(fs::exists(dir_ / "devices.d/30-c.yaml"));
}

}  // namespace
}  // namespace lintel::core

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

class CredentialsConfigTest : public ::testing::Test {
protected:
    // Parses `yaml` as the credentials: section alone.
    CredentialsSettings parse(const std::string& yaml, sdk::ConfigErrors& errors) {
        sdk::ConfigErrors load_errors;
        const fs::path p = fs::temp_directory_path() /
                           ("lintel-cred-config-" + std::to_string(::getpid()) + ".yaml");
        std::ofstream(p) << yaml;
        auto root = load_yaml_file(p, load_errors);
        EXPECT_TRUE(root) << load_errors.to_string();
        CredentialsSettings out;
        if (root) parse_credentials(root->find("credentials"), out, errors);
        fs::remove(p);
        return out;
    }
};

TEST_F(CredentialsConfigTest, OffWithoutTheSection) {
    sdk::ConfigErrors errors;
    auto c = parse("other: 1\n", errors);
    EXPECT_TRUE(errors.empty());
    EXPECT_FALSE(c.enabled);
}

TEST_F(CredentialsConfigTest, DefaultsNameTheDebianUnitsFiles) {
    sdk::ConfigErrors errors;
    auto c = parse(
        "credentials:\n  interfaces:\n    - {name: eth1, type: wired}\n"
        "    - {name: wlan0, type: wifi}\n",
        errors);
    ASSERT_TRUE(errors.empty()) << errors.to_string();
    EXPECT_TRUE(c.enabled);
    ASSERT_EQ(c.interfaces.size(), 2u);
    EXPECT_EQ(c.interfaces[0].config_file, "/etc/wpa_supplicant/wpa_supplicant-wired-eth1.conf");
    EXPECT_EQ(c.interfaces[1].config_file, "/etc/wpa_supplicant/wpa_supplicant-nl80211-wlan0.conf");
    EXPECT_EQ(c.auth_deadline, std::chrono::seconds(60));
    EXPECT_EQ(c.store_dir, "/var/lib/lintel/credentials");
    EXPECT_EQ(c.ctrl_dir, "/run/wpa_supplicant");
}

TEST_F(CredentialsConfigTest, MistakesAreRefusedAtTheirKey) {
    struct Case {
        std::string yaml;
        std::string message;
    };
    const Case cases[] = {
        {"credentials: {}\n", "credentials.interfaces"},
        {"credentials:\n  interfaces: []\n", "1-2"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired}\n    - {name: eth2, type: "
         "wired}\n",
         "a second wired interface"},
        {"credentials:\n  interfaces:\n    - {name: \"eth/1\", type: wired}\n",
         "not an interface name"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: serial}\n", "type"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired, config_file: wpa.conf}\n",
         "absolute path"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired, config_file: /etc/x.txt}\n",
         "must end in .conf"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired}\n  auth_deadline: 2s\n",
         "auth_deadline"},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired}\n  store: /x\n",
         "unknown key \"store\""},
        {"credentials:\n  interfaces:\n    - {name: eth1, type: wired, mtu: 1500}\n",
         "unknown key \"mtu\""},
    };
    for (const auto& c : cases) {
        sdk::ConfigErrors errors;
        parse(c.yaml, errors);
        ASSERT_FALSE(errors.empty()) << c.yaml;
        EXPECT_NE(errors.to_string().find(c.message), std::string::npos)
            << c.yaml << " -> " << errors.to_string();
    }
}

}  // namespace
}  // namespace lintel::core
