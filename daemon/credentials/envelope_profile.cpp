// A minimal strict DER reader and the walk over lintel's CMS profile (see envelope_profile.hpp).
#include "credentials/envelope_profile.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/hex.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {
namespace {

// Tags (class, constructed bit and number in one byte; lintel needs no high tag numbers).
constexpr std::uint8_t k_integer = 0x02;
constexpr std::uint8_t k_bit_string = 0x03;
constexpr std::uint8_t k_octet_string = 0x04;
constexpr std::uint8_t k_null = 0x05;
constexpr std::uint8_t k_oid = 0x06;
constexpr std::uint8_t k_sequence = 0x30;
constexpr std::uint8_t k_set = 0x31;
constexpr std::uint8_t k_context_0_primitive = 0x80;
constexpr std::uint8_t k_context_0 = 0xa0;  // constructed [0]
constexpr std::uint8_t k_context_1 = 0xa1;
constexpr std::uint8_t k_context_2 = 0xa2;

// Object identifiers as their DER contents.
using Oid = std::string_view;
constexpr Oid k_auth_enveloped_data{"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17", 11};
constexpr Oid k_id_data{"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 9};
constexpr Oid k_aes256_gcm{"\x60\x86\x48\x01\x65\x03\x04\x01\x2e", 9};
constexpr Oid k_aes256_wrap{"\x60\x86\x48\x01\x65\x03\x04\x01\x2d", 9};
constexpr Oid k_rsa_encryption{"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9};
constexpr Oid k_rsaes_oaep{"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x07", 9};
constexpr Oid k_ec_public_key{"\x2a\x86\x48\xce\x3d\x02\x01", 7};
constexpr Oid k_prime256v1{"\x2a\x86\x48\xce\x3d\x03\x01\x07", 8};
// dhSinglePass-stdDH-sha1kdf-scheme (RFC 3278) and -sha{224,256,384,512}kdf-scheme (SEC 1).
// The cofactor variants are left out on purpose: on P-256 they derive the same key, so accepting
// them would let a changed byte through.
constexpr std::array<Oid, 5> k_std_dh_kdfs{
    Oid{"\x2b\x81\x05\x10\x86\x48\x3f\x00\x02", 9}, Oid{"\x2b\x81\x04\x01\x0b\x00", 6},
    Oid{"\x2b\x81\x04\x01\x0b\x01", 6}, Oid{"\x2b\x81\x04\x01\x0b\x02", 6},
    Oid{"\x2b\x81\x04\x01\x0b\x03", 6}};

constexpr std::size_t k_gcm_nonce_bytes = 12;
constexpr std::size_t k_gcm_tag_bytes = 16;
constexpr std::size_t k_p256_point_bytes = 65;  // 0x04 || X || Y

struct Tlv {
    std::uint8_t tag = 0;
    std::string_view content;
};

std::unexpected<Error> malformed(std::string_view path, std::string_view what) {
    return make_error(std::string(reason::malformed),
                      "envelope: " + std::string(path) + ": " + std::string(what));
}

std::unexpected<Error> unsupported(std::string_view path, std::string_view what) {
    return make_error(std::string(reason::unsupported),
                      "envelope: " + std::string(path) + ": " + std::string(what));
}

std::string hex_byte(std::uint8_t b) { return "0x" + common::to_hex(&b, 1); }

// Reads TLVs one after another from a DER text; every length definite and minimal.
class DerReader {
public:
    explicit DerReader(std::string_view data) : data_(data) {}

    bool at_end() const { return pos_ == data_.size(); }
    std::optional<std::uint8_t> peek() const {
        if (at_end()) return std::nullopt;
        return static_cast<std::uint8_t>(data_[pos_]);
    }

    Expected<Tlv> next(std::string_view path) {
        if (at_end()) return malformed(path, "missing (the enclosing value ends early)");
        const auto tag = static_cast<std::uint8_t>(data_[pos_]);
        if ((tag & 0x1f) == 0x1f) return malformed(path, "a high tag number is not used here");
        std::size_t at = pos_ + 1;
        if (at >= data_.size()) return malformed(path, "cut short in its length");
        const auto first = static_cast<std::uint8_t>(data_[at++]);
        std::size_t length = first;
        if (first == 0x80) return malformed(path, "indefinite length (BER, not DER)");
        if (first > 0x80) {
            const std::size_t count = first & 0x7f;
            if (count > 3) return malformed(path, "length of more than 3 bytes");
            if (data_.size() - at < count) return malformed(path, "cut short in its length");
            length = 0;
            for (std::size_t i = 0; i < count; ++i) {
                length = (length << 8) | static_cast<std::uint8_t>(data_[at++]);
            }
            // DER: the shortest form, so one value has one encoding.
            if (length < 0x80 || (count > 1 && (length >> (8 * (count - 1))) == 0)) {
                return malformed(path, "length not in its shortest form (not DER)");
            }
        }
        if (data_.size() - at < length) {
            return malformed(path, "declares " + std::to_string(length) + " bytes, " +
                                       std::to_string(data_.size() - at) + " remain");
        }
        pos_ = at + length;
        return Tlv{tag, data_.substr(at, length)};
    }

    Expected<Tlv> expect(std::uint8_t tag, std::string_view path, std::string_view what) {
        auto tlv = next(path);
        if (!tlv) return tlv;
        if (tlv->tag != tag) {
            return malformed(path, "must be " + std::string(what) + " (tag " + hex_byte(tag) +
                                       "), got tag " + hex_byte(tlv->tag));
        }
        return tlv;
    }

    Expected<void> expect_end(std::string_view path) {
        if (!at_end()) {
            return malformed(
                path, "unexpected data after the last field (tag " + hex_byte(*peek()) + ")");
        }
        return {};
    }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

// A small INTEGER (a version, a tag length) that must equal one of two values.
Expected<int> small_integer(DerReader& r, std::string_view path) {
    auto tlv = r.expect(k_integer, path, "an INTEGER");
    if (!tlv) return std::unexpected(tlv.error());
    if (tlv->content.size() != 1 || static_cast<std::uint8_t>(tlv->content[0]) > 0x7f) {
        return malformed(path, "must be a small INTEGER");
    }
    return static_cast<int>(static_cast<std::uint8_t>(tlv->content[0]));
}

Expected<void> expect_integer(DerReader& r, std::string_view path, int value) {
    auto got = small_integer(r, path);
    if (!got) return std::unexpected(got.error());
    if (*got != value) {
        return malformed(path,
                         "must be " + std::to_string(value) + ", got " + std::to_string(*got));
    }
    return {};
}

Expected<void> expect_oid(DerReader& r, std::string_view path, Oid oid, std::string_view name) {
    auto tlv = r.expect(k_oid, path, "an OBJECT IDENTIFIER");
    if (!tlv) return std::unexpected(tlv.error());
    if (tlv->content != oid) return unsupported(path, "must be " + std::string(name));
    return {};
}

// A sub-reader over the contents of the next TLV, which must have `tag`.
Expected<DerReader> enter(DerReader& r, std::uint8_t tag, std::string_view path,
                          std::string_view what) {
    auto tlv = r.expect(tag, path, what);
    if (!tlv) return std::unexpected(tlv.error());
    return DerReader(tlv->content);
}

// A TLV whose inside OpenSSL checks (an issuer name, OAEP parameters): well-formed DER all the
// way down is enough here.
Expected<void> well_formed(std::string_view der, std::string_view path, int depth = 0) {
    if (depth > 16) return malformed(path, "nested too deeply");
    DerReader r(der);
    while (!r.at_end()) {
        auto tlv = r.next(path);
        if (!tlv) return std::unexpected(tlv.error());
        if ((tlv->tag & 0x20) != 0) {
            if (auto ok = well_formed(tlv->content, path, depth + 1); !ok) return ok;
        }
    }
    return {};
}

Expected<void> recipient_id(DerReader& r, std::string_view path, bool allow_ski,
                            std::uint8_t ski_tag) {
    auto tlv = r.next(path);
    if (!tlv) return std::unexpected(tlv.error());
    if (tlv->tag == k_sequence) return well_formed(tlv->content, path);  // issuerAndSerialNumber
    if (allow_ski && tlv->tag == ski_tag) {
        if (tlv->content.empty()) return malformed(path, "empty key identifier");
        return well_formed(tlv->content, path);
    }
    return malformed(path, "must be an issuerAndSerialNumber" +
                               std::string(allow_ski ? " or a key identifier" : ""));
}

Expected<void> check_ktri(std::string_view content, const std::string& path) {
    DerReader r(content);
    auto version = small_integer(r, path + ".version");
    if (!version) return std::unexpected(version.error());
    if (*version != 0 && *version != 2) {
        return malformed(path + ".version", "must be 0 or 2, got " + std::to_string(*version));
    }
    // RFC 5652 §6.2.1: version 0 goes with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
    auto rid = r.peek();
    if (rid && ((*version == 0) != (*rid == k_sequence))) {
        return malformed(path + ".rid", "does not match version " + std::to_string(*version));
    }
    if (auto ok = recipient_id(r, path + ".rid", *version == 2, k_context_0_primitive); !ok)
        return std::unexpected(ok.error());
    auto alg = enter(r, k_sequence, path + ".keyEncryptionAlgorithm", "an AlgorithmIdentifier");
    if (!alg) return std::unexpected(alg.error());
    auto oid = alg->expect(k_oid, path + ".keyEncryptionAlgorithm", "an OBJECT IDENTIFIER");
    if (!oid) return std::unexpected(oid.error());
    if (oid->content == k_rsa_encryption) {
        auto null = alg->expect(k_null, path + ".keyEncryptionAlgorithm.parameters", "NULL");
        if (!null) return std::unexpected(null.error());
        if (!null->content.empty()) {
            return malformed(path + ".keyEncryptionAlgorithm.parameters", "NULL is empty");
        }
    } else if (oid->content == k_rsaes_oaep) {
        if (!alg->at_end()) {
            auto params = alg->expect(k_sequence, path + ".keyEncryptionAlgorithm.parameters",
                                      "RSAES-OAEP-params");
            if (!params) return std::unexpected(params.error());
            if (auto ok = well_formed(params->content, path + ".keyEncryptionAlgorithm.parameters");
                !ok)
                return std::unexpected(ok.error());
        }
    } else {
        return unsupported(path + ".keyEncryptionAlgorithm",
                           "must be rsaEncryption or id-RSAES-OAEP");
    }
    if (auto ok = alg->expect_end(path + ".keyEncryptionAlgorithm"); !ok)
        return std::unexpected(ok.error());
    auto key = r.expect(k_octet_string, path + ".encryptedKey", "an OCTET STRING");
    if (!key) return std::unexpected(key.error());
    if (key->content.empty()) return malformed(path + ".encryptedKey", "empty");
    return r.expect_end(path);
}

Expected<void> check_originator(DerReader& r, const std::string& path) {
    auto originator = enter(r, k_context_0, path, "[0] OriginatorIdentifierOrKey");
    if (!originator) return std::unexpected(originator.error());
    auto key = enter(*originator, k_context_1, path, "[1] originatorKey (an ephemeral public key)");
    if (!key) return std::unexpected(key.error());
    auto alg = enter(*key, k_sequence, path + ".algorithm", "an AlgorithmIdentifier");
    if (!alg) return std::unexpected(alg.error());
    if (auto ok = expect_oid(*alg, path + ".algorithm", k_ec_public_key, "id-ecPublicKey"); !ok)
        return std::unexpected(ok.error());
    if (!alg->at_end()) {  // parameters: absent, NULL or the named curve
        auto params = alg->next(path + ".algorithm.parameters");
        if (!params) return std::unexpected(params.error());
        const bool null = params->tag == k_null && params->content.empty();
        const bool p256 = params->tag == k_oid && params->content == k_prime256v1;
        if (!null && !p256) {
            return unsupported(path + ".algorithm.parameters", "must be absent, NULL or P-256");
        }
    }
    if (auto ok = alg->expect_end(path + ".algorithm"); !ok) return std::unexpected(ok.error());
    auto point = key->expect(k_bit_string, path + ".publicKey", "a BIT STRING");
    if (!point) return std::unexpected(point.error());
    if (point->content.size() != 1 + k_p256_point_bytes || point->content[0] != '\0' ||
        point->content[1] != '\x04') {
        return unsupported(path + ".publicKey", "must be an uncompressed P-256 point");
    }
    if (auto ok = key->expect_end(path); !ok) return std::unexpected(ok.error());
    return originator->expect_end(path);
}

Expected<void> check_kari(std::string_view content, const std::string& path) {
    DerReader r(content);
    if (auto ok = expect_integer(r, path + ".version", 3); !ok) return std::unexpected(ok.error());
    if (auto ok = check_originator(r, path + ".originator"); !ok)
        return std::unexpected(ok.error());
    if (r.peek() == k_context_1) {  // ukm
        auto ukm = enter(r, k_context_1, path + ".ukm", "[1] UserKeyingMaterial");
        if (!ukm) return std::unexpected(ukm.error());
        if (auto ok = ukm->expect(k_octet_string, path + ".ukm", "an OCTET STRING"); !ok)
            return std::unexpected(ok.error());
        if (auto ok = ukm->expect_end(path + ".ukm"); !ok) return std::unexpected(ok.error());
    }
    const std::string alg_path = path + ".keyEncryptionAlgorithm";
    auto alg = enter(r, k_sequence, alg_path, "an AlgorithmIdentifier");
    if (!alg) return std::unexpected(alg.error());
    auto kdf = alg->expect(k_oid, alg_path, "an OBJECT IDENTIFIER");
    if (!kdf) return std::unexpected(kdf.error());
    bool known = false;
    for (Oid oid : k_std_dh_kdfs) known = known || kdf->content == oid;
    if (!known) {
        return unsupported(alg_path, "must be dhSinglePass-stdDH-sha{1,224,256,384,512}kdf-scheme");
    }
    auto wrap = enter(*alg, k_sequence, alg_path + ".parameters", "an AlgorithmIdentifier");
    if (!wrap) return std::unexpected(wrap.error());
    if (auto ok = expect_oid(*wrap, alg_path + ".parameters", k_aes256_wrap, "id-aes256-wrap"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = wrap->expect_end(alg_path + ".parameters"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = alg->expect_end(alg_path); !ok) return std::unexpected(ok.error());
    auto keys = enter(r, k_sequence, path + ".recipientEncryptedKeys", "a SEQUENCE");
    if (!keys) return std::unexpected(keys.error());
    std::size_t count = 0;
    while (!keys->at_end()) {
        const std::string key_path =
            path + ".recipientEncryptedKeys[" + std::to_string(count) + "]";
        if (++count > k_max_recipients) return malformed(key_path, "too many recipients");
        auto key = enter(*keys, k_sequence, key_path, "a RecipientEncryptedKey");
        if (!key) return std::unexpected(key.error());
        if (auto ok = recipient_id(*key, key_path + ".rid", true, k_context_0); !ok)
            return std::unexpected(ok.error());
        auto wrapped = key->expect(k_octet_string, key_path + ".encryptedKey", "an OCTET STRING");
        if (!wrapped) return std::unexpected(wrapped.error());
        if (wrapped->content.empty()) return malformed(key_path + ".encryptedKey", "empty");
        if (auto ok = key->expect_end(key_path); !ok) return std::unexpected(ok.error());
    }
    if (count == 0) return malformed(path + ".recipientEncryptedKeys", "empty");
    return r.expect_end(path);
}

Expected<void> check_recipients(DerReader& set) {
    std::size_t count = 0;
    while (!set.at_end()) {
        const std::string path = "recipientInfos[" + std::to_string(count) + "]";
        if (++count > k_max_recipients) {
            return malformed("recipientInfos",
                             "more than " + std::to_string(k_max_recipients) + " recipients");
        }
        auto info = set.next(path);
        if (!info) return std::unexpected(info.error());
        if (info->tag == k_sequence) {
            if (auto ok = check_ktri(info->content, path + ".ktri"); !ok)
                return std::unexpected(ok.error());
        } else if (info->tag == k_context_1) {
            if (auto ok = check_kari(info->content, path + ".kari"); !ok)
                return std::unexpected(ok.error());
        } else {
            return unsupported(path,
                               "only key transport (RSA) and key agreement (EC) recipients "
                               "are supported, got tag " +
                                   hex_byte(info->tag));
        }
    }
    if (count == 0) return malformed("recipientInfos", "empty");
    return {};
}

Expected<void> check_content(DerReader& r) {
    const std::string path = "authEncryptedContentInfo";
    auto info = enter(r, k_sequence, path, "an EncryptedContentInfo");
    if (!info) return std::unexpected(info.error());
    if (auto ok = expect_oid(*info, path + ".contentType", k_id_data, "id-data"); !ok)
        return std::unexpected(ok.error());
    auto alg =
        enter(*info, k_sequence, path + ".contentEncryptionAlgorithm", "an AlgorithmIdentifier");
    if (!alg) return std::unexpected(alg.error());
    if (auto ok =
            expect_oid(*alg, path + ".contentEncryptionAlgorithm", k_aes256_gcm, "aes256-GCM");
        !ok)
        return std::unexpected(ok.error());
    auto params =
        enter(*alg, k_sequence, path + ".contentEncryptionAlgorithm.parameters", "GCMParameters");
    if (!params) return std::unexpected(params.error());
    auto nonce = params->expect(k_octet_string, path + ".nonce", "an OCTET STRING");
    if (!nonce) return std::unexpected(nonce.error());
    if (nonce->content.size() != k_gcm_nonce_bytes) {
        return unsupported(path + ".nonce", "must be 12 bytes");
    }
    // aes-ICVlen DEFAULT 12: DER leaves a 12 out, and lintel wants the full 16-byte tag.
    if (auto ok = expect_integer(*params, path + ".icvLength", static_cast<int>(k_gcm_tag_bytes));
        !ok)
        return std::unexpected(ok.error());
    if (auto ok = params->expect_end(path + ".contentEncryptionAlgorithm.parameters"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = alg->expect_end(path + ".contentEncryptionAlgorithm"); !ok)
        return std::unexpected(ok.error());
    auto data = info->expect(k_context_0_primitive, path + ".encryptedContent",
                             "[0] encrypted content in one piece");
    if (!data) return std::unexpected(data.error());
    if (data->content.empty()) return malformed(path + ".encryptedContent", "empty");
    return info->expect_end(path);
}

}  // namespace

Expected<void> check_envelope_profile(std::string_view der) {
    DerReader outer(der);
    auto content_info = enter(outer, k_sequence, "ContentInfo", "a SEQUENCE");
    if (!content_info) return std::unexpected(content_info.error());
    if (auto ok = outer.expect_end("ContentInfo"); !ok) return std::unexpected(ok.error());
    auto type = content_info->expect(k_oid, "contentType", "an OBJECT IDENTIFIER");
    if (!type) return std::unexpected(type.error());
    if (type->content != k_auth_enveloped_data) {
        return unsupported("contentType",
                           "must be id-ct-authEnvelopedData (RFC 5083: AES-GCM, authenticated)");
    }
    auto wrapper = enter(*content_info, k_context_0, "content", "[0] EXPLICIT");
    if (!wrapper) return std::unexpected(wrapper.error());
    if (auto ok = content_info->expect_end("ContentInfo"); !ok) return std::unexpected(ok.error());
    auto data = enter(*wrapper, k_sequence, "AuthEnvelopedData", "a SEQUENCE");
    if (!data) return std::unexpected(data.error());
    if (auto ok = wrapper->expect_end("content"); !ok) return std::unexpected(ok.error());

    if (auto ok = expect_integer(*data, "version", 0); !ok) return std::unexpected(ok.error());
    if (data->peek() == k_context_0) {
        return unsupported("originatorInfo", "must be absent (lintel carries no certificates)");
    }
    auto recipients = enter(*data, k_set, "recipientInfos", "a SET");
    if (!recipients) return std::unexpected(recipients.error());
    if (auto ok = check_recipients(*recipients); !ok) return std::unexpected(ok.error());
    if (auto ok = check_content(*data); !ok) return std::unexpected(ok.error());
    if (data->peek() == k_context_1) return unsupported("authAttrs", "must be absent");
    auto mac = data->expect(k_octet_string, "mac", "an OCTET STRING");
    if (!mac) return std::unexpected(mac.error());
    if (mac->content.size() != k_gcm_tag_bytes) return malformed("mac", "must be 16 bytes");
    // Unauthenticated attributes are exactly what nobody vouches for: none.
    if (data->peek() == k_context_2) return unsupported("unauthAttrs", "must be absent");
    return data->expect_end("AuthEnvelopedData");
}

}  // namespace lintel::credentials
