// DaemonOtaPorts (daemon_ota_ports.hpp): what the OTA service asks, answered by the manifest
// library, the downloader, lintel-helper and the uplink.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "app/daemon_ota_ports.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>

#include "helper/helper_client.hpp"
#include "lintel/point.hpp"  // now_unix_ms
#include "ota/artifact_check.hpp"
#include "ota/manifest_verifier.hpp"
#include "ota/reason_codes.hpp"
#include "ota/version.hpp"

namespace lintel::app {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// lintel-helper's own step deadlines (docs/helper.md), and what this side waits beyond them.
constexpr std::chrono::seconds k_install_timeout{900};
constexpr std::chrono::seconds k_settle_timeout{600};  // commit, rollback
constexpr std::chrono::seconds k_query_timeout{60};    // installed-version, reboot
constexpr std::chrono::seconds k_client_margin{30};
// The helper's code when another call holds the handler's lock.
constexpr std::string_view k_helper_busy = "ota.busy";
// The helper's code for commit/rollback without a pending install.
constexpr std::string_view k_nothing_pending = "ota.nothing_pending";

json helper_params(const ota::UpdatePlan& plan, bool with_version) {
    json p{{"handler", plan.handler}, {"component", plan.component}};
    if (with_version) p["version"] = plan.version;
    if (!plan.params.empty()) p["params"] = plan.params;
    return p;
}

std::optional<std::string> optional_string(const json& result, const char* key) {
    auto it = result.find(key);
    if (it == result.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// A helper that cannot be reached, or answers with its own codes, fails the step with the OTA
// reason the lifecycle knows; the helper's words stay in the message.
Error as_step_error(const Error& e, std::string_view step_reason) {
    if (e.code.starts_with("ota.")) return e;
    return Error{std::string(step_reason), e.code + ": " + e.message};
}

}  // namespace

Expected<std::unique_ptr<DaemonOtaPorts>> DaemonOtaPorts::create(
    asio::any_io_executor executor, const core::OtaSettings& settings, std::string gateway_id,
    fs::path helper_socket, store::OtaDb& db, DaemonOtaHooks hooks, sdk::Logger& log) {
    sdk::ConfigErrors errors;
    auto keys = ota::ReleaseKeys::load(settings, errors);
    if (!keys) {
        return make_error("config.invalid", "OTA release keys: " + errors.to_string());
    }
    return std::unique_ptr<DaemonOtaPorts>(
        new DaemonOtaPorts(std::move(executor), settings, std::move(*keys), std::move(gateway_id),
                           std::move(helper_socket), db, std::move(hooks), log));
}

DaemonOtaPorts::DaemonOtaPorts(asio::any_io_executor executor, core::OtaSettings settings,
                               ota::ReleaseKeys keys, std::string gateway_id,
                               fs::path helper_socket, store::OtaDb& db, DaemonOtaHooks hooks,
                               sdk::Logger& log)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      keys_(std::move(keys)),
      gateway_id_(std::move(gateway_id)),
      helper_socket_(std::move(helper_socket)),
      db_(db),
      hooks_(std::move(hooks)),
      log_(log) {}

Expected<void> DaemonOtaPorts::update_settings(const core::OtaSettings& settings) {
    sdk::ConfigErrors errors;
    auto keys = ota::ReleaseKeys::load(settings, errors);
    if (!keys) return make_error("config.invalid", "OTA release keys: " + errors.to_string());
    settings_ = settings;
    keys_ = std::move(*keys);
    return {};
}

Expected<ota::UpdatePlan> DaemonOtaPorts::accept(std::string_view manifest,
                                                 const std::map<std::string, std::string>& floors) {
    auto m = ota::verify_manifest(manifest, keys_, sdk::now_unix_ms());
    if (!m) return std::unexpected(m.error());
    // What is installed, as far as linteld knows without asking root: itself, or what an OTA
    // update committed last. lintel-helper checks again against what the handler reports.
    std::optional<std::string> installed;
    if (m->component == k_self_component) {
        installed = hooks_.running_version;
    } else if (auto committed = db_.committed_version(m->component); committed) {
        installed = *committed;
    }
    std::optional<std::string> floor;
    if (auto f = floors.find(m->component); f != floors.end()) floor = f->second;
    ota::GatewayFacts facts{gateway_id_, settings_.product, settings_.hardware};
    if (auto ok = ota::check_applicable(*m, facts, installed, floor, settings_.handlers,
                                        settings_.max_artifact_size);
        !ok) {
        return std::unexpected(ok.error());
    }
    ota::UpdatePlan plan;
    plan.release_id = m->id;
    plan.component = m->component;
    plan.version = m->version;
    plan.handler = m->handler;
    plan.min_version = m->min_version.value_or("");
    plan.artifacts = m->artifacts;
    plan.params = m->params;
    return plan;
}

int DaemonOtaPorts::compare_versions(std::string_view a, std::string_view b) {
    return ota::compare_versions(a, b);
}

ota::DownloadSettings DaemonOtaPorts::download_settings() const {
    ota::DownloadSettings s;
    const auto& d = settings_.download;
    s.ca = d.ca_file.value_or(fs::path(std::string(k_system_ca_bundle)));
    if (d.client_cert) s.client_cert = *d.client_cert;
    if (d.client_key) s.client_key = *d.client_key;
    s.bandwidth_limit = d.bandwidth_limit;
    s.timeout = d.timeout;
    s.free_space = hooks_.free_space;
    return s;
}

asio::awaitable<Expected<void>> DaemonOtaPorts::download(const ota::Artifact& artifact,
                                                         const fs::path& destination,
                                                         ota::ProgressFn progress) {
    // Made per download: a renewed client certificate or CA file is picked up.
    auto made = ota::Downloader::create(executor_, download_settings());
    if (!made) co_return std::unexpected(made.error());
    auto downloader = std::make_shared<ota::Downloader>(std::move(*made));
    downloader_ = downloader;
    ota::DownloadRequest request{artifact.url, artifact.size, destination};
    ota::ProgressHandler on_progress = [progress](std::uint64_t bytes, std::uint64_t total) {
        if (progress) progress(bytes, total);
    };
    auto got = co_await downloader->fetch(std::move(request), std::move(on_progress));
    if (downloader_ == downloader) downloader_.reset();
    if (!got) co_return std::unexpected(got.error());
    // The hash is checked against the manifest by the verifying step (check_artifact).
    co_return Expected<void>{};
}

void DaemonOtaPorts::cancel_download() {
    // The partial file is kept: staging is removed when the update settles, and an update that
    // goes on (a shutdown, not an abort) resumes from it.
    if (downloader_) downloader_->abort(ota::PartialFile::keep);
}

Expected<void> DaemonOtaPorts::check_artifact(const ota::Artifact& artifact, const fs::path& file) {
    return ota::check_artifact_file(file, artifact);
}

asio::awaitable<Expected<json>> DaemonOtaPorts::call_helper(std::string action, json params,
                                                            std::chrono::seconds deadline) {
    params["timeout_s"] = deadline.count();
    // Busy means another helper instance is working on this handler right now, typically the
    // dpkg run that restarted this linteld: worth waiting for as long as an install may take,
    // whatever this step's own deadline.
    const auto give_up = std::chrono::steady_clock::now() + k_install_timeout + k_client_margin;
    helper::HelperClient client(executor_, helper_socket_);
    asio::steady_timer pause(executor_);
    for (;;) {
        // The client calls back with a std::function (copyable); the awaitable's handler is
        // move-only, so it is shared.
        auto result =
            co_await asio::async_initiate<decltype(asio::use_awaitable), void(Expected<json>)>(
                [&](auto handler) {
                    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                    client.async_call(action, params, deadline + k_client_margin,
                                      [shared](Expected<json> r) { (*shared)(std::move(r)); });
                },
                asio::use_awaitable);
        if (result || result.error().code != k_helper_busy ||
            std::chrono::steady_clock::now() >= give_up) {
            co_return result;
        }
        pause.expires_after(1s);
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<Expected<std::optional<std::string>>> DaemonOtaPorts::installed_version(
    const ota::UpdatePlan& plan) {
    auto r =
        co_await call_helper("ota-installed-version", helper_params(plan, false), k_query_timeout);
    if (!r) co_return std::unexpected(as_step_error(r.error(), ota::reason::install_failed));
    co_return optional_string(*r, "version");
}

asio::awaitable<Expected<ota::InstallOutcome>> DaemonOtaPorts::install(
    const ota::UpdatePlan& plan, std::string_view manifest, const std::vector<fs::path>& files) {
    json params = helper_params(plan, true);
    json artifacts = json::array();
    for (std::size_t i = 0; i < plan.artifacts.size() && i < files.size(); ++i) {
        const auto& a = plan.artifacts[i];
        artifacts.push_back({{"name", a.name},
                             {"path", files[i].string()},
                             {"sha256", a.sha256},
                             {"size", a.size}});
    }
    params["artifacts"] = std::move(artifacts);
    // The helper verifies the signed manifest itself: linteld is not trusted with it.
    params["manifest"] = std::string(manifest);
    auto r = co_await call_helper("ota-install", std::move(params), k_install_timeout);
    if (!r) co_return std::unexpected(as_step_error(r.error(), ota::reason::install_failed));
    ota::InstallOutcome out;
    out.reboot_required = r->value("reboot_required", false);
    co_return out;
}

asio::awaitable<Expected<void>> DaemonOtaPorts::commit(const ota::UpdatePlan& plan) {
    auto r = co_await call_helper("ota-commit", helper_params(plan, true), k_settle_timeout);
    if (!r) co_return std::unexpected(as_step_error(r.error(), ota::reason::install_failed));
    co_return Expected<void>{};
}

asio::awaitable<Expected<void>> DaemonOtaPorts::rollback(const ota::UpdatePlan& plan) {
    auto r = co_await call_helper("ota-rollback", helper_params(plan, true), k_settle_timeout);
    if (r) co_return Expected<void>{};
    if (r.error().code == k_nothing_pending) {
        // Already rolled back (lintel-ota-recover.service after a linteld that never came up,
        // or an install that failed before it changed anything): done if the new version is
        // not what runs.
        auto now = co_await installed_version(plan);
        if (now && (!*now || **now != plan.version)) {
            log_.info("OTA rollback of " + plan.component + ": nothing pending, " +
                      (*now ? **now : std::string("nothing")) + " is installed");
            co_return Expected<void>{};
        }
    }
    co_return std::unexpected(as_step_error(r.error(), ota::reason::rollback_failed));
}

asio::awaitable<Expected<void>> DaemonOtaPorts::reboot() {
    auto r = co_await call_helper("ota-reboot", json::object(), k_query_timeout);
    if (!r) co_return std::unexpected(as_step_error(r.error(), ota::reason::reboot_failed));
    co_return Expected<void>{};
}

std::string DaemonOtaPorts::boot_id() {
    if (hooks_.boot_id) return hooks_.boot_id();
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id;
}

bool DaemonOtaPorts::healthy(const ota::UpdatePlan& plan) {
    if (plan.component == k_self_component && hooks_.running_version != plan.version) {
        return false;  // the old binary still runs: the new one has not started (yet)
    }
    return hooks_.uplink_connected && hooks_.uplink_connected();
}

bool DaemonOtaPorts::report(const json& event) {
    if (!hooks_.enqueue) return false;
    if (event.value("final", false) && hooks_.audit) {
        store::AuditRecord a;
        a.ts_ms = event.value("ts", sdk::now_unix_ms());
        a.source = "ota";
        a.command_id = event.value("command_id", "");
        a.action = "ota-update";
        const std::string state = event.value("state", "");
        a.decision = state == "committed" ? "executed" : "failed";
        a.reason = event.value("reason", "");
        a.detail = "release " + event.value("release_id", "") + " (" +
                   event.value("component", "") + " " + event.value("version", "") + "): " + state +
                   (event.contains("message") ? ": " + event.value("message", "") : "");
        hooks_.audit(std::move(a));
    }
    json message{{"v", 1}, {"gateway", gateway_id_}};
    for (const auto& [key, value] : event.items()) message[key] = value;
    hooks_.enqueue("ota", message.dump());
    return true;
}

}  // namespace lintel::app
