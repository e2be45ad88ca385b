// Staging-dir containment, no-symlink opens, copy with hashing, comparison.
#include "helper/ota_artifacts.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "helper/atomic_file.hpp"
#include "helper/beneath.hpp"
#include "helper/helper_log.hpp"
#include "helper/ota_codes.hpp"
#include "helper/protocol.hpp"
#include "common/sha256.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> unsafe(const OtaArtifactParam& artifact, std::string why) {
    return make_error(std::string(ota_codes::unsafe_artifact),
                      "artifact \"" + artifact.name + "\" at " + log_quoted(artifact.path, 256) +
                          ": " + std::move(why));
}

// The path below `staging_dir`, lexically: no "..", no "." (checked again while opening).
Expected<fs::path> relative_to_staging(const OtaArtifactParam& artifact, const fs::path& staging) {
    const fs::path path(artifact.path);
    const std::string prefix = staging.string() + (staging.string().ends_with('/') ? "" : "/");
    if (!artifact.path.starts_with(prefix) || artifact.path.size() == prefix.size()) {
        return unsafe(artifact, "not inside the staging directory " + staging.string());
    }
    return fs::path(artifact.path.substr(prefix.size()));
}

Expected<sdk::Artifact> copy_one(const OtaArtifactParam& artifact, const fs::path& staging,
                                 const OpenDirectory& work, std::size_t index) {
    auto relative = relative_to_staging(artifact, staging);
    if (!relative) return std::unexpected(relative.error());
    auto parent = open_parent_beneath(staging, *relative);
    if (!parent) return unsafe(artifact, parent.error().message);
    auto file = open_regular(parent->dir, parent->name);
    if (!file) return unsafe(artifact, file.error().message);
    if (!*file) return unsafe(artifact, "no such file");
    const auto size = static_cast<std::uint64_t>((*file)->status.st_size);
    if (size != artifact.size) {
        return make_error(std::string(ota_codes::artifact_hash_mismatch),
                          "artifact \"" + artifact.name + "\" is " + std::to_string(size) +
                              " bytes, the request says " + std::to_string(artifact.size));
    }
    common::Sha256 hash;
    CopySettings settings;
    settings.mode = 0600;
    settings.max_bytes = artifact.size;  // a file growing while copied fails, not overflows
    settings.observe = [&](std::string_view chunk) { hash.update(chunk); };
    // The copy's name is ours ("<index>.<name>"): nothing linteld chose becomes a path here.
    const std::string name = std::to_string(index) + "." + artifact.name;
    auto copied = replace_file_from(work, name, (*file)->fd.get(), settings);
    if (!copied) return std::unexpected(copied.error());
    auto digest = hash.finish_hex();
    if (!digest) return std::unexpected(digest.error());
    if (*copied != artifact.size || *digest != artifact.sha256) {
        return make_error(std::string(ota_codes::artifact_hash_mismatch),
                          "artifact \"" + artifact.name + "\" has SHA-256 " + *digest + " (" +
                              std::to_string(*copied) + " bytes), the request says " +
                              artifact.sha256 + " (" + std::to_string(artifact.size) + " bytes)");
    }
    return sdk::Artifact{artifact.name, work.path() / name, artifact.sha256, artifact.size};
}

}  // namespace

Expected<StagedArtifacts> StagedArtifacts::copy_verified(
    const std::vector<OtaArtifactParam>& artifacts, const fs::path& staging_dir,
    const fs::path& work_dir) {
    // A directory of this name can only be a crashed helper's with the same pid: ours to clear
    // (its parent is the helper's own, mode 0700).
    std::error_code ec;
    fs::remove_all(work_dir, ec);
    if (::mkdir(work_dir.c_str(), 0700) != 0) {
        return make_error(std::string(codes::internal),
                          "cannot create " + work_dir.string() + ": " + std::strerror(errno));
    }
    StagedArtifacts staged(work_dir);  // from here on the directory is removed on every path
    auto work = OpenDirectory::open(work_dir);
    if (!work) return std::unexpected(work.error());
    for (std::size_t i = 0; i < artifacts.size(); ++i) {
        auto copy = copy_one(artifacts[i], staging_dir, *work, i);
        if (!copy) return std::unexpected(copy.error());
        staged.artifacts_.push_back(std::move(*copy));
    }
    return staged;
}

StagedArtifacts::StagedArtifacts(StagedArtifacts&& other) noexcept
    : work_dir_(std::move(other.work_dir_)), artifacts_(std::move(other.artifacts_)) {
    other.work_dir_.clear();
}

StagedArtifacts::~StagedArtifacts() {
    if (work_dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(work_dir_, ec);
    if (ec) {
        log_line(LogLevel::warning, "cannot remove " + work_dir_.string() + ": " + ec.message() +
                                        "; it may be deleted by hand");
    }
}

}  // namespace lintel::helper
