#pragma once

#include "history/history_client.h"
#include "zaman/historyservice/v1/service.pb.h"

// NamespaceRef, a resolved namespace, in and out of its internal-API form.
namespace zaman::history::rpc {

namespace hsv1 = ::zaman::historyservice::v1;

hsv1::NamespaceRef ToWire(const NamespaceRef& ns);
NamespaceRef FromWire(const hsv1::NamespaceRef& ns);

}  // namespace zaman::history::rpc
