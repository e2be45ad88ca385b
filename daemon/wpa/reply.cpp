// Reply classification and checks shared by the parsers and WpaControl.
#include "wpa/reply.hpp"

#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

std::string_view trim_newline(std::string_view reply) {
    if (!reply.empty() && reply.back() == '\n') reply.remove_suffix(1);
    return reply;
}

}  // namespace

bool is_unsolicited(std::string_view datagram) {
    return datagram.starts_with('<') || datagram.starts_with("IFNAME=");
}

std::string_view command_verb(std::string_view command) {
    return command.substr(0, command.find(' '));
}

Expected<void> check_command(std::string_view command) {
    const std::string verb = printf_encode(command_verb(command).substr(0, 40));
    if (command.empty()) return make_error(std::string(reason::bad_command), "empty command");
    if (command.size() > k_max_command_bytes) {
        return make_error(std::string(reason::bad_command),
                          verb + ": command is " + std::to_string(command.size()) +
                              " bytes, more than " + std::to_string(k_max_command_bytes));
    }
    for (std::size_t i = 0; i < command.size(); ++i) {
        const auto c = static_cast<unsigned char>(command[i]);
        if (c < 0x20 || c > 0x7e) {
            return make_error(std::string(reason::bad_command),
                              verb + ": byte " + std::to_string(c) + " at offset " +
                                  std::to_string(i) + " (commands are printable ASCII)");
        }
    }
    if (is_unsolicited(command)) {
        return make_error(std::string(reason::bad_command),
                          verb + ": a command may not look like an event");
    }
    return {};
}

Expected<void> refusal(std::string_view reply, std::string_view verb) {
    const auto text = trim_newline(reply);
    if (text.starts_with("FAIL") || text == "UNKNOWN COMMAND") {
        return make_error(std::string(reason::command_failed),
                          "wpa_supplicant refused " + std::string(verb) + ": " + shown(text));
    }
    return {};
}

Expected<void> expect_ok(std::string_view reply, std::string_view verb) {
    if (trim_newline(reply) == "OK") return {};
    return make_error(
        std::string(reason::command_failed),
        "wpa_supplicant answered " + std::string(verb) + " with \"" + shown(reply) + "\", not OK");
}

Expected<void> expect_pong(std::string_view reply) {
    if (trim_newline(reply) == "PONG") return {};
    return make_error(std::string(reason::command_failed),
                      "wpa_supplicant answered PING with \"" + shown(reply) + "\", not PONG");
}

std::string shown(std::string_view reply, std::size_t max) {
    const auto text = trim_newline(reply);
    if (text.size() <= max) return printf_encode(text);
    return printf_encode(text.substr(0, max)) + "...";
}

}  // namespace lintel::wpa
