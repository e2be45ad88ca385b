// Translates the validated config into each module's own options (store, uplink).
#pragma once

#include "core/config.hpp"
#include "store/store_service.hpp"
#include "uplink/uplink_config.hpp"

namespace lintel::app {

store::StoreOptions store_options(const core::Config& config);
uplink::UplinkConfig uplink_config(const core::Config& config);

}  // namespace lintel::app
