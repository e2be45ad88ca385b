// lintel-sign: parses the command line and runs one subcommand. Nothing else lives here.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "sign/keygen.hpp"
#include "sign/sign_command.hpp"
#include "sign/tool.hpp"
#include "sign/verify.hpp"

namespace {

int fail(const lintel::Error& error) {
    std::cerr << "lintel-sign: " << error.message << '\n';
    return lintel::sign::exit_code_for(error);
}

int print(const lintel::Expected<std::string>& out) {
    if (!out) return fail(out.error());
    std::cout << *out << std::flush;
    return std::cout ? lintel::sign::k_exit_ok : lintel::sign::k_exit_invalid;
}

int run(int argc, char** argv) {
    using namespace lintel::sign;
    CLI::App cli{
        "lintel-sign - make keys, sign commands for lintel gateways, verify their results"};
    cli.require_subcommand(1);
    cli.footer(
        "Exit status: 0 done/valid, 1 invalid or failed (the message says why), 2 usage.\n"
        "Wire format and examples: /usr/share/doc/lintel/commands.md");

    KeygenOptions keygen_options;
    auto* keygen_cmd = cli.add_subcommand("keygen", "create a signing key pair (FILE, FILE.pub)");
    keygen_cmd->add_option("--alg", keygen_options.alg, "ed25519 or p256")
        ->required()
        ->check(CLI::IsMember({"ed25519", "p256"}));
    keygen_cmd->add_option("--out", keygen_options.out, "private key file to create (0600)")
        ->required();

    CommandOptions command_options;
    std::string id;
    std::int64_t issued_at = 0;
    auto* command_cmd = cli.add_subcommand("command", "print a signed command (JWS) on one line");
    command_cmd->add_option("--key", command_options.key, "private key PEM (mode 0600)")
        ->required();
    command_cmd->add_option("--kid", command_options.kid, "key id the gateways know the key by")
        ->required();
    command_cmd->add_option("--gateway", command_options.gateway, "target gateway id")->required();
    command_cmd->add_option("--action", command_options.action, "action name")->required();
    command_cmd->add_option("--args", command_options.args, "JSON object")->capture_default_str();
    command_cmd->add_option("--arg-file", command_options.arg_files,
                            "NAME=PATH: args.NAME is the text of PATH (repeatable)");
    command_cmd->add_option("--ttl", command_options.ttl, "lifetime: 30s, 5m, 1h ...")
        ->capture_default_str();
    auto* id_option = command_cmd->add_option("--id", id, "command id (default: 128 random bits)");
    auto* issued_option = command_cmd->add_option(
        "--issued-at", issued_at, "issue time in Unix ms (default: now; for tests and drills)");

    VerifyResultOptions result_options;
    std::string result_ca;
    std::string result_in;
    auto* result_cmd = cli.add_subcommand("verify-result", "verify a gateway's signed result");
    result_cmd->add_option("--cert", result_options.cert, "the gateway's certificate (PEM)")
        ->required();
    auto* ca_option =
        result_cmd->add_option("--ca", result_ca, "also check the cert against this CA");
    auto* result_in_option = result_cmd->add_option("--in", result_in, "JWS file (default: stdin)");
    result_cmd->add_option("--max-bytes", result_options.max_bytes, "size limit")
        ->capture_default_str();

    VerifyCommandOptions command_verify_options;
    std::string command_in;
    auto* verify_cmd = cli.add_subcommand("verify-command", "verify a signed command");
    verify_cmd->add_option("--pub", command_verify_options.pub, "the signer's public key (PEM)")
        ->required();
    auto* command_in_option =
        verify_cmd->add_option("--in", command_in, "JWS file (default: stdin)");
    verify_cmd->add_option("--max-bytes", command_verify_options.max_bytes, "size limit")
        ->capture_default_str();

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return cli.exit(e);  // --help
        std::cerr << "lintel-sign: " << e.what() << " (see --help)\n";
        return k_exit_usage;
    }

    if (keygen_cmd->parsed()) return print(keygen(keygen_options));
    if (command_cmd->parsed()) {
        if (id_option->count() > 0) command_options.id = id;
        if (issued_option->count() > 0) command_options.issued_at_ms = issued_at;
        return print(sign_command(command_options, std::chrono::system_clock::now()));
    }
    if (result_cmd->parsed()) {
        if (ca_option->count() > 0) result_options.ca = result_ca;
        if (result_in_option->count() > 0) result_options.in = result_in;
        return print(verify_result(result_options));
    }
    if (command_in_option->count() > 0) command_verify_options.in = command_in;
    return print(verify_command(command_verify_options));
}

}  // namespace

int main(int argc, char** argv) {
    // The library reports errors as values; this is only for the unexpected (bad_alloc, ...).
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "lintel-sign: internal error: " << e.what() << '\n';
        return lintel::sign::k_exit_invalid;
    }
}
