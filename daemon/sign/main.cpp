// lintel-sign: parses the command line and runs one subcommand. Nothing else lives here.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "sign/keygen.hpp"
#include "sign/sign_command.hpp"
#include "sign/sign_credentials.hpp"
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
        "lintel-sign - make keys, sign commands and OTA manifests for lintel gateways, encrypt "
        "credentials to them, verify their results"};
    cli.require_subcommand(1);
    cli.footer(
        "Exit status: 0 done/valid, 1 invalid or failed (the message says why), 2 usage.\n"
        "Wire format and examples: /usr/share/doc/lintel/commands.md, ota.md, credentials.md");

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

    CredentialsOptions cred;
    std::string cred_gateway, cred_cert_ca, cred_interface, cred_id, cred_expires, cred_out;
    std::string cred_identity, cred_anonymous, cred_ca, cred_domain, cred_client_cert;
    std::string cred_client_key, cred_password, cred_phase2, cred_ssid, cred_psk;
    std::int64_t cred_issued_at = 0;
    auto* cred_cmd = cli.add_subcommand(
        "credentials", "encrypt an 802.1X or Wi-Fi credential bundle to one gateway's certificate");
    cred_cmd->footer(
        "Secrets (client key, password, PSK) are read from files (mode 0600) or from stdin ('-'),\n"
        "never from the command line: every local user can read a program's arguments in ps.");
    cred_cmd->add_option("--cert", cred.cert, "the gateway's certificate (PEM): the recipient")
        ->required();
    auto* cred_cert_ca_option = cred_cmd->add_option(
        "--cert-ca", cred_cert_ca, "refuse unless --cert chains to this CA (PEM)");
    auto* cred_gateway_option = cred_cmd->add_option(
        "--gateway", cred_gateway, "the gateway id; must be --cert's CN (default: that CN)");
    cred_cmd->add_option("--type", cred.type, "eap-tls, peap, ttls or wifi-psk")
        ->required()
        ->check(CLI::IsMember({"eap-tls", "peap", "ttls", "wifi-psk"}));
    auto* cred_interface_option = cred_cmd->add_option(
        "--interface", cred_interface, "wired or wifi (default: wifi for wifi-psk, else wired)");
    auto* cred_id_option =
        cred_cmd->add_option("--id", cred_id, "bundle id (default: cred-<random hex>)");
    auto* cred_issued_option =
        cred_cmd->add_option("--issued-at", cred_issued_at, "issue time in Unix ms (default: now)");
    auto* cred_expires_option = cred_cmd->add_option(
        "--expires-in", cred_expires, "refuse the bundle after: 12h, 30d ... (default: never)");
    auto* cred_identity_option =
        cred_cmd->add_option("--identity", cred_identity, "EAP identity (802.1X types)");
    auto* cred_anonymous_option = cred_cmd->add_option("--anonymous-identity", cred_anonymous,
                                                       "outer EAP identity (802.1X types)");
    auto* cred_ca_option = cred_cmd->add_option(
        "--ca", cred_ca, "CA certificate(s) of the RADIUS server (PEM; 802.1X types)");
    auto* cred_domain_option = cred_cmd->add_option(
        "--server-domain", cred_domain, "the RADIUS server certificate's DNS name (suffix)");
    auto* cred_client_cert_option = cred_cmd->add_option(
        "--client-cert", cred_client_cert, "client certificate, then intermediates (PEM; eap-tls)");
    auto* cred_client_key_option = cred_cmd->add_option(
        "--client-key", cred_client_key, "client key file (PEM, mode 0600) or - (eap-tls)");
    auto* cred_password_option =
        cred_cmd->add_option("--password-file", cred_password,
                             "file holding the password (mode 0600) or - (peap, ttls)");
    auto* cred_phase2_option =
        cred_cmd->add_option("--phase2", cred_phase2,
                             "inner method: peap mschapv2|gtc; ttls pap|chap|mschap|mschapv2|...");
    auto* cred_ssid_option = cred_cmd->add_option("--ssid", cred_ssid, "network name (wifi)");
    auto* cred_psk_option = cred_cmd->add_option(
        "--psk-file", cred_psk,
        "file holding the passphrase or 64-hex PSK (mode 0600) or - (wifi-psk)");
    cred_cmd->add_option("--key-mgmt", cred.key_mgmt,
                         "WPA-PSK, WPA-PSK-SHA256, SAE / WPA-EAP, WPA-EAP-SHA256 (repeatable)");
    auto* cred_out_option =
        cred_cmd->add_option("-o,--out", cred_out, "write the envelope to this new file (0600)");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return cli.exit(e);  // --help
        if (cred_cmd->parsed() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
            // Not echoed: an unexpected argument here may well be a password typed by mistake.
            std::cerr << "lintel-sign: credentials: unexpected arguments; secrets are read from "
                         "files or stdin, never from the command line (see --help)\n";
            return k_exit_usage;
        }
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
    if (cred_cmd->parsed()) {
        auto set = [](CLI::Option* option, auto& target, const auto& value) {
            if (option->count() > 0) target = value;
        };
        set(cred_cert_ca_option, cred.cert_ca, cred_cert_ca);
        set(cred_gateway_option, cred.gateway, cred_gateway);
        set(cred_interface_option, cred.interface, cred_interface);
        set(cred_id_option, cred.id, cred_id);
        set(cred_issued_option, cred.issued_at_ms, cred_issued_at);
        set(cred_expires_option, cred.expires_in, cred_expires);
        set(cred_identity_option, cred.identity, cred_identity);
        set(cred_anonymous_option, cred.anonymous_identity, cred_anonymous);
        set(cred_ca_option, cred.ca, cred_ca);
        set(cred_domain_option, cred.server_domain, cred_domain);
        set(cred_client_cert_option, cred.client_cert, cred_client_cert);
        set(cred_client_key_option, cred.client_key, cred_client_key);
        set(cred_password_option, cred.password_file, cred_password);
        set(cred_phase2_option, cred.phase2, cred_phase2);
        set(cred_ssid_option, cred.ssid, cred_ssid);
        set(cred_psk_option, cred.psk_file, cred_psk);
        set(cred_out_option, cred.out, cred_out);
        return print(sign_credentials(cred, std::chrono::system_clock::now(), std::cin));
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
