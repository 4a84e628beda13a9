#include "persistence/execution_store.h"

#include <google/protobuf/util/time_util.h>

namespace zaman::persistence {

TimerKey TimerKeyOf(const TimerTask& task) {
  return {static_cast<int64_t>(::google::protobuf::util::TimeUtil::TimestampToMilliseconds(task.fire_time())),
          task.task_id()};
}

}  // namespace zaman::persistence
