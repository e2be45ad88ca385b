// The OTA update lifecycle as an explicit transition table: which event moves an update from
// which state to which, and what a restarted linteld must do for an update it finds in each
// state. Pure: no I/O, no clock; the OTA service persists every transition before acting on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lintel::ota {

// Idle → Downloading → Verifying → Installing → (Rebooting) → AwaitingHealth → Committed |
// RolledBack | Failed. RollingBack is its own state so that a kill -9 during a rollback redoes
// the rollback instead of forgetting it.
enum class UpdateState : std::uint8_t {
    idle,
    downloading,
    verifying,
    installing,
    rebooting,
    awaiting_health,
    rolling_back,
    committed,
    rolled_back,
    failed,
};

enum class UpdateEvent : std::uint8_t {
    start,            // an authorised ota-update with a verified manifest
    downloaded,       // every artifact is complete in the staging directory
    download_failed,  // a reason that retrying within this update will not fix
    verified,         // sizes and sha256 match, the manifest still applies
    verify_failed,
    installed,               // the handler installed it; no reboot needed
    installed_needs_reboot,  // the handler installed it into the inactive slot
    install_failed,          // the handler refused or failed: roll back what it did
    booted,                  // linteld started again after the reboot the install asked for
    healthy,                 // the new version runs, is connected and reported healthy
    unhealthy,               // the health deadline passed, or the new version said it is not
    rollback_done,
    rollback_failed,
    abort,  // ota-abort, the emergency stop
};

std::string_view to_string(UpdateState state);  // "awaiting_health"
std::string_view to_string(UpdateEvent event);  // "install_failed"
std::optional<UpdateState> parse_update_state(std::string_view text);

// The state `event` leads to from `state`, or nullopt when the event is not allowed there (the
// caller refuses it: an abort during installing, a second start while busy, ...).
std::optional<UpdateState> transition(UpdateState state, UpdateEvent event);

// Committed, RolledBack, Failed and Idle: nothing runs; a new update may start.
bool is_settled(UpdateState state);

// What a linteld that starts and finds an update in `state` does next, so that a kill -9 or a
// reboot at any point resumes or rolls back deterministically.
enum class Recovery : std::uint8_t {
    none,             // settled: nothing to do
    resume_download,  // the .part files are kept: continue with Range requests
    verify_again,     // verifying is idempotent
    probe_install,    // ask the handler which version is installed: the new one means the install
                      // finished (deb postinst restarting linteld ends here), the old one means it
                      // never took effect and the update fails (install_failed → rolling back)
    boot_completed,   // the reboot happened: start the health check (event booted)
    await_health,     // keep checking health until the persisted deadline
    redo_rollback,    // rollbacks are idempotent at the handlers: run it again
};

Recovery recovery_for(UpdateState state);
std::string_view to_string(Recovery recovery);

// Whether ota-abort can stop an update in `state`: before anything is installed it ends the
// update (Failed, ota.aborted, staging cleaned); while awaiting health it rolls back; during an
// install or a rollback it is refused, because stopping a package manager half way leaves the
// box worse off than either version.
bool abortable(UpdateState state);

}  // namespace lintel::ota
