// parse_cert_reply (strict schema) and csr_request_json.
#include "identity/cert_reply.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "identity/reason_codes.hpp"

namespace lintel::identity {
namespace {

TEST(CertReply, CertificateAndErrorRepliesParse) {
    auto ok = parse_cert_reply(R"({"request_id":"00ff","certificate":"PEM"})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->request_id, "00ff");
    EXPECT_EQ(ok->certificate_pem, "PEM");
    EXPECT_FALSE(ok->error);
    auto refused = parse_cert_reply(R"({"error":"unknown gateway","request_id":"ab"})");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->error, "unknown gateway");
}

TEST(CertReply, MalformedRepliesAreRefused) {
    for (std::string_view bad : {
             R"([])",
             R"({"request_id":"ab"})",
             R"({"request_id":"ab","certificate":"x","error":"y"})",
             R"({"request_id":"AB","certificate":"x"})",
             R"({"request_id":"","certificate":"x"})",
             R"({"request_id":"ab","certificate":""})",
             R"({"request_id":"ab","certificate":7})",
             R"({"request_id":"ab","certificate":"x","extra":1})",
             R"({"request_id":"ab","request_id":"cd","certificate":"x"})",
             R"({"request_id":"ab","certificate":"x")",
         }) {
        auto r = parse_cert_reply(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, reason::bad_reply);
    }
    auto huge = parse_cert_reply(R"({"request_id":"ab","certificate":")" +
                                 std::string(k_max_certificate_bytes + 1, 'A') + "\"}");
    ASSERT_FALSE(huge);
}

TEST(CertReply, RequestJsonHasEveryField) {
    const auto j = nlohmann::json::parse(csr_request_json({"0a1b", "gw-1", "CSR", "renewal"}));
    EXPECT_EQ(j["request_id"], "0a1b");
    EXPECT_EQ(j["gateway"], "gw-1");
    EXPECT_EQ(j["csr"], "CSR");
    EXPECT_EQ(j["reason"], "renewal");
}

}  // namespace
}  // namespace lintel::identity
