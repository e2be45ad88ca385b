// Planning of a poll cycle: which read requests cover all points with as few round trips as the
// protocol limits and the configured gap allow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "config.hpp"
#include "frame.hpp"

namespace lintel::modbus {

// One read request and the points it serves (indices into the point list it was planned from).
struct ReadBlock {
    Table table = Table::holding_register;
    std::uint16_t address = 0;
    std::uint16_t count = 0;  // registers or bits
    std::vector<std::size_t> points;

    FunctionCode function() const;
    Request request() const;
};

struct CoalesceLimits {
    std::uint16_t max_registers = kMaxReadRegisters;
    std::uint16_t max_bits = kMaxReadBits;
};

// Groups points by table (coil, discrete_input, input_register, holding_register in that order),
// sorts them by address and merges ranges that touch, overlap or are at most `max_gap` apart
// into one request, as long as the request stays within `limits`. A point is never split. Pure.
std::vector<ReadBlock> plan_reads(std::span<const PointConfig> points, std::uint16_t max_gap,
                                  CoalesceLimits limits = {});

}  // namespace lintel::modbus
