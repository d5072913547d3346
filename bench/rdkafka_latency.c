/* rdkafka_latency: end-to-end latency, produce() to the consumer's poll, with librdkafka on both
 * ends (like Kafka's EndToEndLatency tool, but paced instead of one record at a time).
 * A producer thread sends --count records of --size bytes to one partition at --rate records/s;
 * each value starts with the CLOCK_MONOTONIC nanoseconds of its produce() call. A consumer in the
 * same process, assigned to that partition from its high watermark, reads them back; latency =
 * poll time - send time. Prints p50/p99/p99.9/max in milliseconds. Until the consumer has received
 * a first (warm-up) record the producer sends only warm-up records, every 10 ms, which are not
 * counted: the consumer's start-up (leader lookup, connection) is not latency.
 * Producer defaults: acks=all, linger.ms=0 (latency, not batching); -X key=value sets producer
 * properties over them. The consumer runs on librdkafka's defaults.
 *
 *   rdkafka_latency [--bootstrap LIST] [--topic T] [--partition P] [--count N] [--size S]
 *                   [--rate R] [-X key=value]...
 */
#include <librdkafka/rdkafka.h>

#include "rdkafka_common.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(int64_t at) {
  struct timespec ts = {.tv_sec = (time_t)(at / 1000000000LL), .tv_nsec = (long)(at % 1000000000LL)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

static int set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  return conf_set("rdkafka_latency", conf, key, value);
}

static int apply_overrides(rd_kafka_conf_t *conf, char **overrides, int n) {
  return conf_apply("rdkafka_latency", conf, overrides, n);
}

static volatile int measuring = 0; /* set by the consumer on its first record */

struct producer_args {
  rd_kafka_t *rk;
  const char *topic;
  int partition;
  long long count;
  long size;
  long rate;
  int error;
};

static void *produce_paced(void *p) {
  struct producer_args *a = p;
  char *payload = calloc(1, (size_t)a->size);
  payload[sizeof(int64_t)] = 1; /* warm-up */
  while (!__atomic_load_n(&measuring, __ATOMIC_ACQUIRE)) {
    const int64_t sent = now_ns();
    memcpy(payload, &sent, sizeof(sent));
    rd_kafka_producev(a->rk, RD_KAFKA_V_TOPIC(a->topic), RD_KAFKA_V_PARTITION(a->partition),
                      RD_KAFKA_V_VALUE(payload, (size_t)a->size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_END);
    rd_kafka_poll(a->rk, 10);
  }
  payload[sizeof(int64_t)] = 0;
  const int64_t start = now_ns();
  for (long long n = 0; n < a->count; ++n) {
    sleep_until_ns(start + n * 1000000000LL / a->rate);
    const int64_t sent = now_ns();
    memcpy(payload, &sent, sizeof(sent));
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(a->rk, RD_KAFKA_V_TOPIC(a->topic), RD_KAFKA_V_PARTITION(a->partition),
                                                RD_KAFKA_V_VALUE(payload, (size_t)a->size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "rdkafka_latency: produce: %s\n", rd_kafka_err2str(e));
        a->error = 1;
        free(payload);
        return NULL;
      }
      rd_kafka_poll(a->rk, 1);
    }
    rd_kafka_poll(a->rk, 0);
  }
  rd_kafka_flush(a->rk, 60000);
  free(payload);
  return NULL;
}

