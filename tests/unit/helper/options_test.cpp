// lintel-helper's command line.
#include "helper/options.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lintel::helper {
namespace {

Expected<Options> parse(std::vector<const char*> args) { return parse_options(args); }

TEST(Options, Defaults) {
    auto o = parse({});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->allow_user, "lintel");
    EXPECT_TRUE(o->dpkg_admindir.empty()) << "dpkg's own database unless told";
    EXPECT_EQ(o->config_dir, "/etc/lintel");
    EXPECT_EQ(o->read_timeout, std::chrono::seconds(5));
    EXPECT_FALSE(o->show_help);
    EXPECT_FALSE(o->show_version);
}

TEST(Options, BothSpellingsOfValues) {
    auto o = parse({"--allow-user", "root", "--dpkg-admindir=/tmp/adm", "--read-timeout", "250ms",
                    "--config-dir", "/tmp/etc"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->allow_user, "root");
    EXPECT_EQ(o->dpkg_admindir, "/tmp/adm");
    EXPECT_EQ(o->config_dir, "/tmp/etc");
    EXPECT_EQ(parse({"--config-dir=/srv/lintel"})->config_dir, "/srv/lintel");
    EXPECT_EQ(o->read_timeout, std::chrono::milliseconds(250));
    auto s = parse({"--read-timeout=2s"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->read_timeout, std::chrono::seconds(2));
    EXPECT_TRUE(parse({"--help"})->show_help);
    EXPECT_TRUE(parse({"--version"})->show_version);
}

TEST(Options, ErrorsNameTheOption) {
    struct Case {
        std::vector<const char*> args;
        const char* expect;
    };
    for (const auto& c : std::vector<Case>{
             {{"--frobnicate"}, "unknown option \"--frobnicate\""},
             {{"--allow-user"}, "--allow-user needs"},
             {{"--allow-user="}, "--allow-user needs"},
             {{"--dpkg-admindir", "relative/dir"}, "--dpkg-admindir must be an absolute path"},
             {{"--dpkg-admindir"}, "--dpkg-admindir needs a directory"},
             {{"--config-dir", "etc/lintel"}, "--config-dir must be an absolute path"},
             {{"--config-dir="}, "--config-dir needs a directory"},
             {{"--config-dir"}, "--config-dir needs a directory"},
             {{"--read-timeout", "5"}, "not a duration"},
             {{"--read-timeout", "0ms"}, "not a duration"},
             {{"--read-timeout", "61s"}, "not a duration"},
             {{"--read-timeout", "60001ms"}, "not a duration"},
             {{"--read-timeout", "18446744073709551615s"}, "not a duration"},
             {{"--read-timeout", "-1s"}, "not a duration"},
             {{"--read-timeout", "ms"}, "not a duration"},
             {{"--read-timeout"}, "needs a duration"},
         }) {
        auto o = parse(c.args);
        ASSERT_FALSE(o) << c.args[0];
        EXPECT_EQ(o.error().code, "helper.usage");
        EXPECT_NE(o.error().message.find(c.expect), std::string::npos) << o.error().message;
    }
    EXPECT_TRUE(parse({"--read-timeout", "60s"}));
}

TEST(Options, OtaDirectoriesAndHandlerSettings) {
    auto o = parse({"--plugin-dir", "/opt/plugins", "--ota-staging-dir=/srv/staging",
                    "--ota-state-dir", "/srv/state", "--handler-setting", "deb.root=/tmp/r",
                    "--handler-setting=file.allowed_dirs=/a:/b", "--handler-setting",
                    "deb.root=/tmp/later"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->plugin_dir, "/opt/plugins");
    EXPECT_EQ(o->ota_staging_dir, "/srv/staging");
    EXPECT_EQ(o->ota_state_dir, "/srv/state");
    EXPECT_EQ(o->handler_settings.at("deb").at("root"), "/tmp/later");  // the later one wins
    EXPECT_EQ(o->handler_settings.at("file").at("allowed_dirs"), "/a:/b");
    EXPECT_EQ(parse({})->plugin_dir, default_plugin_dir());
    for (auto bad : {"deb", "deb.root", ".root=x", "deb.=x"}) {
        auto refused = parse({"--handler-setting", bad});
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().message.find("NAME.KEY=VALUE"), std::string::npos);
    }
    EXPECT_FALSE(parse({"--plugin-dir", "relative"}));
}

TEST(Options, UsageNamesEveryOptionAndItsDefault) {
    const std::string usage = usage_text();
    for (auto text : {"--allow-user NAME",
                      "--config-dir DIR",
                      "(default: /etc/lintel)",
                      "--dpkg-admindir DIR",
                      "--read-timeout DURATION",
                      "--plugin-dir DIR",
                      "--ota-staging-dir DIR",
                      "(default: /var/lib/lintel/ota/staging)",
                      "--ota-state-dir DIR",
                      "--handler-setting NAME.KEY=VALUE",
                      "--reboot-command",
                      "(default: /bin/systemctl reboot)",
                      "--ota-recover COMPONENT",
                      "--ota-recover-check COMPONENT",
                      "--wpa-config-dir DIR",
                      "(default: /etc/wpa_supplicant)",
                      "--wpa-ctrl-dir DIR",
                      "(default: /run/wpa_supplicant)",
                      "--wpa-group NAME",
                      "(default: lintel)",
                      "--version",
                      "--help"}) {
        EXPECT_NE(usage.find(text), std::string::npos) << text << " missing from:\n" << usage;
    }
    std::size_t start = 0;
    for (auto end = usage.find('\n'); end != std::string::npos; end = usage.find('\n', start)) {
        EXPECT_LE(end - start, 80u)
            << "a usage line is wider than a terminal: " << usage.substr(start, end - start);
        start = end + 1;
    }
}

TEST(Options, WpaDirectoriesAndGroup) {
    auto d = parse({});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->wpa_config_dir, "/etc/wpa_supplicant");
    EXPECT_EQ(d->wpa_ctrl_dir, "/run/wpa_supplicant");
    EXPECT_EQ(d->wpa_group, "lintel");
    auto o = parse({"--wpa-config-dir", "/tmp/w", "--wpa-ctrl-dir=/tmp/c", "--wpa-group", "root"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->wpa_config_dir, "/tmp/w");
    EXPECT_EQ(o->wpa_ctrl_dir, "/tmp/c");
    EXPECT_EQ(o->wpa_group, "root");
    for (auto bad : std::vector<std::vector<const char*>>{{"--wpa-config-dir", "relative"},
                                                          {"--wpa-ctrl-dir"},
                                                          {"--wpa-group", "a b"},
                                                          {"--wpa-group", ""}}) {
        auto r = parse(bad);
        ASSERT_FALSE(r) << bad[0];
        EXPECT_EQ(r.error().code, "helper.usage");
    }
}

TEST(Options, RebootCommandAndRecoveryModes) {
    auto d = parse({});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->reboot_command, (std::vector<std::string>{"/bin/systemctl", "reboot"}));
    EXPECT_FALSE(d->ota_recover);
    auto o = parse({"--reboot-command", "  /usr/local/bin/reboot-now  --soft now ", "--ota-recover",
                    "lintel"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->reboot_command,
              (std::vector<std::string>{"/usr/local/bin/reboot-now", "--soft", "now"}));
    EXPECT_EQ(o->ota_recover, "lintel");
    EXPECT_FALSE(o->ota_recover_check);
    auto c = parse({"--ota-recover-check=lintel"});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->ota_recover, "lintel");
    EXPECT_TRUE(c->ota_recover_check);
    for (auto bad : std::vector<std::vector<const char*>>{
             {"--reboot-command", "systemctl reboot"},
             {"--reboot-command", "   "},
             {"--ota-recover", "Lintel"},
             {"--ota-recover", "../x"},
             {"--ota-recover"},
             {"--ota-recover", "lintel", "--ota-recover-check", "lintel"}}) {
        auto r = parse(bad);
        ASSERT_FALSE(r) << bad[0];
        EXPECT_EQ(r.error().code, "helper.usage");
        EXPECT_NE(r.error().message.find("--"), std::string::npos);
    }
}

}  // namespace
}  // namespace lintel::helper
