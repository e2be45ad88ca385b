// Tests of the BACnet simulator wrapper: start, control commands, one real ReadProperty over UDP
// (hand-built frames, since lintel's BACnet client does not exist yet), restart, kill, BBMD.
#include "support/bacnet_device.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <optional>

#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;

#define SKIP_WITHOUT_SIMULATOR()                    \
    if (auto ok = BacnetDevice::available(); !ok) { \
        GTEST_SKIP() << ok.error().message;         \
    }

// A BACnet/IP client socket on 127.0.0.3 that sends ReadProperty(present-value) of an analog
// input to the simulator and decodes the REAL in the ComplexAck.
class RawClient {
public:
    explicit RawClient(std::uint16_t device_port) {
        fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = inet_addr("127.0.0.3");
        device_ = local;
        device_.sin_addr.s_addr = inet_addr("127.0.0.2");
        device_.sin_port = htons(device_port);
        // reinterpret_cast: the BSD socket API takes the generic sockaddr.
        bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
    }
    ~RawClient() {
        if (fd_ >= 0) close(fd_);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool send_read(std::uint8_t instance) {
        // BVLC original-unicast | NPDU expecting reply | confirmed request, invoke 1, ReadProperty
        // | [0] object AI:instance | [1] property 85 (present-value)
        const std::array<std::uint8_t, 17> request{0x81, 0x0a, 0x00,     17,   0x01, 0x04,
                                                   0x00, 0x05, 0x01,     0x0c, 0x0c, 0x00,
                                                   0x00, 0x00, instance, 0x19, 0x55};
        return bound_ &&
               sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&device_),
                      sizeof device_) == static_cast<ssize_t>(request.size());
    }

    // The value in the answer, or nullopt when none (well-formed) came within `timeout`.
    std::optional<float> receive(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        std::array<std::uint8_t, 64> reply{};
        // BVLC | NPDU | ComplexAck invoke 1 ReadProperty | [0] object | [1] property |
        // [3] { REAL (0x44) b b b b } [3]: 23 octets
        if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
            recv(fd_, reply.data(), reply.size(), 0) != 23 || reply[6] != 0x30 ||
            reply[8] != 0x0c || reply[17] != 0x44) {
            return std::nullopt;
        }
        std::uint32_t bits = 0;
        for (std::size_t i = 18; i < 22; ++i) bits = bits << 8 | reply[i];
        return std::bit_cast<float>(bits);
    }

    std::optional<float> read(std::uint8_t instance) {
        if (!send_read(instance)) return std::nullopt;
        return receive(3s);
    }

private:
    int fd_ = -1;
    bool bound_ = false;
    sockaddr_in device_{};
};

TEST(BacnetDevice, ControlChannelAndReadPropertyOverUdp) {
    SKIP_WITHOUT_SIMULATOR();
    TestWatchdog dog(30s);
    BacnetDeviceOptions options;
    options.device_instance = 4242;
    auto device = BacnetDevice::start(options);
    ASSERT_TRUE(device) << device.error().message;
    ASSERT_NE(device->port(), 0);
    EXPECT_EQ(device->address(), "127.0.0.2:" + std::to_string(device->port()));

    EXPECT_EQ(device->must("set AI:1 21.5"), "21.5");
    EXPECT_EQ(device->must("get AI:1"), "21.5");
    RawClient client(device->port());
    EXPECT_EQ(client.read(1), 21.5F);

    EXPECT_EQ(device->must("set AO:1 33 8"), "33");
    EXPECT_EQ(device->must("priority AO:1"),
              "[null,null,null,null,null,null,null,33,null,null,null,null,null,null,null,null]");
    auto bad = device->command("set XX:1 1");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("bad object id"), std::string::npos) << bad.error().message;

    EXPECT_EQ(device->must("restart"), "");
    EXPECT_EQ(device->must("subs"), "[]");
    EXPECT_EQ(device->must("get AI:1"), "21.5");  // values survive a reboot, subscriptions do not
    EXPECT_NE(device->must("stats").find("\"readProperty\":1"), std::string::npos);

    device->kill();
    EXPECT_FALSE(device->command("ping"));
}

TEST(BacnetDevice, SilentDeviceDoesNotAnswer) {
    SKIP_WITHOUT_SIMULATOR();
    TestWatchdog dog(30s);
    auto device = BacnetDevice::start(BacnetDeviceOptions{});
    ASSERT_TRUE(device) << device.error().message;
    RawClient client(device->port());
    device->must("silent on");
    ASSERT_TRUE(client.send_read(1));
    // Once the device counted the datagram as dropped, no answer can be on its way.
    EXPECT_TRUE(wait_until(
        [&] { return device->must("stats").find("\"dropped\":1") != std::string::npos; }, 5s));
    EXPECT_EQ(client.receive(0ms), std::nullopt);
    device->must("silent off");
    EXPECT_EQ(client.read(1), 21.0F);
}

TEST(BacnetDevice, BadOptionIsAClearError) {
    SKIP_WITHOUT_SIMULATOR();
    TestWatchdog dog(30s);
    BacnetDeviceOptions options;
    options.extra_args = {"--bogus"};
    auto device = BacnetDevice::start(options);
    ASSERT_FALSE(device);
    EXPECT_NE(device.error().message.find("unknown option --bogus"), std::string::npos)
        << device.error().message;
}

TEST(BbmdStandIn, StartsWithAnEmptyForeignDeviceTable) {
    SKIP_WITHOUT_SIMULATOR();
    TestWatchdog dog(30s);
    auto bbmd = BbmdStandIn::start(BbmdOptions{});
    ASSERT_TRUE(bbmd) << bbmd.error().message;
    EXPECT_EQ(bbmd->must("fdt"), "[]");
    EXPECT_EQ(bbmd->address(), "127.0.0.5:" + std::to_string(bbmd->port()));
}

}  // namespace
}  // namespace lintel::test
