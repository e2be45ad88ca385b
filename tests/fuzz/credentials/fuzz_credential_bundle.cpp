// libFuzzer target: arbitrary bytes as a credential bundle (JSON), as an envelope (base64 text,
// and the bytes themselves as the DER inside one) and as a sealed file must give a typed value
// or a refusal with a known cred.* code, never a crash, hang, leak or sanitizer report. Whatever
// bundle is accepted must survive a round trip through the builder, and its metadata never holds
// a secret field.
//
// The fixed gateway key below is a throwaway made for this fuzzer only (CN=gw-fuzz, valid for a
// century); the seed envelopes and the sealed seed are addressed to it, so they decrypt and reach
// the bundle parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "commands/base64url.hpp"
#include "credentials/bundle.hpp"
#include "credentials/device_identity.hpp"
#include "credentials/envelope.hpp"
#include "credentials/envelope_profile.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials/seal.hpp"
#include "credentials/sealed_store.hpp"

namespace {

using namespace lintel::credentials;

constexpr std::string_view k_cert_pem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBpjCCAU2gAwIBAgIUOHQ0JC1U6MyA1y83GbwnAEhOcu4wCgYIKoZIzj0EAwIw\n"
    "KDEUMBIGA1UECgwLbGludGVsIGZ1enoxEDAOBgNVBAMMB2d3LWZ1enowIBcNMjYx\n"
    "MTIyMDYxNzA0WhgPMjEyNjEwMjkwNjE3MDRaMCgxFDASBgNVBAoMC2xpbnRlbCBm\n"
    "dXp6MRAwDgYDVQQDDAdndy1mdXp6MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "QKKj4PbV9tedNl1MgeADazi3kKuG0Yt0+kc6SSpZUG9RRDFrvZmWNfx54Y3t5ZNn\n"
    "u8D00Gis2b4omSpDzWUD9aNTMFEwHQYDVR0OBBYEFGydJ/lVUDz81mOcdiW9bDQ1\n"
    "vohHMB8GA1UdIwQYMBaAFGydJ/lVUDz81mOcdiW9bDQ1vohHMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgJOqNGcYGqJTYH9fcwmk6QPmGYm8ixtDe\n"
    "wcqIPybL5I4CIEa3QTrt0e9MXzrnO1sjAmwMLhleAjcW4/excrKEfOpx\n"
    "-----END CERTIFICATE-----\n";
constexpr std::string_view k_key_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwMtyi5Oq84tuoE9l\n"
    "QByViL0Y9yzxy9ASOApE+48jK3KhRANCAARAoqPg9tX21502XUyB4ANrOLeQq4bR\n"
    "i3T6RzpJKllQb1FEMWu9mZY1/Hnhje3lk2e7wPTQaKzZviiZKkPNZQP1\n"
    "-----END PRIVATE KEY-----\n";

// Between the seeds' issued_at and the far end of the certificates' validity.
constexpr std::int64_t k_now = 1'700'000'000'000;

const DeviceIdentity& identity() {
    static const DeviceIdentity id =
        DeviceIdentity::from_pem(k_cert_pem, Secret(k_key_pem)).value();
    return id;
}

// The sealed seed was sealed to this key (a sealing key of the same P-256 key pair).
const SealingKey& sealing_key() {
    static const SealingKey key = SealingKey::from_pem(Secret(k_key_pem)).value();
    return key;
}

void check(bool condition) {
    if (!condition) std::abort();
}

template <typename Codes>
bool in(const Codes& codes, const std::string& code) {
    for (auto known : codes) {
        if (code == known) return true;
    }
    return false;
}

bool is_known(const lintel::Error& error) {
    return in(reason::all, error.code) || in(error::all, error.code);
}

void accepted(const Bundle& b) {
    auto text = bundle_json(b);
    check(text.has_value());
    auto back = parse_bundle(text->reveal());
    check(back.has_value() && *back == b);
    // What may be shown carries no secret field (a fuzzed identity may hold any text, so the
    // check is on the keys, not on substrings).
    const auto shown = to_json(metadata(b));
    for (const char* key : {"password", "psk", "client_key"}) check(!shown.contains(key));
    auto checked = check_bundle(b, "gw-fuzz", k_now);
    check(checked.has_value() || is_known(checked.error()));
}

void as_bundle(std::string_view text) {
    auto b = parse_bundle(text);
    if (!b) {
        check(b.error().code == reason::malformed || b.error().code == reason::too_large ||
              b.error().code == reason::unsupported);
        return;
    }
    accepted(*b);
}

void as_envelope(std::string_view text) {
    auto b = open_bundle(text, identity(), k_now);
    if (!b) {
        check(is_known(b.error()));
        check(!b.error().message.empty());
        return;
    }
    accepted(*b);
}

void as_sealed(std::string_view data) {
    auto opened = unseal(data, k_bundle_seal_purpose, sealing_key());
    if (!opened) {
        check(opened.error().code == error::sealed_corrupt ||
              opened.error().code == error::sealed_wrong_key);
        return;
    }
    as_bundle(opened->reveal());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    as_bundle(text);
    as_envelope(text);
    auto profile = check_envelope_profile(text);
    check(profile.has_value() || profile.error().code == reason::malformed ||
          profile.error().code == reason::unsupported);
    if (profile) as_envelope(lintel::commands::base64_encode(text));
    as_sealed(text);
    return 0;
}
