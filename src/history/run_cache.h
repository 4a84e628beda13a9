#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "history/run_key.h"
#include "persistence/execution_store.h"

namespace zaman::history {

// The mutable state of a shard's most recently used runs, as last committed
// (Temporal's history cache): a mutation that finds its run here reads
// nothing from the store. Bounded: past `capacity` runs the least recently
// used one is forgotten. Only the shard's owner writes its runs, so an entry
// stays true until the shard commits again or loses ownership. Not
// thread-safe: the shard's thread owns it.
class RunCache {
 public:
  explicit RunCache(size_t capacity) : capacity_(capacity) {}

  // The run's committed state and store version, if cached.
  const persistence::ExecutionRecord* Find(const RunKey& key);
  void Put(const RunKey& key, persistence::ExecutionRecord record);
  void Erase(const RunKey& key);
  void Clear();
  size_t size() const { return entries_.size(); }

 private:
  using Entry = std::pair<RunKey, persistence::ExecutionRecord>;

  const size_t capacity_;
  std::list<Entry> entries_;  // most recently used first
  absl::flat_hash_map<RunKey, std::list<Entry>::iterator> index_;
};

}  // namespace zaman::history
