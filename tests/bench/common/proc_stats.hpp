// Benchmarks: figures of a running process from /proc (CPU time, RSS, where the RSS goes).
#pragma once

#include <sys/types.h>

#include <string>

namespace lintel::bench {

// utime + stime of a process, in seconds.
double cpu_seconds_of(pid_t pid);
// CPU time of the calling thread only, in seconds.
double cpu_seconds_this_thread();
// A "Key:  123 kB" line of /proc/<pid>/status (VmRSS:, VmHWM:, RssAnon:, ...), in KiB; 0 if absent.
long status_kib_of(pid_t pid, const char* key = "VmRSS:");
// Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup: the pages no other process shares.
long private_kib_of(pid_t pid);
// Resident memory by mapping (library, heap, ...), the 8 largest, one "    N KiB  name" a line.
std::string rss_breakdown(pid_t pid);
// Open file descriptors of a process (sockets, the database and its WAL, ...).
int open_fds_of(pid_t pid);
// /proc/loadavg's first three fields.
std::string load_average();

}  // namespace lintel::bench
