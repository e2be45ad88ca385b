// Integration test: the built modbus.so loads through dlopen and reports the right entry.
#include <dlfcn.h>

#include <gtest/gtest.h>

#include <string>

#include "lintel/plugin.hpp"

namespace {

TEST(ModbusPluginLoad, EntryReportsSdkVersionAndName) {
    const std::string path = std::string(LINTEL_PLUGIN_BUILD_DIR) + "/modbus.so";
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    void* symbol = dlsym(handle, LINTEL_PLUGIN_ENTRY_SYMBOL);
    ASSERT_NE(symbol, nullptr) << dlerror();
    auto entry = reinterpret_cast<lintel_plugin_entry_fn>(symbol);
    const lintel_plugin_info* info = entry();
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->sdk_version, lintel::sdk::kSdkVersion);
    EXPECT_STREQ(info->name, "modbus");
    EXPECT_STREQ(info->version, "0.1.0");
    ASSERT_NE(info->create_driver, nullptr);
    lintel::sdk::Driver* driver = info->create_driver();
    ASSERT_NE(driver, nullptr);
    info->destroy_driver(driver);
    EXPECT_EQ(dlclose(handle), 0);
}

}  // namespace
