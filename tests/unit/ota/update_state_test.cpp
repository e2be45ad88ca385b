// The OTA transition table: the documented path, every refusal, abort and recovery per state.
#include <gtest/gtest.h>

#include <set>

#include "ota/update_state.hpp"

namespace lintel::ota {
namespace {

using S = UpdateState;
using E = UpdateEvent;

constexpr S kStates[] = {S::idle,        S::downloading,     S::verifying,    S::installing,
                         S::rebooting,   S::awaiting_health, S::rolling_back, S::committed,
                         S::rolled_back, S::failed};
constexpr E kEvents[] = {E::start,
                         E::downloaded,
                         E::download_failed,
                         E::verified,
                         E::verify_failed,
                         E::installed,
                         E::installed_needs_reboot,
                         E::install_failed,
                         E::booted,
                         E::healthy,
                         E::unhealthy,
                         E::rollback_done,
                         E::rollback_failed,
                         E::abort};

// Runs events from `from`; the state reached, or nullopt at the first refused event.
std::optional<S> run(S from, std::initializer_list<E> events) {
    std::optional<S> s = from;
    for (E e : events) {
        if (!s) return s;
        s = transition(*s, e);
    }
    return s;
}

TEST(UpdateState, TheHappyPathsReachCommitted) {
    EXPECT_EQ(run(S::idle, {E::start, E::downloaded, E::verified, E::installed, E::healthy}),
              S::committed);
    EXPECT_EQ(run(S::idle, {E::start, E::downloaded, E::verified, E::installed_needs_reboot,
                            E::booted, E::healthy}),
              S::committed);
}

TEST(UpdateState, FailuresBeforeInstallingFailWithoutRollingBack) {
    EXPECT_EQ(run(S::idle, {E::start, E::download_failed}), S::failed);
    EXPECT_EQ(run(S::idle, {E::start, E::downloaded, E::verify_failed}), S::failed);
}

TEST(UpdateState, FailuresFromInstallingOnRollBack) {
    EXPECT_EQ(run(S::installing, {E::install_failed, E::rollback_done}), S::rolled_back);
    EXPECT_EQ(run(S::awaiting_health, {E::unhealthy, E::rollback_done}), S::rolled_back);
    EXPECT_EQ(run(S::rebooting, {E::unhealthy, E::rollback_done}), S::rolled_back);
    EXPECT_EQ(run(S::rolling_back, {E::rollback_failed}), S::failed);
}

TEST(UpdateState, ANewUpdateStartsOnlyFromASettledState) {
    for (S s : kStates) {
        EXPECT_EQ(transition(s, E::start).has_value(), is_settled(s)) << to_string(s);
        if (is_settled(s)) {
            EXPECT_EQ(transition(s, E::start), S::downloading);
        }
    }
}

TEST(UpdateState, AbortStopsDownloadsAndPendingInstallsAndRollsBackAnUnconfirmedOne) {
    EXPECT_EQ(transition(S::downloading, E::abort), S::failed);
    EXPECT_EQ(transition(S::verifying, E::abort), S::failed);
    EXPECT_EQ(transition(S::awaiting_health, E::abort), S::rolling_back);
    // Never half way through a package manager, nor a rollback, nor when nothing runs.
    for (S s : {S::installing, S::rebooting, S::rolling_back, S::idle, S::committed, S::rolled_back,
                S::failed}) {
        EXPECT_FALSE(abortable(s)) << to_string(s);
    }
}

TEST(UpdateState, SettledStatesAcceptOnlyStart) {
    for (S s : kStates) {
        if (!is_settled(s)) continue;
        for (E e : kEvents) {
            if (e != E::start) {
                EXPECT_FALSE(transition(s, e)) << to_string(s) << " " << to_string(e);
            }
        }
    }
}

TEST(UpdateState, EveryUnsettledStateIsLeftSomehowAndRecovers) {
    for (S s : kStates) {
        if (is_settled(s)) {
            EXPECT_EQ(recovery_for(s), Recovery::none);
            continue;
        }
        EXPECT_NE(recovery_for(s), Recovery::none) << to_string(s);
        bool leaves = false;
        for (E e : kEvents) leaves |= transition(s, e).has_value();
        EXPECT_TRUE(leaves) << to_string(s);
    }
    EXPECT_EQ(recovery_for(S::downloading), Recovery::resume_download);
    EXPECT_EQ(recovery_for(S::installing), Recovery::probe_install);
    EXPECT_EQ(recovery_for(S::rebooting), Recovery::boot_completed);
    EXPECT_EQ(recovery_for(S::rolling_back), Recovery::redo_rollback);
}

TEST(UpdateState, NamesRoundTripAndAreUnique) {
    std::set<std::string_view> names;
    for (S s : kStates) {
        EXPECT_EQ(parse_update_state(to_string(s)), s);
        names.insert(to_string(s));
    }
    EXPECT_EQ(names.size(), std::size(kStates));
    EXPECT_FALSE(parse_update_state("Idle"));
    EXPECT_FALSE(parse_update_state(""));
    std::set<std::string_view> events;
    for (E e : kEvents) events.insert(to_string(e));
    EXPECT_EQ(events.size(), std::size(kEvents));
}

}  // namespace
}  // namespace lintel::ota
