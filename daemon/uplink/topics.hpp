// MQTT topic names of the uplink and the validation of their parts.
#pragma once

#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::uplink {

// One topic level we build into topics (e.g. the gateway id): non-empty, no '/', '+', '#',
// no NUL, no leading '$' (reserved for broker topics such as $SYS and $aws), at most 256 bytes.
Expected<void> validate_topic_level(std::string_view level, std::string_view what);
// A prefix of one or more levels ("lintel/v1"): each level as above, no leading/trailing '/'.
Expected<void> validate_topic_prefix(std::string_view prefix);

struct Topics {
    std::string base;         // {prefix}/{gateway_id}
    std::string telemetry;    // {prefix}/{gateway_id}/telemetry
    std::string status;       // {prefix}/{gateway_id}/status
    std::string commands;     // {prefix}/{gateway_id}/cmd          (subscribed: signed commands)
    std::string results;      // {prefix}/{gateway_id}/cmd/result   (signed command results)
    std::string audit;        // {prefix}/{gateway_id}/audit        (accounting records)
    std::string events;       // {prefix}/{gateway_id}/events       (security events)
    std::string csr;          // {prefix}/{gateway_id}/csr          (certificate requests)
    std::string certificate;  // {prefix}/{gateway_id}/certificate  (subscribed: signer replies)

    static Expected<Topics> make(std::string_view prefix, std::string_view gateway_id);
};

}  // namespace lintel::uplink
