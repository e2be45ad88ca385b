// Loading update-handler plugins: the good one loads and answers; wrong owner or mode, a
// symlink, another SDK version, no entry symbol and a driver symbol too are refused with their
// codes and the path; an untrusted directory refuses everything.
#include "helper/handler_loader.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "helper/ota_codes.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const fs::path k_built = fs::path(LINTEL_BUILD_DIR) / "tests" / "handler_plugins";

class HandlerLoader : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0); }
    // Copies a built test plugin into the (trusted) test directory as `as`, mode 0644.
    fs::path install(const std::string& built, const std::string& as) {
        const fs::path target = dir_ / as;
        fs::copy_file(k_built / (built + ".so"), target, fs::copy_options::overwrite_existing);
        ::chmod(target.c_str(), 0644);
        return target;
    }
    TempDir dir_{"lintel-handler-loader"};
};

TEST_F(HandlerLoader, AGoodPluginLoadsUnderItsDeclaredNameAndAnswers) {
    install("ota-test-ok", "ota-whatever.so");  // the file name does not matter
    auto set = HandlerSet::load(dir_.path());
    ASSERT_TRUE(set) << set.error().message;
    auto plugin = set->find("probe");
    ASSERT_TRUE(plugin) << plugin.error().message;
    EXPECT_EQ((*plugin)->plugin_version(), "9.9.9");
    auto handler = (*plugin)->create();
    ASSERT_TRUE(handler) << handler.error().message;
    sdk::HandlerCall call;
    auto version = (*handler)->installed_version(call);
    ASSERT_TRUE(version);
    EXPECT_EQ(version->version, "1.2.3");
}

TEST_F(HandlerLoader, UnknownHandlerListsTheKnownOnes) {
    install("ota-test-ok", "ota-probe.so");
    auto set = HandlerSet::load(dir_.path());
    ASSERT_TRUE(set);
    auto plugin = set->find("deb");
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::unknown_handler);
    EXPECT_NE(plugin.error().message.find("known: probe"), std::string::npos)
        << plugin.error().message;
}

TEST_F(HandlerLoader, OnlyOtaFilesAreConsidered) {
    install("ota-test-ok", "probe.so");  // a driver's name pattern: never dlopened here
    auto set = HandlerSet::load(dir_.path());
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->plugins().empty());
    EXPECT_TRUE(set->refused().empty());
}

TEST_F(HandlerLoader, SdkMismatchIsRefusedWithBothVersions) {
    const auto file = install("ota-test-sdk99", "ota-probe.so");
    auto plugin = HandlerPlugin::load(file);
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::plugin_sdk_mismatch);
    EXPECT_NE(plugin.error().message.find(file.string()), std::string::npos);
    EXPECT_NE(plugin.error().message.find("version 99, this lintel-helper speaks 1"),
              std::string::npos)
        << plugin.error().message;
    // Through the set, the refusal explains why the handler is missing.
    auto set = HandlerSet::load(dir_.path());
    ASSERT_TRUE(set);
    auto found = set->find("probe");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ota_codes::plugin_sdk_mismatch);
}

TEST_F(HandlerLoader, MissingEntrySymbolIsRefused) {
    const auto file = install("ota-test-no-entry", "ota-probe.so");
    auto plugin = HandlerPlugin::load(file);
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::plugin_invalid);
    EXPECT_NE(plugin.error().message.find("no lintel_update_handler_entry symbol"),
              std::string::npos)
        << plugin.error().message;
}

TEST_F(HandlerLoader, APluginThatIsAlsoADriverIsRefused) {
    auto plugin = HandlerPlugin::load(install("ota-test-driver-too", "ota-probe.so"));
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::plugin_invalid);
    EXPECT_NE(plugin.error().message.find("lintel_plugin_entry too"), std::string::npos)
        << plugin.error().message;
}

TEST_F(HandlerLoader, GroupOrWorldWritablePluginIsRefusedNamingIt) {
    for (mode_t mode : {mode_t{0664}, mode_t{0646}}) {
        const auto file = install("ota-test-ok", "ota-probe.so");
        ASSERT_EQ(::chmod(file.c_str(), mode), 0);
        auto plugin = HandlerPlugin::load(file);
        ASSERT_FALSE(plugin);
        EXPECT_EQ(plugin.error().code, ota_codes::plugin_untrusted);
        EXPECT_NE(plugin.error().message.find(file.string()), std::string::npos);
        EXPECT_NE(plugin.error().message.find("writable by group or others"), std::string::npos);
    }
}

TEST_F(HandlerLoader, PluginOwnedBySomeoneElseIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the plugin another owner";
    const auto file = install("ota-test-ok", "ota-probe.so");
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
    auto plugin = HandlerPlugin::load(file);
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::plugin_untrusted);
    EXPECT_NE(plugin.error().message.find("owned by uid 65534"), std::string::npos)
        << plugin.error().message;
}

TEST_F(HandlerLoader, SymlinkedPluginIsRefused) {
    const auto real = install("ota-test-ok", "real.so");
    fs::create_symlink(real, dir_ / "ota-probe.so");
    auto plugin = HandlerPlugin::load(dir_ / "ota-probe.so");
    ASSERT_FALSE(plugin);
    EXPECT_EQ(plugin.error().code, ota_codes::plugin_untrusted);
    EXPECT_NE(plugin.error().message.find("symbolic link"), std::string::npos);
}

TEST_F(HandlerLoader, UntrustedDirectoryRefusesEverything) {
    install("ota-test-ok", "ota-probe.so");
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0777), 0);  // world-writable, not sticky
    auto set = HandlerSet::load(dir_.path());
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().code, ota_codes::plugin_untrusted);
    EXPECT_NE(set.error().message.find(dir_.path().string()), std::string::npos);
    // Sticky does not help the plugin directory itself: anyone could add a plugin to it.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 01777), 0);
    EXPECT_FALSE(HandlerSet::load(dir_.path()));
}

TEST_F(HandlerLoader, LoadsWithoutProcAsInABareChroot) {
    // The install test's chroot has no /proc: the loader falls back to the checked path.
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace without /proc";
    install("ota-test-ok", "ota-a.so");
    install("ota-test-sdk99", "ota-b.so");
    const std::string dir = dir_.path().string();
    const pid_t child = ::fork();
    if (child == 0) {
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("tmpfs", "/proc", "tmpfs", 0, nullptr) != 0) {
            _exit(10);
        }
        auto set = HandlerSet::load(dir);
        if (!set || set->plugins().size() != 1 || set->plugins()[0].name() != "probe") _exit(11);
        if (set->refused().size() != 1 ||
            set->refused()[0].code != ota_codes::plugin_sdk_mismatch) {
            _exit(12);
        }
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: namespace, 11: good plugin, 12: refusal";
}

TEST_F(HandlerLoader, TwoPluginsDeclaringOneNameKeepTheFirst) {
    install("ota-test-ok", "ota-a.so");
    install("ota-test-ok", "ota-b.so");
    auto set = HandlerSet::load(dir_.path());
    ASSERT_TRUE(set);
    ASSERT_EQ(set->plugins().size(), 1u);
    EXPECT_EQ(set->plugins()[0].file().filename(), "ota-a.so");
    ASSERT_EQ(set->refused().size(), 1u);
    EXPECT_NE(set->refused()[0].message.find("declares too"), std::string::npos);
}

}  // namespace
}  // namespace lintel::helper
