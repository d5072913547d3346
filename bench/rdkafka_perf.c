/* rdkafka_perf: produces N records of S bytes with librdkafka (acks=1) to one partition and
 * reports records/s and MB/s, timed from the first produce call to the last delivery report.
 * --mock runs librdkafka's own in-memory mock broker (test.mock.num.brokers=1) under the same
 * producer settings, for a ceiling that has no broker of ours in it.
 * --consume reads N records back instead, from offset 0 of every partition of the topic (or of
 * --partition P when P >= 0), with librdkafka's consumer (assign, no group management, no
 * commits), timed from the first record received to the N-th.
 *
 *   rdkafka_perf [--bootstrap HOST:PORT,...] [--topic T] [--partition P] [--count N] [--size S]
 *                [--mock | --consume] [-X key=value]...
 */
#include <librdkafka/rdkafka.h>

#include "rdkafka_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  return conf_set("rdkafka_perf", conf, key, value);
}

static void usage(void) {
  fprintf(stderr,
          "usage: rdkafka_perf [--bootstrap LIST] [--topic T] [--partition P] [--count N] [--size S] "
          "[--mock | --consume] [-X key=value]...\n");
}

static int apply_overrides(rd_kafka_conf_t *conf, char **overrides, int n) {
  return conf_apply("rdkafka_perf", conf, overrides, n);
}

/* Reads count records from offset 0 of the topic's partitions (all of them when partition < 0). */
static int consume(const char *bootstrap, const char *topic, int partition, long long count, char **overrides,
                   int n_overrides) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (set(conf, "bootstrap.servers", bootstrap) || set(conf, "group.id", "rdkafka_perf") ||
      set(conf, "enable.auto.commit", "false") || set(conf, "enable.partition.eof", "false")) {
    return 2;
  }
  if (apply_overrides(conf, overrides, n_overrides)) return 2;
  char err[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rdkafka_perf: %s\n", err);
    return 1;
  }
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
  if (partition >= 0) {
    rd_kafka_topic_partition_list_add(parts, topic, partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
  } else {
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 30000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err) {
      fprintf(stderr, "rdkafka_perf: metadata for %s: %s\n", topic,
              rd_kafka_err2str(e ? e : md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
      return 1;
    }
    for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[p].id)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "rdkafka_perf: assign: %s\n", rd_kafka_err2str(e));
    return 1;
  }
  long long received = 0, bytes = 0;
  double start = 0, last = now_seconds();
  while (received < count) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    const double now = now_seconds();
    if (m == NULL) {
      if (now - last > 30) {
        fprintf(stderr, "rdkafka_perf: no record for 30 s; stopping at %lld records\n", received);
        break;
      }
      continue;
    }
    if (m->err) {
      fprintf(stderr, "rdkafka_perf: consume: %s\n", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      break;
    }
    if (received == 0) start = now;
    last = now;
    ++received;
    bytes += (long long)m->len + (long long)m->key_len;
    rd_kafka_message_destroy(m);
  }
  const double elapsed = last - start;
  printf("consume %s records=%lld bytes=%lld elapsed_s=%.3f records_per_s=%.0f MB_per_s=%.1f\n", bootstrap, received,
         bytes, elapsed, elapsed > 0 ? (double)received / elapsed : 0.0,
         elapsed > 0 ? (double)bytes / elapsed / 1e6 : 0.0);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return received == count ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *bootstrap = "localhost:9092";
  const char *topic = "bench";
  int partition = 0;
  long long count = 1000000;
  long size = 100;
  int mock = 0, consume_mode = 0;
  char *overrides[64];
  int n_overrides = 0;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The settings every run shares; -X may override any of them. */
  if (set(conf, "acks", "1") || set(conf, "linger.ms", "5") || set(conf, "batch.size", "1000000") ||
      set(conf, "queue.buffering.max.messages", "2000000") || set(conf, "queue.buffering.max.kbytes", "1048576")) {
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(arg, "--mock") == 0) {
      mock = 1;
    } else if (strcmp(arg, "--consume") == 0) {
      consume_mode = 1;
    } else if (next == NULL) {
      usage();
      return 2;
    } else if (strcmp(arg, "--bootstrap") == 0) {
      bootstrap = argv[++i];
    } else if (strcmp(arg, "--topic") == 0) {
      topic = argv[++i];
    } else if (strcmp(arg, "--partition") == 0) {
      partition = atoi(argv[++i]);
    } else if (strcmp(arg, "--count") == 0) {
      count = atoll(argv[++i]);
    } else if (strcmp(arg, "--size") == 0) {
      size = atol(argv[++i]);
    } else if (strcmp(arg, "-X") == 0) {
      char *kv = argv[++i];
      char *eq = strchr(kv, '=');
      if (eq == NULL) {
        usage();
        return 2;
      }
      if (n_overrides == 64) {
        usage();
        return 2;
      }
      overrides[n_overrides++] = kv;
    } else {
      usage();
      return 2;
    }
  }
  if (count <= 0 || size < 0 || (mock && consume_mode)) {
    usage();
    return 2;
  }
  if (consume_mode) {
    rd_kafka_conf_destroy(conf);
    return consume(bootstrap, topic, partition, count, overrides, n_overrides);
  }
  if (apply_overrides(conf, overrides, n_overrides)) return 2;
  if (set(conf, "bootstrap.servers", bootstrap)) return 2;
  if (mock && set(conf, "test.mock.num.brokers", "1")) return 2;
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);

  char err[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rdkafka_perf: %s\n", err);
    return 1;
  }
  char *payload = malloc((size_t)size + 1);
  for (long b = 0; b < size; ++b) payload[b] = (char)('a' + (b * 7 + b / 26) % 26);

  /* One record first, so that metadata and connections are up before the clock starts. */
  rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_VALUE(payload, (size_t)size),
                    RD_KAFKA_V_END);
  if (rd_kafka_flush(rk, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR || delivered != 1) {
    fprintf(stderr, "rdkafka_perf: the first record was not delivered within 30 s%s%s\n", failed ? ": " : "",
            first_error);
    return 1;
  }
  delivered = 0;

  const double start = now_seconds();
  for (long long n = 0; n < count;) {
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                              RD_KAFKA_V_VALUE(payload, (size_t)size), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
      continue;
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "rdkafka_perf: produce: %s\n", rd_kafka_err2str(e));
      return 1;
    }
    ++n;
    if ((n & 0xfff) == 0) rd_kafka_poll(rk, 0);
  }
  while (delivered + failed < count && now_seconds() - start < 600) rd_kafka_flush(rk, 1000);
  const double elapsed = now_seconds() - start;

  printf("%s records=%lld size=%ld elapsed_s=%.3f records_per_s=%.0f MB_per_s=%.1f failed=%lld%s%s\n",
         mock ? "mock" : bootstrap, delivered, size, elapsed, (double)delivered / elapsed,
         (double)delivered * (double)size / elapsed / 1e6, failed, failed ? " first_error=" : "", first_error);
  rd_kafka_destroy(rk);
  free(payload);
  return failed == 0 && delivered == count ? 0 : 1;
}
