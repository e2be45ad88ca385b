// The identity directory: generations, state.json and the pending key (plain POSIX + nlohmann).
#include "identity/identity_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/file_mode.hpp"
#include "identity/reason_codes.hpp"

namespace lintel::identity {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_prefix = "gen-";

std::unexpected<Error> store_error(std::string message) {
    return std::unexpected(Error{std::string(reason::store_failed), std::move(message)});
}

// "gen-12" -> 12; 0 for anything else.
unsigned long generation_number(std::string_view name) {
    if (!name.starts_with(k_prefix) || name.size() == k_prefix.size() || name.size() > 14) return 0;
    unsigned long n = 0;
    for (char c : name.substr(k_prefix.size())) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    return n;
}

Expected<void> make_private_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return store_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return store_error(dir.string() + " is not a directory");
    if ((st.st_mode & 077) != 0) {
        return store_error("identity directory " + dir.string() + " has mode " +
                           common::octal_mode(st.st_mode) + ": it must be 0700 (chmod 0700)");
    }
    return {};
}

Expected<void> remove_tree(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return store_error("cannot remove " + path.string() + ": " + ec.message());
    return {};
}

}  // namespace

IdentityFiles IdentityStore::files_of(const std::string& generation) const {
    return IdentityFiles{generation, dir_ / generation / "cert.pem", dir_ / generation / "key.pem"};
}

Expected<IdentityStore> IdentityStore::open(const fs::path& dir) {
    if (auto r = make_private_dir(dir); !r) return std::unexpected(r.error());
    IdentityStore store(dir);
    const fs::path state = dir / "state.json";
    if (fs::exists(state)) {
        std::ifstream in(state);
        std::stringstream text;
        text << in.rdbuf();
        auto j = nlohmann::json::parse(text.str(), nullptr, false);
        if (!j.is_object()) return store_error(state.string() + " is not a JSON object");
        for (const char* slot : {"current", "previous"}) {
            auto it = j.find(slot);
            if (it == j.end() || it->is_null()) continue;
            if (!it->is_string() || generation_number(it->get<std::string>()) == 0)
                return store_error(state.string() + ": \"" + slot + "\" is not a generation");
            auto files = store.files_of(it->get<std::string>());
            (std::string_view(slot) == "current" ? store.current_ : store.previous_) = files;
        }
    }
    // Generations that never became current (a crash between rename and state.json) or that
    // were superseded go; the numbering continues after the highest ever seen.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const unsigned long n = generation_number(name);
        if (n == 0) continue;
        store.next_generation_ = std::max(store.next_generation_, n + 1);
        const bool named = (store.current_ && store.current_->generation == name) ||
                           (store.previous_ && store.previous_->generation == name);
        if (!named) {
            if (auto r = remove_tree(entry.path()); !r) return std::unexpected(r.error());
        }
    }
    if (ec) return store_error("cannot list " + dir.string() + ": " + ec.message());
    return store;
}

fs::path IdentityStore::pending_key() const { return dir_ / "pending" / "key.pem"; }

Expected<void> IdentityStore::reset_pending() {
    if (auto r = discard_pending(); !r) return r;
    return make_private_dir(dir_ / "pending");
}

Expected<void> IdentityStore::discard_pending() { return remove_tree(dir_ / "pending"); }

Expected<void> IdentityStore::write_state() {
    nlohmann::ordered_json j;
    j["current"] = current_ ? nlohmann::ordered_json(current_->generation) : nullptr;
    j["previous"] = previous_ ? nlohmann::ordered_json(previous_->generation) : nullptr;
    auto r = common::write_file_atomically(dir_ / "state.json", j.dump() + "\n", 0600);
    if (!r) return store_error(r.error().message);
    return {};
}

Expected<IdentityFiles> IdentityStore::promote_pending(std::string_view certificate_pem) {
    const fs::path pending = dir_ / "pending";
    if (!fs::exists(pending_key())) return store_error("no pending key in " + pending.string());
    auto cert = common::write_file_atomically(pending / "cert.pem", certificate_pem, 0600);
    if (!cert) return store_error(cert.error().message);
    const std::string name = std::string(k_prefix) + std::to_string(next_generation_);
    if (::rename(pending.c_str(), (dir_ / name).c_str()) != 0)
        return store_error("cannot move the pending identity into place: " +
                           std::string(std::strerror(errno)));
    if (auto r = common::sync_directory(dir_); !r) return store_error(r.error().message);
    ++next_generation_;
    const auto dropped = previous_;
    const auto old_current = current_;
    previous_ = current_;
    current_ = files_of(name);
    if (auto r = write_state(); !r) {
        current_ = old_current;
        previous_ = dropped;
        (void)remove_tree(dir_ / name);
        return std::unexpected(r.error());
    }
    if (dropped) (void)remove_tree(dir_ / dropped->generation);
    return *current_;
}

Expected<void> IdentityStore::roll_back() {
    const auto refused = current_;
    const auto old_previous = previous_;
    current_ = previous_;
    previous_.reset();
    if (auto r = write_state(); !r) {
        current_ = refused;
        previous_ = old_previous;
        return r;
    }
    if (refused) (void)remove_tree(dir_ / refused->generation);
    return {};
}

}  // namespace lintel::identity
