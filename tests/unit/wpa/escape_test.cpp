// wpa_supplicant's printf escapes and config value quoting.
#include "wpa/escape.hpp"

#include <gtest/gtest.h>

#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

TEST(Escape, DecodesWhatWpaSupplicantEncodes) {
    auto d = printf_decode(R"(caf\xc3\xa9 \"x\" a\\b\e\n\r\t)");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(*d, "caf\xc3\xa9 \"x\" a\\b\033\n\r\t");
    EXPECT_EQ(*printf_decode(""), "");
    EXPECT_EQ(*printf_decode(R"(\xFF\x00)"), std::string("\xff\0", 2));
}

TEST(Escape, EncodeIsWpaSupplicantsAndRoundTrips) {
    const std::string bytes("a\"b\\c\033\n\r\t\x01\x7f\xe9 ~", 14);
    const auto encoded = printf_encode(bytes);
    EXPECT_EQ(encoded, R"(a\"b\\c\e\n\r\t\x01\x7f\xe9 ~)");
    auto back = printf_decode(encoded);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, bytes);
}

TEST(Escape, RefusesBadEscapesNamingTheOffset) {
    struct Case {
        const char* text;
        const char* where;
    };
    for (const auto& c :
         {Case{R"(ab\q)", "offset 2"}, Case{R"(ab\)", "offset 2"}, Case{R"(\x4)", "offset 0"},
          Case{R"(x\xg1)", "offset 1"}, Case{"a\nb", "offset 1"}, Case{"\x7f", "offset 0"}}) {
        auto d = printf_decode(c.text);
        ASSERT_FALSE(d) << c.text;
        EXPECT_EQ(d.error().code, reason::bad_escape);
        EXPECT_NE(d.error().message.find(c.where), std::string::npos) << d.error().message;
    }
    auto long_one = printf_decode(std::string(k_max_escaped + 1, 'a'));
    ASSERT_FALSE(long_one);
    EXPECT_EQ(long_one.error().code, reason::bad_escape);
}

TEST(Escape, ConfigValueQuotesPlainTextAndEncodesTheRest) {
    EXPECT_EQ(*config_value("dot1x-a"), "\"dot1x-a\"");
    EXPECT_EQ(*config_value("/etc/lintel/pki/ca.pem"), "\"/etc/lintel/pki/ca.pem\"");
    EXPECT_EQ(*config_value("has # hash"), "\"has # hash\"");  // '#' inside quotes is no comment
    EXPECT_EQ(*config_value("say \"hi\""), "P\"say \\\"hi\\\"\"");
    EXPECT_EQ(*config_value("back\\slash"), "P\"back\\\\slash\"");
    EXPECT_EQ(*config_value("caf\xc3\xa9"), "P\"caf\\xc3\\xa9\"");
    EXPECT_EQ(*config_value(""), "\"\"");
    auto nul = config_value(std::string("a\0b", 3));
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().code, reason::bad_value);
    EXPECT_NE(nul.error().message.find("offset 1"), std::string::npos);
}

TEST(Escape, ConfigLineChecksKeyAndLength) {
    EXPECT_EQ(*config_line("identity", "dot1x-a"), "\tidentity=\"dot1x-a\"\n");
    for (const char* key : {"", "Identity", "id entity", "a=b", "key\n"}) {
        auto line = config_line(key, "x");
        ASSERT_FALSE(line) << key;
        EXPECT_EQ(line.error().code, reason::bad_value);
    }
    // 510 bytes fit: tab + "ca_cert=" + quotes + newline = 12 bytes around the value.
    EXPECT_TRUE(config_line("ca_cert", std::string(k_max_config_line - 12, 'a')));
    auto too_long = config_line("ca_cert", std::string(k_max_config_line - 11, 'a'));
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().message.find("ca_cert"), std::string::npos);
}

}  // namespace
}  // namespace lintel::wpa
