// The dpkg programs the deb handler runs (dpkg-deb, dpkg-query, dpkg, dpkg-repack), all through
// the helper's runner, against the real system or, for tests, another root (setting "root").
#pragma once

#include <filesystem>
#include <string>

#include "deb_fields.hpp"
#include "lintel/update_handler.hpp"

namespace lintel::ota::deb {

class Dpkg {
public:
    // Settings: "root" (optional, absolute): dpkg --root=DIR (instdir and admindir
    // DIR/var/lib/dpkg), maintainer scripts run chrootless with DPKG_ROOT set; for tests with a
    // throwaway root.
    static Expected<Dpkg> from(const sdk::HandlerCall& call);

    Expected<DebFields> fields(const std::filesystem::path& deb) const;
    Expected<PackageState> state(const std::string& package) const;
    // dpkg -i, unattended (keeps changed conffiles). `downgrade`: --force-downgrade (rollback).
    // Errors carry `code`.
    Expected<void> install(const std::filesystem::path& deb, bool downgrade,
                           std::string_view code) const;
    Expected<void> remove(const std::string& package, std::string_view code) const;
    // Rebuilds the installed `package` as a .deb in `dir` with dpkg-repack; returns its path.
    Expected<std::filesystem::path> repack(const std::string& package,
                                           const std::filesystem::path& dir,
                                           std::string_view code) const;

private:
    Dpkg(const sdk::HandlerCall& call, std::string root) : call_(call), root_(std::move(root)) {}

    const sdk::HandlerCall& call_;
    std::string root_;  // empty: the system's
};

}  // namespace lintel::ota::deb
