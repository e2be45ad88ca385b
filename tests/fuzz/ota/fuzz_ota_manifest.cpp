// libFuzzer target: arbitrary bytes as a signed OTA manifest (JWS layer, release keys, payload)
// and as a bare manifest payload must give a typed Manifest or a refusal with a known ota.* code,
// never a crash, hang, leak or sanitizer report. Whatever is accepted must survive a round trip
// through the builder, and the version order must stay antisymmetric on any pair of strings.
//
// The seed corpus was signed by two throwaway keys whose public halves are below (their private
// halves were deleted), so the valid seeds reach the payload parser and pass it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ota/manifest.hpp"
#include "ota/manifest_verifier.hpp"
#include "ota/reason_codes.hpp"
#include "ota/version.hpp"

namespace {

using namespace lintel::ota;
using lintel::commands::PublicKey;

constexpr std::string_view k_ed25519_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAns8EpQw+p8aPCMN/g5/qccGHhIv3H3qfE7LTruwmp8E=\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view k_p256_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ3Vq3bCatHAbmUnkUUILHO290BeI\n"
    "ZtMAB/k0fPh9M1B+oM7j22Yap3yN0fkoJKMjwrXXgLdtirykWpOlhESsTQ==\n"
    "-----END PUBLIC KEY-----\n";

// Between the seeds' issued_at and expires_at, so that the valid seeds stay valid in any year.
constexpr std::int64_t k_now = 1'700'000'000'000;

const ReleaseKeys& keys() {
    static const ReleaseKeys keys = [] {
        const PublicKey ed = PublicKey::from_pem(k_ed25519_pem).value();
        const PublicKey p256 = PublicKey::from_pem(k_p256_pem).value();
        return ReleaseKeys({ReleaseKey{"rel-ed", ed, false}, ReleaseKey{"rel-p256", p256, false},
                            ReleaseKey{"rel-old", ed, true}});
    }();
    return keys;
}

void check(bool condition) {
    if (!condition) std::abort();
}

bool is_known(const lintel::Error& error) {
    for (auto code : reason::all) {
        if (error.code == code) return true;
    }
    return false;
}

// An accepted manifest rebuilds to a payload that parses to the same manifest.
void round_trip(const Manifest& m) {
    auto payload = manifest_payload(m);
    check(payload.has_value());
    auto back = parse_manifest_payload(*payload);
    check(back.has_value());
    Manifest expected = m;
    expected.kid = back->kid;
    expected.alg = back->alg;
    check(*back == expected);
    check(is_valid_version(m.version));
    if (m.min_version) check(compare_versions(*m.min_version, m.version) <= 0);
}

void as_jws(std::string_view text) {
    auto m = verify_manifest(text, keys(), k_now);
    if (!m) {
        check(is_known(m.error()));
        check(!m.error().message.empty());
        return;
    }
    check(m->kid == "rel-ed" || m->kid == "rel-p256");
    round_trip(*m);
    // The policy step on whatever was accepted: any answer, always a known code.
    static const std::vector<std::string> handlers{"deb", "file"};
    for (const auto& installed :
         {std::optional<std::string>(), std::optional<std::string>("1.0")}) {
        auto r = check_applicable(*m, GatewayFacts{"gw-001", "lintel-gw", "rev-b"}, installed,
                                  std::optional<std::string>("0.9"), handlers, 1ULL << 30);
        check(r.has_value() || is_known(r.error()));
    }
}

void as_payload(std::string_view text) {
    auto m = parse_manifest_payload(text);
    if (!m) {
        check(m.error().code == reason::malformed);
        return;
    }
    round_trip(*m);
}

int sign_of(int c) { return (c > 0) - (c < 0); }

void as_versions(std::string_view text) {
    const auto split = text.find('\n');
    const std::string_view a = text.substr(0, split);
    const std::string_view b = split == std::string_view::npos ? "" : text.substr(split + 1);
    (void)version_problem(a);
    check(sign_of(compare_versions(a, b)) == -sign_of(compare_versions(b, a)));
    check(compare_versions(a, a) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    as_jws(text);
    as_payload(text);
    if (size <= 512) as_versions(text);
    return 0;
}
