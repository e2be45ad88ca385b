// The "wpa-config" action: writes the wpa_supplicant configuration of one interface from typed
// settings (never from text linteld hands in), keeping the previous file for "restore".
// docs/helper.md, "wpa-config", has the params, result and errors.
#pragma once

#include "helper/actions.hpp"

namespace lintel::helper {

// In --wpa-config-dir only: the file (0600, root), its previous copy "<file>.previous" (0600),
// and for 802.1X the PEMs in "<file>.d/" (0700; files 0600, named by content hash so that the
// previous configuration's files stay until nothing names them).
// Result: {"file":"/etc/wpa_supplicant/x.conf","sha256":"...","previous":"...|null"} (write) or
// {"file":...,"restored":true} (restore).
// Errors: helper.bad_params, wpa.bad_value (a value that cannot be written; nothing written),
// helper.nothing_to_restore, helper.unsafe_path, helper.internal.
Action wpa_config_action();

}  // namespace lintel::helper
