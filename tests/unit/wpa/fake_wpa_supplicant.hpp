// An in-process stand-in for wpa_supplicant's control socket, scripted per test: answers
// commands, keeps ATTACHed monitors, sends events, can go silent, crash and come back.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/local/datagram_protocol.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lintel::wpa::test {

class FakeWpaSupplicant {
public:
    using Endpoint = asio::local::datagram_protocol::endpoint;

    FakeWpaSupplicant(asio::io_context& io, std::filesystem::path path);
    ~FakeWpaSupplicant();

    // The reply to a command, or nullopt to stay silent. Unset: PING→PONG, ATTACH/DETACH→OK
    // (monitors kept), STATUS→status_reply, RECONFIGURE→OK, anything else UNKNOWN COMMAND.
    std::function<std::optional<std::string>(const std::string& command)> answer;
    std::string status_reply = "wpa_state=DISCONNECTED\naddress=02:00:00:00:00:01\n";

    // Sends an unsolicited message to every ATTACHed monitor.
    void send_event(const std::string& datagram);
    // Sends anything to the sender of the last command (a late reply, a stray one).
    void send_to_last(const std::string& datagram);
    // Closes and unlinks its socket without a word, like a crash; start() binds anew (a new
    // socket at the same path, monitors forgotten, as after a restart).
    void crash();
    void start();

    const std::vector<std::string>& commands() const { return commands_; }
    std::size_t count(const std::string& command) const;
    std::size_t monitors() const { return monitors_.size(); }
    const Endpoint& last_sender() const { return last_sender_; }

private:
    void receive();
    std::optional<std::string> default_answer(const std::string& command);

    asio::io_context& io_;
    std::filesystem::path path_;
    std::optional<asio::local::datagram_protocol::socket> socket_;
    std::vector<char> buffer_ = std::vector<char>(65536);
    Endpoint sender_;
    Endpoint last_sender_;
    std::vector<Endpoint> monitors_;
    std::vector<std::string> commands_;
    std::uint64_t generation_ = 0;
};

}  // namespace lintel::wpa::test
