// The helper's wording of line I/O errors (the deadline-bound I/O itself is in daemon/common).
#include "helper/request_io.hpp"

#include <cstring>

#include "common/line_io.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {

using common::LineIoError;

Expected<std::string> read_request_line(int fd, std::chrono::milliseconds timeout,
                                        std::size_t max_bytes) {
    auto line = common::read_line(fd, timeout, max_bytes);
    if (line) return std::move(*line);
    const LineIoError& e = line.error();
    switch (e.kind) {
        case LineIoError::Kind::timeout:
            return make_error(std::string(codes::timeout),
                              "no complete request line within " + std::to_string(timeout.count()) +
                                  " ms (got " + std::to_string(e.bytes) + " bytes)");
        case LineIoError::Kind::too_large:
            return make_error(
                std::string(codes::too_large),
                "request line is longer than " + std::to_string(max_bytes) + " bytes");
        case LineIoError::Kind::closed:
            return make_error(std::string(codes::malformed),
                              e.bytes == 0 ? "connection closed before a request was sent"
                                           : "request ended without a newline");
        case LineIoError::Kind::io:
            break;
    }
    const std::string what = std::strcmp(e.operation, "poll") == 0 ? "poll on the connection: "
                                                                   : "reading the request: ";
    return make_error(std::string(codes::internal), what + std::strerror(e.error_number));
}

Expected<void> write_response(int fd, std::string_view data, std::chrono::milliseconds timeout) {
    auto sent = common::write_all(fd, data, timeout);
    if (sent) return {};
    const LineIoError& e = sent.error();
    if (e.kind == LineIoError::Kind::timeout) {
        return make_error(
            std::string(codes::timeout),
            "the peer did not take the response within " + std::to_string(timeout.count()) + " ms");
    }
    const std::string what = std::strcmp(e.operation, "poll") == 0 ? "poll on the connection: "
                                                                   : "sending the response: ";
    return make_error(std::string(codes::internal), what + std::strerror(e.error_number));
}

}  // namespace lintel::helper
