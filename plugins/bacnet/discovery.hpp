// Device discovery services: Who-Is (optionally limited to an instance range) and I-Am, both
// directions (the gateway sends Who-Is and reads I-Am; tests and simulators do the reverse).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "apdu.hpp"
#include "lintel/error.hpp"
#include "value.hpp"

namespace lintel::bacnet {

// Both limits or neither (every device answers); each 0..kMaxInstance, low <= high.
struct WhoIs {
    std::optional<std::uint32_t> low;
    std::optional<std::uint32_t> high;
    bool operator==(const WhoIs&) const = default;
};

enum class Segmentation : std::uint8_t { both = 0, transmit = 1, receive = 2, none = 3 };

struct IAm {
    ObjectId device{ObjectType::device, 0};
    std::uint32_t max_apdu = 1476;  // the largest APDU the device accepts
    Segmentation segmentation = Segmentation::none;
    std::uint16_t vendor_id = 0;
    bool operator==(const IAm&) const = default;
};

// Whole APDUs (Unconfirmed-Request header included).
Expected<std::vector<std::uint8_t>> encode_who_is(const WhoIs& who_is);
Expected<std::vector<std::uint8_t>> encode_i_am(const IAm& i_am);

// From a decoded APDU, which must be the matching Unconfirmed-Request.
Expected<WhoIs> decode_who_is(const Apdu& apdu);
Expected<IAm> decode_i_am(const Apdu& apdu);

// Whether a device with this instance must answer `who_is`.
bool who_is_matches(const WhoIs& who_is, std::uint32_t instance);

}  // namespace lintel::bacnet
