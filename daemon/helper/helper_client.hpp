// linteld's side of the lintel-helper protocol: one asynchronous request per connection, with a
// deadline. Callback style, like the rest of the daemon's asio code.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/asio.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

inline constexpr std::string_view k_default_socket_path = "/run/lintel-helper.sock";

// Errors raised on this side. The helper's own refusals arrive with its helper.* codes
// (protocol.hpp), and a response that is not a valid envelope with codes::bad_response.
namespace client_codes {
inline constexpr std::string_view unreachable = "helper_client.unreachable";  // connect failed
inline constexpr std::string_view timeout = "helper_client.timeout";          // our deadline
inline constexpr std::string_view io = "helper_client.io";  // the connection broke mid-way
}  // namespace client_codes

class HelperClient {
public:
    // The result object of an ok response, or the error.
    using Handler = std::function<void(Expected<nlohmann::json>)>;

    explicit HelperClient(asio::any_io_executor executor,
                          std::filesystem::path socket_path = std::string(k_default_socket_path));

    // Connects, sends {"v":1,"action":...,"params":...}, reads the one response line. `done`
    // runs exactly once, on the executor, never inline; at the latest when `deadline` passed
    // (then the connection is closed and the helper sees its peer gone). Calls are independent
    // and may overlap; each keeps itself alive until `done` ran, so the client may go first.
    void async_call(std::string action, nlohmann::json params, std::chrono::milliseconds deadline,
                    Handler done) const;
    void async_call(std::string action, std::chrono::milliseconds deadline, Handler done) const;

    const std::filesystem::path& socket_path() const { return socket_path_; }

private:
    asio::any_io_executor executor_;
    std::filesystem::path socket_path_;
};

}  // namespace lintel::helper
