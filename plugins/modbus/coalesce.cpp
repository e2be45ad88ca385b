// Read planning: merge point ranges per table within gap and size limits (see coalesce.hpp).
#include "coalesce.hpp"

#include <algorithm>
#include <numeric>

namespace lintel::modbus {

FunctionCode ReadBlock::function() const {
    switch (table) {
        case Table::coil:
            return FunctionCode::read_coils;
        case Table::discrete_input:
            return FunctionCode::read_discrete_inputs;
        case Table::input_register:
            return FunctionCode::read_input_registers;
        case Table::holding_register:
            break;
    }
    return FunctionCode::read_holding_registers;
}

Request ReadBlock::request() const {
    Request r;
    r.function = function();
    r.address = address;
    r.count = count;
    return r;
}

std::vector<ReadBlock> plan_reads(std::span<const PointConfig> points, std::uint16_t max_gap,
                                  CoalesceLimits limits) {
    std::vector<std::size_t> order(points.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Table first, then address; wider points first at equal addresses so a block starts with
    // its largest extent. stable_sort keeps config order otherwise, for predictable plans.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const PointConfig& pa = points[a];
        const PointConfig& pb = points[b];
        if (pa.table != pb.table) return pa.table < pb.table;
        if (pa.address != pb.address) return pa.address < pb.address;
        return pa.width() > pb.width();
    });

    std::vector<ReadBlock> blocks;
    std::uint32_t block_end = 0;  // exclusive, 32 bits so address + width cannot wrap
    for (std::size_t index : order) {
        const PointConfig& p = points[index];
        const std::uint32_t start = p.address;
        const std::uint32_t end = start + p.width();
        const std::uint32_t limit = is_bit_table(p.table) ? limits.max_bits : limits.max_registers;
        if (!blocks.empty()) {
            ReadBlock& b = blocks.back();
            const std::uint32_t new_end = std::max(block_end, end);
            if (b.table == p.table && start <= block_end + max_gap &&
                new_end - b.address <= limit) {
                block_end = new_end;
                b.count = static_cast<std::uint16_t>(block_end - b.address);
                b.points.push_back(index);
                continue;
            }
        }
        ReadBlock b;
        b.table = p.table;
        b.address = p.address;
        b.count = static_cast<std::uint16_t>(std::min(end - start, limit));
        b.points.push_back(index);
        block_end = start + b.count;
        blocks.push_back(std::move(b));
    }
    return blocks;
}

}  // namespace lintel::modbus
