// Batching of reads into ReadPropertyMultiple requests that fit the device's max APDU in both
// directions: the request (exact size) and the answer (estimated from the properties asked for,
// since lintel never asks for segmentation). Pure; the device shrinks max_specs when a device
// still answers "too long" (Abort segmentation-not-supported or buffer-overflow).
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "read_property.hpp"

namespace lintel::bacnet {

// Bytes a ReadPropertyMultiple-ACK needs for `specs`: the ComplexACK header plus, per object and
// property, its tags and a generous estimate of the value (REAL 5, status-flags 4, a name 64, ...).
std::size_t estimated_answer_size(std::span<const ReadAccessSpec> specs);
std::size_t estimated_result_size(const ReadAccessSpec& spec);

struct BatchLimits {
    std::size_t max_apdu = 1476;  // the device's; at most kMaxApdu
    std::size_t max_specs = std::numeric_limits<std::size_t>::max();  // objects per request
};

// Groups of indexes into `specs`, in order, each group one request whose request and estimated
// answer fit `limits`. An object that alone does not fit still gets a request of its own (the
// device may answer it; if not, the error is the device's to give).
std::vector<std::vector<std::size_t>> plan_batches(std::span<const ReadAccessSpec> specs,
                                                   const BatchLimits& limits);

}  // namespace lintel::bacnet
