// Telling events from replies, and the checks on commands and simple replies.
#include "wpa/reply.hpp"

#include <gtest/gtest.h>

#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

TEST(Reply, EventsStartWithAngleBracketOrIfname) {
    EXPECT_TRUE(is_unsolicited("<3>CTRL-EVENT-EAP-SUCCESS"));
    EXPECT_TRUE(is_unsolicited("IFNAME=eth0 <3>x"));
    EXPECT_FALSE(is_unsolicited("OK\n"));
    EXPECT_FALSE(is_unsolicited("wpa_state=COMPLETED\n"));
    EXPECT_FALSE(is_unsolicited(""));
}

TEST(Reply, CommandChecksNeverEchoArguments) {
    EXPECT_TRUE(check_command("STATUS"));
    EXPECT_TRUE(check_command("SET_NETWORK 0 identity \"x\""));
    auto nl = check_command("SET_NETWORK 0 password \"s3cret\"\nRECONFIGURE");
    ASSERT_FALSE(nl);
    EXPECT_EQ(nl.error().code, reason::bad_command);
    EXPECT_EQ(nl.error().message.find("s3cret"), std::string::npos) << nl.error().message;
    EXPECT_NE(nl.error().message.find("SET_NETWORK"), std::string::npos);
    EXPECT_NE(nl.error().message.find("offset 31"), std::string::npos) << nl.error().message;
    EXPECT_FALSE(check_command(""));
    EXPECT_FALSE(check_command("<3>fake event"));
    EXPECT_FALSE(check_command(std::string(k_max_command_bytes + 1, 'A')));
    EXPECT_TRUE(check_command(std::string(k_max_command_bytes, 'A')));
    EXPECT_EQ(command_verb("SET_NETWORK 0 psk \"x\""), "SET_NETWORK");
}

TEST(Reply, OkPongAndRefusals) {
    EXPECT_TRUE(expect_ok("OK\n", "RECONFIGURE"));
    EXPECT_TRUE(expect_ok("OK", "RECONFIGURE"));
    auto fail = expect_ok("FAIL\n", "RECONFIGURE");
    ASSERT_FALSE(fail);
    EXPECT_EQ(fail.error().code, reason::command_failed);
    EXPECT_NE(fail.error().message.find("RECONFIGURE with \"FAIL\""), std::string::npos)
        << fail.error().message;
    EXPECT_TRUE(expect_pong("PONG\n"));
    EXPECT_FALSE(expect_pong("OK\n"));
    EXPECT_TRUE(refusal("wpa_state=X\n", "STATUS"));
    EXPECT_FALSE(refusal("UNKNOWN COMMAND\n", "BOGUS"));
    EXPECT_EQ(shown("a\x01"
                    "b\n"),
              "a\\x01b");
    EXPECT_EQ(shown(std::string(100, 'x'), 4), "xxxx...");
}

}  // namespace
}  // namespace lintel::wpa
