// The `ota:` section: defaults (disabled), a full section, every refusal with file:line:col and
// key path, release keys loaded from their files, and the section loaded alone from a lintel.yaml
// whose other sections lintel-helper does not read.
#include "core/ota_config.hpp"

#include <gtest/gtest.h>

#include "commands_test_support.hpp"
#include "core/config_loader.hpp"
#include "core/yaml_loader.hpp"
#include "ota/release_keys.hpp"
#include "support/files.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;

struct Parsed {
    OtaSettings settings;
    sdk::ConfigErrors errors;
};

Parsed parse(const std::string& yaml) {
    Parsed p;
    auto root = load_yaml_string(yaml, "lintel.yaml", p.errors);
    if (!root) return p;
    parse_ota(root->find("ota"), p.settings, p.errors);
    return p;
}

const std::string k_full = R"(ota:
  product: lintel-gw
  hardware: rev-b
  release_keys:
    - {kid: rel-2024, public_key: /etc/lintel/ota/rel-2024.pub}
    - {kid: rel-2023, public_key: /etc/lintel/ota/rel-2023.pub, revoked: true}
  max_artifact_size: 256MiB
  handlers: [deb, file]
  staging_dir: /var/lib/lintel/ota-staging
  download:
    ca: /etc/lintel/ota/ca.pem
    client_cert: /etc/lintel/tls/gateway.crt
    client_key: /etc/lintel/tls/gateway.key
    bandwidth_limit: 512KiB
    timeout: 90s
  health_deadline: 5m
)";

TEST(OtaConfig, AbsentSectionMeansNoUpdates) {
    auto p = parse("gateway: {id: gw}\n");
    EXPECT_TRUE(p.errors.empty()) << p.errors.to_string();
    EXPECT_FALSE(p.settings.enabled);
    EXPECT_EQ(p.settings, OtaSettings{});
    EXPECT_EQ(p.settings.handlers, std::vector<std::string>{"deb"});
    EXPECT_EQ(p.settings.staging_dir, "/var/lib/lintel/ota/staging");
    EXPECT_EQ(p.settings.max_artifact_size, 1ULL << 30);
    EXPECT_EQ(p.settings.health_deadline, 10min);
}

TEST(OtaConfig, FullSectionIsRead) {
    auto p = parse(k_full);
    ASSERT_TRUE(p.errors.empty()) << p.errors.to_string();
    const auto& o = p.settings;
    EXPECT_TRUE(o.enabled);
    EXPECT_EQ(o.product, "lintel-gw");
    EXPECT_EQ(o.hardware, "rev-b");
    ASSERT_EQ(o.release_keys.size(), 2u);
    EXPECT_EQ(o.release_keys[0].kid, "rel-2024");
    EXPECT_EQ(o.release_keys[0].public_key_file, "/etc/lintel/ota/rel-2024.pub");
    EXPECT_FALSE(o.release_keys[0].revoked);
    EXPECT_TRUE(o.release_keys[1].revoked);
    EXPECT_EQ(o.release_keys[1].mark.line, 6);
    EXPECT_EQ(o.max_artifact_size, 256ULL * 1024 * 1024);
    EXPECT_EQ(o.handlers, (std::vector<std::string>{"deb", "file"}));
    EXPECT_EQ(o.staging_dir, "/var/lib/lintel/ota-staging");
    EXPECT_EQ(o.download.ca_file, "/etc/lintel/ota/ca.pem");
    EXPECT_EQ(o.download.client_cert, "/etc/lintel/tls/gateway.crt");
    EXPECT_EQ(o.download.client_key, "/etc/lintel/tls/gateway.key");
    EXPECT_EQ(o.download.bandwidth_limit, 512u * 1024);
    EXPECT_EQ(o.download.timeout, std::chrono::seconds(90));
    EXPECT_EQ(o.health_deadline, 5min);
}

TEST(OtaConfig, DisabledSectionMayBeIncomplete) {
    auto p = parse("ota: {enabled: false, handlers: [deb]}\n");
    EXPECT_TRUE(p.errors.empty()) << p.errors.to_string();
    EXPECT_FALSE(p.settings.enabled);
}

struct Bad {
    std::string yaml;
    std::string expected;  // one issue, as printed: "lintel.yaml:L:C: path: reason"
};

