// Test fixture: tests/support/modbus_peer.py (a pymodbus TCP or RTU server) as a child process
// whose values and faults the test drives over the child's stdin/stdout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lintel/error.hpp"

namespace lintel::modbus::test {

struct PeerOptions {
    std::uint16_t port = 0;  // 0: the peer picks a free one
    int unit = 1;
    bool meter = false;
    std::string units;   // "1,2": unit ids that answer (default: unit); others get no answer
    std::string serial;  // Modbus RTU on this serial port (8N1) instead of TCP
    unsigned baud = 9600;

    // Builders, because aggregate initialisers that skip fields trip -Wextra.
    static PeerOptions tcp(std::uint16_t port, int unit, bool meter) {
        PeerOptions o;
        o.port = port;
        o.unit = unit;
        o.meter = meter;
        return o;
    }
    // Answers as units `units` ("1,2"); any other unit id gets no answer.
    static PeerOptions bridge(std::string units) {
        PeerOptions o;
        o.units = std::move(units);
        return o;
    }
    static PeerOptions rtu(std::string serial, unsigned baud, std::string units) {
        PeerOptions o;
        o.serial = std::move(serial);
        o.baud = baud;
        o.units = std::move(units);
        return o;
    }
};

class ModbusPeer {
public:
    // Starts the peer and waits (up to `timeout`, polling its stdout) for "READY <port|path>".
    static Expected<std::unique_ptr<ModbusPeer>> start(
        PeerOptions options, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    ~ModbusPeer();
    ModbusPeer(const ModbusPeer&) = delete;
    ModbusPeer& operator=(const ModbusPeer&) = delete;

    std::uint16_t port() const { return port_; }
    // Sends one command line; returns the reply after "OK" (trimmed), or the "ERR" text as error.
    Expected<std::string> command(const std::string& line,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Same, but fails the current test on error (most commands cannot fail in a correct test).
    std::string must(const std::string& line);
    // SIGKILL to the peer's process group, and reap it.
    void kill();

private:
    ModbusPeer() = default;
    Expected<std::string> read_line(std::chrono::steady_clock::time_point deadline);

    pid_t pid_ = -1;
    int to_child_ = -1;
    int from_child_ = -1;
    std::uint16_t port_ = 0;
    std::string pending_;
};

}  // namespace lintel::modbus::test
