// OtaPorts for the OTA service's tests: a "manifest" is the plan's JSON, downloads write the
// artifact's bytes (or fail, or hang until cancelled), the "installed" version is a member,
// and every call is counted so tests assert what the service did and did not do.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ota/ota_ports.hpp"
#include "ota/ota_service.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::ota::test {

class FakeOtaPorts : public OtaPorts {
public:
    explicit FakeOtaPorts(asio::any_io_executor ex) : hang_(ex) {}

    // Behaviour, set by tests.
    std::string installed = "1.0";
    int transient_download_failures = 0;  // the next N downloads fail with ota.download_failed
    bool hang_downloads = false;          // a download waits until cancel_download()
    bool hang_installs = false;           // an install never returns (linteld dies in it)
    bool corrupt_downloads = false;       // wrong bytes: check_artifact fails
    std::optional<Error> install_error;
    bool reboot_required = false;
    bool is_healthy = true;
    bool accept_reports = true;
    std::string boot = "boot-1";

    // What happened.
    int downloads = 0, installs = 0, commits = 0, rollbacks = 0, reboots = 0;
    std::vector<nlohmann::json> events;

    static std::string manifest(const std::string& version, const std::string& min_version = "") {
        UpdatePlan p;
        p.release_id = "rel-" + version;
        p.component = "lintel";
        p.version = version;
        p.handler = "deb";
        p.min_version = min_version;
        p.artifacts = {Artifact{"a.bin", "https://127.0.0.1/a.bin", "00", 5},
                       Artifact{"b.bin", "https://127.0.0.1/b.bin", "00", 3}};
        p.params = {{"k", "v"}};
        return plan_to_json(p).dump();
    }

    Expected<UpdatePlan> accept(std::string_view manifest,
                                const std::map<std::string, std::string>& floors) override {
        auto plan = plan_from_json(std::string(manifest));
        if (!plan) return make_error("ota.malformed", plan.error().message);
        if (auto f = floors.find(plan->component);
            f != floors.end() && compare_versions(plan->version, f->second) < 0) {
            return make_error("ota.below_floor", "below the floor " + f->second);
        }
        return plan;
    }
    int compare_versions(std::string_view a, std::string_view b) override {
        const double x = std::stod(std::string(a));
        const double y = std::stod(std::string(b));
        return x < y ? -1 : (x > y ? 1 : 0);
    }

    asio::awaitable<Expected<void>> download(const Artifact& artifact,
                                             const std::filesystem::path& destination,
                                             ProgressFn progress) override {
        ++downloads;
        if (hang_downloads) {
            cancelled_ = false;
            hang_.expires_after(std::chrono::hours(1));
            boost::system::error_code ec;
            co_await hang_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (cancelled_) co_return make_error("ota.aborted", "download cancelled");
        }
        if (transient_download_failures > 0) {
            --transient_download_failures;
            co_return make_error("ota.download_failed", "connection refused");
        }
        std::ofstream(destination) << std::string(artifact.size, corrupt_downloads ? 'x' : 'a');
        progress(artifact.size, artifact.size);
        co_return Expected<void>{};
    }
    void cancel_download() override {
        cancelled_ = true;
        hang_.cancel();
    }
    Expected<void> check_artifact(const Artifact& artifact,
                                  const std::filesystem::path& file) override {
        std::ifstream in(file);
        std::string content((std::istreambuf_iterator<char>(in)), {});
        if (content.size() != artifact.size) return make_error("ota.size_mismatch", "size");
        if (content.find('x') != std::string::npos) return make_error("ota.hash_mismatch", "hash");
        return {};
    }

    asio::awaitable<Expected<std::optional<std::string>>> installed_version(
        const UpdatePlan&) override {
        co_return std::optional<std::string>(installed);
    }
    asio::awaitable<Expected<InstallOutcome>> install(
        const UpdatePlan& plan, std::string_view,
        const std::vector<std::filesystem::path>& files) override {
        ++installs;
        installed_files = files;
        if (hang_installs) {
            hang_.expires_after(std::chrono::hours(1));
            boost::system::error_code ec;
            co_await hang_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            co_return make_error("ota.install_failed", "interrupted");
        }
        if (install_error) co_return std::unexpected(*install_error);
        previous_ = installed;
        installed = plan.version;
        co_return InstallOutcome{reboot_required};
    }
    asio::awaitable<Expected<void>> commit(const UpdatePlan&) override {
        ++commits;
        co_return Expected<void>{};
    }
    asio::awaitable<Expected<void>> rollback(const UpdatePlan&) override {
        ++rollbacks;
        if (!previous_.empty()) installed = previous_;
        co_return Expected<void>{};
    }
    asio::awaitable<Expected<void>> reboot() override {
        ++reboots;
        co_return Expected<void>{};
    }
    std::string boot_id() override { return boot; }
    bool healthy(const UpdatePlan& plan) override {
        return is_healthy && installed == plan.version;
    }
    bool report(const nlohmann::json& event) override {
        if (!accept_reports) return false;
        events.push_back(event);
        return true;
    }

    std::vector<std::filesystem::path> installed_files;

private:
    asio::steady_timer hang_;
    bool cancelled_ = false;
    std::string previous_;
};

}  // namespace lintel::ota::test
