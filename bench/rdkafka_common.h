/* Shared by the librdkafka bench programs: setting configuration properties with a one-line
 * error on stderr, and the producer's delivery-report counters. Header-only (static functions
 * and state): each program is one C file. */
#ifndef SLUICE_BENCH_RDKAFKA_COMMON_H
#define SLUICE_BENCH_RDKAFKA_COMMON_H

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <string.h>

/* conf[key] = value; -1 (after saying why, prefixed by `program`) when librdkafka refuses it. */
static int conf_set(const char *program, rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "%s: %s=%s: %s\n", program, key, value, err);
    return -1;
  }
  return 0;
}

/* Sets every "key=value" of overrides[0..n) on conf (each must contain '='). */
static int conf_apply(const char *program, rd_kafka_conf_t *conf, char **overrides, int n) {
  for (int i = 0; i < n; ++i) {
    char *eq = strchr(overrides[i], '=');
    *eq = '\0';
    int bad = conf_set(program, conf, overrides[i], eq + 1);
    *eq = '=';
    if (bad) return -1;
  }
  return 0;
}

/* Delivery reports so far (the producer's dr_msg_cb: on_delivery), and the first failure's reason. */
static long long delivered = 0;
static long long failed = 0;
static char first_error[512] = "";

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) snprintf(first_error, sizeof(first_error), "%s", rd_kafka_err2str(m->err));
  } else {
    ++delivered;
  }
}

#endif
