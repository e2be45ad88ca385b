// PluginHost: missing plugin, not-a-plugin and path-escaping names are clear errors, never crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/logging.hpp"
#include "core/plugin_host.hpp"

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

TEST(PluginHost, MissingPluginIsAnErrorNamingThePath) {
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::error);
    PluginHost host("/nonexistent/plugins", log);
    auto d = host.driver("bacnet");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "plugin.missing");
    EXPECT_NE(d.error().message.find("/nonexistent/plugins/bacnet.so"), std::string::npos);
    // Remembered: the second device asking gets the same answer without another attempt.
    EXPECT_EQ(host.driver("bacnet").error().code, "plugin.missing");
}

TEST(PluginHost, FileThatIsNotASharedObjectIsRefused) {
    const fs::path dir =
        fs::temp_directory_path() / ("lintel-plugin-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "junk.so") << "not an ELF file";
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::error);
    PluginHost host(dir, log);
    auto d = host.driver("junk");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "plugin.load_failed");
    fs::remove_all(dir);
}

TEST(PluginHost, NameCannotEscapeThePluginDirectory) {
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::error);
    PluginHost host("/usr/lib/lintel/plugins", log);
    EXPECT_EQ(host.driver("../../tmp/evil").error().code, "plugin.bad_name");
}

}  // namespace
}  // namespace lintel::core
