// The helper's own copies of a request's artifacts. linteld (unprivileged, not trusted) names
// files in its staging directory; the helper opens each one beneath that directory without
// following a symlink, copies it into a root-owned private directory while hashing it, and hands
// the handler only the copy whose size and SHA-256 matched: linteld cannot change what was
// checked between the check and the install.
#pragma once

#include <filesystem>
#include <vector>

#include "helper/ota_request.hpp"
#include "lintel/error.hpp"
#include "lintel/update_handler.hpp"

namespace lintel::helper {

class StagedArtifacts {
public:
    // `work_dir`: created mode 0700 (a leftover of that name is removed first; its parent must
    // exist); removed with the copies on destruction. Errors: ota.unsafe_artifact (outside `staging_dir`, a symlink on
    // the way, missing, not a regular file), ota.hash_mismatch (size or SHA-256 differ),
    // helper.internal (copy failed).
    static Expected<StagedArtifacts> copy_verified(const std::vector<OtaArtifactParam>& artifacts,
                                                   const std::filesystem::path& staging_dir,
                                                   const std::filesystem::path& work_dir);
    StagedArtifacts(StagedArtifacts&& other) noexcept;
    StagedArtifacts& operator=(StagedArtifacts&&) = delete;
    StagedArtifacts(const StagedArtifacts&) = delete;
    StagedArtifacts& operator=(const StagedArtifacts&) = delete;
    ~StagedArtifacts();

    const std::vector<sdk::Artifact>& artifacts() const { return artifacts_; }

private:
    explicit StagedArtifacts(std::filesystem::path work_dir) : work_dir_(std::move(work_dir)) {}

    std::filesystem::path work_dir_;  // empty once moved from
    std::vector<sdk::Artifact> artifacts_;
};

}  // namespace lintel::helper
