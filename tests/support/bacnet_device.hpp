// Test support: the BACnet/IP device simulator (tests/support/bacnet_device/device.js, on
// @bacnet-js/client) and its BBMD stand-in (bbmd.js) as child processes that a test drives over
// their control channel (stdin commands, "OK ..." / "ERR ..." replies; see docs/testing.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"
#include "support/files.hpp"
#include "support/process.hpp"

namespace lintel::test {

// One simulator child: starts it, waits for "READY <port>", sends commands. Its stderr (the
// request log) goes to a file in a temporary directory, quoted when the child fails to start;
// LINTEL_BACNET_SIM_STDERR=1 passes it through to the test's stderr instead.
class SimulatorProcess {
public:
    SimulatorProcess(SimulatorProcess&&) noexcept = default;
    SimulatorProcess& operator=(SimulatorProcess&&) = delete;
    ~SimulatorProcess() = default;  // Process kills the whole group

    std::uint16_t port() const { return port_; }
    // "127.0.0.x:port": where to send BACnet/IP datagrams.
    std::string address() const { return interface_ + ":" + std::to_string(port_); }
    // One command line; the reply after "OK" (trimmed), or the "ERR ..." line as the error.
    Expected<std::string> command(const std::string& line,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Same, but a failure fails the current test (most commands cannot fail in a correct test).
    std::string must(const std::string& line);
    // SIGKILL to the child's process group, and reap it. Later commands fail.
    void kill();
    // The child's stderr log (empty path when passed through).
    std::filesystem::path log_path() const;

protected:
    // script: file name in the simulator folder; args: its options.
    static Expected<SimulatorProcess> launch(const std::string& script, std::string interface,
                                             const std::vector<std::string>& args,
                                             std::chrono::milliseconds timeout);

private:
    SimulatorProcess(TempDir dir, Process process, std::string interface)
        : dir_(std::move(dir)), process_(std::move(process)), interface_(std::move(interface)) {}
    Expected<std::string> read_line(std::chrono::steady_clock::time_point deadline);

    TempDir dir_;  // holds the stderr log; outlives process_ (members die in reverse order)
    Process process_;
    std::string interface_;
    std::uint16_t port_ = 0;
    std::string pending_;  // stdout read past the last line
    bool pass_stderr_ = false;
};

struct BacnetDeviceOptions {
    std::string interface = "127.0.0.2";  // never 127.0.0.1:47808 (see docs/testing.md)
    std::uint16_t port = 0;               // 0: the device picks a free UDP port
    std::uint32_t device_instance = 1234;
    std::string broadcast;  // where it hears broadcasts; empty: 127.255.255.255:<port>; "none"
    std::uint16_t vendor_id = 999;
    int max_apdu = 1476;         // 50, 128, 206, 480, 1024 or 1476
    int apdu_timeout_ms = 3000;  // wait for a confirmed notification's ack before the retry
    bool no_rpm = false;         // ReadPropertyMultiple answered with Reject unrecognized-service
    bool no_cov = false;  // SubscribeCOV refused (object/optional-functionality-not-supported)
    bool object_list_no_array = false;  // whole object-list read → Abort segmentation-not-supported
    std::filesystem::path objects;      // --objects FILE (JSON); empty: the default object set
    std::vector<std::string> extra_args;
};

class BacnetDevice : public SimulatorProcess {
public:
    // Fails with a clear message when node or the simulator's node_modules is missing.
    static Expected<BacnetDevice> start(
        const BacnetDeviceOptions& options,
        std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // Whether the simulator can run here (node_modules installed); the error says how to fix it.
    static Expected<void> available();

private:
    explicit BacnetDevice(SimulatorProcess&& base) : SimulatorProcess(std::move(base)) {}
};

struct BbmdOptions {
    std::string interface = "127.0.0.5";
    std::uint16_t port = 0;
    std::string broadcast;             // forwarded broadcasts go here, e.g. 127.255.255.255:<P>
    std::vector<std::string> devices;  // or unicast to these "ip:port" (wins over broadcast)
};

// A stand-in for a BBMD (foreign-device registration and broadcast distribution only).
class BbmdStandIn : public SimulatorProcess {
public:
    static Expected<BbmdStandIn> start(
        const BbmdOptions& options, std::chrono::milliseconds timeout = std::chrono::seconds(15));

private:
    explicit BbmdStandIn(SimulatorProcess&& base) : SimulatorProcess(std::move(base)) {}
};

}  // namespace lintel::test
