// Unit tests of read planning: merging by table, gaps, protocol limits, never splitting a point.
#include "coalesce.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lintel::modbus {
namespace {

PointConfig point(Table table, std::uint16_t address, ValueType type = ValueType::uint16,
                  std::uint16_t length = 0) {
    PointConfig p;
    p.name = std::string(to_string(table)) + std::to_string(address);
    p.table = table;
    p.address = address;
    p.type = is_bit_table(table) ? ValueType::boolean : type;
    p.length = length;
    return p;
}

struct Span {
    Table table;
    std::uint16_t address;
    std::uint16_t count;
    bool operator==(const Span&) const = default;
    friend void PrintTo(const Span& s, std::ostream* os) {
        *os << to_string(s.table) << " " << s.address << "+" << s.count;
    }
};

std::vector<Span> spans(const std::vector<ReadBlock>& blocks) {
    std::vector<Span> out;
    for (const auto& b : blocks) out.push_back({b.table, b.address, b.count});
    return out;
}

constexpr auto HR = Table::holding_register;
constexpr auto IR = Table::input_register;
constexpr auto CO = Table::coil;
constexpr auto DI = Table::discrete_input;

TEST(ModbusCoalesce, EmptyPlan) { EXPECT_TRUE(plan_reads({}, 0).empty()); }

TEST(ModbusCoalesce, ContiguousPointsMergeIntoOneRequest) {
    const std::vector<PointConfig> points{point(HR, 0, ValueType::float32),
                                          point(HR, 2, ValueType::uint16),
                                          point(HR, 3, ValueType::int64)};
    const auto blocks = plan_reads(points, 0);
    EXPECT_EQ(spans(blocks), (std::vector<Span>{{HR, 0, 7}}));
    EXPECT_EQ(blocks[0].points, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(ModbusCoalesce, GapSplitsWithoutMaxGap) {
    const std::vector<PointConfig> points{point(HR, 0), point(HR, 2)};
    EXPECT_EQ(spans(plan_reads(points, 0)), (std::vector<Span>{{HR, 0, 1}, {HR, 2, 1}}));
}

TEST(ModbusCoalesce, GapUpToMaxGapIsReadThrough) {
    const std::vector<PointConfig> points{point(HR, 0), point(HR, 4), point(HR, 10)};
    // gap 0..4 is 3 registers; 4..10 is 5 registers
    EXPECT_EQ(spans(plan_reads(points, 2)),
              (std::vector<Span>{{HR, 0, 1}, {HR, 4, 1}, {HR, 10, 1}}));
    EXPECT_EQ(spans(plan_reads(points, 3)), (std::vector<Span>{{HR, 0, 5}, {HR, 10, 1}}));
    EXPECT_EQ(spans(plan_reads(points, 5)), (std::vector<Span>{{HR, 0, 11}}));
}

TEST(ModbusCoalesce, CoilsUseMaxGapToo) {
    const std::vector<PointConfig> points{point(CO, 0), point(CO, 9), point(CO, 30)};
    EXPECT_EQ(spans(plan_reads(points, 8)), (std::vector<Span>{{CO, 0, 10}, {CO, 30, 1}}));
}

TEST(ModbusCoalesce, TablesAreNeverMixedAndComeInTableOrder) {
    const std::vector<PointConfig> points{point(HR, 0), point(IR, 0), point(IR, 1),
                                          point(CO, 0), point(DI, 0), point(HR, 1)};
    const auto blocks = plan_reads(points, 10);
    EXPECT_EQ(spans(blocks), (std::vector<Span>{{CO, 0, 1}, {DI, 0, 1}, {IR, 0, 2}, {HR, 0, 2}}));
    EXPECT_EQ(blocks[2].points, (std::vector<std::size_t>{1, 2}));
    EXPECT_EQ(blocks[3].points, (std::vector<std::size_t>{0, 5}));
    EXPECT_EQ(blocks[0].function(), FunctionCode::read_coils);
    EXPECT_EQ(blocks[1].function(), FunctionCode::read_discrete_inputs);
    EXPECT_EQ(blocks[2].function(), FunctionCode::read_input_registers);
    EXPECT_EQ(blocks[3].function(), FunctionCode::read_holding_registers);
}

TEST(ModbusCoalesce, UnsortedConfigIsSortedByAddress) {
    const std::vector<PointConfig> points{point(HR, 20), point(HR, 5), point(HR, 6)};
    const auto blocks = plan_reads(points, 0);
    EXPECT_EQ(spans(blocks), (std::vector<Span>{{HR, 5, 2}, {HR, 20, 1}}));
    EXPECT_EQ(blocks[0].points, (std::vector<std::size_t>{1, 2}));
}

TEST(ModbusCoalesce, OverlappingPointsShareARequest) {
    // The same registers read as a float and as two raw words.
    const std::vector<PointConfig> points{point(IR, 10, ValueType::float32), point(IR, 10),
                                          point(IR, 11)};
    const auto blocks = plan_reads(points, 0);
    EXPECT_EQ(spans(blocks), (std::vector<Span>{{IR, 10, 2}}));
    EXPECT_EQ(blocks[0].points.size(), 3U);
}

TEST(ModbusCoalesce, At125RegistersANewRequestStarts) {
    std::vector<PointConfig> points;
    for (std::uint16_t a = 0; a < 126; ++a) points.push_back(point(HR, a));
    EXPECT_EQ(spans(plan_reads(points, 0)), (std::vector<Span>{{HR, 0, 125}, {HR, 125, 1}}));
}

TEST(ModbusCoalesce, At2000BitsANewRequestStarts) {
    std::vector<PointConfig> points;
    for (std::uint16_t a = 0; a < 2001; ++a) points.push_back(point(DI, a));
    EXPECT_EQ(spans(plan_reads(points, 0)), (std::vector<Span>{{DI, 0, 2000}, {DI, 2000, 1}}));
}

TEST(ModbusCoalesce, APointIsNeverSplitAcrossRequests) {
    std::vector<PointConfig> points;
    for (std::uint16_t a = 0; a < 63 * 2; a += 2)
        points.push_back(point(HR, a, ValueType::float32));
    // 62 floats fill 124 registers; the 63rd would need 126, so it opens a new request.
    EXPECT_EQ(spans(plan_reads(points, 0)), (std::vector<Span>{{HR, 0, 124}, {HR, 124, 2}}));
}

TEST(ModbusCoalesce, GapMergingStopsAtTheLimit) {
    const std::vector<PointConfig> points{point(HR, 0), point(HR, 120), point(HR, 125)};
    EXPECT_EQ(spans(plan_reads(points, 124)), (std::vector<Span>{{HR, 0, 121}, {HR, 125, 1}}));
}

TEST(ModbusCoalesce, CustomLimitsForSmallDevices) {
    const std::vector<PointConfig> points{point(HR, 0), point(HR, 1), point(HR, 2), point(CO, 0),
                                          point(CO, 1)};
    EXPECT_EQ(spans(plan_reads(points, 0, CoalesceLimits{2, 1})),
              (std::vector<Span>{{CO, 0, 1}, {CO, 1, 1}, {HR, 0, 2}, {HR, 2, 1}}));
}

TEST(ModbusCoalesce, PointsAtTheTopOfTheAddressSpace) {
    const std::vector<PointConfig> points{point(HR, 65532, ValueType::float64), point(HR, 65530)};
    EXPECT_EQ(spans(plan_reads(points, 1)), (std::vector<Span>{{HR, 65530, 6}}));
}

TEST(ModbusCoalesce, StringPointsCountTheirLength) {
    const std::vector<PointConfig> points{point(HR, 100, ValueType::string, 10), point(HR, 110)};
    const auto blocks = plan_reads(points, 0);
    EXPECT_EQ(spans(blocks), (std::vector<Span>{{HR, 100, 11}}));
    const Request r = blocks[0].request();
    EXPECT_EQ(r.function, FunctionCode::read_holding_registers);
    EXPECT_EQ(r.address, 100);
    EXPECT_EQ(r.count, 11);
}

}  // namespace
}  // namespace lintel::modbus
