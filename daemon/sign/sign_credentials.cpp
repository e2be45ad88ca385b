// lintel-sign credentials.
#include "sign/sign_credentials.hpp"

#include <ctime>
#include <limits>

#include "commands/certificate.hpp"
#include "commands/key_files.hpp"
#include "commands/random.hpp"
#include "commands/strict_json.hpp"
#include "credentials/bundle.hpp"
#include "credentials/envelope.hpp"
#include "credentials/reason_codes.hpp"
#include "sign/duration.hpp"
#include "sign/tool.hpp"

namespace lintel::sign {
namespace {

using credentials::Bundle;
using credentials::Secret;

std::unexpected<Error> usage(std::string what) {
    return make_error(std::string(k_usage), std::move(what));
}

// A secret from PATH (group and others without access) or from stdin ("-"), bounded. With
// `trim_newline` one trailing "\n" or "\r\n" goes (what echo and editors add to a password).
Expected<Secret> read_secret(const std::string& source, std::string_view option,
                             std::string_view what, bool trim_newline, std::istream& in) {
    Secret secret;
    if (source == "-") {
        char buffer[1024];
        // Reserved once so that appending never reallocates (a reallocation would be wiped
        // anyway; this keeps a single copy).
        secret.reserve(credentials::k_max_pem_bytes + sizeof buffer);
        while (in && secret.size() <= credentials::k_max_pem_bytes) {
            in.read(buffer, sizeof buffer);
            secret.append(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
        }
        credentials::wipe(buffer, sizeof buffer);
        if (in.bad()) return usage(std::string(option) + " -: cannot read stdin");
        if (secret.size() > credentials::k_max_pem_bytes) {
            return usage(std::string(option) + " -: more than " +
                         std::to_string(credentials::k_max_pem_bytes) + " bytes on stdin");
        }
    } else {
        auto text = commands::read_private_file(source, what);
        if (!text) return std::unexpected(text.error());
        secret.append(text->view());
    }
    if (trim_newline && secret.reveal().ends_with('\n')) {
        secret.pop_back();
        if (secret.reveal().ends_with('\r')) secret.pop_back();
    }
    return secret;
}

Expected<std::string> read_pem(const std::filesystem::path& path, std::string_view what) {
    return commands::read_public_file(path, what);
}

// Fills what the command line says, before any secret is read.
Expected<Bundle> bundle_from_options(const CredentialsOptions& o, const std::string& gateway,
                                     std::chrono::system_clock::time_point now) {
    Bundle b;
    auto type = credentials::parse_bundle_type(o.type);
    if (!type) return usage("--type must be one of eap-tls, peap, ttls, wifi-psk");
    b.type = *type;
    const std::string kind =
        o.interface.value_or(b.type == credentials::BundleType::wifi_psk ? "wifi" : "wired");
    auto interface = credentials::parse_interface(kind);
    if (!interface) return usage("--interface must be wired or wifi");
    b.interface = *interface;
    b.gateway = gateway;
    if (o.id) {
        b.id = *o.id;
    } else {
        auto random = commands::random_hex(8);
        if (!random) return std::unexpected(random.error());
        b.id = "cred-" + *random;
    }
    b.issued_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (o.issued_at_ms) {
        if (*o.issued_at_ms < 0) return usage("--issued-at must be >= 0 (Unix ms)");
        b.issued_at_ms = *o.issued_at_ms;
    }
    if (o.expires_in) {
        const auto ttl = parse_duration(*o.expires_in);
        if (!ttl) {
            return usage("--expires-in \"" + commands::printable(*o.expires_in) +
                         "\" is not a duration such as 12h or 30d (at most 366d)");
        }
        if (b.issued_at_ms > std::numeric_limits<std::int64_t>::max() - ttl->count()) {
            return usage("--issued-at + --expires-in is beyond any representable time");
        }
        b.expires_at_ms = b.issued_at_ms + ttl->count();
    }
    b.identity = o.identity.value_or("");
    b.anonymous_identity = o.anonymous_identity;
    b.server_domain = o.server_domain;
    b.phase2 = o.phase2.value_or("");
    b.ssid = o.ssid.value_or("");
    b.key_mgmt = o.key_mgmt;
    return b;
}

// "2026-11-21" (UTC).
std::string utc_date(std::int64_t unix_ms) {
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    char text[16] = "?";
    if (::gmtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

std::string summary(const Bundle& b, const std::filesystem::path& out) {
    const auto meta = credentials::metadata(b);
    std::string text = "credentials " + b.id + " (" + std::string(credentials::to_string(b.type)) +
                       ", " + std::string(credentials::to_string(b.interface));
    if (meta.identity) text += ", identity " + *meta.identity;
    if (meta.ssid) text += ", ssid " + commands::printable(*meta.ssid);
    if (meta.client_cert)
        text += ", client cert expires " + utc_date(meta.client_cert->not_after_ms);
    return text + ") for gateway " + b.gateway + " written to " + out.string() + "\n";
}

}  // namespace

Expected<std::string> sign_credentials(const CredentialsOptions& o,
                                       std::chrono::system_clock::time_point now,
                                       std::istream& stdin_stream) {
    int from_stdin = 0;
    for (const auto* source : {&o.client_key, &o.password_file, &o.psk_file}) {
        if (*source && **source == "-") ++from_stdin;
    }
    if (from_stdin > 1) {
        return usage("only one of --client-key, --password-file, --psk-file can read stdin (-)");
    }
    // The recipient first: which gateway, and whether its certificate is the one we trust.
    auto cert = commands::Certificate::from_file(o.cert);
    if (!cert) return std::unexpected(cert.error());
    auto cn = cert->common_name();
    if (!cn) return std::unexpected(cn.error());
    if (o.gateway && *o.gateway != *cn) {
        return usage("--gateway " + commands::printable(*o.gateway) + " is not the CN of " +
                     o.cert.string() + " (\"" + commands::printable(*cn) +
                     "\"): the gateway would refuse the bundle");
    }
    if (o.cert_ca) {
        if (auto trusted = cert->verify_chain(*o.cert_ca, now); !trusted) {
            return std::unexpected(trusted.error());
        }
    }
    auto cert_pem = read_pem(o.cert, "certificate");
    if (!cert_pem) return std::unexpected(cert_pem.error());

    auto bundle = bundle_from_options(o, *cn, now);
    if (!bundle) return std::unexpected(bundle.error());
    Bundle& b = *bundle;
    if (o.ca) {
        auto ca = read_pem(*o.ca, "CA certificate");
        if (!ca) return std::unexpected(ca.error());
        b.ca_cert = std::move(*ca);
    }
    if (o.client_cert) {
        auto client = read_pem(*o.client_cert, "client certificate");
        if (!client) return std::unexpected(client.error());
        b.client_cert = std::move(*client);
    }
    if (o.client_key) {
        auto key = read_secret(*o.client_key, "--client-key", "client key", false, stdin_stream);
        if (!key) return std::unexpected(key.error());
        b.client_key = std::move(*key);
    }
    if (o.password_file) {
        auto password =
            read_secret(*o.password_file, "--password-file", "password file", true, stdin_stream);
        if (!password) return std::unexpected(password.error());
        b.password = std::move(*password);
    }
    if (o.psk_file) {
        auto psk = read_secret(*o.psk_file, "--psk-file", "PSK file", true, stdin_stream);
        if (!psk) return std::unexpected(psk.error());
        b.psk = std::move(*psk);
    }
    // The gateway's own rules, in its words (field names as in the bundle: ca_cert is --ca).
    auto envelope = credentials::encrypt_bundle(b, *cert_pem);
    if (!envelope) {
        if (envelope.error().code == credentials::reason::malformed ||
            envelope.error().code == credentials::reason::too_large) {
            return usage("the bundle would be refused: " + envelope.error().message);
        }
        return std::unexpected(envelope.error());
    }
    if (!o.out) return *envelope + "\n";
    if (auto written = commands::write_new_file(*o.out, *envelope + "\n", 0600); !written) {
        return std::unexpected(written.error());
    }
    return summary(b, *o.out);
}

}  // namespace lintel::sign
