// OtaRecords: the helper's own floor, pending manifest and recovery mark, as small files written
// with replace_file (temp file, fsync, rename, directory fsync).
#include "helper/ota_records.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "commands/jws.hpp"
#include "helper/beneath.hpp"
#include "helper/helper_log.hpp"
#include "helper/ota_state.hpp"
#include "helper/protocol.hpp"
#include "ota/manifest_verifier.hpp"
#include "ota/version.hpp"

namespace lintel::helper {
namespace {

constexpr std::string_view k_floor = "floor";
constexpr std::string_view k_pending = "pending.jws";
constexpr std::string_view k_recovered = "recovered";
constexpr mode_t k_record_mode = 0600;
constexpr std::size_t k_max_small_record = 256;

std::unexpected<Error> internal(std::string message) {
    return make_error(std::string(codes::internal), std::move(message));
}

}  // namespace

Expected<OtaRecords> OtaRecords::open(const OpenDirectory& state_root, const std::string& handler,
                                      const std::string& component) {
    auto records = private_child(state_root, std::string(k_records_dir));
    if (!records) return std::unexpected(records.error());
    auto by_handler = private_child(*records, handler);
    if (!by_handler) return std::unexpected(by_handler.error());
    auto dir = private_child(*by_handler, component);
    if (!dir) return std::unexpected(dir.error());
    return OtaRecords(std::move(*dir));
}

Expected<std::optional<std::string>> OtaRecords::read(std::string_view name,
                                                      std::size_t max) const {
    auto file = open_regular(dir_, name);
    if (!file) return std::unexpected(file.error());
    if (!*file) return std::optional<std::string>();
    const auto shown = (dir_.path() / name).string();
    if (static_cast<std::uint64_t>((*file)->status.st_size) > max) {
        return internal(shown + " is larger than " + std::to_string(max) +
                        " bytes: not a record the helper wrote");
    }
    std::string out(static_cast<std::size_t>((*file)->status.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read((*file)->fd.get(), out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return internal("cannot read " + shown + ": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return std::optional<std::string>(std::move(out));
}

Expected<std::optional<std::string>> OtaRecords::floor() const {
    auto text = read(k_floor, k_max_small_record);
    if (!text || !*text) return text;
    std::string version = **text;
    if (version.ends_with('\n')) version.pop_back();
    if (!ota::is_valid_version(version)) {
        return internal((dir_.path() / k_floor).string() +
                        " does not hold a version; the helper will not guess the anti-rollback "
                        "floor (restore or remove the file)");
    }
    return std::optional<std::string>(std::move(version));
}

Expected<void> OtaRecords::begin_install(std::string_view manifest_jws) {
    if (auto removed = remove_file(dir_, k_recovered); !removed) {
        return std::unexpected(removed.error());
    }
    auto written = replace_file(dir_, k_pending, manifest_jws, k_record_mode);
    if (!written) return std::unexpected(written.error());
    return {};
}

Expected<std::optional<ota::Manifest>> OtaRecords::pending() const {
    auto text = read(k_pending, ota::k_max_manifest_bytes);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::optional<ota::Manifest>();
    // Verified before it was written, in a directory only root can write: read, not re-verified
    // (the key that signed it may have been rotated out since).
    const std::string shown = (dir_.path() / k_pending).string();
    auto jws = commands::parse_jws(**text, commands::JwsType::manifest, ota::k_max_manifest_bytes);
    if (!jws) return internal(shown + ": " + jws.error().message);
    auto manifest = ota::parse_manifest_payload(jws->payload);
    if (!manifest) return internal(shown + ": " + manifest.error().message);
    manifest->kid = jws->kid;
    manifest->alg = jws->alg;
    return std::optional<ota::Manifest>(std::move(*manifest));
}

Expected<std::optional<std::string>> OtaRecords::commit(std::string_view version) {
    auto floor_now = floor();
    if (!floor_now) return std::unexpected(floor_now.error());
    auto release = pending();
    if (!release) return std::unexpected(release.error());
    if (!*release) return *floor_now;  // nothing recorded: a retried commit, or an older helper
    if ((*release)->version != version) {
        log_line(LogLevel::warning, "ota-commit: the pending release recorded in " +
                                        dir_.path().string() + " is " + (*release)->id + " (" +
                                        (*release)->version + "), not " + std::string(version) +
                                        "; the floor stays " + floor_now->value_or("unset") +
                                        " and the record is dropped");
    } else if (auto raised = ota::next_floor(**release, *floor_now); raised != *floor_now) {
        if (auto written = replace_file(dir_, k_floor, *raised + "\n", k_record_mode); !written) {
            return std::unexpected(written.error());
        }
        floor_now = raised;
    }
    if (auto forgot = forget_pending(); !forgot) return std::unexpected(forgot.error());
    return *floor_now;
}

Expected<void> OtaRecords::forget_pending() {
    for (auto name : {k_pending, k_recovered}) {
        if (auto removed = remove_file(dir_, name); !removed) {
            return std::unexpected(removed.error());
        }
    }
    return {};
}

Expected<bool> OtaRecords::recovery_attempted() const {
    auto text = read(k_recovered, k_max_small_record);
    if (!text) return std::unexpected(text.error());
    return text->has_value();
}

Expected<void> OtaRecords::mark_recovery_attempted(std::string_view version) {
    auto written = replace_file(dir_, k_recovered, std::string(version) + "\n", k_record_mode);
    if (!written) return std::unexpected(written.error());
    return {};
}

}  // namespace lintel::helper
