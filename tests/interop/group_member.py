"""Stock clients in one consumer group: the group tests' member and producer.

member CLIENT BOOTSTRAP GROUP TOPIC OUTDIR NAME [SESSION_MS [INSTANCE_ID]]
    CLIENT is confluent (librdkafka) or kafka-python. Subscribes to TOPIC in GROUP with automatic
    commits off, auto.offset.reset earliest, and commits synchronously after each batch it has
    processed (at-least-once). Processing = appending "PARTITION OFFSET VALUE" lines to
    OUTDIR/NAME.records. Every assignment it receives becomes a line "ASSIGN p,p,..." of
    OUTDIR/NAME.assign ("ASSIGN" alone for none). Runs until OUTDIR/NAME.stop exists, then
    closes (leaving the group); SIGKILL makes it vanish without leaving. Gives up after 300 s.
    INSTANCE_ID (confluent only) makes it a static member (group.instance.id, KIP-345), which
    does not leave the group on close.
produce BOOTSTRAP TOPIC PARTITIONS FIRST COUNT
    Writes values v<FIRST> .. v<FIRST+COUNT-1> (8 digits), record i to partition i % PARTITIONS,
    acks=all, one request in flight; exits non-zero unless every record is acknowledged.
Every wait is bounded; a failure exits non-zero with a one-line reason."""
import os
import sys
import time


def member_confluent(bootstrap, group, topic, records, assign_path, stop_path, session_ms, instance_id=None):
    from confluent_kafka import Consumer, KafkaException

    assign_log = open(assign_path, "a", buffering=1)

    def on_assign(consumer, partitions):
        assign_log.write("ASSIGN %s\n" % ",".join(str(p.partition) for p in partitions))

    settings = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                "auto.offset.reset": "earliest", "session.timeout.ms": session_ms,
                "heartbeat.interval.ms": max(500, session_ms // 4)}
    if instance_id is not None:
        settings["group.instance.id"] = instance_id
    consumer = Consumer(settings)
    consumer.subscribe([topic], on_assign=on_assign)
    deadline = time.monotonic() + 300
    while not os.path.exists(stop_path) and time.monotonic() < deadline:
        batch = consumer.consume(num_messages=200, timeout=0.2)
        taken = 0
        for msg in batch:
            if msg.error():
                continue
            records.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode()))
            taken += 1
        if taken:
            records.flush()
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as e:  # a rebalance took the partitions: they are redelivered
                sys.stderr.write("commit failed: %s\n" % e)
    consumer.close()


def member_kafka_python(bootstrap, group, topic, records, assign_path, stop_path, session_ms):
    from kafka import KafkaConsumer
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.errors import CommitFailedError, KafkaError

    assign_log = open(assign_path, "a", buffering=1)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            pass

        def on_partitions_assigned(self, assigned):
            assign_log.write("ASSIGN %s\n" % ",".join(str(tp.partition) for tp in sorted(assigned)))

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=session_ms,
                             heartbeat_interval_ms=max(500, session_ms // 4))
    consumer.subscribe([topic], listener=Listener())
    deadline = time.monotonic() + 300
    while not os.path.exists(stop_path) and time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=200)
        taken = 0
        for tp, msgs in batches.items():
            for msg in msgs:
                records.write("%d %d %s\n" % (tp.partition, msg.offset, msg.value.decode()))
                taken += 1
        if taken:
            records.flush()
            try:
                consumer.commit()
            except (CommitFailedError, KafkaError) as e:
                sys.stderr.write("commit failed: %s\n" % e)
    consumer.close(autocommit=False)


def produce(bootstrap, topic, partitions, first, count):
    from confluent_kafka import Producer

    failed = []

    def on_delivery(err, msg):
        if err is not None:
            failed.append(err.name())

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.timeout.ms": 60000,
                         "max.in.flight.requests.per.connection": 1, "linger.ms": 5})
    for i in range(first, first + count):
        while True:
            try:
                producer.produce(topic, value=("v%08d" % i).encode(), partition=i % partitions,
                                 on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(90) != 0:
        sys.exit("records still unacknowledged after 90 s")
    if failed:
        sys.exit("%d records failed, first: %s" % (len(failed), failed[0]))
    print("PRODUCED %d" % count)


def main(argv):
    if len(argv) >= 7 and argv[1] == "member":
        client, bootstrap, group, topic, outdir, name = argv[2:8]
        session_ms = int(argv[8]) if len(argv) > 8 else 6000
        instance_id = argv[9] if len(argv) > 9 else None
        records = open(os.path.join(outdir, name + ".records"), "a")
        run = {"confluent": member_confluent, "kafka-python": member_kafka_python}.get(client)
        if run is None:
            sys.exit("unknown client " + client)
        args = [bootstrap, group, topic, records, os.path.join(outdir, name + ".assign"),
                os.path.join(outdir, name + ".stop"), session_ms]
        if instance_id is not None:
            if client != "confluent":
                sys.exit("group.instance.id is only supported with the confluent client")
            args.append(instance_id)
        run(*args)
        return
    if len(argv) == 7 and argv[1] == "produce":
        produce(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
