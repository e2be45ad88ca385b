# Sanitizer defaults baked into every executable of a sanitized build (included by the top-level
# CMakeLists.txt when LINTEL_SANITIZE is set). Compiled into each executable rather than exported
# as ASAN_OPTIONS & co. so that they reach every process however it is started: ctest, a test's
# child with a cleared environment, linteld under systemd-socket-activate. *_OPTIONS in the
# environment still override them (the runtimes parse the environment after these defaults).
set(_lintel_san_src ${CMAKE_CURRENT_LIST_DIR}/default_options.cpp)
set(_lintel_san_obj ${PROJECT_BINARY_DIR}/sanitizer_default_options.o)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_lintel_san_src})
# Built at configure time: an object every executable links must exist before any target builds.
execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -O1 -fPIC -Wall -Werror -c ${_lintel_san_src}
    -o ${_lintel_san_obj} "-DLINTEL_SANITIZER_DIR=\"${CMAKE_CURRENT_LIST_DIR}\""
  RESULT_VARIABLE _lintel_san_rc ERROR_VARIABLE _lintel_san_err)
if(NOT _lintel_san_rc EQUAL 0)
  message(FATAL_ERROR "cannot compile ${_lintel_san_src}: ${_lintel_san_err}")
endif()
add_link_options("$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${_lintel_san_obj}>")
