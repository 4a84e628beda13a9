#include "history/rpc/wire.h"

namespace zaman::history::rpc {

hsv1::NamespaceRef ToWire(const NamespaceRef& ns) {
  hsv1::NamespaceRef wire;
  wire.set_id(ns.id);
  wire.set_name(ns.name);
  for (const auto& [name, type] : *ns.search_attributes) (*wire.mutable_search_attributes())[name] = type;
  return wire;
}

NamespaceRef FromWire(const hsv1::NamespaceRef& wire) {
  NamespaceRef ns;
  ns.id = wire.id();
  ns.name = wire.name();
  auto types = std::make_shared<visibility::SearchAttributeTypes>();
  for (const auto& [name, type] : wire.search_attributes()) {
    (*types)[name] = static_cast<visibility::IndexedValueType>(type);
  }
  ns.search_attributes = std::move(types);
  return ns;
}

}  // namespace zaman::history::rpc