TEST(OtaConfig, EveryMistakeIsReportedWithItsPosition) {
    const std::string keys = "  release_keys: [{kid: k1, public_key: /k1.pub}]\n";
    const std::string head = "ota:\n  product: p\n  hardware: h\n";
    const std::vector<Bad> cases{
        {"ota:\n  hardware: h\n" + keys, "lintel.yaml:2:3: ota.product: required key is missing"},
        {"ota:\n  product: p\n" + keys, "ota.hardware: required key is missing"},
        {head, "lintel.yaml:2:3: ota: OTA is enabled but no release key is configured"},
        {"ota:\n  product: -p\n  hardware: h\n" + keys,
         "lintel.yaml:2:12: ota.product: \"-p\" must be 1-64 characters"},
        {head + "  release_keys:\n    - {kid: a, public_key: /a.pub}\n    - {kid: a, public_key: "
                "/b.pub}\n",
         "lintel.yaml:6:13: ota.release_keys[1].kid: duplicate release key kid \"a\""},
        {head + "  release_keys: [{kid: a, public_key: a.pub}]\n",
         "ota.release_keys[0].public_key: must be an absolute path, got \"a.pub\""},
        {head + "  release_keys: [{kid: a}]\n", "ota.release_keys[0].public_key: required key"},
        {head + "  release_keys: [{kid: a, public_key: /a.pub, principal: x}]\n",
         "ota.release_keys[0].principal: unknown key"},
        {head + "  release_keys: [{kid: a, public_key: /a.pub, revoked: maybe}]\n",
         "ota.release_keys[0].revoked"},
        {head + "  release_keys: /a.pub\n", "ota.release_keys: expected a list"},
        {head + keys + "  handlers: []\n", "ota.handlers: expected a non-empty list"},
        {head + keys + "  handlers: [deb, Deb]\n",
         "ota.handlers[1]: a handler name must be 1-64 characters of a-z 0-9 -"},
        {head + keys + "  handlers: [deb, deb]\n", "ota.handlers[1]: duplicate handler \"deb\""},
        {head + keys + "  max_artifact_size: 2TiB\n", "ota.max_artifact_size"},
        {head + keys + "  staging_dir: ota\n", "ota.staging_dir: must be an absolute path"},
        {head + keys + "  download: {client_cert: /c.pem}\n",
         "ota.download: client_cert and client_key go together"},
        {head + keys + "  download: {bandwidth_limit: 10}\n",
         "ota.download.bandwidth_limit: must be 0 (unlimited) or at least 1KiB"},
        {head + keys + "  download: {timeout: 1s}\n", "ota.download.timeout"},
        {head + keys + "  download: {proxy: http://p}\n", "ota.download.proxy: unknown key"},
        {head + keys + "  health_deadline: 1s\n", "ota.health_deadline"},
        {head + keys + "  auto_update: true\n", "ota.auto_update: unknown key"},
        {"ota: [1]\n", "ota:"},
    };
    for (const auto& c : cases) {
        auto p = parse(c.yaml);
        ASSERT_FALSE(p.errors.empty()) << c.yaml;
        EXPECT_NE(p.errors.to_string().find(c.expected), std::string::npos)
            << c.yaml << "\n-> " << p.errors.to_string();
    }
}

TEST(OtaConfig, IsPartOfTheMainConfig) {
    sdk::ConfigErrors errors;
    auto root = load_yaml_string(
        "gateway: {id: gw-001}\n"
        "uplink:\n  host: broker\n  tls: {ca_file: /ca, cert_file: /c, "
        "key_file: /k}\n" +
            k_full,
        "lintel.yaml", errors);
    ASSERT_TRUE(root) << errors.to_string();
    LoadOptions options;
    options.check_files = false;
    auto config = parse_main_config(*root, options, errors);
    ASSERT_TRUE(config) << errors.to_string();
    EXPECT_EQ(config->ota, parse(k_full).settings);

    auto bad = load_yaml_string(
        "gateway: {id: gw-001}\n"
        "uplink:\n  host: broker\n  tls: {ca_file: /ca, cert_file: /c, "
        "key_file: /k}\n"
        "ota: {product: p, hardware: h, release_keys: []}\n",
        "lintel.yaml", errors);
    ASSERT_TRUE(bad);
    EXPECT_FALSE(parse_main_config(*bad, options, errors));
    EXPECT_NE(errors.to_string().find("no release key is configured"), std::string::npos);
}

