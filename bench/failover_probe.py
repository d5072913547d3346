#!/usr/bin/python3
"""Writes one record every --interval-ms to one partition with confluent-kafka (acks=all) and
prints, for each delivery, the wall-clock send and delivery times in milliseconds and the error:
    <send_ms> <delivered_ms> <error or OK>
until --seconds pass; bench/replication_bench.sh kills a leader meanwhile and reads the first
delivery after the kill. The client is tuned to notice a dead leader fast (reconnect and metadata
backoffs of 100 ms): the figure is meant to be the cluster's, not librdkafka's backoff."""
import argparse
import sys
import time

from confluent_kafka import Producer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partition", type=int, default=0)
    ap.add_argument("--interval-ms", type=float, default=10)
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()
    producer = Producer({
        "bootstrap.servers": a.bootstrap,
        "acks": "all",
        "linger.ms": 0,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 100,
        "retry.backoff.ms": 50,
        "topic.metadata.refresh.fast.interval.ms": 50,
        "message.timeout.ms": 120000,
    })
    out = sys.stdout

    def report(sent):
        def on_delivery(err, msg):
            out.write("%.1f %.1f %s\n" % (sent, time.time() * 1000, "OK" if err is None else err.name()))
        return on_delivery

    end = time.time() + a.seconds
    while time.time() < end:
        sent = time.time() * 1000
        producer.produce(a.topic, value=b"x" * 100, partition=a.partition, on_delivery=report(sent))
        producer.poll(a.interval_ms / 1000)
    producer.flush(120)
    out.flush()


if __name__ == "__main__":
    main()
