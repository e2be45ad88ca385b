// Update-handler plugins for the loader's tests, one source built four ways (CMake defines):
//   LINTEL_TEST_HANDLER_OK         a valid handler "probe" that answers version "1.2.3"
//   LINTEL_TEST_HANDLER_SDK=N      declares update-handler SDK version N
//   LINTEL_TEST_HANDLER_NO_ENTRY   exports no entry symbol
//   LINTEL_TEST_HANDLER_DRIVER_TOO exports the driver entry symbol as well
#include "lintel/update_handler.hpp"

namespace {

class Probe : public lintel::sdk::UpdateHandler {
public:
    lintel::Expected<lintel::sdk::InstalledVersion> installed_version(
        const lintel::sdk::HandlerCall&) override {
        return lintel::sdk::InstalledVersion{std::string("1.2.3"), {}};
    }
    lintel::Expected<lintel::sdk::UpdateResult> install(
        const lintel::sdk::UpdateRequest&) override {
        return lintel::sdk::UpdateResult{};
    }
    lintel::Expected<lintel::sdk::UpdateResult> commit(const lintel::sdk::UpdateRequest&) override {
        return lintel::sdk::UpdateResult{};
    }
    lintel::Expected<lintel::sdk::UpdateResult> rollback(
        const lintel::sdk::UpdateRequest&) override {
        return lintel::sdk::UpdateResult{};
    }
};

}  // namespace

#if defined(LINTEL_TEST_HANDLER_OK) || defined(LINTEL_TEST_HANDLER_DRIVER_TOO)
LINTEL_UPDATE_HANDLER("probe", "9.9.9", Probe)
#elif defined(LINTEL_TEST_HANDLER_SDK)
extern "C" __attribute__((visibility("default"))) const lintel_update_handler_info*
lintel_update_handler_entry() {
    static const lintel_update_handler_info info{
        LINTEL_TEST_HANDLER_SDK, "probe", "9.9.9",
        []() -> lintel::sdk::UpdateHandler* { return new (std::nothrow) Probe(); },
        [](lintel::sdk::UpdateHandler* h) { delete h; }};
    return &info;
}
#endif

#ifdef LINTEL_TEST_HANDLER_DRIVER_TOO
// Only the symbol matters to the loader; it is never called.
extern "C" __attribute__((visibility("default"))) const void* lintel_plugin_entry() {
    return nullptr;
}
#endif
