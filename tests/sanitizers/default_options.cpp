// Default options of the sanitizer runtimes for every executable of a sanitized build
// (tests/sanitizers/sanitizers.cmake links this object into each one; see docs/testing.md).
// A finding must fail the test that caused it: abort at the first report, with a stack.

#ifndef LINTEL_SANITIZER_DIR
#error "LINTEL_SANITIZER_DIR (tests/sanitizers in the source tree) must be defined"
#endif

#define LINTEL_SAN_EXPORT extern "C" __attribute__((visibility("default"), used))

LINTEL_SAN_EXPORT const char* __asan_default_options() {
    // detect_leaks: LeakSanitizer works in this container (no ptrace restriction seen).
    // check_initialization_order: static-init-order bugs between our translation units.
    return "abort_on_error=1:detect_leaks=1:check_initialization_order=1";
}

LINTEL_SAN_EXPORT const char* __lsan_default_options() {
    return "print_suppressions=0:suppressions=" LINTEL_SANITIZER_DIR "/lsan.supp";
}

LINTEL_SAN_EXPORT const char* __ubsan_default_options() {
    return "print_stacktrace=1:halt_on_error=1:abort_on_error=1:print_suppressions=0:"
           "suppressions=" LINTEL_SANITIZER_DIR "/ubsan.supp";
}

LINTEL_SAN_EXPORT const char* __tsan_default_options() {
    return "halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:print_suppressions=0:"
           "suppressions=" LINTEL_SANITIZER_DIR "/tsan.supp";
}
