// A helper for drivers (not an interface of the SDK): an sdk::Device whose work lives in a
// shared Session, so coroutines and handlers holding the session outlive the Device object
// while they unwind. Session needs start(), stop() and write(point, value, done).
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "lintel/plugin.hpp"

namespace lintel::sdk {

template <typename Session>
class SessionDevice final : public Device {
public:
    template <typename... Args>
    explicit SessionDevice(Args&&... args)
        : session_(std::make_shared<Session>(std::forward<Args>(args)...)) {}
    ~SessionDevice() override { session_->stop(); }
    SessionDevice(const SessionDevice&) = delete;
    SessionDevice& operator=(const SessionDevice&) = delete;

    void start() override { session_->start(); }
    void stop() override { session_->stop(); }
    void write(std::string_view point, const Value& value, WriteDone done) override {
        session_->write(point, value, std::move(done));
    }

private:
    std::shared_ptr<Session> session_;
};

}  // namespace lintel::sdk
