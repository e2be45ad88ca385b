// Dot1xTest: the rig per test, skipped without root or a program; logs quoted on failure.
#include "dot1x_fixture.hpp"

#include <cstdio>

namespace lintel::wpa::test {

std::size_t Recorder::count(EventKind kind, std::size_t from) const {
    std::size_t n = 0;
    for (std::size_t i = from; i < events.size(); ++i)
        if (events[i].kind == kind) ++n;
    return n;
}

void Dot1xTest::SetUp() {
    if (auto why = lintel::test::Dot1xRig::unavailable(); !why.empty()) GTEST_SKIP() << why;
    auto rig = lintel::test::Dot1xRig::start(dir_ / "rig");
    ASSERT_TRUE(rig) << rig.error().message;
    rig_ = std::move(*rig);
}

void Dot1xTest::TearDown() {
    if (rig_ && HasFailure()) std::fprintf(stderr, "%s\n", rig_->logs().c_str());
}

void Dot1xTest::write_config(const lintel::test::CertKey& client, const std::string& identity) {
    auto ok = rig_->write_supplicant_config(rig_->credentials(client, identity), dir_ / "ctrl");
    ASSERT_TRUE(ok) << ok.error().message;
}

void Dot1xTest::start_supplicant(const lintel::test::CertKey& client, const std::string& identity) {
    write_config(client, identity);
    auto ok = rig_->start_supplicant();
    ASSERT_TRUE(ok) << ok.error().message;
}

WpaControlOptions Dot1xTest::options() const {
    WpaControlOptions o;
    o.socket_path = rig_->supplicant_socket();
    o.client_dir = dir_ / "client";
    o.command_timeout = 2s;
    o.ping_interval = 200ms;
    return o;
}

std::unique_ptr<WpaControl> Dot1xTest::attached_client(Recorder& seen) {
    auto wpa = std::make_unique<WpaControl>(io_.get_executor(), options());
    wpa->add_listener(seen.listener());
    auto started = run<void>([&](auto done) { wpa->start(std::move(done)); });
    EXPECT_TRUE(started) << (started ? std::string() : started.error().message);
    return wpa;
}

Expected<Authorized> Dot1xTest::await(WpaControl& wpa, std::chrono::milliseconds deadline,
                                      bool fresh) {
    AwaitOptions a;
    a.deadline = deadline;
    a.policy.require_fresh_success = fresh;
    return run<Authorized>([&](auto done) { wpa.async_await_authorized(a, std::move(done)); },
                           deadline + 5s);
}

Expected<Status> Dot1xTest::status(WpaControl& wpa) {
    return run<Status>([&](auto done) { wpa.async_status(std::move(done)); });
}

std::string Dot1xTest::authenticator_station() { return rig_->authenticator_station(); }

void Dot1xTest::figure(const std::string& name, std::chrono::milliseconds value) {
    std::printf("[ figure   ] %s: %lld ms\n", name.c_str(), static_cast<long long>(value.count()));
    RecordProperty(name, std::to_string(value.count()));
}

}  // namespace lintel::wpa::test
