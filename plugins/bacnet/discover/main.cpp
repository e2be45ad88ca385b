// lintel-bacnet-discover: lists the BACnet/IP devices that answer Who-Is, or one device's objects
// as a devices.d entry, so an installer can build a point map. Wires options, the network and the
// discovery flow together; nothing else.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/co_spawn.hpp>
#include <exception>
#include <iostream>

#include "discover.hpp"
#include "options.hpp"

namespace {

// Log lines on stderr, so stdout stays the YAML or the table.
class StderrLogger final : public lintel::sdk::Logger {
public:
    explicit StderrLogger(bool verbose) : verbose_(verbose) {}
    void log(lintel::sdk::LogLevel level, std::string_view message,
             std::initializer_list<lintel::sdk::LogField>) override {
        if (!enabled(level)) return;
        static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
        std::cerr << "lintel-bacnet-discover: " << kNames[static_cast<int>(level)] << ": "
                  << message << "\n";
    }
    bool enabled(lintel::sdk::LogLevel level) const override {
        return verbose_ || level >= lintel::sdk::LogLevel::info;
    }

private:
    bool verbose_;
};

}  // namespace

int main(int argc, char** argv) {
    using namespace lintel::bacnet;
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto options = discover::parse_options(args);
    if (!options) {
        std::cerr << "lintel-bacnet-discover: " << options.error().message << "\n"
                  << discover::usage();
        return 2;
    }
    if (options->help) {
        std::cout << discover::usage();
        return 0;
    }
    lintel::asio::io_context io;
    StderrLogger log(options->verbose);
    auto network = Network::open(io.get_executor(), options->link);
    if (!network) {
        std::cerr << "lintel-bacnet-discover: " << network.error().message << "\n";
        return 3;
    }
    (*network)->attach_logger(log);
    int code = 1;
    std::string out;
    auto flow = options->device ? discover::list_objects(*network, *options, log, out)
                                : discover::list_devices(*network, *options, log, out);
    lintel::asio::co_spawn(io, std::move(flow), [&](std::exception_ptr e, int result) {
        code = e ? 4 : result;
        (*network)->close();
        io.stop();
    });
    io.run();
    std::cout << out;
    return code;
}
