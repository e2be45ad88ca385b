// FakeService: canned answers per command, held replies for the concurrency tests.
#include "fake_service.hpp"

#include <stdexcept>

#include "control/protocol.hpp"
#include "sample_results.hpp"

namespace lintel::test {

FakeService::FakeService() {
    answers_.emplace("status", sample_status());
    answers_.emplace("queue", sample_queue());
    answers_.emplace("points", sample_points());
    answers_.emplace("audit", sample_audit());
    answers_.emplace("check-config", nlohmann::json{{"ok", true},
                                                    {"errors", nlohmann::json::array()},
                                                    {"warnings", nlohmann::json::array()}});
    answers_.emplace("reload", nlohmann::json{{"reloaded", true}});
    answers_.emplace("log-level", nlohmann::json{{"level", "debug"}, {"previous", "info"}});
}

void FakeService::points(std::optional<std::string> device, Reply reply) {
    handle(device ? "points device=" + *device : std::string("points"), std::move(reply));
}

void FakeService::audit(std::int64_t since_ms, std::uint32_t limit, Reply reply) {
    {
        std::lock_guard lock(mutex_);
        last_since_ = since_ms;
    }
    handle("audit limit=" + std::to_string(limit), std::move(reply));
}

void FakeService::set_log_level(sdk::LogLevel level, Reply reply) {
    handle("log-level " + std::string(control::log_level_name(level)), std::move(reply));
}

void FakeService::answer(const std::string& command, Expected<nlohmann::json> result) {
    std::lock_guard lock(mutex_);
    answers_.insert_or_assign(command, std::move(result));
}

void FakeService::throw_on(const std::string& command, bool std_error) {
    std::lock_guard lock(mutex_);
    throws_.insert_or_assign(command, std_error);
}

void FakeService::hold(bool on) {
    std::lock_guard lock(mutex_);
    hold_ = on;
}

std::size_t FakeService::pending() const {
    std::lock_guard lock(mutex_);
    return held_.size();
}

std::size_t FakeService::release_all() {
    std::vector<std::pair<std::string, Reply>> held;
    std::map<std::string, Expected<nlohmann::json>> answers;
    {
        std::lock_guard lock(mutex_);
        held.swap(held_);
        answers = answers_;
    }
    for (auto& [command, reply] : held) reply(answers.at(command));
    return held.size();
}

std::vector<std::string> FakeService::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::int64_t FakeService::last_since() const {
    std::lock_guard lock(mutex_);
    return last_since_;
}

void FakeService::handle(const std::string& call, Reply reply) {
    const std::string command = call.substr(0, call.find(' '));
    Expected<nlohmann::json> result = nlohmann::json::object();
    {
        std::lock_guard lock(mutex_);
        calls_.push_back(call);
        if (auto it = throws_.find(command); it != throws_.end()) {
            if (!it->second) throw 42;
            throw std::runtime_error("fake failure in " + command);
        }
        if (hold_) {
            held_.emplace_back(command, std::move(reply));
            return;
        }
        result = answers_.at(command);
    }
    reply(std::move(result));  // inline, outside the lock: the server must cope with both
}

}  // namespace lintel::test
