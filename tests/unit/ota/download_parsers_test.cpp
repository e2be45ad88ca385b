// The download's pure parsers: artifact URLs, Content-Range, If-Range validators, .part.meta.
#include <gtest/gtest.h>

#include "ota/download_headers.hpp"
#include "ota/download_meta.hpp"
#include "ota/download_url.hpp"

#include <vector>

namespace lintel::ota {
namespace {

TEST(DownloadUrl, SplitsHostPortAndTarget) {
    auto u = parse_https_url("HTTPS://Updates.Example.COM:8443/a/b.bin?sig=x#frag");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->host, "updates.example.com");
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->target, "/a/b.bin?sig=x");
    EXPECT_FALSE(u->host_is_ip);
    EXPECT_EQ(u->redacted(), "https://updates.example.com:8443/a/b.bin");
    EXPECT_EQ(u->host_header(), "updates.example.com:8443");
}

TEST(DownloadUrl, DefaultsAndLiterals) {
    auto plain = parse_https_url("https://10.0.0.1");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->port, 443);
    EXPECT_EQ(plain->target, "/");
    EXPECT_TRUE(plain->host_is_ip);
    EXPECT_EQ(plain->host_header(), "10.0.0.1");

    auto v6 = parse_https_url("https://[::1]:9000?x=1");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "::1");
    EXPECT_TRUE(v6->host_is_ip);
    EXPECT_TRUE(v6->host_is_ipv6);
    EXPECT_EQ(v6->target, "/?x=1");
    EXPECT_EQ(v6->host_header(), "[::1]:9000");
    EXPECT_EQ(v6->redacted(), "https://[::1]:9000/");
}

TEST(DownloadUrl, RefusesWhatIsNotAPlainHttpsUrl) {
    for (const char* bad :
         {"", "http://h/x", "ftp://h/x", "https://", "https:///x", "https://h:/x", "https://h:0/",
          "https://h:65536/", "https://h:12a/", "https://u:p@h/x", "https://[::1/x",
          "https://[nothex]/x", "https://[::1]x/", "https://h h/x", "https://h/x y",
          "https://h/\x01", "https://h\xc3\xa9/", "https://a%20b/"}) {
        auto u = parse_https_url(bad);
        EXPECT_FALSE(u) << bad;
        if (!u) {
            EXPECT_EQ(u.error().code, "ota.download_refused");
            EXPECT_EQ(u.error().message.find("u:p"), std::string::npos);
        }
    }
    EXPECT_FALSE(parse_https_url("https://" + std::string(254, 'a') + "/"));
    EXPECT_FALSE(parse_https_url("https://h/" + std::string(9000, 'a')));
}

TEST(ContentRange, Parses) {
    auto r = parse_content_range("bytes 100-199/200");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 100u);
    EXPECT_EQ(r->last, 199u);
    EXPECT_EQ(r->complete_size, 200u);
    auto unknown = parse_content_range(" Bytes 0-0/* ");
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(unknown->complete_size);
    auto huge = parse_content_range("bytes 0-18446744073709551614/18446744073709551615");
    ASSERT_TRUE(huge);
}

TEST(ContentRange, RefusesMalformed) {
    for (const char* bad :
         {"", "bytes", "bytes */200", "bytes 5-4/10", "bytes 0-9/9", "bytes 0-9/10x", "items 0-1/2",
          "bytes 0-1/2, 3-4/5", "bytes -1-2/3", "bytes 0-18446744073709551616/18446744073709551617",
          "bytes 1 - 2/3", "bytes 0-1"}) {
        EXPECT_FALSE(parse_content_range(bad)) << bad;
    }
}

TEST(IfRange, PrefersAStrongEtagThenLastModified) {
    EXPECT_EQ(if_range_validator("\"abc\"", "Wed, 21 Oct 2015 07:28:00 GMT"), "\"abc\"");
    EXPECT_EQ(if_range_validator("W/\"abc\"", "Wed, 21 Oct 2015 07:28:00 GMT"),
              "Wed, 21 Oct 2015 07:28:00 GMT");
    EXPECT_EQ(if_range_validator("", ""), "");
    EXPECT_FALSE(is_strong_etag("\"a\"b\""));
    EXPECT_FALSE(is_strong_etag("\""));
    EXPECT_EQ(storable_header_value("a\r\nb"), "");
    EXPECT_EQ(storable_header_value("  x  "), "x");
}

TEST(PartMeta, RoundTrips) {
    PartMeta m{"https://h/x.bin", 1000, "\"e\"", "Wed, 21 Oct 2015 07:28:00 GMT", 512};
    const auto text = serialise_part_meta(m);
    EXPECT_EQ(text,
              "lintel-ota-part 1\nresource https://h/x.bin\nsize 1000\netag \"e\"\n"
              "last-modified Wed, 21 Oct 2015 07:28:00 GMT\ncommitted 512\n");
    auto back = parse_part_meta(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, m);
    PartMeta bare{"https://h/x.bin", 5, "", "", 0};
    EXPECT_EQ(*parse_part_meta(serialise_part_meta(bare)), bare);
}

TEST(PartMeta, IsStrict) {
    const std::string ok = "lintel-ota-part 1\nresource r\nsize 10\ncommitted 5\n";
    ASSERT_TRUE(parse_part_meta(ok));
    for (const std::string& bad : std::vector<std::string>{
             std::string(), "lintel-ota-part 2\nresource r\nsize 10\ncommitted 5\n",
             "lintel-ota-part 1\nresource r\nsize 10\ncommitted 5",  // no final newline
             "lintel-ota-part 1\nresource r\nsize 10\ncommitted 11\n",
             "lintel-ota-part 1\nresource r\nsize 10\n",
             "lintel-ota-part 1\nresource r\nsize 10\ncommitted 5\nsize 10\n",
             "lintel-ota-part 1\nresource r\nsize 010\ncommitted 5\n",
             "lintel-ota-part 1\nresource r\nsize 99999999999999999999\ncommitted 5\n",
             "lintel-ota-part 1\nresource r\nsize 10\ncommitted 5\ncolour blue\n",
             "lintel-ota-part 1\nresource r\nsize 10\ncommitted 5\netag \x01\n",
             "lintel-ota-part 1\nresource\nsize 10\ncommitted 5\n", ok + std::string(5000, 'x')}) {
        EXPECT_FALSE(parse_part_meta(bad)) << bad;
    }
}

}  // namespace
}  // namespace lintel::ota
