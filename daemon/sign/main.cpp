// lintel-sign: parses the command line and runs one subcommand. Nothing else lives here.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "sign/keygen.hpp"
#include "sign/sign_command.hpp"
#include "sign/sign_manifest.hpp"
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
        "lintel-sign - make keys, sign commands and OTA manifests for lintel gateways, verify "
        "their results"};
    cli.require_subcommand(1);
    cli.footer(
        "Exit status: 0 done/valid, 1 invalid or failed (the message says why), 2 usage.\n"
        "Wire format and examples: /usr/share/doc/lintel/commands.md, ota.md");

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

    ManifestOptions manifest_options;
    std::string manifest_id, min_version, expires_in, manifest_out;
    std::int64_t manifest_issued_at = 0;
    auto* manifest_cmd =
        cli.add_subcommand("manifest", "print a signed OTA release manifest (JWS) on one line");
    manifest_cmd->add_option("--key", manifest_options.key, "release private key PEM (mode 0600)")
        ->required();
    manifest_cmd
        ->add_option("--kid", manifest_options.kid, "key id in the gateways' ota.release_keys")
        ->required();
    manifest_cmd
        ->add_option("--component", manifest_options.component, "what is updated (lintel, ...)")
        ->required();
    manifest_cmd->add_option("--version", manifest_options.version, "the version it installs")
        ->required();
    manifest_cmd
        ->add_option("--handler", manifest_options.handler, "update handler (deb, rauc, ...)")
        ->required();
    manifest_cmd->add_option("--product", manifest_options.product, "target product")->required();
    manifest_cmd
        ->add_option("--hardware", manifest_options.hardware, "target hardware id (repeatable)")
        ->required();
    manifest_cmd->add_option("--gateway", manifest_options.gateways,
                             "only this gateway id (repeatable; default: all)");
    manifest_cmd
        ->add_option("--artifact", manifest_options.artifacts,
                     "NAME=PATH: size and SHA-256 from the local file (repeatable)")
        ->required();
    manifest_cmd
        ->add_option("--url", manifest_options.urls,
                     "NAME=URL: where gateways fetch artifact NAME, https:// (repeatable)")
        ->required();
    auto* min_version_option = manifest_cmd->add_option("--min-version", min_version,
                                                        "anti-rollback floor this release sets");
    manifest_cmd->add_flag("--allow-downgrade", manifest_options.allow_downgrade,
                           "allow installing over a newer version (never below the floor)");
    manifest_cmd->add_option("--param", manifest_options.params,
                             "K=V: a handler parameter (repeatable)");
    auto* expires_option = manifest_cmd->add_option(
        "--expires-in", expires_in, "refuse the manifest after: 12h, 30d ... (default: never)");
    auto* manifest_id_option = manifest_cmd->add_option(
        "--id", manifest_id, "release id (default: <component>-<version>)");
    auto* manifest_issued_option = manifest_cmd->add_option("--issued-at", manifest_issued_at,
                                                            "issue time in Unix ms (default: now)");
    auto* manifest_out_option =
        manifest_cmd->add_option("-o,--out", manifest_out, "write the JWS to this new file");

    VerifyManifestOptions manifest_verify_options;
    std::string manifest_in;
    auto* verify_manifest_cmd =
        cli.add_subcommand("verify-manifest", "verify a signed OTA manifest");
    verify_manifest_cmd
        ->add_option("--pubkey,--pub", manifest_verify_options.pub, "the release public key (PEM)")
        ->required();
    auto* manifest_in_option =
        verify_manifest_cmd->add_option("--in", manifest_in, "JWS file (default: stdin)");

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
    if (manifest_cmd->parsed()) {
        if (min_version_option->count() > 0) manifest_options.min_version = min_version;
        if (expires_option->count() > 0) manifest_options.expires_in = expires_in;
        if (manifest_id_option->count() > 0) manifest_options.id = manifest_id;
        if (manifest_issued_option->count() > 0) manifest_options.issued_at_ms = manifest_issued_at;
        if (manifest_out_option->count() > 0) manifest_options.out = manifest_out;
        return print(sign_manifest(manifest_options, std::chrono::system_clock::now()));
    }
    if (verify_manifest_cmd->parsed()) {
        if (manifest_in_option->count() > 0) manifest_verify_options.in = manifest_in;
        return print(verify_manifest(manifest_verify_options));
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
