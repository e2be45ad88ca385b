// Strict base64url and base64: the RFC 4648 vectors, both alphabets, and every kind of refusal.
#include "commands/base64url.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

std::string message_of(std::string_view text) {
    auto decoded = base64url_decode(text);
    return decoded ? "ok" : decoded.error().message;
}

TEST(Base64url, Rfc4648VectorsWithoutPadding) {
    // RFC 4648 §10, with the padding removed as JWS does (RFC 7515 §2).
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64url_encode(plain), encoded) << plain;
        auto decoded = base64url_decode(encoded);
        ASSERT_TRUE(decoded) << encoded << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, plain);
    }
}

TEST(Base64url, UsesTheUrlAlphabet) {
    // 0xfb 0xff is "+/8" in standard base64 and "-_8" in base64url.
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64url_decode("-_8").value_or("?"), "\xfb\xff");
    EXPECT_EQ(base64url_encode(std::string("\x00\x00\x00", 3)), "AAAA");
}

TEST(Base64url, RoundTripsEveryByteAndRandomData) {
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        EXPECT_EQ(base64url_decode(base64url_encode(one)).value_or("?"), one) << b;
    }
    std::mt19937 rng(42);
    for (std::size_t size = 0; size < 70; ++size) {
        std::string data(size, '\0');
        for (auto& c : data) c = static_cast<char>(rng() & 0xff);
        EXPECT_EQ(base64url_decode(base64url_encode(data)).value_or("?"), data) << size;
    }
}

TEST(Base64url, RefusesPadding) {
    EXPECT_FALSE(base64url_decode("Zg=="));
    EXPECT_FALSE(base64url_decode("Zm8="));
    EXPECT_NE(message_of("Zg==").find("padding is not used"), std::string::npos);
    EXPECT_EQ(base64url_decode("Zg==").error().code, reason::malformed);
}

TEST(Base64url, RefusesTheStandardAlphabet) {
    EXPECT_FALSE(base64url_decode("+_8"));
    EXPECT_FALSE(base64url_decode("-/8"));
    const auto m = message_of("ab+c");
    EXPECT_NE(m.find("0x2b"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 2"), std::string::npos) << m;
    EXPECT_NE(m.find("standard base64"), std::string::npos) << m;
}

TEST(Base64url, RefusesWhitespaceAndOtherBytes) {
    const std::string_view cases[] = {" Zm8",
                                      "Zm8 ",
                                      "Zm\n8",
                                      "Zm8\n",
                                      "Zm8\r",
                                      "Zm\t8",
                                      "Zm.8",
                                      "Zm\xc3\xa9"
                                      "8",
                                      {"Zm\0"
                                       "8",
                                       4}};
    for (auto text : cases) EXPECT_FALSE(base64url_decode(text)) << text;
    EXPECT_NE(message_of("Zm8\n").find("whitespace"), std::string::npos);
}

TEST(Base64url, RefusesNonCanonicalTrailingBits) {
    // "Zg" is "f"; "Zh".."Zv" carry the same byte with non-zero leftover bits.
    EXPECT_TRUE(base64url_decode("Zg"));
    for (std::string_view text : {"Zh", "Zi", "Zp", "Zv"}) {
        EXPECT_FALSE(base64url_decode(text)) << text;
    }
    // 3 characters leave 2 bits: "Zm8" is canonical, "Zm9" / "Zm-" / "Zm_" are not.
    EXPECT_TRUE(base64url_decode("Zm8"));
    for (std::string_view text : {"Zm9", "Zm-", "Zm_"})
        EXPECT_FALSE(base64url_decode(text)) << text;
    EXPECT_NE(message_of("Zm9").find("non-zero padding bits"), std::string::npos);
}

TEST(Base64url, RefusesALengthOfOneModFour) {
    for (std::string_view text : {"Z", "Zm9vY", "Zm9vYmFyZ"}) {
        EXPECT_FALSE(base64url_decode(text)) << text;
        EXPECT_NE(message_of(text).find("truncated"), std::string::npos) << text;
    }
}

TEST(Base64url, EveryAcceptedTextIsTheEncodingOfWhatItDecodesTo) {
    // Exhaustive over all 2- and 3-character texts of a reduced alphabet around the edges.
    const std::string chars = "AQgw_-89Zazp";
    for (char a : chars) {
        for (char b : chars) {
            for (char c : chars) {
                for (const auto& text : {std::string{a, b}, std::string{a, b, c}}) {
                    auto decoded = base64url_decode(text);
                    if (decoded) {
                        EXPECT_EQ(base64url_encode(*decoded), text);
                    }
                }
            }
        }
    }
}

TEST(Base64, Rfc4648VectorsWithPadding) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded) << plain;
        auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded) << encoded << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, plain);
    }
    EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
    std::mt19937 rng(7);
    for (std::size_t size = 0; size < 70; ++size) {
        std::string data(size, '\0');
        for (auto& c : data) c = static_cast<char>(rng() & 0xff);
        EXPECT_EQ(base64_decode(base64_encode(data)).value_or("?"), data) << size;
    }
}

TEST(Base64, RefusesAnythingButTheCanonicalText) {
    auto why = [](std::string_view text) {
        auto decoded = base64_decode(text);
        EXPECT_FALSE(decoded) << text;
        if (decoded) return std::string();
        EXPECT_EQ(decoded.error().code, reason::malformed);
        return decoded.error().message;
    };
    EXPECT_NE(why("Zg").find("not a multiple of 4"), std::string::npos);
    EXPECT_NE(why("Zg=").find("not a multiple of 4"), std::string::npos);
    EXPECT_NE(why("Z===").find("padding belongs only at the end"), std::string::npos);
    EXPECT_NE(why("Zg==Zm9v").find("padding belongs only at the end"), std::string::npos);
    EXPECT_NE(why("-_8=").find("base64url alphabet"), std::string::npos);
    EXPECT_NE(why("Zm9v\nYmF").find("whitespace"), std::string::npos);
    EXPECT_NE(why("Zh==").find("non-zero padding bits"), std::string::npos);
    EXPECT_NE(why("Zm9=").find("non-zero padding bits"), std::string::npos);
    why("====");
}

}  // namespace
}  // namespace lintel::commands
