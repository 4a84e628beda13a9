#include "history/run_cache.h"

namespace zaman::history {

const persistence::ExecutionRecord* RunCache::Find(const RunKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  return &it->second->second;
}

void RunCache::Put(const RunKey& key, persistence::ExecutionRecord record) {
  if (capacity_ == 0) return;
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(record);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.emplace_front(key, std::move(record));
  index_[key] = entries_.begin();
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

void RunCache::Erase(const RunKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  entries_.erase(it->second);
  index_.erase(it);
}

void RunCache::Clear() {
  index_.clear();
  entries_.clear();
}

}  // namespace zaman::history
