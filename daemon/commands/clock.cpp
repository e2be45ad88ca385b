// adjtimex adapter.
#include "commands/clock.hpp"

#include <sys/timex.h>

namespace lintel::commands {

bool kernel_clock_synchronised() {
    timex tx{};  // modes 0: read only
    const int state = ::adjtimex(&tx);
    return state != -1 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

bool clock_trusted(core::ClockPolicy policy) {
    switch (policy) {
        case core::ClockPolicy::synced:
            return true;
        case core::ClockPolicy::unsynced:
            return false;
        case core::ClockPolicy::automatic:
            break;
    }
    return kernel_clock_synchronised();
}

}  // namespace lintel::commands
