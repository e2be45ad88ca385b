// Integration test: the built http.so and mqtt.so load through dlopen (all their symbols
// resolve: RTLD_NOW) and report their entry: SDK version, driver name, a working factory.
#include <dlfcn.h>

#include <gtest/gtest.h>

#include <string>

#include "lintel/plugin.hpp"

namespace {

class IpPluginLoad : public ::testing::TestWithParam<const char*> {};

TEST_P(IpPluginLoad, EntryReportsSdkVersionAndName) {
    const std::string name = GetParam();
    const std::string path = std::string(LINTEL_PLUGIN_BUILD_DIR) + "/" + name + ".so";
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    auto entry =
        reinterpret_cast<lintel_plugin_entry_fn>(dlsym(handle, LINTEL_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(entry, nullptr) << dlerror();
    const lintel_plugin_info* info = entry();
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->sdk_version, lintel::sdk::kSdkVersion);
    EXPECT_EQ(info->name, name);
    lintel::sdk::Driver* driver = info->create_driver();
    ASSERT_NE(driver, nullptr);
    info->destroy_driver(driver);
    EXPECT_EQ(dlclose(handle), 0);
}

INSTANTIATE_TEST_SUITE_P(Drivers, IpPluginLoad, ::testing::Values("http", "mqtt"));

}  // namespace
