// Unit tests of ReadPropertyMultiple batching: every request and its estimated answer fit the
// device's max APDU, and 100 points take a couple of requests instead of 100 (or 200) ReadProperty.
#include "read_plan.hpp"

#include <gtest/gtest.h>

#include "apdu.hpp"
#include "tags.hpp"

namespace lintel::bacnet {
namespace {

std::vector<ReadAccessSpec> analog_inputs(std::size_t n, bool with_status_flags = true) {
    std::vector<ReadAccessSpec> specs;
    for (std::size_t i = 0; i < n; ++i) {
        ReadAccessSpec s{{ObjectType::analog_input, static_cast<std::uint32_t>(i + 1)},
                         {PropertyRef{PropertyId::present_value, std::nullopt}}};
        if (with_status_flags) s.properties.push_back({PropertyId::status_flags, std::nullopt});
        specs.push_back(std::move(s));
    }
    return specs;
}

std::vector<ReadAccessSpec> pick(const std::vector<ReadAccessSpec>& specs,
                                 const std::vector<std::size_t>& indexes) {
    std::vector<ReadAccessSpec> out;
    for (std::size_t i : indexes) out.push_back(specs[i]);
    return out;
}

// The real size of the answer a device gives to `specs` when every value is a REAL and every
// status-flags a 4-bit BIT STRING.
std::size_t real_answer_size(const std::vector<ReadAccessSpec>& specs) {
    std::vector<ReadAccessResult> results;
    for (const auto& s : specs) {
        ReadAccessResult r{s.object, {}};
        for (const auto& ref : s.properties) {
            Values v;
            if (ref.property == PropertyId::status_flags) {
                v.push_back(BitString{{false, false, false, false}});
            } else {
                v.push_back(21.5F);
            }
            r.results.push_back(PropertyResult{ref, v});
        }
        results.push_back(std::move(r));
    }
    auto apdu = encode_read_property_multiple_ack(1, results);
    EXPECT_TRUE(apdu);
    return apdu ? apdu->size() : 0;
}

void expect_fits(const std::vector<ReadAccessSpec>& specs,
                 const std::vector<std::vector<std::size_t>>& batches, std::size_t max_apdu) {
    std::size_t covered = 0;
    for (const auto& b : batches) {
        const auto chosen = pick(specs, b);
        EXPECT_LE(read_property_multiple_size(chosen), max_apdu);
        EXPECT_LE(estimated_answer_size(chosen), max_apdu);
        // The estimate is never below what a device really sends for these types.
        EXPECT_GE(estimated_answer_size(chosen), real_answer_size(chosen));
        for (std::size_t i : b) EXPECT_EQ(i, covered++);  // in order, each once
    }
    EXPECT_EQ(covered, specs.size());
}

TEST(BacnetReadPlan, HundredPointsTakeTwoRequestsAt1476) {
    const auto specs = analog_inputs(100);
    const auto batches = plan_batches(specs, BatchLimits{1476});
    expect_fits(specs, batches, 1476);
    // 100 x (present-value + status-flags): 2 ReadPropertyMultiple instead of 200 ReadProperty.
    EXPECT_EQ(batches.size(), 2U);
    const auto pv_only = analog_inputs(100, false);
    const auto pv_batches = plan_batches(pv_only, BatchLimits{1476});
    expect_fits(pv_only, pv_batches, 1476);
    EXPECT_EQ(pv_batches.size(), 2U);  // 16 bytes per object in the answer: 92 per request
}

TEST(BacnetReadPlan, SmallDevicesGetSmallerBatches) {
    const auto specs = analog_inputs(100);
    for (std::size_t apdu : {50U, 128U, 206U, 480U, 1024U}) {
        const auto batches = plan_batches(specs, BatchLimits{apdu});
        expect_fits(specs, batches, apdu);
        EXPECT_GT(batches.size(), 2U) << apdu;
    }
    EXPECT_EQ(plan_batches(specs, BatchLimits{480}).size(), 6U);
}

TEST(BacnetReadPlan, MaxSpecsCapsObjectsPerRequest) {
    const auto specs = analog_inputs(10);
    const auto batches = plan_batches(specs, BatchLimits{1476, 3});
    ASSERT_EQ(batches.size(), 4U);
    EXPECT_EQ(batches[3], std::vector<std::size_t>{9});
    EXPECT_EQ(plan_batches(specs, BatchLimits{1476, 0}).size(), 10U);  // 0 acts as 1
}

TEST(BacnetReadPlan, AnObjectTooBigAloneStillGetsItsRequest) {
    ReadAccessSpec names{{ObjectType::device, 1}, {}};
    for (int i = 0; i < 5; ++i) names.properties.push_back({PropertyId::object_name, std::nullopt});
    std::vector<ReadAccessSpec> specs{names, analog_inputs(1)[0]};
    const auto batches = plan_batches(specs, BatchLimits{50});
    ASSERT_EQ(batches.size(), 2U);
    EXPECT_EQ(batches[0], std::vector<std::size_t>{0});
    EXPECT_TRUE(plan_batches({}, BatchLimits{}).empty());
}

}  // namespace
}  // namespace lintel::bacnet
