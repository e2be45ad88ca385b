// pkcs11: URI parsing (RFC 7512 subset): what is accepted, what is refused and why, round trips.
#include <gtest/gtest.h>

#include "pkcs11/reason_codes.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::pkcs11 {
namespace {

TEST(Pkcs11Uri, ParsesTokenAndKeyAttributesWithEscapes) {
    auto uri =
        parse_key_uri("pkcs11:token=My%20Token;serial=4e5d;object=gw%2D1;id=%01%FF;type=private");
    ASSERT_TRUE(uri) << uri.error().message;
    EXPECT_EQ(uri->token, "My Token");
    EXPECT_EQ(uri->serial, "4e5d");
    EXPECT_EQ(uri->object, "gw-1");
    EXPECT_EQ(uri->id, std::string("\x01\xff", 2));
    EXPECT_EQ(uri->type, "private");
    EXPECT_FALSE(uri->manufacturer);
    EXPECT_EQ(format_uri(*uri),
              "pkcs11:token=My%20Token;serial=4e5d;object=gw-1;id=%01%FF;type=private");
    auto again = parse_uri(format_uri(*uri));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, uri->id);
}

TEST(Pkcs11Uri, RefusesSecretsModulesAndUnknownsNamingWhy) {
    const std::pair<const char*, const char*> cases[] = {
        {"pkcs11:object=gw?pin-value=1234", "the PIN is read from the PIN file"},
        {"pkcs11:object=gw?pin-source=file:/p", "the PIN is read from the PIN file"},
        {"pkcs11:object=gw?module-path=/x.so", "the module is configured beside"},
        {"pkcs11:object=gw;library-version=1", "unknown or unsupported attribute"},
        {"pkcs11:object=a;object=b", "repeated"},
        {"pkcs11:object=%4", "bad % escape"},
        {"pkcs11:object=a b", "must be %-escaped"},
        {"pkcs11:object=gw;;", "empty attribute"},
        {"pkcs11:object", "has no value"},
        {"pkcs11:object=gw;type=key", "not a PKCS#11 object type"},
        {"file:/etc/key.pem", "must start with"},
    };
    for (const auto& [text, why] : cases) {
        auto uri = parse_uri(text);
        ASSERT_FALSE(uri) << text;
        EXPECT_EQ(uri.error().code, error::uri) << text;
        EXPECT_NE(uri.error().message.find(why), std::string::npos)
            << text << ": " << uri.error().message;
        EXPECT_EQ(uri.error().message.find("1234"), std::string::npos) << "PIN echoed";
    }
}

TEST(Pkcs11Uri, KeyUriMustNameOnePrivateKey) {
    EXPECT_TRUE(parse_uri("pkcs11:token=lintel"));
    EXPECT_FALSE(parse_key_uri("pkcs11:token=lintel"));
    EXPECT_FALSE(parse_key_uri("pkcs11:token=lintel;object=gw;type=cert"));
    EXPECT_TRUE(parse_key_uri("pkcs11:id=%01"));
}

TEST(Pkcs11Uri, EveryCodeIsUniqueAndPrefixed) {
    for (std::size_t i = 0; i < error::all.size(); ++i) {
        EXPECT_TRUE(error::all[i].starts_with("pkcs11.")) << error::all[i];
        for (std::size_t j = i + 1; j < error::all.size(); ++j)
            EXPECT_NE(error::all[i], error::all[j]);
    }
}

}  // namespace
}  // namespace lintel::pkcs11
