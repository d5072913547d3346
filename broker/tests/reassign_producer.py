#!/usr/bin/python3
"""Continuous acks=all producer and read-back checker for reassignment_test (confluent-kafka).

produce BOOTSTRAP TOPIC STOP_FILE OUT_FILE: sends "v<n>" records round-robin over the partitions
until STOP_FILE exists (each send bounded), flushes, then writes one JSON object to OUT_FILE:
{"acked": {"<p>": [[offset, value], ...]}, "errors": [[name, retriable], ...]}.

verify BOOTSTRAP TOPIC ACKED_FILE: reads every partition from the start to its high watermark and
prints {"missing": n, "out_of_order": n, "checked": n, "read": n}: every acknowledged record must be
at its acknowledged offset, and per partition the acknowledgements must come in offset order.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def produce(bootstrap, topic, stop_file, out_file):
    acked = {}
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append([err.name(), bool(err.retriable())])
            return
        acked.setdefault(str(msg.partition()), []).append([msg.offset(), msg.value().decode()])

    p = Producer({
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "enable.idempotence": False,
        "max.in.flight.requests.per.connection": 1,
        "retries": 1000000,
        "retry.backoff.ms": 100,
        "delivery.timeout.ms": 120000,
        "request.timeout.ms": 10000,
        "metadata.max.age.ms": 1000,
        "topic.metadata.refresh.interval.ms": 1000,
        "linger.ms": 5,
    })
    partitions = 0
    deadline = time.time() + 30
    while partitions == 0 and time.time() < deadline:
        md = p.list_topics(topic, timeout=5)
        partitions = len(md.topics[topic].partitions) if topic in md.topics else 0
    if partitions == 0:
        sys.exit("no partitions for " + topic)
    n = 0
    hard_stop = time.time() + 300
    while not os.path.exists(stop_file) and time.time() < hard_stop:
        p.produce(topic, value=("v%d" % n).encode(), partition=n % partitions, on_delivery=on_delivery)
        n += 1
        p.poll(0.002)
    left = p.flush(120)
    with open(out_file, "w") as f:
        json.dump({"acked": acked, "errors": errors, "sent": n, "unflushed": left}, f)
    nonretriable = sorted({name for name, retriable in errors if not retriable})
    print(json.dumps({"acked_total": sum(len(r) for r in acked.values()), "errors": len(errors),
                      "nonretriable": len(nonretriable), "unflushed": left}))
    print("non-retriable errors: " + ",".join(nonretriable), file=sys.stderr)


def verify(bootstrap, topic, acked_file):
    with open(acked_file) as f:
        acked = json.load(f)["acked"]
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "reassign-verify", "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    missing = out_of_order = checked = read = 0
    for part, records in acked.items():
        tp = TopicPartition(topic, int(part), 0)
        # A new leader's high watermark can trail what its predecessor acknowledged until its
        # followers fetch again: wait (bounded) until it covers every acknowledged offset.
        newest = max(offset for offset, _ in records) if records else -1
        deadline = time.time() + 30
        while True:
            low, high = c.get_watermark_offsets(tp, timeout=10)
            if high > newest or time.time() > deadline:
                break
            time.sleep(0.1)
        c.assign([TopicPartition(topic, int(part), low)])
        got = {}
        deadline = time.time() + 60
        while (not got or max(got) < high - 1) and time.time() < deadline and high > low:
            msg = c.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    print("consume error", msg.error(), file=sys.stderr)
                continue
            got[msg.offset()] = msg.value().decode()
        read += len(got)
        # In order: the offsets grow in the order the acknowledgements came. (The send order can
        # differ: a non-idempotent librdkafka producer may retry a batch from the old leader
        # after newer ones reached the new leader.)
        last = -1
        for offset, value in records:
            checked += 1
            if got.get(offset) != value:
                missing += 1
                print("partition %s: acked %s at offset %d, read %r (low %d high %d, read %d)" %
                      (part, value, offset, got.get(offset), low, high, len(got)), file=sys.stderr)
            if offset <= last:
                out_of_order += 1
                print("partition %s: %s acknowledged at offset %d after offset %d" % (part, value, offset, last),
                      file=sys.stderr)
            last = offset
    c.close()
    print(json.dumps({"missing": missing, "out_of_order": out_of_order, "checked": checked, "read": read}))


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        produce(*sys.argv[2:6])
    else:
        verify(*sys.argv[2:5])
