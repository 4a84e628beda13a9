#pragma once

#include <memory>

#include "persistence/store.h"

namespace zaman::persistence {

// A Store that keeps everything in process memory: for unit tests and
// throw-away dev servers. Thread-safe.
std::unique_ptr<Store> NewMemoryStore();

}  // namespace zaman::persistence
