// The "wpa-config" action: render, write the PEMs and the file atomically (previous copy kept),
// drop PEMs nothing names any more; or put the previous copy back.
#include "helper/action_wpa_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/sha256.hpp"
#include "helper/atomic_file.hpp"
#include "helper/beneath.hpp"
#include "helper/helper_log.hpp"
#include "helper/wpa_request.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view k_name = "wpa-config";
constexpr std::string_view k_nothing_to_restore = "helper.nothing_to_restore";
constexpr mode_t k_file_mode = 0600;  // the file names the key and carries passwords and PSKs
constexpr mode_t k_dir_mode = 0700;

std::unexpected<Error> internal(std::string message) {
    return make_error(std::string(codes::internal), std::string(k_name) + ": " + message);
}

std::string previous_name(const std::string& file) { return file + ".previous"; }
std::string certs_name(const std::string& file) { return file + ".d"; }

// The whole regular file `name` in `dir`, or nullopt when there is none.
Expected<std::optional<std::string>> read_file(const OpenDirectory& dir, const std::string& name) {
    auto file = open_regular(dir, name);
    if (!file) return std::unexpected(file.error());
    if (!*file) return std::optional<std::string>();
    std::string out;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read((*file)->fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return internal("cannot read " + (dir.path() / name).string() + ": " +
                            std::strerror(errno));
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > 1024 * 1024)
            return internal((dir.path() / name).string() + " is too large");
    }
    return std::optional<std::string>(std::move(out));
}

// Writes `pem` as "<kind>-<16 hex of its SHA-256>.pem" in `dir`; its absolute path.
Expected<fs::path> write_pem(const OpenDirectory& dir, std::string_view kind,
                             const std::string& pem) {
    auto hash = common::sha256_hex(pem);
    if (!hash) return internal(hash.error().message);
    const std::string name = std::string(kind) + "-" + hash->substr(0, 16) + ".pem";
    if (auto r = replace_file(dir, name, pem, k_file_mode); !r) return std::unexpected(r.error());
    return dir.path() / name;
}

// Removes the files of `dir` that neither configuration names (old deliveries' PEMs).
void prune(const OpenDirectory& dir, const std::string& current, const std::string& previous) {
    const int fd = ::dup(dir.fd());
    if (fd < 0) return;
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return;
    }
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        const std::string path = (dir.path() / name).string();
        if (current.find(path) == std::string::npos && previous.find(path) == std::string::npos) {
            stale.push_back(name);
        }
    }
    ::closedir(d);
    for (const auto& name : stale) (void)remove_file(dir, name);
}

