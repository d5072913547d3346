"""confluent-kafka (librdkafka) against a cluster whose leaders move: the failover tests' client.

produce BOOTSTRAP TOPIC PARTITIONS ACKFILE STOPFILE
    Writes values v00000000, v00000001, ... (record i to partition i % PARTITIONS) with acks=all
    and otherwise default settings (no idempotence, as librdkafka's default) until STOPFILE
    exists, then flushes. Each delivery report becomes a line of ACKFILE as it arrives:
    "ok PARTITION OFFSET VALUE" or "err PARTITION VALUE ERROR_NAME". librdkafka's error
    callback lines go to stderr as "client-error NAME". Prints "SENT n ACKED a FAILED f".
dump BOOTSTRAP TOPIC PARTITIONS OUTFILE [ENDSFILE]
    Reads every partition from its start to its high watermark; writes "PARTITION OFFSET VALUE"
    lines. Prints "DUMPED n". ENDSFILE lines "PARTITION END" make it first wait (up to 30 s)
    until each such partition's high watermark reaches END: a new leader's high watermark may
    trail what its predecessor acknowledged until the followers fetch from it again.
Every wait is bounded; a failure exits non-zero with a one-line reason."""
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def produce(bootstrap, topic, partitions, ack_path, stop_path):
    acked = [0]
    failed = [0]
    out = open(ack_path, "w", buffering=1)

    def on_delivery(err, msg):
        value = msg.value().decode()
        if err is not None:
            failed[0] += 1
            out.write("err %d %s %s\n" % (msg.partition(), value, err.name()))
        else:
            acked[0] += 1
            out.write("ok %d %d %s\n" % (msg.partition(), msg.offset(), value))

    def on_error(err):
        sys.stderr.write("client-error %s %s\n" % (err.name(), err.str()))
        sys.stderr.flush()

    # message.timeout.ms bounds a record's life (the default is 5 minutes, beyond a test's bound).
    # One request in flight per broker: without idempotence that is what orders retries (Kafka's
    # ordering guarantee under retries needs it too); the tests check the order produced.
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.timeout.ms": 60000,
                         "max.in.flight.requests.per.connection": 1, "error_cb": on_error})
    sent = 0
    deadline = time.monotonic() + 600
    while not os.path.exists(stop_path):
        if time.monotonic() > deadline:
            sys.exit("no stop file after 600 s")
        value = "v%08d" % sent
        try:
            producer.produce(topic, value=value.encode(), partition=sent % partitions, on_delivery=on_delivery)
        except BufferError:
            producer.poll(0.1)
            continue
        sent += 1
        producer.poll(0)
        if sent % 20 == 0:
            time.sleep(0.01)  # a steady stream, not a flood: about 2,000 records/s at most
    if producer.flush(90) != 0:
        sys.exit("records still undelivered 90 s after the stop")
    out.close()
    print("SENT %d ACKED %d FAILED %d" % (sent, acked[0], failed[0]))


def dump(bootstrap, topic, partitions, out_path, ends_path=None):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "failover-dump", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    wanted = {}
    if ends_path:
        with open(ends_path) as f:
            for line in f:
                p, end = line.split()
                wanted[int(p)] = int(end)
    ends = {}
    deadline = time.monotonic() + 30
    for p in range(partitions):
        while True:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30, cached=False)
            if high >= wanted.get(p, 0):
                break
            if time.monotonic() > deadline:
                sys.exit("partition %d: high watermark %d below the acknowledged end %d after 30 s" % (p, high, wanted[p]))
            time.sleep(0.1)
        ends[p] = high
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    remaining = {p for p in range(partitions) if ends[p] > 0}
    n = 0
    deadline = time.monotonic() + 60
    with open(out_path, "w") as out:
        while remaining:
            if time.monotonic() > deadline:
                sys.exit("dump timed out; partitions left: %s" % sorted(remaining))
            msg = consumer.poll(1)
            if msg is None:
                continue
            if msg.error():
                if msg.error().retriable() or msg.error().code() < 0:
                    continue
                sys.exit("consume error: %s" % msg.error())
            out.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode()))
            n += 1
            if msg.offset() + 1 >= ends[msg.partition()]:
                remaining.discard(msg.partition())
    consumer.close()
    print("DUMPED %d" % n)


def main():
    mode = sys.argv[1]
    try:
        if mode == "produce":
            produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
        elif mode == "dump":
            dump(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6] if len(sys.argv) > 6 else None)
        else:
            sys.exit("unknown mode %s" % mode)
    except KafkaException as e:
        sys.exit("kafka error: %s" % e)


main()
