// The staging file <destination>.part and its <destination>.part.meta: what a resume may keep,
// writes that never go past the expected size, durable commits, and the final rename.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "lintel/error.hpp"
#include "ota/download_meta.hpp"

namespace lintel::ota {

class PartFile {
public:
    // Opens (creates) <destination>.part. Keeps what it holds only when .part.meta names the same
    // resource and size; then the file is cut to the committed length (bytes written after the
    // last fdatasync may not have survived a power loss). Otherwise both files start empty.
    // The staging directory must exist. Errors: ota.download_failed.
    static Expected<PartFile> open(const std::filesystem::path& destination, std::string resource,
                                   std::uint64_t size);

    PartFile(PartFile&& other) noexcept;
    PartFile& operator=(PartFile&&) = delete;
    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;
    ~PartFile();

    std::uint64_t offset() const { return offset_; }
    const PartMeta& meta() const { return meta_; }
    const std::filesystem::path& path() const { return part_; }

    // Empties the file and records the validators of a new full (200) response in .part.meta.
    Expected<void> restart(std::string etag, std::string last_modified);
    // Appends; all or nothing (a failed write is cut off). ENOSPC/EDQUOT: ota.no_space; the bytes
    // before stay. Refuses to grow past the expected size (ota.too_large).
    Expected<void> write(const char* data, std::size_t size);
    // Bytes written since the last commit.
    std::uint64_t uncommitted() const { return offset_ - meta_.committed; }
    // fdatasync, then .part.meta records the length: a resume after a crash starts there.
    Expected<void> commit();
    // Reads back (the hash of a resumed file). Returns the bytes read, 0 at the end.
    Expected<std::size_t> read_at(std::uint64_t at, char* data, std::size_t size) const;
    // All bytes are there: fsync, rename to the destination, remove .part.meta, sync the directory.
    Expected<void> finish();
    // Removes .part and .part.meta (best effort: an abort must not fail on it).
    void discard();

private:
    PartFile(std::filesystem::path destination, int fd, PartMeta meta, std::uint64_t offset);
    Expected<void> write_meta();

    std::filesystem::path destination_;
    std::filesystem::path part_;
    std::filesystem::path meta_path_;
    int fd_ = -1;
    PartMeta meta_;
    bool meta_written_ = false;
    std::uint64_t offset_ = 0;
};

// Bytes available to this (unprivileged) user in the directory: statvfs f_bavail × f_frsize.
// Errors: ota.download_failed.
Expected<std::uint64_t> free_space(const std::filesystem::path& directory);

}  // namespace lintel::ota
