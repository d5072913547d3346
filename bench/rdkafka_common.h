/* Shared by the librdkafka bench programs: setting configuration properties with a one-line
 * error on stderr. Header-only (static functions): each program is one C file. */
#ifndef SLUICE_BENCH_RDKAFKA_CONF_H
#define SLUICE_BENCH_RDKAFKA_CONF_H

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

#endif
