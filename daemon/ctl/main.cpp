// lintelctl: operators' local control of linteld over its control socket (lintelctl(1)).
#include <iostream>
#include <span>

#include "ctl/cli.hpp"

int main(int argc, char** argv) {
    return lintel::ctl::run(std::span<const char* const>(argv, static_cast<std::size_t>(argc)),
                            std::cout, std::cerr);
}
