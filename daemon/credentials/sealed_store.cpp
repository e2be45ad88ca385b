// The current/previous slots of sealed credentials (see sealed_store.hpp).
#include "credentials/sealed_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/file_mode.hpp"
#include "common/unique_fd.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials/seal.hpp"

namespace lintel::credentials {
namespace {

std::unexpected<Error> io_error(std::string what, int err) {
    return make_error(std::string(error::io), std::move(what) + ": " + std::strerror(err));
}

std::unexpected<Error> insecure(std::string what) {
    return make_error(std::string(error::store_insecure), std::move(what));
}

// Owner and mode rules shared by the directory and its files.
Expected<void> check_owner_and_mode(const struct stat& st, const std::filesystem::path& path,
                                    std::string_view what, std::string_view mode_fix) {
    if (st.st_uid != ::geteuid()) {
        return insecure(std::string(what) + " " + path.string() + " belongs to uid " +
                        std::to_string(st.st_uid) + ", not to this process's uid " +
                        std::to_string(::geteuid()) + "; fix it with: chown " +
                        std::to_string(::geteuid()) + " " + path.string());
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return insecure(std::string(what) + " " + path.string() +
                        " is accessible by group or others (mode " +
                        common::octal_mode(st.st_mode) + "); fix it with: chmod " +
                        std::string(mode_fix) + " " + path.string());
    }
    return {};
}

Expected<void> remove_slot(const std::filesystem::path& path) {
    auto removed = common::remove_file_durably(path);
    if (!removed) return make_error(std::string(error::io), removed.error().message);
    return {};
}

Expected<void> write_slot(const std::filesystem::path& path, std::string_view content) {
    auto written = common::write_file_atomically(path, content, 0600);
    if (!written) return make_error(std::string(error::io), written.error().message);
    return {};
}

}  // namespace

Expected<void> SealedStore::ensure_directory(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return io_error("cannot create the credentials directory " + dir.string(), errno);
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        return io_error("cannot stat the credentials directory " + dir.string(), errno);
    }
    if (S_ISLNK(st.st_mode)) {
        return insecure("the credentials directory " + dir.string() +
                        " is a symlink; it must be a real directory");
    }
    if (!S_ISDIR(st.st_mode)) {
        return insecure("the credentials directory " + dir.string() + " is not a directory");
    }
    return check_owner_and_mode(st, dir, "the credentials directory", "700");
}

Expected<SealedStore> SealedStore::open(const std::filesystem::path& dir, SealingKey key) {
    if (auto ok = ensure_directory(dir); !ok) return std::unexpected(ok.error());
    return SealedStore(dir, std::move(key));
}

Expected<int> SealedStore::reseal_from(const SealingKey& old_key) {
    int resealed = 0;
    for (const Slot slot : {Slot::current, Slot::previous}) {
        auto sealed = read_sealed(slot);
        if (!sealed) return std::unexpected(sealed.error());
        if (!*sealed) continue;
        auto ours = unseal(**sealed, k_bundle_seal_purpose, key_);
        if (ours || ours.error().code != error::sealed_wrong_key) continue;
        auto text = unseal(**sealed, k_bundle_seal_purpose, old_key);
        if (!text) continue;  // neither key: load() reports it
        auto again = seal(*text, k_bundle_seal_purpose, key_);
        if (!again) return std::unexpected(again.error());
        // One slot at a time, each atomically: a crash in between leaves the other slot under
        // the old key, and the next start re-seals it.
        if (auto written = write_slot(path_of(slot), *again); !written) {
            return std::unexpected(written.error());
        }
        ++resealed;
    }
    return resealed;
}

std::filesystem::path SealedStore::path_of(Slot slot) const {
    return dir_ / (slot == Slot::current ? "current.sealed" : "previous.sealed");
}

Expected<std::optional<std::string>> SealedStore::read_sealed(Slot slot) const {
    const auto path = path_of(slot);
    // O_NOFOLLOW: a symlink planted in our directory is refused, not followed.
    common::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno == ENOENT) return std::optional<std::string>();
        if (errno == ELOOP) return insecure(path.string() + " is a symlink");
        return io_error("cannot open " + path.string(), errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat " + path.string(), errno);
    if (!S_ISREG(st.st_mode)) return insecure(path.string() + " is not a regular file");
    if (auto ok = check_owner_and_mode(st, path, "sealed file", "600"); !ok) {
        return std::unexpected(ok.error());
    }
    std::string content(k_max_sealed_bytes + 1, '\0');
    std::size_t used = 0;
    while (used < content.size()) {
        const ssize_t n = ::read(fd.get(), content.data() + used, content.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("cannot read " + path.string(), errno);
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    if (used > k_max_sealed_bytes) {
        return make_error(
            std::string(error::sealed_corrupt),
            path.string() + " is larger than " + std::to_string(k_max_sealed_bytes) + " bytes");
    }
    content.resize(used);
    return std::optional<std::string>(std::move(content));
}

Expected<std::optional<Bundle>> SealedStore::load(Slot slot) const {
    auto sealed = read_sealed(slot);
    if (!sealed) return std::unexpected(sealed.error());
    if (!*sealed) return std::optional<Bundle>();
    const auto path = path_of(slot);
    auto text = unseal(**sealed, k_bundle_seal_purpose, key_);
    if (!text) {
        return make_error(text.error().code, path.string() + ": " + text.error().message);
    }
    auto bundle = parse_bundle(text->reveal());
    if (!bundle) {
        return make_error(
            std::string(error::sealed_corrupt),
            path.string() + " holds a bundle this lintel cannot read: " + bundle.error().message);
    }
    return std::optional<Bundle>(std::move(*bundle));
}

Expected<void> SealedStore::install(const Bundle& bundle) {
    auto text = bundle_json(bundle);
    if (!text) return std::unexpected(text.error());
    auto sealed = seal(*text, k_bundle_seal_purpose, key_);
    if (!sealed) return std::unexpected(sealed.error());
    auto current = read_sealed(Slot::current);
    if (!current) return std::unexpected(current.error());
    // Copy, then replace: a crash in between leaves current == previous == the old bundle.
    if (*current) {
        if (auto kept = write_slot(path_of(Slot::previous), **current); !kept) return kept;
    } else if (auto dropped = remove_slot(path_of(Slot::previous)); !dropped) {
        return dropped;
    }
    return write_slot(path_of(Slot::current), *sealed);
}

Expected<bool> SealedStore::restore_previous() {
    auto previous = read_sealed(Slot::previous);
    if (!previous) return std::unexpected(previous.error());
    if (!*previous) return false;
    // Only something that opens replaces the current bundle.
    if (auto usable = load(Slot::previous); !usable) return std::unexpected(usable.error());
    if (auto restored = write_slot(path_of(Slot::current), **previous); !restored) {
        return std::unexpected(restored.error());
    }
    if (auto dropped = remove_slot(path_of(Slot::previous)); !dropped) {
        return std::unexpected(dropped.error());
    }
    return true;
}

Expected<void> SealedStore::clear() {
    if (auto a = remove_slot(path_of(Slot::current)); !a) return a;
    return remove_slot(path_of(Slot::previous));
}

}  // namespace lintel::credentials
