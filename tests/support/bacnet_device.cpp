// Test support: the BACnet simulator and BBMD stand-in as child processes (see bacnet_device.hpp).
#include "support/bacnet_device.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace lintel::test {
namespace {

using Clock = std::chrono::steady_clock;

const std::filesystem::path kSimDir = LINTEL_BACNET_SIM_DIR;

std::string install_hint() {
    return "run: npm ci --prefix " + kSimDir.string() + " --no-audit --no-fund" +
           " (bash tests/run-all.sh does it)";
}

// The last lines of the child's log, for an error message.
std::string log_tail(const std::filesystem::path& log) {
    auto text = read_file(log);
    if (!text || text->empty()) return "";
    std::string tail = text->size() > 2000 ? text->substr(text->size() - 2000) : *text;
    while (!tail.empty() && tail.back() == '\n') tail.pop_back();
    return "; its stderr: " + tail;
}

}  // namespace

Expected<SimulatorProcess> SimulatorProcess::launch(const std::string& script,
                                                    std::string interface,
                                                    const std::vector<std::string>& args,
                                                    std::chrono::milliseconds timeout) {
    signal(SIGPIPE, SIG_IGN);  // a dead child must fail a write, not kill the test
    TempDir dir("lintel-bacnet-sim");
    const bool pass_stderr = std::getenv("LINTEL_BACNET_SIM_STDERR") != nullptr;
    std::vector<std::string> argv{"node", (kSimDir / script).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto spawned = Process::spawn(
        ProcessOptions::of(argv)
            .with_stdin_pipe()
            .with_stdout(Output::to_pipe())
            .with_stderr(pass_stderr ? Output::inherit() : Output::to_file(dir / "stderr.log")));
    if (!spawned) {
        return make_error("test.bacnet_sim", "cannot start node (>= 20 must be on PATH) for " +
                                                 script + ": " + spawned.error().message);
    }
    SimulatorProcess sim(std::move(dir), std::move(*spawned), std::move(interface));
    sim.pass_stderr_ = pass_stderr;
    auto line = sim.read_line(Clock::now() + timeout);
    if (!line || !line->starts_with("READY ")) {
        const std::string said =
            line ? "said \"" + *line + "\" instead of READY" : line.error().message;
        return make_error("test.bacnet_sim",
                          script + " " + said + (pass_stderr ? "" : log_tail(sim.log_path())));
    }
    sim.port_ = static_cast<std::uint16_t>(std::stoi(line->substr(6)));
    return sim;
}

std::filesystem::path SimulatorProcess::log_path() const {
    return pass_stderr_ ? std::filesystem::path() : dir_ / "stderr.log";
}

void SimulatorProcess::kill() {
    process_.close_stdin();
    process_.kill9();
}

Expected<std::string> SimulatorProcess::read_line(Clock::time_point deadline) {
    for (;;) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return make_error("test.bacnet_sim", "no answer in time");
        pollfd p{process_.stdout_fd(), POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready <= 0) continue;  // EINTR or timeout: the deadline check decides
        char buffer[4096];
        const ssize_t n = read(process_.stdout_fd(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return make_error("test.bacnet_sim", "exited (stdout closed)");
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

Expected<std::string> SimulatorProcess::command(const std::string& line,
                                                std::chrono::milliseconds timeout) {
    const int fd = process_.stdin_fd();
    if (fd < 0 || process_.stdout_fd() < 0 || !process_.running()) {
        return make_error("test.bacnet_sim", "simulator is not running");
    }
    const std::string text = line + "\n";
    if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        return make_error("test.bacnet_sim", "cannot write to the simulator");
    }
    auto reply = read_line(Clock::now() + timeout);
    if (!reply) return reply;
    if (!reply->starts_with("OK")) return make_error("test.bacnet_sim", line + ": " + *reply);
    std::string rest = reply->substr(2);
    if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    return rest;
}

std::string SimulatorProcess::must(const std::string& line) {
    auto reply = command(line);
    EXPECT_TRUE(reply) << line << ": " << (reply ? "" : reply.error().message);
    return reply ? *reply : std::string();
}

Expected<void> BacnetDevice::available() {
    if (!std::filesystem::exists(kSimDir / "node_modules/@bacnet-js/client/package.json")) {
        return make_error(
            "test.bacnet_sim",
            "the BACnet simulator's npm packages are not installed; " + install_hint());
    }
    return {};
}

Expected<BacnetDevice> BacnetDevice::start(const BacnetDeviceOptions& o,
                                           std::chrono::milliseconds timeout) {
    if (auto ok = available(); !ok) return std::unexpected(ok.error());
    std::vector<std::string> args{"--interface",
                                  o.interface,
                                  "--port",
                                  std::to_string(o.port),
                                  "--device-instance",
                                  std::to_string(o.device_instance),
                                  "--vendor-id",
                                  std::to_string(o.vendor_id),
                                  "--max-apdu",
                                  std::to_string(o.max_apdu),
                                  "--apdu-timeout",
                                  std::to_string(o.apdu_timeout_ms)};
    if (!o.broadcast.empty()) args.insert(args.end(), {"--broadcast", o.broadcast});
    if (!o.objects.empty()) args.insert(args.end(), {"--objects", o.objects.string()});
    if (o.no_rpm) args.emplace_back("--no-rpm");
    if (o.no_cov) args.emplace_back("--no-cov");
    if (o.object_list_no_array) args.emplace_back("--object-list-no-array");
    args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
    auto sim = launch("device.js", o.interface, args, timeout);
    if (!sim) return std::unexpected(sim.error());
    return BacnetDevice(std::move(*sim));
}

Expected<BbmdStandIn> BbmdStandIn::start(const BbmdOptions& o, std::chrono::milliseconds timeout) {
    std::vector<std::string> args{"--interface", o.interface, "--port", std::to_string(o.port)};
    if (!o.broadcast.empty()) args.insert(args.end(), {"--broadcast", o.broadcast});
    std::string devices;
    for (const auto& d : o.devices) devices += (devices.empty() ? "" : ",") + d;
    if (!devices.empty()) args.insert(args.end(), {"--devices", devices});
    auto sim = launch("bbmd.js", o.interface, args, timeout);
    if (!sim) return std::unexpected(sim.error());
    return BbmdStandIn(std::move(*sim));
}

}  // namespace lintel::test
