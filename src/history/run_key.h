#pragma once

#include <string>
#include <tuple>

#include "persistence/execution_store.h"

namespace zaman::history {

// namespace id, workflow id, run id.
using RunKey = std::tuple<std::string, std::string, std::string>;
RunKey KeyOf(const persistence::MutableState& state);

}  // namespace zaman::history
