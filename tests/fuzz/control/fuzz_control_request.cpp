// libFuzzer target: arbitrary bytes as a control request line (what linteld parses from any
// local peer in group lintel-admin) and as a response line (what lintelctl parses and renders)
// must give a value or an error, never a crash, hang or sanitizer report; every accepted request
// must survive a round trip, every error must serialise to one valid JSON line, and rendered
// tables must not carry control characters to the operator's terminal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "control/protocol.hpp"
#include "ctl/render.hpp"

namespace {

using namespace lintel::control;

void check_one_line(const std::string& out) {
    if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) std::abort();
}

void check_terminal_safe(const std::string& text) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n') || u == 0x7f) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The server never parses more than this (it stops reading at the limit).
    if (size > k_max_request_bytes) return 0;
    const std::string_view line(reinterpret_cast<const char*>(data), size);

    auto request = parse_request(line);
    if (request) {
        // What the server accepted, lintelctl can produce again, and it means the same.
        auto again = serialise_request(*request);
        check_one_line(again);
        again.pop_back();
        auto back = parse_request(again);
        if (!back || !(*back == *request)) std::abort();
        (void)describe(*request);
    } else {
        const auto out = serialise_error(request.error());
        check_one_line(out);
        auto back = parse_response(std::string_view(out).substr(0, out.size() - 1));
        if (back || back.error().code != request.error().code ||
            back.error().message != request.error().message) {
            std::abort();
        }
    }
    (void)peek_command(line);

    auto response = parse_response(line);
    if (response) {
        const auto out = serialise_ok(*response);
        check_one_line(out);
        auto back = parse_response(std::string_view(out).substr(0, out.size() - 1));
        if (!back || *back != *response) std::abort();
        for (auto command : {Command::status, Command::queue, Command::points, Command::audit,
                             Command::check_config, Command::reload, Command::log_level}) {
            check_terminal_safe(lintel::ctl::render(command, *response));
        }
    }
    return 0;
}
