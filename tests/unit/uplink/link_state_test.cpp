// The session's transition table: every legal move, and that everything else is ignored.
#include <gtest/gtest.h>

#include <map>

#include "uplink/link_state.hpp"

namespace lintel::uplink {
namespace {

using S = LinkState;
using E = LinkEvent;

const std::vector<S> kStates{S::disconnected, S::connecting, S::connected,
                             S::backoff,      S::stopping,   S::stopped};
const std::vector<E> kEvents{E::start, E::connected, E::connect_failed, E::connection_lost,
                             E::retry, E::stop,      E::stop_done};

TEST(LinkState, ExactlyTheseTransitionsExist) {
    const std::map<std::pair<S, E>, S> expected{
        {{S::disconnected, E::start}, S::connecting},
        {{S::disconnected, E::stop}, S::stopped},
        {{S::connecting, E::connected}, S::connected},
        {{S::connecting, E::connect_failed}, S::backoff},
        {{S::connecting, E::connection_lost}, S::backoff},
        {{S::connecting, E::stop}, S::stopped},
        {{S::connected, E::connection_lost}, S::backoff},
        {{S::connected, E::stop}, S::stopping},
        {{S::backoff, E::retry}, S::connecting},
        {{S::backoff, E::stop}, S::stopped},
        {{S::stopping, E::stop_done}, S::stopped},
        {{S::stopping, E::connection_lost}, S::stopped},
    };
    for (S s : kStates) {
        for (E e : kEvents) {
            auto it = expected.find({s, e});
            auto got = next_state(s, e);
            if (it == expected.end()) {
                EXPECT_FALSE(got) << to_string(s) << " + " << to_string(e);
            } else {
                ASSERT_TRUE(got) << to_string(s) << " + " << to_string(e);
                EXPECT_EQ(*got, it->second) << to_string(s) << " + " << to_string(e);
            }
        }
    }
}

TEST(LinkState, StoppedIsTerminalAndEveryStateCanStop) {
    for (E e : kEvents) EXPECT_FALSE(next_state(S::stopped, e));
    for (S s : kStates) {
        if (s == S::stopped || s == S::stopping) continue;
        auto n = next_state(s, E::stop);
        ASSERT_TRUE(n) << to_string(s);
        EXPECT_TRUE(*n == S::stopped || *n == S::stopping);
    }
}

TEST(LinkState, ReconnectCycle) {
    S s = S::disconnected;
    for (E e : {E::start, E::connect_failed, E::retry, E::connected, E::connection_lost, E::retry,
                E::connected, E::stop, E::stop_done}) {
        auto n = next_state(s, e);
        ASSERT_TRUE(n) << to_string(s) << " + " << to_string(e);
        s = *n;
    }
    EXPECT_EQ(s, S::stopped);
}

TEST(LinkState, Names) {
    EXPECT_EQ(to_string(S::backoff), "backoff");
    EXPECT_EQ(to_string(E::connect_failed), "connect_failed");
}

}  // namespace
}  // namespace lintel::uplink
