// Bounded reads of a JWS from a file or stdin.
#include "sign/input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "commands/reason_codes.hpp"
#include "common/utf8.hpp"
#include "sign/tool.hpp"

namespace lintel::sign {
namespace {

Expected<std::string> read_bounded(std::istream& in, std::size_t limit, const std::string& name) {
    std::string text;
    char buffer[4096];
    while (in && text.size() <= limit) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) return make_error(std::string(commands::error::io), "cannot read " + name);
    return text;
}

}  // namespace

Expected<std::string> read_jws_input(const std::optional<std::filesystem::path>& path,
                                     std::size_t max_bytes) {
    const std::string name = path ? path->string() : std::string("stdin");
    // Two more bytes than the limit: room for the newline that is stripped below.
    const std::size_t limit = max_bytes + 2;
    Expected<std::string> text;
    if (path) {
        std::ifstream file(*path, std::ios::binary);
        if (!file) {
            return make_error(std::string(commands::error::io),
                              "cannot open " + name + ": " + std::strerror(errno));
        }
        text = read_bounded(file, limit, name);
    } else {
        text = read_bounded(std::cin, limit, name);
    }
    if (!text) return text;
    if (text->ends_with('\n')) {
        text->pop_back();
        if (text->ends_with('\r')) text->pop_back();
    }
    if (text->size() > max_bytes) {
        return make_error(std::string(commands::reason::too_large),
                          name + " holds more than " + std::to_string(max_bytes) +
                              " bytes (raise --max-bytes if that is expected)");
    }
    if (text->empty())
        return make_error(std::string(commands::reason::malformed), name + " is empty");
    return text;
}

Expected<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
    const std::string name = path.string();
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return make_error(std::string(k_usage),
                          "--arg-file: cannot open " + name + ": " + std::strerror(errno));
    }
    auto text = read_bounded(file, max_bytes, name);
    if (!text) return text;
    if (text->size() > max_bytes) {
        return make_error(std::string(k_usage), "--arg-file: " + name + " holds more than " +
                                                    std::to_string(max_bytes) + " bytes");
    }
    if (auto bad = common::first_invalid_utf8(*text)) {
        return make_error(
            std::string(k_usage),
            "--arg-file: " + name + " is not UTF-8 text (byte " + std::to_string(*bad) + ")");
    }
    return text;
}

}  // namespace lintel::sign