static int by_value(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static double percentile_ms(const int64_t *sorted, long long n, double q) {
  long long at = (long long)(q * (double)n);
  if (at >= n) at = n - 1;
  return (double)sorted[at] / 1e6;
}

int main(int argc, char **argv) {
  const char *bootstrap = "localhost:9092";
  const char *topic = "bench";
  int partition = 0;
  long long count = 10000;
  long size = 100;
  long rate = 1000;
  char *overrides[64];
  int n_overrides = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (i + 1 >= argc) {
      fprintf(stderr, "rdkafka_latency: %s needs a value\n", arg);
      return 2;
    }
    char *value = argv[++i];
    if (strcmp(arg, "--bootstrap") == 0) {
      bootstrap = value;
    } else if (strcmp(arg, "--topic") == 0) {
      topic = value;
    } else if (strcmp(arg, "--partition") == 0) {
      partition = atoi(value);
    } else if (strcmp(arg, "--count") == 0) {
      count = atoll(value);
    } else if (strcmp(arg, "--size") == 0) {
      size = atol(value);
    } else if (strcmp(arg, "--rate") == 0) {
      rate = atol(value);
    } else if (strcmp(arg, "-X") == 0 && strchr(value, '=') != NULL && n_overrides < 64) {
      overrides[n_overrides++] = value;
    } else {
      fprintf(stderr,
              "usage: rdkafka_latency [--bootstrap LIST] [--topic T] [--partition P] [--count N] [--size S] "
              "[--rate R] [-X key=value]...\n");
      return 2;
    }
  }
  if (count <= 0 || rate <= 0 || size <= (long)sizeof(int64_t)) {
    fprintf(stderr, "rdkafka_latency: --count and --rate must be positive and --size more than 8\n");
    return 2;
  }

  char err[512];
  rd_kafka_conf_t *pconf = rd_kafka_conf_new();
  if (set(pconf, "bootstrap.servers", bootstrap) || set(pconf, "acks", "all") || set(pconf, "linger.ms", "0") ||
      apply_overrides(pconf, overrides, n_overrides)) {
    return 2;
  }
  rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
  rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof(err));
  if (producer == NULL) {
    fprintf(stderr, "rdkafka_latency: %s\n", err);
    return 1;
  }

  rd_kafka_conf_t *cconf = rd_kafka_conf_new();
  if (set(cconf, "bootstrap.servers", bootstrap) || set(cconf, "group.id", "rdkafka_latency") ||
      set(cconf, "enable.auto.commit", "false") || set(cconf, "enable.partition.eof", "false")) {
    return 2;
  }
  rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof(err));
  if (consumer == NULL) {
    fprintf(stderr, "rdkafka_latency: %s\n", err);
    return 1;
  }
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(consumer, topic, partition, &low, &high, 30000);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "rdkafka_latency: watermarks of %s-%d: %s\n", topic, partition, rd_kafka_err2str(e));
    return 1;
  }
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, partition)->offset = high;
  e = rd_kafka_assign(consumer, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "rdkafka_latency: assign: %s\n", rd_kafka_err2str(e));
    return 1;
  }

  int64_t *latency = malloc(sizeof(int64_t) * (size_t)count);
  struct producer_args args = {producer, topic, partition, count, size, rate, 0};
  pthread_t thread;
  pthread_create(&thread, NULL, produce_paced, &args);
  long long received = 0;
  int64_t last = now_ns();
  while (received < count) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
    const int64_t now = now_ns();
    if (m == NULL) {
      if (now - last > 30000000000LL) {
        fprintf(stderr, "rdkafka_latency: no record for 30 s; stopping at %lld records\n", received);
        break;
      }
      continue;
    }
    if (m->err) {
      fprintf(stderr, "rdkafka_latency: consume: %s\n", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      continue;
    }
    last = now;
    if (m->len > sizeof(int64_t) && ((const char *)m->payload)[sizeof(int64_t)] == 1) {
      __atomic_store_n(&measuring, 1, __ATOMIC_RELEASE);
    } else if (m->len > sizeof(int64_t)) {
      int64_t sent;
      memcpy(&sent, m->payload, sizeof(sent));
      latency[received++] = now - sent;
    }
    rd_kafka_message_destroy(m);
  }
  pthread_join(thread, NULL);
  qsort(latency, (size_t)received, sizeof(int64_t), by_value);
  if (received > 0) {
    printf("latency %s records=%lld rate=%ld size=%ld p50_ms=%.2f p99_ms=%.2f p99.9_ms=%.2f max_ms=%.2f failed=%lld%s%s\n",
           bootstrap, received, rate, size, percentile_ms(latency, received, 0.5), percentile_ms(latency, received, 0.99),
           percentile_ms(latency, received, 0.999), (double)latency[received - 1] / 1e6, failed,
           failed ? " first_error=" : "", first_error);
  }
  free(latency);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  return received == count && failed == 0 && !args.error ? 0 : 1;
}
