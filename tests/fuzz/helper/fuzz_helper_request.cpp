// libFuzzer target: arbitrary bytes as a lintel-helper request line (and as a response line,
// which linteld's client parses) must give a request or an error, never a crash, hang or
// sanitizer report; and every error must serialise to one valid JSON line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "helper/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The helper never parses more than this (request_io stops reading at the limit).
    if (size > lintel::helper::k_max_request_bytes) return 0;
    const std::string_view line(reinterpret_cast<const char*>(data), size);

    auto request = lintel::helper::parse_request(line);
    if (request) {
        // What the server accepted, the client can produce again.
        auto again = lintel::helper::serialise_request(request->action, request->params);
        again.pop_back();
        if (!lintel::helper::parse_request(again)) std::abort();
    } else {
        const auto out = lintel::helper::serialise_error(request.error());
        if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) std::abort();
        auto back = lintel::helper::parse_response(std::string_view(out).substr(0, out.size() - 1));
        if (back || back.error().code != request.error().code) std::abort();
    }
    (void)lintel::helper::peek_action(line);
    (void)lintel::helper::parse_response(line);
    return 0;
}