ActionResult write(const OpenDirectory& dir, const WpaConfigRequest& r, const ActionContext& ctx) {
    wpa::GlobalSettings global{ctx.wpa_ctrl_dir, ctx.wpa_group};
    // Rendered once with placeholder paths first: a value that cannot be written is refused
    // before any file changes.
    wpa::CertificatePaths paths;
    const bool eap = r.network.method != wpa::Method::wifi_psk;
    const bool tls = r.network.method == wpa::Method::eap_tls;
    if (eap) paths.ca_cert = dir.path() / certs_name(r.file) / "ca-0000000000000000.pem";
    if (tls) {
        paths.client_cert = dir.path() / certs_name(r.file) / "client-0000000000000000.pem";
        paths.private_key = dir.path() / certs_name(r.file) / "key-0000000000000000.pem";
    }
    if (auto dry = wpa::render_config(global, r.network, paths); !dry) {
        return std::unexpected(dry.error());
    }
    auto old = read_file(dir, r.file);
    if (!old) return std::unexpected(old.error());
    auto old_previous = read_file(dir, previous_name(r.file));
    if (!old_previous) return std::unexpected(old_previous.error());

    std::optional<OpenDirectory> certs;
    if (eap) {
        auto child = dir.open_child(certs_name(r.file), k_dir_mode);
        if (!child) return std::unexpected(child.error());
        certs = std::move(**child);
        if (::fchmod(certs->fd(), k_dir_mode) != 0) {
            return internal("cannot chmod " + certs->path().string() + ": " + std::strerror(errno));
        }
        auto ca = write_pem(*certs, "ca", r.ca_cert);
        if (!ca) return std::unexpected(ca.error());
        paths.ca_cert = *ca;
        if (tls) {
            auto cert = write_pem(*certs, "client", r.client_cert.value_or(""));
            if (!cert) return std::unexpected(cert.error());
            auto key = write_pem(*certs, "key", r.client_key.value_or(""));
            if (!key) return std::unexpected(key.error());
            paths.client_cert = *cert;
            paths.private_key = *key;
        }
    }
    auto text = wpa::render_config(global, r.network, paths);
    if (!text) return std::unexpected(text.error());
    // The previous copy first: a crash between the two writes leaves the old file current and
    // also as previous, never a new file without its way back.
    if (*old) {
        auto kept = replace_file(dir, previous_name(r.file), **old, k_file_mode);
        if (!kept) return std::unexpected(kept.error());
    }
    auto replaced = replace_file(dir, r.file, *text, k_file_mode);
    if (!replaced) return std::unexpected(replaced.error());
    if (certs) prune(*certs, *text, old->value_or(old_previous->value_or("")));

    auto sha256 = common::sha256_hex(*text);
    const fs::path path = dir.path() / r.file;
    log_line(LogLevel::info, std::string(k_name) + ": wrote " + path.string() + " (" +
                                 std::string(wpa::to_string(r.network.method)) + " on " +
                                 std::string(wpa::to_string(r.network.medium)) + ", sha256 " +
                                 sha256.value_or("?") + (*old ? "; previous copy kept" : "") +
                                 ") for " + asked_by(ctx));
    ordered_json result;
    result["file"] = path.string();
    result["sha256"] = sha256.value_or("");
    result["previous"] = *old ? json((dir.path() / previous_name(r.file)).string()) : json(nullptr);
    return result;
}

ActionResult restore(const OpenDirectory& dir, const WpaConfigRequest& r,
                     const ActionContext& ctx) {
    auto previous = read_file(dir, previous_name(r.file));
    if (!previous) return std::unexpected(previous.error());
    const fs::path path = dir.path() / r.file;
    if (!*previous) {
        return make_error(std::string(k_nothing_to_restore),
                          std::string(k_name) + ": there is no previous copy of " + path.string());
    }
    // The previous copy stays: restoring twice is harmless, and its PEMs stay named.
    auto replaced = replace_file(dir, r.file, **previous, k_file_mode);
    if (!replaced) return std::unexpected(replaced.error());
    log_line(LogLevel::info, std::string(k_name) + ": restored the previous " + path.string() +
                                 " for " + asked_by(ctx));
    ordered_json result;
    result["file"] = path.string();
    result["restored"] = true;
    return result;
}

ActionResult run_wpa_config(const json& params, const ActionContext& ctx) {
    auto request = parse_wpa_config_params(params);
    if (!request) return std::unexpected(request.error());
    if (ctx.wpa_config_dir.empty() || ctx.wpa_ctrl_dir.empty() || ctx.wpa_group.empty()) {
        return internal(
            "no wpa_supplicant configuration directory, control directory or group "
            "is set");
    }
    auto dir = OpenDirectory::open(ctx.wpa_config_dir);
    if (!dir) return std::unexpected(dir.error());
    if (request->op == WpaConfigRequest::Op::restore) return restore(*dir, *request, ctx);
    return write(*dir, *request, ctx);
}

}  // namespace

Action wpa_config_action() {
    return Action{std::string(k_name),
                  "write a wpa_supplicant configuration from typed settings, or restore the "
                  "previous one",
                  run_wpa_config};
}

}  // namespace lintel::helper
