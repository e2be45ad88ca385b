// run_ota_recover: find a pending install, roll it back once, log every decision on one line.
#include "helper/ota_recover.hpp"

#include <optional>

#include "helper/helper_log.hpp"
#include "helper/ota_records.hpp"
#include "helper/ota_request.hpp"
#include "helper/ota_session.hpp"

namespace lintel::helper {
namespace {

using Clock = std::chrono::steady_clock;

struct Recovery {
    const bool check_only;
    const std::string what;  // "deb/lintel"

    int nothing(const std::string& why) const {
        log_line(LogLevel::info, prefix() + why + "; nothing to do");
        return check_only ? k_check_nothing : k_recover_done;
    }
    int failed(const std::string& why) const {
        log_line(LogLevel::error, prefix() + why);
        return check_only ? k_check_error : k_recover_failed;
    }
    std::string prefix() const {
        return std::string(check_only ? "ota-recover-check " : "ota-recover ") + what + ": ";
    }
};

}  // namespace

int run_ota_recover(const ActionContext& context, const std::string& component, bool check_only) {
    const std::string handler(k_recover_handler);
    const Recovery r{check_only, handler + "/" + component};
    const auto deadline = Clock::now() + k_recover_lock_wait + default_timeout(OtaStep::rollback);
    auto session = OtaSession::open(check_only ? "ota-recover-check" : "ota-recover", context,
                                    handler, component, deadline, k_recover_lock_wait);
    if (!session) return r.failed(session.error().code + " (" + session.error().message + ")");
    auto installed = (*session)->handler().installed_version((*session)->request());
    if (!installed) {
        return r.failed("cannot tell what is installed: " + installed.error().code + " (" +
                        installed.error().message + ")");
    }
    const std::string now = installed->version.value_or("nothing");
    auto pending = installed->details.find("pending");
    if (pending == installed->details.end() || pending->second != "yes") {
        return r.nothing("no install is pending (installed: " + now + ")");
    }
    auto records = OtaRecords::open((*session)->dirs().root, handler, component);
    if (!records) return r.failed(records.error().message);
    auto attempted = records->recovery_attempted();
    if (!attempted) return r.failed(attempted.error().message);
    auto release = records->pending();
    if (!release) return r.failed(release.error().message);
    const std::string version = *release ? (**release).version : now;
    const std::string label =
        *release ? "release " + (**release).id + " (" + version + ")" : "the install of " + version;
    if (*attempted) {
        return r.nothing(label + " is pending, but recovery already tried to roll it back once");
    }
    if (check_only) {
        log_line(LogLevel::warning, r.prefix() + label + " is pending: recovery will roll it back");
        return k_check_work;
    }
    // Marked before the rollback: whatever happens next, this install is never tried twice.
    if (auto marked = records->mark_recovery_attempted(version); !marked) {
        return r.failed(marked.error().message);
    }
    log_line(LogLevel::warning,
             r.prefix() + "lintel.service failed with " + label + " pending; rolling it back");
    sdk::UpdateRequest call = (*session)->request();
    call.version = version;
    auto rolled = (*session)->handler().rollback(call);
    if (!rolled) {
        return r.failed("rollback of " + label + " failed: " + rolled.error().code + " (" +
                        rolled.error().message + "); not tried again");
    }
    if (auto forgot = records->forget_pending(); !forgot) {
        log_line(LogLevel::warning, r.prefix() + forgot.error().message);
    }
    log_line(LogLevel::warning, r.prefix() + "rolled back " + label + ": now " +
                                    rolled->version.value_or("nothing") + " is installed");
    return k_recover_done;
}

}  // namespace lintel::helper
