#pragma once

// The `--name=value` flags of the bench programs.

#include <cstring>

namespace zaman::bench {

// The value of `arg` when it is the flag `name` (given with its "="), else
// nullptr.
inline const char* FlagValue(const char* arg, const char* name) {
  const size_t n = std::strlen(name);
  return std::strncmp(arg, name, n) == 0 ? arg + n : nullptr;
}

}  // namespace zaman::bench
