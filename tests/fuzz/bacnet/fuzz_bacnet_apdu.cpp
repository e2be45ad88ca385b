// libFuzzer target: arbitrary bytes as a BACnet/IP datagram through BVLC, NPDU, APDU and the
// decoder of whatever service it carries, checking that nothing crashes, reads out of bounds or
// recurses without bound, that every error names an offset inside the datagram, and that what
// decodes re-encodes to the same thing. The same bytes are also tried as a bare APDU, so the
// fuzzer need not first find a valid BVLC/NPDU header to reach the service decoders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "decode_all.hpp"

namespace {

void check(bool ok, const char* /*what*/) {
    if (!ok) std::abort();
}

// Every decode error ends with " at offset N", N within the input.
void check_offset(const lintel::Error& error, std::size_t size) {
    if (error.code != "bacnet.malformed" && error.code != "bacnet.unsupported") return;
    const std::string& m = error.message;
    const auto at = m.rfind(" at offset ");
    check(at != std::string::npos, "offset");
    check(std::strtoull(m.c_str() + at + 11, nullptr, 10) <= size, "offset in range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    auto whole = lintel::bacnet::test::decode_all(input, check);
    if (!whole) check_offset(whole.error(), size);

    auto apdu = lintel::bacnet::decode_apdu(input);
    if (!apdu) {
        check_offset(apdu.error(), size);
        return 0;
    }
    auto service = lintel::bacnet::test::decode_service(*apdu, check);
    if (!service) check_offset(service.error(), size);
    return 0;
}
