#pragma once

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

// absl times and durations to and from their protobuf forms, to the nanosecond.
namespace zaman {

google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToProto(absl::Duration d);
absl::Duration FromProto(const google::protobuf::Duration& d);

}  // namespace zaman
