// Command-line parsing of lintel-bacnet-discover (see options.hpp).
#include "options.hpp"

#include <algorithm>

#include "endpoint.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::bacnet::discover {
namespace {

std::unexpected<Error> bad(const std::string& message) { return make_error("usage", message); }

}  // namespace

std::string usage() {
    return "usage: lintel-bacnet-discover [--local IP:PORT] [--broadcast IP:PORT]\n"
           "                              [--bbmd IP[:PORT] [--ttl DURATION]]\n"
           "                              [--low N --high N] [--address IP[:PORT]]\n"
           "                              [--device N] [--wait DURATION] [--timeout DURATION]\n"
           "                              [--retries N] [--verbose]\n"
           "Sends Who-Is and lists the BACnet devices that answer; with --device N, lists that\n"
           "device's objects as a devices.d entry (YAML) for linteld.\n"
           "  --local IP:PORT      bind here (default 0.0.0.0:47808)\n"
           "  --broadcast IP:PORT  where Who-Is goes (default 255.255.255.255:<local port>)\n"
           "  --bbmd IP[:PORT]     register as a foreign device; Who-Is goes through the BBMD\n"
           "  --ttl DURATION       foreign-device registration TTL (default 60s)\n"
           "  --low N --high N     only devices with instances N..N answer\n"
           "  --address IP[:PORT]  ask one address (unicast Who-Is) instead of broadcasting\n"
           "  --device N           list the objects of device N (found by Who-Is)\n"
           "  --wait DURATION      how long to collect I-Am answers (default 3s)\n"
           "  --timeout DURATION   per request (default 3s); --retries N (default 1)\n";
}

Expected<Options> parse_options(const std::vector<std::string>& args) {
    Options o;
    o.link.bbmd.reset();
    bool broadcast_set = false;
    std::optional<std::chrono::seconds> ttl;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            continue;
        }
        if (a == "--verbose" || a == "-v") {
            o.verbose = true;
            continue;
        }
        static const std::vector<std::string> kValued{
            "--local",  "--broadcast", "--bbmd", "--ttl",     "--low",    "--high",
            "--device", "--address",   "--wait", "--timeout", "--retries"};
        if (std::find(kValued.begin(), kValued.end(), a) == kValued.end()) {
            return bad("unknown option " + a + " (see --help)");
        }
        if (i + 1 >= args.size()) return bad(a + " needs a value (see --help)");
        const std::string& v = args[++i];
        std::string why;
        auto endpoint = [&](std::uint16_t default_port) -> Expected<IpEndpoint> {
            auto e = parse_ip_endpoint(v, default_port, why);
            if (!e) return bad(a + ": " + why);
            return *e;
        };
        auto instance = [&]() -> Expected<std::uint32_t> {
            auto n = sdk::parse_int(v, why);
            if (!n || *n < 0 || *n >= kMaxInstance) {
                return bad(a + ": \"" + v + "\" is not a device instance (0-" +
                           std::to_string(kMaxInstance - 1) + ")");
            }
            return static_cast<std::uint32_t>(*n);
        };
        auto duration = [&]() -> Expected<std::chrono::milliseconds> {
            auto d = sdk::parse_duration(v, why);
            if (!d || d->count() <= 0) return bad(a + ": " + (d ? "must be positive" : why));
            return *d;
        };
        if (a == "--local") {
            auto e = endpoint(kDefaultPort);
            if (!e) return std::unexpected(e.error());
            o.link.local = *e;
        } else if (a == "--broadcast") {
            auto e = endpoint(kDefaultPort);
            if (!e) return std::unexpected(e.error());
            o.link.broadcast = *e;
            broadcast_set = true;
        } else if (a == "--bbmd") {
            auto e = endpoint(kDefaultPort);
            if (!e) return std::unexpected(e.error());
            o.link.bbmd = BbmdConfig{*e, std::chrono::seconds(60)};
        } else if (a == "--ttl") {
            auto d = duration();
            if (!d) return std::unexpected(d.error());
            ttl = std::chrono::duration_cast<std::chrono::seconds>(*d);
            if (ttl->count() < 1 || ttl->count() > 65535) return bad("--ttl: 1s to 65535s");
        } else if (a == "--low" || a == "--high" || a == "--device") {
            auto n = instance();
            if (!n) return std::unexpected(n.error());
            (a == "--low" ? o.low : a == "--high" ? o.high : o.device) = *n;
        } else if (a == "--address") {
            auto e = endpoint(kDefaultPort);
            if (!e) return std::unexpected(e.error());
            o.address = *e;
        } else if (a == "--wait" || a == "--timeout") {
            auto d = duration();
            if (!d) return std::unexpected(d.error());
            (a == "--wait" ? o.wait : o.timeout) = *d;
        } else if (a == "--retries") {
            auto n = sdk::parse_int(v, why);
            if (!n || *n < 0 || *n > 10) return bad("--retries: 0 to 10");
            o.retries = static_cast<int>(*n);
        }
    }
    if (!broadcast_set) o.link.broadcast.port = o.link.local.port;
    if (ttl) {
        if (!o.link.bbmd) return bad("--ttl needs --bbmd");
        o.link.bbmd->ttl = *ttl;
    }
    if (o.low.has_value() != o.high.has_value()) return bad("--low and --high go together");
    if (o.low && *o.low > *o.high) return bad("--low is above --high");
    if (o.device && (o.low || o.high))
        return bad("--device finds its device itself: no --low/--high");
    return o;
}

}  // namespace lintel::bacnet::discover
