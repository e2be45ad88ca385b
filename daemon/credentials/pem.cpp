// OpenSSL behind pem.hpp: certificates and client keys of a bundle.
#include "credentials/pem.hpp"

#include <array>
#include <ctime>
#include <optional>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "commands/openssl_support.hpp"
#include "common/hex.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {
namespace {

namespace ossl = commands::ossl;

constexpr std::string_view k_begin = "-----BEGIN ";
constexpr std::string_view k_end = "-----END ";
constexpr std::string_view k_dashes = "-----";

struct PemBlock {
    std::string_view label;  // "CERTIFICATE"
    std::string_view text;   // from -----BEGIN to the end of -----END ...-----
};

std::unexpected<Error> malformed(std::string what) {
    ERR_clear_error();
    return make_error(std::string(reason::malformed), std::move(what));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Splits `text` into PEM blocks; anything but whitespace outside them is refused (OpenSSL would
// skip it silently, and a reader could be shown something other than what is used).
Expected<std::vector<PemBlock>> split_blocks(std::string_view text, std::size_t max_blocks) {
    std::vector<PemBlock> blocks;
    std::size_t i = 0;
    while (true) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i == text.size()) break;
        if (text.substr(i, k_begin.size()) != k_begin) {
            return malformed("text outside a PEM block at byte " + std::to_string(i) +
                             " (expected -----BEGIN ...-----)");
        }
        const std::size_t label_at = i + k_begin.size();
        const std::size_t label_end = text.find(k_dashes, label_at);
        const std::size_t line_end = text.find('\n', label_at);
        if (label_end == std::string_view::npos || label_end == label_at ||
            (line_end != std::string_view::npos && line_end < label_end)) {
            return malformed("a PEM BEGIN line at byte " + std::to_string(i) + " is incomplete");
        }
        const std::string_view label = text.substr(label_at, label_end - label_at);
        const std::string end_line =
            std::string(k_end) + std::string(label) + std::string(k_dashes);
        const std::size_t end_at = text.find(end_line, label_end);
        if (end_at == std::string_view::npos) {
            return malformed("the PEM block \"" + std::string(label.substr(0, 40)) +
                             "\" has no END line");
        }
        if (blocks.size() == max_blocks) {
            return malformed("holds more than " + std::to_string(max_blocks) + " PEM blocks");
        }
        const std::size_t stop = end_at + end_line.size();
        blocks.push_back(PemBlock{label, text.substr(i, stop - i)});
        i = stop;
    }
    if (blocks.empty()) return malformed("holds no PEM block");
    return blocks;
}

Expected<std::int64_t> time_ms(const ASN1_TIME* t, std::string_view which) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        return malformed("a certificate has no readable " + std::string(which));
    }
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

Expected<ossl::X509Ptr> parse_certificate(std::string_view block, std::size_t index) {
    auto bio = ossl::memory_bio(block);
    if (!bio) return std::unexpected(bio.error());
    ossl::X509Ptr x509(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
    if (!x509) {
        return make_error(std::string(reason::malformed),
                          "certificate " + std::to_string(index + 1) +
                              " is not a valid X.509 certificate: " + ossl::drain_errors());
    }
    return x509;
}

Expected<CertInfo> info_of(X509* x509) {
    CertInfo info;
    info.subject = ossl::name_text(X509_get_subject_name(x509));
    info.issuer = ossl::name_text(X509_get_issuer_name(x509));
    auto not_before = time_ms(X509_get0_notBefore(x509), "notBefore");
    if (!not_before) return std::unexpected(not_before.error());
    auto not_after = time_ms(X509_get0_notAfter(x509), "notAfter");
    if (!not_after) return std::unexpected(not_after.error());
    info.not_before_ms = *not_before;
    info.not_after_ms = *not_after;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (X509_digest(x509, EVP_sha256(), digest.data(), &length) != 1) {
        return ossl::failure(error::crypto, "cannot hash a certificate");
    }
    info.sha256 = common::to_hex(digest.data(), length);
    return info;
}

// The key types a supplicant is given: RSA >= 2048 bits or EC on a NIST prime curve.
Expected<void> check_key_type(EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits < 2048) {
            return malformed("is a " + std::to_string(bits) +
                             "-bit RSA key; at least 2048 bits are needed");
        }
        return {};
    }
    if (EVP_PKEY_is_a(pkey, "EC")) {
        std::array<char, 64> group{};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &length) != 1) {
            return malformed("is an EC key whose curve cannot be read");
        }
        const std::string_view name(group.data(), length);
        for (std::string_view ok :
             {"prime256v1", "P-256", "secp384r1", "P-384", "secp521r1", "P-521"}) {
            if (name == ok) return {};
        }
        return malformed("is an EC key on curve " + std::string(name) +
                         "; P-256, P-384 or P-521 is needed");
    }
    const char* type = EVP_PKEY_get0_type_name(pkey);
    return malformed("is a " + std::string(type != nullptr ? type : "unknown") +
                     " key; RSA (>= 2048 bits) or EC (P-256, P-384, P-521) is needed");
}

// Never prompts for a passphrase (OpenSSL's default reads the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

Expected<std::vector<CertInfo>> read_certificates(std::string_view pem, std::size_t max_certs) {
    auto blocks = split_blocks(pem, max_certs);
    if (!blocks) return std::unexpected(blocks.error());
    std::vector<CertInfo> infos;
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        const PemBlock& block = (*blocks)[i];
        if (block.label != "CERTIFICATE") {
            return malformed("block " + std::to_string(i + 1) + " is \"" +
                             std::string(block.label.substr(0, 40)) +
                             "\"; only CERTIFICATE blocks belong here");
        }
        auto x509 = parse_certificate(block.text, i);
        if (!x509) return std::unexpected(x509.error());
        auto info = info_of(x509->get());
        if (!info) return std::unexpected(info.error());
        infos.push_back(std::move(*info));
    }
    return infos;
}

Expected<void> check_client_key(const Secret& key_pem, std::string_view cert_pem) {
    auto blocks = split_blocks(key_pem.reveal(), 1);
    if (!blocks) return std::unexpected(blocks.error());
    const PemBlock& block = blocks->front();
    if (block.label == "ENCRYPTED PRIVATE KEY" ||
        block.text.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
        return malformed(
            "is an encrypted private key; the bundle carries it unencrypted (the bundle itself "
            "is encrypted, and a passphrase would travel beside the key anyway)");
    }
    if (block.label != "PRIVATE KEY" && block.label != "EC PRIVATE KEY" &&
        block.label != "RSA PRIVATE KEY") {
        return malformed("is a \"" + std::string(block.label.substr(0, 40)) +
                         "\" block; PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY is needed");
    }
    auto bio = ossl::memory_bio(block.text);
    if (!bio) return std::unexpected(bio.error());
    ossl::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr));
    if (!pkey) return malformed("is not a valid private key");
    if (auto type = check_key_type(pkey.get()); !type) return type;

    auto cert_blocks = split_blocks(cert_pem, 1'000);
    if (!cert_blocks) return std::unexpected(cert_blocks.error());
    auto x509 = parse_certificate(cert_blocks->front().text, 0);
    if (!x509) return std::unexpected(x509.error());
    if (X509_check_private_key(x509->get(), pkey.get()) != 1) {
        return malformed("does not belong to the client certificate (its public key differs)");
    }
    return {};
}

}  // namespace lintel::credentials
