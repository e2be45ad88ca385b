// Test support: driving a driver's Device on a test-owned loop — a write to completion, and a
// stop that must leave no work behind. Header-only (gtest assertions inside).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "lintel/plugin.hpp"
#include "support/asio_run.hpp"

namespace lintel::test {

// Runs `device.write(point, value)` until its `done` ran; its result. Fails the test if `done`
// ran inside write() (callers may not expect re-entry) or not within `timeout`.
inline Expected<void> write_and_wait(asio::io_context& io, sdk::Device& device,
                                     const std::string& point, const sdk::Value& value,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::optional<Expected<void>> result;
    device.write(point, value, [&](Expected<void> r) { result = std::move(r); });
    EXPECT_FALSE(result) << "done ran inside write()";
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }, timeout));
    return result ? *result : make_error("test.timeout", "write did not complete");
}

// Stops the device and checks that its coroutines and handlers all finish promptly.
inline void stop_and_drain(asio::io_context& io, sdk::Device& device) {
    device.stop();
    io.restart();
    const auto start = std::chrono::steady_clock::now();
    io.run_for(std::chrono::seconds(3));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2))
        << "work left after stop()";
}

}  // namespace lintel::test