class OtaConfigFileTest : public ::testing::Test {
protected:
    std::filesystem::path write(const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        EXPECT_TRUE(lintel::test::write_file(path, text));
        return path;
    }
    lintel::test::TempDir dir_{"lintel-ota-config"};
};

TEST_F(OtaConfigFileTest, LoadsOnlyGatewayIdAndTheOtaSection) {
    // Everything but gateway.id and ota: is linteld's business, mistakes included.
    const auto file = write("lintel.yaml",
                            "gateway: {id: gw-001, extra: 1}\n"
                            "uplink: {host: 5, bogus: true}\n"
                            "no_such_section: {}\n" +
                                k_full);
    sdk::ConfigErrors errors;
    auto loaded = load_ota_config(file, errors);
    ASSERT_TRUE(loaded) << errors.to_string();
    EXPECT_EQ(loaded->gateway_id, "gw-001");
    auto expected = parse(k_full).settings;
    EXPECT_EQ(loaded->ota, expected);
}

TEST_F(OtaConfigFileTest, RefusesWhatItCannotTrust) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_ota_config(dir_ / "missing.yaml", errors));
    EXPECT_FALSE(errors.empty());

    errors = {};
    const auto no_id = write("no-id.yaml", "uplink: {}\n" + k_full);
    EXPECT_FALSE(load_ota_config(no_id, errors));
    EXPECT_NE(errors.to_string().find("gateway.id: required key is missing"), std::string::npos)
        << errors.to_string();

    errors = {};
    const auto bad_ota = write("bad-ota.yaml", "gateway: {id: gw}\nota: {product: p}\n");
    EXPECT_FALSE(load_ota_config(bad_ota, errors));
    EXPECT_NE(errors.to_string().find("bad-ota.yaml:2:6: ota.hardware"), std::string::npos)
        << errors.to_string();

    errors = {};
    const auto not_yaml = write("broken.yaml", "gateway: {id: [\n");
    EXPECT_FALSE(load_ota_config(not_yaml, errors));
}

TEST_F(OtaConfigFileTest, ReleaseKeysLoadFromTheirFiles) {
    auto ed = commands::test::make_private_key(dir_.path(), "ed", "ed25519");
    auto p256 = commands::test::make_private_key(dir_.path(), "p256", "p256");
    auto rsa = commands::test::make_private_key(dir_.path(), "rsa", "rsa2048");
    ASSERT_TRUE(ed && p256 && rsa);
    auto ed_pub = commands::test::public_pem_of(dir_.path(), "ed", *ed);
    auto p256_pub = commands::test::public_pem_of(dir_.path(), "p256", *p256);
    auto rsa_pub = commands::test::public_pem_of(dir_.path(), "rsa", *rsa);
    ASSERT_TRUE(ed_pub && p256_pub && rsa_pub);

    OtaSettings settings;
    settings.release_keys = {{"ed", *ed_pub, false, {}}, {"p256", *p256_pub, true, {}}};
    sdk::ConfigErrors errors;
    auto keys = ota::ReleaseKeys::load(settings, errors);
    ASSERT_TRUE(keys) << errors.to_string();
    EXPECT_EQ(keys->size(), 2u);
    ASSERT_NE(keys->find("p256"), nullptr);
    EXPECT_TRUE(keys->find("p256")->revoked);
    EXPECT_EQ(keys->find("p256")->key.type(), commands::KeyType::p256);
    EXPECT_EQ(keys->find("nobody"), nullptr);

    settings.release_keys = {{"rsa", *rsa_pub, false, {"lintel.yaml", 7, 7}},
                             {"gone", dir_ / "gone.pub", false, {"lintel.yaml", 8, 7}}};
    errors = {};
    EXPECT_FALSE(ota::ReleaseKeys::load(settings, errors));
    const std::string text = errors.to_string();
    EXPECT_NE(text.find("lintel.yaml:7:7: ota.release_keys: release key \"rsa\""),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("release keys must be Ed25519 or P-256"), std::string::npos) << text;
    EXPECT_NE(text.find("lintel.yaml:8:7: ota.release_keys: release key \"gone\""),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace lintel::core
