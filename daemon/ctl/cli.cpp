// lintelctl [--socket PATH] [--json] [--timeout 5s] <command>: parse, call, print.
#include "ctl/cli.hpp"

#include <chrono>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "control/protocol.hpp"
#include "ctl/client.hpp"
#include "ctl/render.hpp"
#include "ctl/time_text.hpp"

#ifndef LINTEL_VERSION
#define LINTEL_VERSION "unknown"
#endif

namespace lintel::ctl {
namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int run(std::span<const char* const> args, std::ostream& out, std::ostream& err) {
    CLI::App app{"Local control of linteld, the lintel gateway daemon (see lintelctl(1)).",
                 "lintelctl"};
    std::string socket_path(control::k_default_socket_path);
    bool json = false;
    std::string timeout_text = "5s";
    app.add_option("--socket", socket_path, "linteld's control socket")->capture_default_str();
    app.add_flag("--json", json, "print the result as JSON, exactly as linteld sent it");
    app.add_option("--timeout", timeout_text, "give up after this long (500ms, 5s, 1m)")
        ->capture_default_str();
    app.set_version_flag("--version", "lintelctl " LINTEL_VERSION);
    app.require_subcommand(1, 1);

    control::Request request;
    std::string since_text;
    std::string device;
    std::uint32_t limit = control::k_default_audit_limit;
    std::string level;

    auto command = [&](const char* name, const char* help, control::Command cmd) {
        CLI::App* sub = app.add_subcommand(name, help);
        sub->fallthrough();  // global options may also come after the command
        sub->callback([&request, cmd] { request.command = cmd; });
        return sub;
    };
    command("status", "gateway, link, queue, devices, certificate", control::Command::status);
    command("queue", "the telemetry buffer", control::Command::queue);
    CLI::App* points =
        command("points", "the latest value of every point", control::Command::points);
    points->add_option("--device", device, "only this device's points");
    CLI::App* audit = command("audit", "the audit log (newest last)", control::Command::audit);
    audit->add_option("--since", since_text, "from this long ago (1h) or this time (RFC 3339)");
    audit->add_option("--limit", limit, "at most this many entries (the newest)")
        ->check(CLI::Range(std::uint32_t{1}, control::k_max_audit_limit))
        ->capture_default_str();
    CLI::App* config = app.add_subcommand("config", "the configuration");
    config->fallthrough();
    config->require_subcommand(1, 1);
    CLI::App* check = config->add_subcommand(
        "check", "check the configuration on disk (as linteld --check-config); nothing changes");
    check->fallthrough();
    check->callback([&request] { request.command = control::Command::check_config; });
    command("reload", "re-read the configuration (as systemctl reload lintel)",
            control::Command::reload);
    CLI::App* log_level =
        command("log-level", "set linteld's log level until restart", control::Command::log_level);
    log_level->add_option("LEVEL", level, "debug, info, warning or error")
        ->required()
        ->check(CLI::IsMember({"debug", "info", "warning", "error"}));

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return code == 0 ? k_exit_ok : k_exit_usage;
    }

    auto timeout = parse_duration(timeout_text, std::chrono::seconds(1));
    if (!timeout || timeout->count() == 0) {
        err << "lintelctl: --timeout: "
            << (timeout ? std::string("must be more than 0") : timeout.error().message) << "\n";
        return k_exit_usage;
    }
    if (!device.empty()) request.device = device;
    if (request.command == control::Command::audit) {
        request.limit = limit;
        if (!since_text.empty()) {
            auto since = parse_since(since_text, now_ms());
            if (!since) {
                err << "lintelctl: " << since.error().message << "\n";
                return k_exit_usage;
            }
            request.since_ms = *since;
        }
    }
    if (request.command == control::Command::log_level) {
        request.level = control::log_level_from_name(level).value_or(sdk::LogLevel::info);
    }

    auto result = call(socket_path, request, *timeout);
    if (!result) {
        err << "lintelctl: " << describe_error(result.error()) << "\n";
        return exit_code_for(result.error());
    }
    if (json) {
        out << result->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        out << render(request.command, *result);
    }
    out.flush();
    if (request.command == control::Command::check_config && config_check_failed(*result)) {
        return k_exit_error;
    }
    return k_exit_ok;
}

}  // namespace lintel::ctl
