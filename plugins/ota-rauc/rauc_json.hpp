// Reading what rauc prints as JSON: `rauc status --detailed --output-format=json` (slots, which
// one is booted, the bundle version installed in each) and `rauc info --output-format=json`
// (a bundle's compatible and version). No I/O: unit-tested and fuzzed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::ota::rauc {

struct Slot {
    std::string name;                           // "rootfs.0"
    std::string slot_class;                     // "rootfs"
    std::string bootname;                       // "A"; empty for slots without one
    std::string state;                          // "booted", "active", "inactive"
    std::string boot_status;                    // "good", "bad", or empty when rauc does not know
    std::optional<std::string> bundle_version;  // of the bundle last installed into the slot
};

struct Status {
    std::string compatible;
    std::string booted;  // bootname of the booted slot
    std::vector<Slot> slots;

    // The slot rauc reports as "booted" (a parent slot, not its children), if any.
    const Slot* booted_slot() const;
};

struct BundleInfo {
    std::string compatible;
    std::string version;
};

// Errors: ota.query_failed, naming what is missing or malformed.
Expected<Status> parse_status(std::string_view json_text);
Expected<BundleInfo> parse_bundle_info(std::string_view json_text);

}  // namespace lintel::ota::rauc
