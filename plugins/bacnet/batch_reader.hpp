// Reads many properties of one device in as few requests as it allows: ReadPropertyMultiple in
// batches that fit its max APDU (smaller batches after a "too long" answer), or ReadProperty one
// by one once the device has refused ReadPropertyMultiple. Used by the device's poll cycle and by
// lintel-bacnet-discover.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "channel.hpp"
#include "lintel/log.hpp"
#include "read_property.hpp"

namespace lintel::bacnet {

class BatchReader {
public:
    enum class Rpm : std::uint8_t { unknown, yes, no };

    struct Outcome {
        std::vector<std::vector<Expected<Values>>> values;  // [spec][property]
        std::size_t requests = 0;
        bool answered = false;  // at least one request got an answer (even a refusal)
        std::optional<Error> first_failure;
    };

    // `who` names the device in log lines ("device 1234"); `log` must outlive the reader while
    // the channel is open (nothing is logged once it is closed).
    BatchReader(std::shared_ptr<Channel> channel, std::string who, sdk::Logger& log);

    void set_max_apdu(std::size_t max_apdu) { max_apdu_ = max_apdu; }
    std::size_t max_apdu() const { return max_apdu_; }
    Rpm rpm() const { return rpm_; }

    // Every property of every spec; `specs` must stay alive until the read completes.
    asio::awaitable<Outcome> read(const std::vector<ReadAccessSpec>& specs);

private:
    asio::awaitable<void> with_rpm(const std::vector<ReadAccessSpec>& specs, Outcome& out);
    asio::awaitable<void> one_by_one(const std::vector<ReadAccessSpec>& specs, Outcome& out);
    void take_acks(const std::vector<ReadAccessSpec>& specs,
                   const std::vector<std::size_t>& batch_specs,
                   const std::vector<ReadAccessResult>& acks, Outcome& out) const;

    std::shared_ptr<Channel> channel_;
    std::string who_;
    sdk::Logger& log_;
    std::size_t max_apdu_ = 480;
    std::size_t max_specs_ = std::numeric_limits<std::size_t>::max();
    Rpm rpm_ = Rpm::unknown;
    bool too_long_logged_ = false;
};

// No answer at all (as opposed to an answer that refuses): the device is away or unreachable.
bool unanswered(const Error& e);
// The answer would not fit one APDU (Abort segmentation-not-supported, buffer-overflow, ...).
bool answer_too_long(const Error& e);

}  // namespace lintel::bacnet
