// Batched property reads with ReadPropertyMultiple, or ReadProperty (see batch_reader.hpp).
#include "batch_reader.hpp"

#include <algorithm>

#include "read_plan.hpp"

namespace lintel::bacnet {
namespace {

// The device does not implement ReadPropertyMultiple (Reject unrecognized-service, or an Error
// of class services, as some answer instead).
bool refuses_rpm(const Error& e) {
    return e.code == "bacnet.reject.unrecognized_service" ||
           e.code.starts_with("bacnet.error.services.");
}

Expected<Values> not_read() {
    return make_error("bacnet.not_read", "not read (the device was stopped)");
}

}  // namespace

bool answer_too_long(const Error& e) {
    return e.code == "bacnet.abort.segmentation_not_supported" ||
           e.code == "bacnet.abort.buffer_overflow" || e.code == "bacnet.reject.buffer_overflow" ||
           e.code == "bacnet.abort.apdu_too_long";
}

bool unanswered(const Error& e) {
    return e.code == "bacnet.timeout" || e.code == "bacnet.send" ||
           e.code == "bacnet.not_connected" || e.code == "bacnet.busy" ||
           e.code == "bacnet.stopped";
}

BatchReader::BatchReader(std::shared_ptr<Channel> channel, std::string who, sdk::Logger& log)
    : channel_(std::move(channel)), who_(std::move(who)), log_(log) {}

void BatchReader::take_acks(const std::vector<ReadAccessSpec>& specs,
                            const std::vector<std::size_t>& batch_specs,
                            const std::vector<ReadAccessResult>& acks, Outcome& out) const {
    // Results come in the order asked; an object may be asked more than once (object-list by
    // index), so position decides when the counts agree, the object id otherwise.
    const bool positional = acks.size() == batch_specs.size();
    for (std::size_t k = 0; k < batch_specs.size(); ++k) {
        const std::size_t si = batch_specs[k];
        const ReadAccessSpec& spec = specs[si];
        const ReadAccessResult* result = nullptr;
        if (positional && acks[k].object == spec.object) {
            result = &acks[k];
        } else {
            auto it = std::find_if(acks.begin(), acks.end(), [&](const ReadAccessResult& r) {
                return r.object == spec.object;
            });
            if (it != acks.end()) result = &*it;
        }
        for (std::size_t pi = 0; pi < spec.properties.size(); ++pi) {
            Expected<Values>& slot = out.values[si][pi];
            if (result == nullptr) {
                slot = make_error("bacnet.malformed",
                                  "the answer left out " + object_id_text(spec.object));
                continue;
            }
            auto pr =
                std::find_if(result->results.begin(), result->results.end(),
                             [&](const PropertyResult& r) { return r.ref == spec.properties[pi]; });
            slot = pr == result->results.end()
                       ? Expected<Values>(make_error(
                             "bacnet.malformed", "the answer left out " +
                                                     object_id_text(spec.object) + " " +
                                                     property_name(spec.properties[pi].property)))
                       : values_of(*pr);
        }
    }
}

asio::awaitable<void> BatchReader::with_rpm(const std::vector<ReadAccessSpec>& specs,
                                            Outcome& out) {
    std::vector<std::size_t> pending(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) pending[i] = i;
    while (!pending.empty() && !channel_->closed() && rpm_ != Rpm::no) {
        std::vector<ReadAccessSpec> subset;
        for (std::size_t i : pending) subset.push_back(specs[i]);
        auto batches = plan_batches(subset, BatchLimits{max_apdu_, max_specs_});
        std::vector<std::size_t> again;
        if (rpm_ == Rpm::unknown && batches.size() > 1) {
            // Until the device has answered one, a single ReadPropertyMultiple asks whether it
            // knows the service at all.
            for (std::size_t b = 1; b < batches.size(); ++b) {
                for (std::size_t k : batches[b]) again.push_back(pending[k]);
            }
            batches.resize(1);
        }
        std::vector<ApduBuilder> builds;
        for (const auto& b : batches) {
            std::vector<ReadAccessSpec> chosen;
            for (std::size_t k : b) chosen.push_back(subset[k]);
            builds.push_back(read_property_multiple(std::move(chosen)));
        }
        out.requests += builds.size();
        auto answers = co_await channel_->call_all(std::move(builds));
        if (channel_->closed()) co_return;
        for (std::size_t bi = 0; bi < batches.size(); ++bi) {
            std::vector<std::size_t> batch;
            for (std::size_t k : batches[bi]) batch.push_back(pending[k]);
            auto acks =
                answers[bi]
                    ? decode_read_property_multiple_ack(answers[bi]->apdu)
                    : Expected<std::vector<ReadAccessResult>>(std::unexpected(answers[bi].error()));
            if (answers[bi] || !unanswered(answers[bi].error())) out.answered = true;
            if (acks) {
                rpm_ = Rpm::yes;
                take_acks(specs, batch, *acks, out);
                continue;
            }
            const Error& e = acks.error();
            if (refuses_rpm(e) && rpm_ == Rpm::unknown) {
                rpm_ = Rpm::no;
                log_.info(who_ + " does not support ReadPropertyMultiple (" + e.message +
                          "); reading one property per request from now on");
                co_return;  // read() reads everything one by one
            }
            if (answer_too_long(e) && batch.size() > 1) {
                max_specs_ = std::max<std::size_t>(1, batch.size() / 2);
                if (!too_long_logged_) {
                    too_long_logged_ = true;
                    log_.info(who_ + " cannot answer " + std::to_string(batch.size()) +
                              " objects in one APDU (" + e.message + "); asking for at most " +
                              std::to_string(max_specs_) + " per request");
                }
                again.insert(again.end(), batch.begin(), batch.end());
                continue;
            }
            if (!out.first_failure) out.first_failure = e;
            for (std::size_t si : batch) {
                for (auto& v : out.values[si]) v = std::unexpected(e);
            }
        }
        pending = std::move(again);
    }
}

asio::awaitable<void> BatchReader::one_by_one(const std::vector<ReadAccessSpec>& specs,
                                              Outcome& out) {
    std::vector<ApduBuilder> builds;
    std::vector<std::pair<std::size_t, std::size_t>> where;
    for (std::size_t si = 0; si < specs.size(); ++si) {
        for (std::size_t pi = 0; pi < specs[si].properties.size(); ++pi) {
            builds.push_back(read_property({specs[si].object, specs[si].properties[pi]}));
            where.emplace_back(si, pi);
        }
    }
    out.requests += builds.size();
    auto answers = co_await channel_->call_all(std::move(builds));
    if (channel_->closed()) co_return;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        auto& slot = out.values[where[i].first][where[i].second];
        if (!answers[i]) {
            if (!unanswered(answers[i].error())) out.answered = true;
            if (!out.first_failure) out.first_failure = answers[i].error();
            slot = std::unexpected(answers[i].error());
            continue;
        }
        out.answered = true;
        auto ack = decode_read_property_ack(answers[i]->apdu);
        slot = ack ? Expected<Values>(std::move(ack->values))
                   : Expected<Values>(std::unexpected(ack.error()));
    }
}

asio::awaitable<BatchReader::Outcome> BatchReader::read(const std::vector<ReadAccessSpec>& specs) {
    Outcome out;
    for (const auto& s : specs) out.values.emplace_back(s.properties.size(), not_read());
    if (rpm_ != Rpm::no) co_await with_rpm(specs, out);
    if (rpm_ == Rpm::no && !channel_->closed()) co_await one_by_one(specs, out);
    co_return out;
}

}  // namespace lintel::bacnet
