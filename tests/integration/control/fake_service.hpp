// A ControlService with canned answers that records its calls, for the end-to-end tests.
// Thread-safe: the server calls it on the loop thread, the test inspects it from its own.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "control/control_service.hpp"

namespace lintel::test {

class FakeService : public control::ControlService {
public:
    FakeService();

    void status(Reply reply) override { handle("status", std::move(reply)); }
    void queue(Reply reply) override { handle("queue", std::move(reply)); }
    void points(std::optional<std::string> device, Reply reply) override;
    void audit(std::int64_t since_ms, std::uint32_t limit, Reply reply) override;
    void check_config(Reply reply) override { handle("check-config", std::move(reply)); }
    void reload(Reply reply) override { handle("reload", std::move(reply)); }
    void set_log_level(sdk::LogLevel level, Reply reply) override;

    // What `command` (a wire name) answers from now on.
    void answer(const std::string& command, Expected<nlohmann::json> result);
    // `command` throws instead of answering: a std::runtime_error, or an int when not `std_error`.
    void throw_on(const std::string& command, bool std_error = true);
    // While held, calls are recorded and their replies kept, unanswered.
    void hold(bool on);
    std::size_t pending() const;
    // Answers every held call with its canned result (from the test thread: Reply is
    // thread-safe). Returns how many.
    std::size_t release_all();

    // One entry per call: "status", "points device=meter-1", "audit since=5 limit=20", ...
    std::vector<std::string> calls() const;
    std::int64_t last_since() const;

private:
    void handle(const std::string& call, Reply reply);

    mutable std::mutex mutex_;
    std::map<std::string, Expected<nlohmann::json>> answers_;
    std::map<std::string, bool> throws_;
    std::vector<std::string> calls_;
    std::vector<std::pair<std::string, Reply>> held_;
    bool hold_ = false;
    std::int64_t last_since_ = -1;
};

}  // namespace lintel::test
