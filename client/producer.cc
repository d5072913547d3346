#include "client/producer.h"

#include <chrono>

#include "protocol/assert.h"

namespace sluice::client {
namespace {

TimestampMs wall_clock_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

// A produce() awaiting its own report.
struct ReportSlot {
  explicit ReportSlot(asio::any_io_executor ex) : done(std::move(ex)) {}
  std::optional<DeliveryReport> report;
  Signal done;
};

}  // namespace

Producer::Producer(KafkaClient& client, ProducerConfig config)
    : client_(client),
      config_(config),
      strand_(client.executor()),
      partitioner_(config.partitioner_seed),
      accumulator_(RecordAccumulator::Config{.batch_size = config.batch_size,
                                             .linger = config.linger,
                                             .delivery_timeout = config.delivery_timeout}),
      wakeup_(strand_),
      intake_signal_(strand_),
      progress_(strand_) {
  asio::co_spawn(strand_, intake_loop(), LogCompletion{"producer intake"});
  asio::co_spawn(strand_, sender_loop(), LogCompletion{"producer sender"});
  loops_running_ = 2;
}

Producer::~Producer() {
  SLUICE_ASSERT(loops_running_ == 0, "Producer destroyed without close()");
}

void Producer::produce(ProducerRecord record, DeliveryCallback on_delivery) {
  // dispatch: on the strand already, the record is queued before any later flush() starts.
  asio::dispatch(strand_, [this, item = Intake{std::move(record), std::move(on_delivery)}]() mutable {
    if (closed_) {
      DeliveryReport report{.topic = item.record.topic, .error = Errc::shut_down};
      if (item.on_delivery) item.on_delivery(report);
      return;
    }
    intake_.push_back(std::move(item));
    intake_signal_.notify();
  });
}

asio::awaitable<DeliveryReport> Producer::produce(ProducerRecord record) {
  co_return co_await on_strand(strand_, produce_and_wait(std::move(record)));
}

asio::awaitable<DeliveryReport> Producer::produce_and_wait(ProducerRecord record) {
  auto slot = std::make_shared<ReportSlot>(strand_);
  if (closed_) co_return DeliveryReport{.topic = record.topic, .error = Errc::shut_down};
  intake_.push_back(Intake{std::move(record), [slot](const DeliveryReport& r) {
                             slot->report = r;
                             slot->done.notify();
                           }});
  intake_signal_.notify();
  while (!slot->report) co_await slot->done.wait_until(Clock::time_point::max());
  co_return *slot->report;
}

asio::awaitable<void> Producer::intake_loop() {
  while (!stopped_) {
    if (intake_.empty()) {
      co_await intake_signal_.wait_until(Clock::time_point::max());
      continue;
    }
    Intake item = std::move(intake_.front());
    intake_.pop_front();
    ++accepting_;
    co_await accept(std::move(item));
    --accepting_;
    progress_.notify();
  }
  --loops_running_;
  progress_.notify();
}

// Resolves the partition (waiting for metadata if the topic is new) and appends. Records are
// accepted one at a time, so they reach the accumulator in produce() order.
asio::awaitable<void> Producer::accept(Intake item) {
  ProducerRecord& r = item.record;
  const TopicInfo* topic = client_.metadata().topic(r.topic);
  if (topic == nullptr || topic->partitions.empty()) {
    auto fetched = co_await client_.topic(r.topic);
    if (!fetched) {
      if (item.on_delivery) item.on_delivery(DeliveryReport{.topic = r.topic, .error = fetched.error()});
      co_return;
    }
    topic = client_.metadata().topic(r.topic);
  }
  const auto num_partitions = static_cast<int32_t>(topic->partitions.size());
  PendingRecord pending{.timestamp = r.timestamp.value_or(wall_clock_now()),
                        .key = std::move(r.key),
                        .value = std::move(r.value),
                        .headers = std::move(r.headers),
                        .on_delivery = std::move(item.on_delivery)};
  TopicPartition tp{r.topic, r.partition.value_or(partitioner_.partition(r.topic, pending.key, num_partitions))};
  if (tp.partition.value() < 0 || tp.partition.value() >= num_partitions) {
    auto report = DeliveryReport{.topic = r.topic, .partition = tp.partition,
                                 .error = broker_error(protocol::ErrorCode::unknown_topic_or_partition)};
    if (pending.on_delivery) pending.on_delivery(report);
    co_return;
  }
  // KIP-480: a keyless record that would open a new batch on the sticky partition moves the
  // topic to another sticky partition first.
  if (!r.partition && !pending.key && accumulator_.would_start_new_batch(tp, estimated_record_size(pending))) {
    partitioner_.on_new_batch(r.topic, tp.partition, num_partitions);
    tp.partition = partitioner_.partition(r.topic, pending.key, num_partitions);
  }
  accumulator_.append(tp, std::move(pending), Clock::now());
  wakeup_.notify();
}

bool Producer::idle() const {
  return intake_.empty() && accepting_ == 0 && accumulator_.empty() && accumulator_.in_flight() == 0;
}

asio::awaitable<void> Producer::flush() { co_await on_strand(strand_, flush_on_strand()); }

asio::awaitable<void> Producer::flush_on_strand() {
  ++flushing_;
  wakeup_.notify();
  while (!idle() && loops_running_ == 2) co_await progress_.wait_until(Clock::time_point::max());
  --flushing_;
}

asio::awaitable<void> Producer::close() { co_await on_strand(strand_, close_on_strand()); }

asio::awaitable<void> Producer::close_on_strand() {
  if (stopped_) co_return;
  closed_ = true;
  co_await flush_on_strand();
  stopped_ = true;
  for (auto& batch : accumulator_.drain_all()) batch.complete(Offset(-1), kNoTimestamp, Errc::shut_down);
  wakeup_.notify();
  intake_signal_.notify();
  while (loops_running_ > 0) co_await progress_.wait_until(Clock::time_point::max());
}

}  // namespace sluice::client
